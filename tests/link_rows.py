"""Every link row of a case, in one order, for tests that compare two cases' links."""

from __future__ import annotations

from sqlalchemy import text

from claimtrack.store.db import Case


def link_rows(case: Case) -> list[tuple[object, ...]]:
    with case.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT a_id, b_id, relation, confidence, reason, origin, origin_claim_id "
                    "FROM link ORDER BY a_id, b_id, origin"
                )
            )
        ]
