"""The command line: the only layer that prints or exits.

Every ``claimtrack/cli/cmd_*.py`` module is imported here and registers its
commands on ``claimtrack.cli.app.app``; add a command group by adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil

from claimtrack.cli.app import app


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{info.name}")


_register_commands()


def main() -> None:
    """The ``claimtrack`` console script."""
    app(prog_name="claimtrack")


__all__ = ["app", "main"]
