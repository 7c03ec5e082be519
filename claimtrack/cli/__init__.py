"""The command line: the only layer that prints or exits."""

from __future__ import annotations


def main() -> None:
    from claimtrack import __version__

    print(f"claimtrack {__version__}")
