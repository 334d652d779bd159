"""The `dealer` command line: its options, `demo`, `setup` and the groups.

A command group is imported only when its command is given: the list in
`GROUPS` carries each group's help, so that `dealer --help` shows every
group without loading the business areas behind them.
"""

from __future__ import annotations

from difflib import get_close_matches
from importlib import import_module
from pathlib import Path
from typing import Annotated, NamedTuple

import typer
from typer import _click
from typer.core import TyperGroup
from typer.main import get_group_from_info
from typer.models import TyperInfo

from dealer_tui.cli.common import Context, context, fail, out, user_errors
from dealer_tui.cli.main import open_workstation
from dealer_tui.core import config
from dealer_tui.core.logs import set_up_logging


class CommandGroup(NamedTuple):
    """Where a group's Typer app lives, and its help as `dealer --help` lists it."""

    module: str
    attribute: str
    help: str


# In the order `dealer --help` lists them; each help is the group's own.
GROUPS: dict[str, CommandGroup] = {
    "catalog": CommandGroup(
        "dealer_tui.cli.catalog",
        "app",
        "The truck catalogue: ranges, options, rules and prices.",
    ),
    "db": CommandGroup(
        "dealer_tui.cli.db",
        "app",
        "Create, upgrade and inspect the database schema.",
    ),
    "import": CommandGroup(
        "dealer_tui.cli.importing",
        "app",
        "Import data from CSV files. Every row is checked first; nothing is "
        "written if any row is bad, unless --good-rows is given.",
    ),
    "invoice": CommandGroup(
        "dealer_tui.cli.invoicing",
        "app",
        "Invoices: the batch run, posting, credit notes, payments, the tax "
        "invoice and the e-invoice.",
    ),
    "leads": CommandGroup(
        "dealer_tui.cli.leads",
        "app",
        "Leads: import suspects and list the ranked prospects.",
    ),
    "orders": CommandGroup(
        "dealer_tui.cli.orders",
        "app",
        "Orders: the weekly delivery schedule.",
    ),
    "quote": CommandGroup(
        "dealer_tui.cli.quotes",
        "app",
        "Quotes: the printed quote and its text for e-mail.",
    ),
    "stock": CommandGroup(
        "dealer_tui.cli.orders",
        "stock_app",
        "Trucks in stock: receive a delivery from the factory. Every row is "
        "checked first; nothing is written if any row is bad, unless --good-rows "
        "is given.",
    ),
    "parts": CommandGroup(
        "dealer_tui.cli.parts",
        "app",
        "Parts: import the catalogue, stock and deliveries; receive.",
    ),
    "workshop": CommandGroup(
        "dealer_tui.cli.workshop",
        "app",
        "Workshop batch work: service invitations and utilisation.",
    ),
}


def load_group(name: str, parent: TyperGroup) -> TyperGroup:
    """Import one command group and build it as `add_typer` would have."""
    found = GROUPS[name]
    sub_app = getattr(import_module(found.module), found.attribute)
    return get_group_from_info(
        TyperInfo(sub_app, name=name),
        pretty_exceptions_short=True,
        suggest_commands=parent.suggest_commands,
        rich_markup_mode=parent.rich_markup_mode,
    )


class LazyGroups(TyperGroup):
    """The root group: each command group is imported when it is first asked for."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return [*self.commands, *(name for name in GROUPS if name not in self.commands)]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in GROUPS:
            command = self.commands[cmd_name] = load_group(cmd_name, self)
        return command

    def format_commands(
        self, ctx: _click.Context, formatter: _click.HelpFormatter
    ) -> None:
        # A group not yet imported is listed by a stand-in carrying its help.
        listed: list[tuple[str, _click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or TyperGroup(
                name=name, help=GROUPS[name].help
            )
            if not command.hidden:
                listed.append((name, command))
        if not listed:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in listed)
        rows = [(name, command.get_short_help_str(limit)) for name, command in listed]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        # As Typer's own, but a mistyped name is matched against every group.
        try:
            return self._click_resolve_command(ctx, args)
        except _click.exceptions.UsageError as error:
            if self.suggest_commands and args:
                matches = get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    suggestions = ", ".join(f"{m!r}" for m in matches)
                    message = error.message.rstrip(".")
                    error.message = f"{message}. Did you mean {suggestions}?"
            raise


app = typer.Typer(
    cls=LazyGroups,
    help="Dealer workstation for heavy-truck dealerships. Without a command it "
    "opens the workstation.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
)


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
        open_workstation(config.resolve_database_url(database_url))


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
    if scale is not None or into:
        from dealer_tui.cli.scaled_demo import scaled_demo

        with user_errors():
            db = scaled_demo(scale or "large", seed, into, rebuild=rebuild)
        if not build_only:
            open_workstation(db)
        return
    path = config.demo_database_path()
    if not (rebuild or build_only) and path.exists():
        # A demo already built opens as fast as any database; one made by
        # another version makes the workstation leave at once, to be built
        # anew here.
        if open_workstation(f"sqlite:///{path}", leave_on_schema_mismatch=True):
            return
        out.print("The demo was made by another version; building it anew.")
        rebuild = True
    from dealer_tui.core import schema
    from dealer_tui.core.db import Database
    from dealer_tui.demo.build import build_demo

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
