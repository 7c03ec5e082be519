"""Errors every layer may raise; only the CLI turns them into messages and exit codes.

Each error carries a one-line, user-facing message. ``path`` names the file (or
database) the problem is about, when there is one.
"""

from __future__ import annotations


class ClaimtrackError(Exception):
    """Base of all expected (user-facing) errors. Never shown with a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class UsageError(ClaimtrackError):
    """Bad usage: an unknown option value, a malformed database URL, a bad id."""

    exit_code = 2


class InputError(ClaimtrackError):
    """An input file that cannot be read or is not an article (empty, binary, too large...)."""


class DatabaseError(ClaimtrackError):
    """The case database cannot be opened, written, or is inconsistent."""


class NotFoundError(ClaimtrackError):
    """A claim, source, article or link named by the user does not exist."""


class ConflictError(ClaimtrackError):
    """A stale decision: someone else changed the record since it was read."""
