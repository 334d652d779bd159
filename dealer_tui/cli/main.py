"""The `dealer` command: opens the workstation, or runs a batch command.

Opening the workstation is the common case and should feel instant: a
command line that only opens it (at most `--database-url` and `--user`)
skips the command-line parser and draws the sign-in screen while the
database is opened behind it.  Everything else, `--help` and mistakes
included, goes to the Typer app in `dealer_tui.cli.commands`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dealer_tui.cli.commands import app, context, fail
    from dealer_tui.core.db import Database

# The options the workstation itself takes, each with a value.
WORKSTATION_OPTIONS = ("--database-url", "--user")


def workstation_options(args: Sequence[str]) -> dict[str, str] | None:
    """The options of a command line that only opens the workstation.

    None when the line holds anything else, which the full parser then
    reads (and explains, if it is a mistake).
    """
    found: dict[str, str] = {}
    rest = list(args)
    while rest:
        name, equals, value = rest.pop(0).partition("=")
        if name not in WORKSTATION_OPTIONS:
            return None
        if not equals:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        found[name] = value
    return found


def open_workstation(
    db: Database | str, *, leave_on_schema_mismatch: bool = False
) -> bool:
    """Start the Textual application on an open database or on a URL.

    Given a URL, the sign-in screen is drawn first and the database opened
    and checked behind it.  False when, as asked, the workstation left at
    once because the schema does not match.  The UI is imported here so
    batch runs never load it.
    """
    from dealer_tui.ui.app import DealerApp

    app = DealerApp(db, leave_on_schema_mismatch=leave_on_schema_mismatch)
    app.run()
    return not app.left_on_schema_mismatch


def _open_from_command_line(options: dict[str, str]) -> None:
    from dealer_tui.core.config import resolve_database_url
    from dealer_tui.core.logs import set_up_logging

    set_up_logging()
    open_workstation(resolve_database_url(options.get("--database-url")))


def run() -> None:
    """Console entry point."""
    try:
        options = workstation_options(sys.argv[1:])
        if options is None:
            from dealer_tui.cli.commands import app

            app()
            return
        try:
            _open_from_command_line(options)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            sys.exit(130)
    except BrokenPipeError:
        raise SystemExit(1) from None


def __getattr__(name: str) -> Any:
    # The Typer app is built only when asked for: opening the workstation
    # does not pay for it.
    if name in ("app", "context", "fail"):
        from dealer_tui.cli import commands

        return getattr(commands, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "context", "fail", "open_workstation", "run"]
