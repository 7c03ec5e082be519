"""Source resolution: within an article and across the case (pure, no I/O).

Public API (the sources issue fills it in):
- ``resolve_claims(text, claims) -> list[ResolvedClaim]``
"""

from __future__ import annotations

from claimtrack.models import Claim, ResolvedClaim


def resolve_claims(text: str, claims: list[Claim]) -> list[ResolvedClaim]:
    """Attach a canonical Speaker to every claim of one article (placeholder)."""
    return [ResolvedClaim(claim=c) for c in claims]


__all__ = ["resolve_claims"]
