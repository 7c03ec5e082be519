"""What every command shares and needs no typer: the one-line error and warning on stderr.

``claimtrack extract`` in its plain form runs without importing typer
(``claimtrack.cli.app_extract``); ``claimtrack.cli.app`` re-exports these.
"""

from __future__ import annotations

import sys


def print_error(message: str) -> None:
    """One line on stderr: ``error: <message>``."""
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()


def print_warning(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")
    sys.stderr.flush()
