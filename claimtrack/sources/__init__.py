"""Source resolution: within an article and across the case (pure, no I/O).

Public API:
- ``resolve_claims(text, claims) -> list[ResolvedClaim]``
"""

from __future__ import annotations

from claimtrack.sources.resolve import resolve_claims

__all__ = ["resolve_claims"]
