"""The `dealer` command's start: what it loads before the workstation draws."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dealer_tui.cli import commands
from dealer_tui.cli.commands import GROUPS, LazyGroups, load_group
from dealer_tui.cli.main import app, workstation_options
from dealer_tui.core.db import Database

runner = CliRunner()

# Loaded by opening the workstation only once the sign-in screen is drawn.
DATABASE_LAYER = (
    "sqlalchemy",
    "alembic",
    "typer",
    "fpdf",
    "dealer_tui.core.db",
    "dealer_tui.core.schema",
    "dealer_tui.core.services",
    "dealer_tui.models",
)


def _loaded_after(code: str, names: tuple[str, ...]) -> list[str]:
    """Which of the modules are in sys.modules after running the code."""
    probe = (
        f"{code}\nimport sys\n"
        f"print(' '.join(n for n in {names!r} if n in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_the_start_up_path_loads_no_database_layer() -> None:
    """Everything the sign-in screen needs loads without SQLAlchemy or Typer."""
    code = (
        "from dealer_tui.cli import main\n"
        "from dealer_tui.core.config import resolve_database_url\n"
        "from dealer_tui.core.logs import set_up_logging\n"
        "from dealer_tui.ui.app import DealerApp\n"
        "from dealer_tui.ui.screens.signin import SignInScreen\n"
        "assert main.workstation_options(['--database-url', 'sqlite://']) == "
        "{'--database-url': 'sqlite://'}\n"
        "DealerApp('sqlite://')\n"
    )
    assert _loaded_after(code, DATABASE_LAYER) == []


def test_a_batch_command_loads_only_its_own_group(tmp_path: Path) -> None:
    """`dealer db status` imports the db group and none of the others."""
    modules = tuple(group.module for group in GROUPS.values())
    code = (
        "from typer.testing import CliRunner\n"
        "from dealer_tui.cli.main import app\n"
        f"CliRunner().invoke(app, ['--database-url', 'sqlite:///{tmp_path}/x.db', "
        "'db', 'status'])\n"
    )
    assert _loaded_after(code, modules) == ["dealer_tui.cli.db"]


def test_help_lists_every_group_with_its_help() -> None:
    """`dealer --help` names every group and command, in order, with its help."""
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1].split()
    for name, group in GROUPS.items():
        assert name in listed
        assert group.help.split(".")[0] in result.output
    names = [n for n in ("demo", "setup", *GROUPS) if n in listed]
    assert names == ["demo", "setup", *GROUPS]


def test_help_loads_no_group() -> None:
    """Listing the groups in `dealer --help` imports none of their modules."""
    modules = tuple(group.module for group in GROUPS.values())
    code = (
        "from typer.testing import CliRunner\n"
        "from dealer_tui.cli.main import app\n"
        "assert 'workshop' in CliRunner().invoke(app, ['--help']).output\n"
    )
    assert _loaded_after(code, modules) == []


@pytest.mark.parametrize("name", list(GROUPS))
def test_each_listed_help_is_the_group_own(name: str) -> None:
    """The help `dealer --help` shows for a group is the one the group declares."""
    group = load_group(name, LazyGroups(rich_markup_mode=None))
    assert group.help == GROUPS[name].help
    assert group.name == name


def test_a_mistyped_group_is_suggested() -> None:
    """A group name one letter short is refused with the group it looks like."""
    result = runner.invoke(app, ["invoic"])
    assert result.exit_code == 2
    assert "No such command 'invoic'. Did you mean 'invoice'?" in result.output


@pytest.mark.parametrize(
    ("args", "options"),
    [
        ([], {}),
        (["--database-url", "sqlite:///a.db"], {"--database-url": "sqlite:///a.db"}),
        (
            ["--user=sam.rep", "--database-url=postgresql://h/d"],
            {"--user": "sam.rep", "--database-url": "postgresql://h/d"},
        ),
        (["--database-url="], {"--database-url": ""}),
        (["--help"], None),
        (["db", "status"], None),
        (["--database-url", "sqlite:///a.db", "demo"], None),
        (["--database-url"], None),
        (["--database-url", "--help"], None),
        (["--bogus"], None),
    ],
)
def test_only_a_line_that_just_opens_the_workstation_skips_the_parser(
    args: list[str], options: dict[str, str] | None
) -> None:
    """The options of a line that opens the workstation; None sends it to Typer."""
    assert workstation_options(args) == options


def test_a_built_demo_opens_on_its_url_and_an_old_one_is_built_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dealer demo` opens a built demo at once; one left for its schema is rebuilt."""
    monkeypatch.setenv("DEALER_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["demo", "--build-only"]).exit_code == 0
    opened: list[tuple[object, bool]] = []
    answers = [True]

    def open_workstation(db: object, *, leave_on_schema_mismatch: bool = False) -> bool:
        opened.append((db, leave_on_schema_mismatch))
        return answers.pop(0)

    monkeypatch.setattr(commands, "open_workstation", open_workstation)
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert opened == [(f"sqlite:///{tmp_path / 'demo.sqlite3'}", True)]

    opened.clear()
    answers[:] = [False, True]
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "The demo was made by another version; building it anew.\n"
        f"Building the demo dealership in {tmp_path / 'demo.sqlite3'} ...\n"
    )
    assert opened[0] == (f"sqlite:///{tmp_path / 'demo.sqlite3'}", True)
    rebuilt, leave = opened[1]
    assert isinstance(rebuilt, Database) and leave is False
    rebuilt.dispose()
