"""What every batch command shares: the database, the user, how errors show."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.text import Text

from dealer_tui.core.config import resolve_database_url
from dealer_tui.core.errors import DealerError

if TYPE_CHECKING:
    from dealer_tui.core.auth import Actor
    from dealer_tui.core.csvimport import ImportReport
    from dealer_tui.core.db import Database

# Reports are read in files and pipes too: long lines are not broken.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class Context:
    """Options given before the command name, e.g. --database-url."""

    database_url: str | None = None
    user: str | None = None

    def open(self, *, check_schema: bool = True) -> Database:
        # The database layer is imported by the commands that use it, so
        # that `dealer --help` and the workstation's start load none of it.
        from dealer_tui.core import schema
        from dealer_tui.core.db import Database

        db = Database.open(resolve_database_url(self.database_url))
        if check_schema:
            schema.check(db)
        return db

    def actor(self, db: Database) -> Actor:
        from dealer_tui.core.services import batch_actor

        return batch_actor(db, self.user)


def context(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    if not isinstance(obj, Context):
        obj = Context()
        ctx.find_root().obj = obj
    return obj


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(Text.assemble(("error: ", "bold"), message))
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Show a refusal as its sentence on stderr and exit non-zero."""
    try:
        yield
    except DealerError as exc:
        raise fail(exc.message) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


def print_report(report: ImportReport) -> None:
    """The validation report: every bad row and field, then the summary."""
    for problem in sorted(report.problems, key=lambda p: p.line or 0):
        where = f"line {problem.line}: " if problem.line is not None else ""
        err.print(f"{where}{problem.field}: {problem.message}", markup=False)
    out.print(report.summary(), markup=False)
