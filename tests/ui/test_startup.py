"""The workstation opened on a URL: sign-in first, the database behind it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from textual.widgets import Input, Static

from bench.terminal import Terminal
from dealer_tui.core.db import Database, normalise_url
from dealer_tui.ui.app import DealerApp, database_label
from dealer_tui.ui.screens.home import HomeScreen
from dealer_tui.ui.screens.signin import SignInScreen
from tests.ui.conftest import FROZEN, settle


def _message(app: DealerApp) -> str:
    return str(app.screen.query_one("#signin-message", Static).render())


async def test_a_schema_problem_found_while_opening_is_shown_on_sign_in(
    tmp_path: Path,
) -> None:
    """An empty database is named on the sign-in screen with the command to run."""
    app = DealerApp(f"sqlite:///{tmp_path / 'empty.sqlite3'}", frozen_clock=FROZEN)
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await settle(pilot)
        assert app.db is None
        expected = "The database is empty: run `dealer db upgrade` to create it."
        assert _message(app) == expected
        await pilot.press(*"chris.counter", "enter", *"counter-demo", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert _message(app) == expected


async def test_a_database_that_cannot_be_opened_is_named_on_sign_in(
    tmp_path: Path,
) -> None:
    """A database file that cannot be made is reported, not thrown at the user."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    app = DealerApp(f"sqlite:///{blocker / 'dealer.sqlite3'}", frozen_clock=FROZEN)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert _message(app).startswith(
            "The database (local file dealer.sqlite3) cannot be opened: "
        )


async def test_a_sign_in_typed_before_the_database_opened_waits_for_it(
    demo_db: Database,
) -> None:
    """Name, Enter, password, Enter at once: the home screen opens for the user."""
    app = DealerApp(demo_db.url, frozen_clock=FROZEN)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"chris.counter", "enter", *"counter-demo", "enter")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.actor is not None and app.actor.username == "chris.counter"
        assert app.db is not None
    app.db.dispose()


async def test_the_sign_in_screen_names_the_database_before_it_is_open(
    demo_db: Database,
) -> None:
    """The status line says which database from the first frame on."""
    app = DealerApp(demo_db.url, frozen_clock=FROZEN)
    async with app.run_test(size=(100, 30)) as pilot:
        line = str(app.screen.query_one("StatusLine").render_line(0).text)
        assert f"Dealer workstation · {demo_db.describe()}" in line
        await settle(pilot)
        assert app.db is not None
        assert isinstance(app.screen.query_one("#username", Input), Input)
    app.db.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////tmp/branch/dealer.sqlite3",
        "sqlite:///dealer.sqlite3",
        "sqlite://",
        "postgresql://postgres@127.0.0.1/dealer_group",
        "postgres://clerk:secret@127.0.0.1:5432/dealer%20west",
        "postgresql+psycopg:///dealer",
    ],
)
def test_the_name_before_opening_is_the_name_after(url: str) -> None:
    """The label drawn before the database is open matches `describe`."""
    # An engine that is never connected: nothing is created or reached.
    normal = normalise_url(url)
    db = Database(url=normal, engine=create_engine(normal))
    assert database_label(url) == db.describe()


def test_keys_typed_before_the_first_frame_reach_their_fields(
    demo_db: Database,
) -> None:
    """In a real terminal, a sign-in typed ahead of the screen signs the user in."""
    launcher = Path(sys.executable).with_name("dealer")
    if not launcher.exists():
        pytest.skip("the dealer command is not installed beside this Python")
    env = dict(os.environ, TERM="xterm-256color")
    with Terminal([str(launcher), "--database-url", demo_db.url], env) as terminal:
        terminal.type("chris.counter\rcounter-demo\r")
        terminal.wait_for("Sign in")
        terminal.wait_for("Chris Nguyen", timeout=60)


async def test_asked_to_the_workstation_leaves_on_a_schema_mismatch(
    tmp_path: Path,
) -> None:
    """Opened for the demo, a database of another version closes the workstation."""
    app = DealerApp(
        f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        frozen_clock=FROZEN,
        leave_on_schema_mismatch=True,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
    assert app.left_on_schema_mismatch
    assert app.db is None


def test_a_sign_in_typed_in_one_burst_with_tab_signs_in(demo_db: Database) -> None:
    """Name, Tab, password, Enter in one write (as a password manager types)."""
    launcher = Path(sys.executable).with_name("dealer")
    if not launcher.exists():
        pytest.skip("the dealer command is not installed beside this Python")
    env = dict(os.environ, TERM="xterm-256color")
    with Terminal([str(launcher), "--database-url", demo_db.url], env) as terminal:
        terminal.wait_for("Sign in")
        terminal.settle()
        terminal.type("chris.counter\tcounter-demo\r")
        terminal.wait_for("Chris Nguyen", timeout=60)
