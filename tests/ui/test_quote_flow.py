"""Quoting driven by keys on the demo: configure, price, approve, send, accept."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from rich.console import Console
from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from dealer_tui.catalog.configurator import OptionState
from dealer_tui.catalog.documents import documents_dir
from dealer_tui.catalog.models import Quote
from dealer_tui.catalog.quote_states import QuoteState
from dealer_tui.core.db import Database
from dealer_tui.ui.app import DealerApp
from dealer_tui.ui.screens.configurator import (
    ConfiguratorScreen,
    LeaveDialog,
    WhyDialog,
)
from dealer_tui.ui.screens.customer import CustomerScreen
from dealer_tui.ui.screens.home import HomeScreen
from dealer_tui.ui.screens.quote import QuoteScreen, order_entry_installed
from dealer_tui.ui.screens.quote_dialogs import ExtrasDialog, ModelPicker
from dealer_tui.ui.screens.quote_list import QuoteListScreen
from dealer_tui.ui.widgets.form import FormScreen
from tests.ui.conftest import settle, signed_in_app

SIZE = (100, 30)


def _text(app: DealerApp, selector: str) -> str:
    """What a Static shows, tables included, as plain text."""
    content = app.screen.query_one(selector, Static).content
    if isinstance(content, str):
        return content
    console = Console(width=100, file=io.StringIO(), record=True)
    console.print(content)
    return console.export_text()


def _configurator(app: DealerApp) -> ConfiguratorScreen:
    screen = app.screen
    assert isinstance(screen, ConfiguratorScreen)
    assert screen.config is not None
    return screen


def _quote(app: DealerApp) -> QuoteScreen:
    screen = app.screen
    assert isinstance(screen, QuoteScreen)
    assert screen.quote is not None
    return screen


async def _press(pilot: Pilot[object], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def _new_quote(app: DealerApp, pilot: Pilot[object]) -> QuoteScreen:
    """From home: Westgate's customer screen, q, FH-PM, back to the quote."""
    app.open_record("customer", 3)
    await settle(pilot)
    await _press(pilot, "q")
    await _press(pilot, *"FH-PM", "enter")
    await _press(pilot, "escape")
    return _quote(app)


async def _configure_and_ask_approval(app: DealerApp, pilot: Pilot[object]) -> str:
    """The rep's part up to asking for approval; returns the quote number."""
    await settle(pilot)
    await _press(pilot, "c", *"westgate", "enter", "enter")
    assert isinstance(app.screen, CustomerScreen)
    assert app.screen.account is not None
    assert app.screen.account.name == "Westgate Concrete Pumping"

    await _press(pilot, "q")
    assert isinstance(app.screen, ModelPicker)
    await _press(pilot, *"FH-PM", "enter")
    screen = _configurator(app)
    assert "FH prime mover (FH-PM) · Westgate Concrete Pumping" in _text(
        app, "#cfg-head"
    )

    # Engine is the second family; D13K540 its third option.
    await _press(pilot, "down", "right", "down", "down", "enter")
    screen = _configurator(app)
    assert screen.config is not None
    assert screen.config.status("D13K540").state is OptionState.CHOSEN
    assert "open: Gearbox" in _text(app, "#cfg-price")

    # The 2,600 Nm gearbox cannot take the 540 hp engine's torque.
    await _press(pilot, "left", "down", "right", "enter")
    assert screen.config.status("ATO2612F").state is OptionState.BLOCKED
    assert "Not possible: gearbox ATO2612F cannot be fitted" in _text(
        app, "#cfg-message"
    )

    await _press(pilot, "w")
    assert isinstance(app.screen, WhyDialog)
    why = _text(app, "#why-text")
    assert "Engine D13K540 goes only with gearbox ATO3112F" in why
    assert "You chose engine D13K540" in why
    assert "give up your choice: engine D13K540" in _text(app, "#why-change")
    await _press(pilot, "a")
    screen = _configurator(app)
    assert screen.config is not None
    assert screen.config.status("ATO2612F").state is OptionState.CHOSEN
    assert screen.config.status("D13K540").state is not OptionState.CHOSEN
    assert screen.dirty and "NOT SAVED" in _text(app, "#cfg-price")

    await _press(pilot, "s")
    assert not screen.dirty
    assert "Saved to Q" in _text(app, "#cfg-message")
    await _press(pilot, "escape")
    quote = _quote(app)
    assert quote.quote is not None
    assert "ATO2612F" in [line.code for line in quote.quote.lines]
    # $343,850.00 at list: base $289,500.00 and the default options.
    assert quote.quote.totals.list_total == Decimal("343850.00")

    # $15,000.00 off is 4.36%, beyond a representative's 3.00%.
    await _press(pilot, "d")
    assert isinstance(app.screen, FormScreen)
    assert isinstance(app.screen.focused, Input)
    await _press(pilot, *"15000", "ctrl+s")
    quote = _quote(app)
    assert quote.quote is not None
    assert quote.quote.totals.discount_percent == Decimal("4.36")
    assert quote.check_action("send", ()) is None
    assert "Cannot send: the discount needs a sales manager's approval first." in _text(
        app, "#quote-why"
    )

    await _press(pilot, "p")
    quote = _quote(app)
    assert quote.quote is not None
    assert quote.quote.state is QuoteState.AWAITING_APPROVAL
    assert "WAITING for a manager" in _text(app, "#quote-deal")
    return quote.quote.number


