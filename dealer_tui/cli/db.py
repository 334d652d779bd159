"""`dealer db`: create, upgrade and inspect the database schema."""

from __future__ import annotations

import typer

from dealer_tui.cli.common import context, out, user_errors
from dealer_tui.core import schema

app = typer.Typer(help="Create, upgrade and inspect the database schema.")


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Bring the database schema up to this workstation's version."""
    with user_errors():
        db = context(ctx).open(check_schema=False)
        before = schema.status(db)
        after = schema.upgrade(db)
        if before.current == after.current:
            out.print(f"Already up to date (revision {after.head}) on {db.describe()}.")
        else:
            out.print(
                f"Upgraded {db.describe()} from "
                f"{before.current_text if before.current else 'empty'} "
                f"to {after.current_text}."
            )


@app.command()
def status(ctx: typer.Context) -> None:
    """Say whether the database schema matches this workstation."""
    with user_errors():
        db = context(ctx).open(check_schema=False)
        found = schema.status(db)
        out.print(f"Database: {db.describe()}")
        out.print(f"Schema revision: {found.current_text}; code: {found.head}")
        out.print(found.explain())
        if not found.up_to_date:
            raise typer.Exit(1)
