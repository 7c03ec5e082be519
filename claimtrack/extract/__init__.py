"""Attribution extraction: article text in, attributed claims out (pure, no I/O).

Public API:
- ``extract_claims(text) -> list[Claim]``
- ``to_contract(claim, document, speaker=None) -> dict`` (docs/extract-jsonl.md)
"""

from __future__ import annotations

from claimtrack.extract.api import EXTRACTOR_NAME, EXTRACTOR_VERSION, extract_claims, to_contract

__all__ = ["EXTRACTOR_NAME", "EXTRACTOR_VERSION", "extract_claims", "to_contract"]