async def test_a_quote_goes_from_configuration_to_acceptance_by_keys(
    demo_db: Database,
) -> None:
    """Configure FH-PM, free a blocked gearbox, 4.36% off approved, sent, accepted."""
    rep = signed_in_app(demo_db, "sam.rep")
    async with rep.run_test(size=SIZE) as pilot:
        number = await _configure_and_ask_approval(rep, pilot)

    manager = signed_in_app(demo_db, "mike.manager")
    async with manager.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(manager.screen, HomeScreen)
        panel = manager.screen.query_one(
            "#panel-quotes_awaiting_approval OptionList", OptionList
        )
        assert panel.option_count == 1
        assert panel.has_focus
        await _press(pilot, "enter")
        quote = _quote(manager)
        assert quote.check_action("approve", ()) is True
        await _press(pilot, "p")
        quote = _quote(manager)
        assert quote.quote is not None
        assert quote.quote.state is QuoteState.DRAFT
        assert "approved by Mike Delaney" in _text(manager, "#quote-deal")

    rep = signed_in_app(demo_db, "sam.rep")
    async with rep.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _press(pilot, "ctrl+p", *number)
        await pilot.pause(0.5)
        await _press(pilot, "enter")
        quote = _quote(rep)
        assert quote.check_action("send", ()) is True
        await _press(pilot, "s")
        assert _quote(rep).quote.state is QuoteState.SENT  # type: ignore[union-attr]
        await _press(pilot, "P")
        printed = documents_dir() / f"{number}-v1.pdf"
        assert printed.exists() and printed.read_bytes().startswith(b"%PDF")
        assert str(printed) in _text(rep, "#quote-why")
        await _press(pilot, "y")
        quote = _quote(rep)
        assert quote.quote is not None
        assert quote.quote.state is QuoteState.ACCEPTED
        assert quote.check_action("configure", ()) is False
        assert quote.check_action("convert", ()) in (True, None)

    with demo_db.read() as session:
        stored = session.scalars(select(Quote).where(Quote.number == number)).one()
        assert stored.state == QuoteState.ACCEPTED
        assert stored.approved_percent == Decimal("4.36")


async def test_extras_are_counted_and_saved_on_the_quote(demo_db: Database) -> None:
    """Two UHF radios ($890.00 each) add $1,780.00 to the list price."""
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quote = await _new_quote(app, pilot)
        assert quote.quote is not None
        before = quote.quote.totals.list_total
        await _press(pilot, "a")
        dialog = app.screen
        assert isinstance(dialog, ExtrasDialog)
        listed = dialog.query_one("#extras-list", OptionList)
        row = next(
            index
            for index in range(listed.option_count)
            if listed.get_option_at_index(index).id == "ACC-UHF"
        )
        listed.highlighted = row
        await _press(pilot, "plus", "plus", "ctrl+s")
        quote = _quote(app)
        assert quote.quote is not None
        assert quote.quote.totals.list_total == before + Decimal("1780.00")
        extras = [line for line in quote.quote.lines if line.code == "ACC-UHF"]
        assert extras[0].quantity == 2


