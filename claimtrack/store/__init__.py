"""claimtrack.store: the case database (the only layer that touches SQL) and input reading.

The Case API (docs/dev/STORE_API.md):

    from claimtrack.store import Case
    with Case.open(db) as case:           # resolves --db / CLAIMTRACK_DB / ./claimtrack.db, migrates
        with case.write() as s:           # one transaction; commits, or rolls back on error
            s.add(row)

Heavy imports (sqlmodel, trafilatura) happen lazily inside the functions that need them.
"""

from __future__ import annotations

from claimtrack.store.db import (
    DEFAULT_FILENAME,
    ENV_VAR,
    Case,
    DbLocation,
    resolve_location,
    utcnow,
)

__all__ = [
    "DEFAULT_FILENAME",
    "ENV_VAR",
    "Case",
    "DbLocation",
    "resolve_location",
    "utcnow",
]
