"""The `dealer` command: opens the workstation, or runs a batch command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dealer_tui.cli import catalog as catalog_commands
from dealer_tui.cli import db as db_commands
from dealer_tui.cli import importing
from dealer_tui.cli import invoicing as invoice_commands
from dealer_tui.cli import leads as lead_commands
from dealer_tui.cli import orders as order_commands
from dealer_tui.cli import parts as parts_commands
from dealer_tui.cli import quotes as quote_commands
from dealer_tui.cli import workshop as workshop_commands
from dealer_tui.cli.common import Context, context, fail, out, user_errors
from dealer_tui.core import config
from dealer_tui.core.logs import set_up_logging

app = typer.Typer(
    help="Dealer workstation for heavy-truck dealerships. Without a command it "
    "opens the workstation.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(catalog_commands.app, name="catalog")
app.add_typer(db_commands.app, name="db")
app.add_typer(importing.app, name="import")
app.add_typer(invoice_commands.app, name="invoice")
app.add_typer(lead_commands.app, name="leads")
app.add_typer(order_commands.app, name="orders")
app.add_typer(quote_commands.app, name="quote")
app.add_typer(order_commands.stock_app, name="stock")
app.add_typer(parts_commands.app, name="parts")
app.add_typer(workshop_commands.app, name="workshop")


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar=config.DATABASE_URL_ENV,
            help="Shared database, e.g. postgresql://user@host/dealer. "
            "Default: the local file in your data directory.",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", help="User a batch command acts for."),
    ] = None,
) -> None:
    ctx.obj = Context(database_url=database_url, user=user)
    set_up_logging()
    if ctx.invoked_subcommand is None:
        with user_errors():
            db = ctx.obj.open()
        open_workstation(db)


def open_workstation(db) -> None:  # type: ignore[no-untyped-def]
    """Start the Textual application; imported here so batch runs never load it."""
    from dealer_tui.ui.app import DealerApp

    DealerApp(db).run()


@app.command()
def demo(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Throw the demo away and build it anew.")
    ] = False,
    build_only: Annotated[
        bool, typer.Option("--build-only", help="Build the demo and exit.")
    ] = False,
    scale: Annotated[
        str | None,
        typer.Option(
            "--scale",
            help="A generated dealer group instead: tiny, small, medium, large "
            "(200,000 customers, 1,000,000 invoices) or a factor of large such "
            "as 0.25. Kept in its own file and built only when missing.",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Seed of the generated dealer group."),
    ] = None,
    into: Annotated[
        str | None,
        typer.Option(
            "--into",
            help="With --scale: build into this PostgreSQL database instead "
            "(it must be empty or hold a generated dealer group).",
        ),
    ] = None,
) -> None:
    """Open the workstation on the demo dealership, building it first if needed."""
    from dealer_tui.core import schema
    from dealer_tui.core.db import Database
    from dealer_tui.demo.build import build_demo

    if scale is not None or into:
        from dealer_tui.cli.scaled_demo import scaled_demo

        with user_errors():
            db = scaled_demo(scale or "large", seed, into, rebuild=rebuild)
        if not build_only:
            open_workstation(db)
        return
    path = config.demo_database_path()
    with user_errors():
        fresh = rebuild or not path.exists()
        if not fresh:
            db = Database.open(f"sqlite:///{path}")
            if not schema.status(db).up_to_date:
                out.print("The demo was made by another version; building it anew.")
                db.dispose()
                fresh = True
        if fresh:
            out.print(f"Building the demo dealership in {path} ...")
            for report in build_demo(path):
                out.print(f"  {report.summary()}")
        if build_only:
            if fresh:
                out.print("Demo built. Sign-ins are listed in the README.")
            else:
                out.print(
                    f"The demo is already in {path}; `dealer demo --rebuild` "
                    "builds it anew."
                )
            return
        db = Database.open(f"sqlite:///{path}")
    open_workstation(db)


@app.command()
def setup(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="TOML file with [dealer], [[branches]] and [[users]], as in "
            "fixtures/dealer.toml.",
        ),
    ],
) -> None:
    """Set up a new database: migrate it, then create the dealer, branches and users."""
    from dealer_tui.core import schema
    from dealer_tui.core.services import set_up_dealer
    from dealer_tui.demo.build import read_dealer_spec

    with user_errors():
        try:
            spec = read_dealer_spec(file)
        except (KeyError, TypeError, ValueError) as exc:
            raise fail(f"{file} is not a dealer file: {exc}") from None
        db = context(ctx).open(check_schema=False)
        schema.upgrade(db)
        set_up_dealer(db, spec)
        out.print(
            f"Set up {spec.name} with {len(spec.branches)} branches and "
            f"{len(spec.users)} users on {db.describe()}."
        )


def run() -> None:
    """Console entry point."""
    try:
        app()
    except BrokenPipeError:
        raise SystemExit(1) from None


__all__ = ["app", "context", "fail", "run"]
