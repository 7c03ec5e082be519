"""The command line: the only layer that prints or exits.

Every ``claimtrack/cli/cmd_*.py`` module registers its commands on
``claimtrack.cli.app.app``; ``claimtrack.cli.app`` (this package's attribute, the
typer application) imports them all when first asked for. The console script
first offers the command line to ``app_extract.fast_main``: the plain
``claimtrack extract FILE... [--format jsonl]`` runs there without typer or the
other commands' modules; everything else goes to the typer application.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    app: typer.Typer


def _register_commands() -> None:
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{info.name}")


def _app() -> Any:
    """The typer application with every command registered."""
    from claimtrack.cli.app import app as typer_app

    _register_commands()
    return typer_app


class _Package(types.ModuleType):
    """This package's module: ``claimtrack.cli.app`` is the typer application (loaded on
    first use), as it was when this package imported it eagerly.

    The import system binds a submodule to its package's attribute of the same name once
    the submodule is loaded; the submodule ``claimtrack.cli.app`` (imported by every
    command module) would then shadow the application, so that binding is skipped.
    """

    def __getattr__(self, name: str) -> Any:
        if name == "app":
            value = _app()
            super().__setattr__("app", value)
            return value
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "app" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def main() -> None:
    """The ``claimtrack`` console script."""
    from claimtrack.cli.app_extract import fast_main

    code = fast_main(sys.argv[1:], ending=True)  # the process ends with this command
    if code is not None:
        raise SystemExit(code)
    _app()(prog_name="claimtrack")


__all__ = ["app", "main"]