async def test_the_quote_list_opens_from_home_newest_first(demo_db: Database) -> None:
    """q on the home screen lists quotes, the newest number at the top."""
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        numbers = []
        for _ in range(2):
            made = await _new_quote(app, pilot)
            assert made.quote is not None
            numbers.append(made.quote.number)
            await _press(pilot, "escape")
            await _press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        await _press(pilot, "q")
        assert isinstance(app.screen, QuoteListScreen)
        await _press(pilot, "enter", "enter")
        quote = _quote(app)
        assert quote.quote is not None
        assert numbers[0] < numbers[1] == quote.quote.number


async def test_counter_staff_see_a_quote_but_not_its_keys(demo_db: Database) -> None:
    """Counter staff may read and print a quote; changing keys are hidden."""
    rep = signed_in_app(demo_db, "sam.rep")
    async with rep.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quote_id = (await _new_quote(rep, pilot)).quote_id
    counter = signed_in_app(demo_db, "chris.counter")
    async with counter.run_test(size=SIZE) as pilot:
        await settle(pilot)
        counter.open_record("quote", quote_id)
        await settle(pilot)
        quote = _quote(counter)
        for action in ("configure", "discounts", "send", "ask_approval", "copy"):
            assert quote.check_action(action, ()) is False
        assert quote.check_action("print", ()) is True


@pytest.mark.skipif(not order_entry_installed(), reason="order entry not installed")
async def test_an_accepted_quote_becomes_an_order_by_key(demo_db: Database) -> None:
    """Sent and accepted without a discount, c makes the order and notes it."""
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quote = await _new_quote(app, pilot)
        await _press(pilot, "s")
        await _press(pilot, "y")
        quote_id = quote.quote_id
        assert quote.check_action("convert", ()) is True
        await _press(pilot, "c")
    with demo_db.read() as session:
        stored = session.get(Quote, quote_id)
        assert stored is not None and stored.order_id is not None


async def test_leave_out_undo_complete_and_leave_without_saving(
    demo_db: Database,
) -> None:
    """x leaves ATO3112F out, c fits ATO3612F, u undoes, Escape d drops it all."""
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quote = await _new_quote(app, pilot)
        await _press(pilot, "k")
        screen = _configurator(app)
        await _press(pilot, "down", "right", "down", "down", "space")
        await _press(pilot, "left", "down", "right", "down", "x")
        assert screen.config is not None
        assert screen.config.status("ATO3112F").state is OptionState.DECLINED
        await _press(pilot, "c")
        assert screen.config.status("ATO3612F").state is OptionState.CHOSEN
        assert screen.config.open_families() == ()
        await _press(pilot, "u")
        assert screen.config.open_families() == ("GEARBOX",)
        await _press(pilot, "escape")
        assert isinstance(app.screen, LeaveDialog)
        await _press(pilot, "d")
        quote = _quote(app)
        assert quote.quote is not None
        assert "D13K540" not in [line.code for line in quote.quote.lines]


async def test_saved_choices_the_rules_refuse_are_named(demo_db: Database) -> None:
    """A stored choice of a withdrawn option is named, and saving drops it."""
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quote = await _new_quote(app, pilot)
        with demo_db.write() as session:
            session.execute(
                update(Quote)
                .where(Quote.id == quote.quote_id)
                .values(choices=[["CAB-SLP", True], ["XX-GONE", True]])
            )
        await _press(pilot, "ctrl+r")
        await _press(pilot, "k")
        screen = _configurator(app)
        assert "left out: XX-GONE" in _text(app, "#cfg-message")
        assert screen.check_action("save", ()) is True
        await _press(pilot, "s")
    with demo_db.read() as session:
        stored = session.get(Quote, quote.quote_id)
        assert stored is not None and stored.choices == [["CAB-SLP", True]]
