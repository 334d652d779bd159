"""The lead screens driven by keys on the demo dealership."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from textual.widgets import Input, OptionList, Static

from dealer_tui.accounts.models import Account, Contact
from dealer_tui.core.db import Database
from dealer_tui.leads.models import Lead, LeadActivity, Opportunity, RankingWeights
from dealer_tui.leads.qualification import LeadStatus
from dealer_tui.ui.screens.customer import CustomerScreen
from dealer_tui.ui.screens.home import HomeScreen
from dealer_tui.ui.screens.lead import LeadScreen
from dealer_tui.ui.screens.lead_convert import ConversionScreen
from dealer_tui.ui.screens.lead_form import DuplicateChoiceScreen, LeadFormScreen
from dealer_tui.ui.screens.lead_list import LeadListScreen
from dealer_tui.ui.screens.lead_ranking import RankingScreen
from dealer_tui.ui.screens.lists import ListScreen
from dealer_tui.ui.widgets import virtual_table
from dealer_tui.ui.widgets.form import FormScreen
from dealer_tui.ui.widgets.virtual_table import VirtualTable
from tests.ui.conftest import settle, signed_in_app


def _shown(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


def _cells(table: VirtualTable) -> list[list[str]]:
    return [
        [c if isinstance(c, str) else c.plain for c in row.cells]
        for row in table.rows_in_view
    ]


def _enabled(screen: object, action: str) -> bool | None:
    return screen.check_action(action, ())  # type: ignore[attr-defined]


async def _type(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*text)


async def test_a_rep_sees_the_overdue_follow_ups_of_the_demo(demo_db: Database) -> None:
    """Sam's today lists six overdue follow-ups, each marked OVERDUE in words."""
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        panel = app.screen.query_one("#panel-overdue_follow_ups")
        assert "Overdue follow-ups · 6" in str(panel.query_one(Static).render())
        rows = panel.query_one(OptionList)
        first = str(rows.get_option_at_index(0).prompt)
        assert first.startswith("OVERDUE 18/11/26 Meeting L2026-000001")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        assert app.screen.lead is not None
        assert app.screen.lead.number == "L2026-000001"


async def test_the_counter_has_no_leads_key(demo_db: Database) -> None:
    """Counter staff do not see the Leads key; the sales manager does."""
    for username, shown in (("chris.counter", False), ("mike.manager", True)):
        app = signed_in_app(demo_db, username)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert _enabled(app.screen, "open_leads") is shown


async def test_the_list_filters_and_sorts_as_the_user_types(demo_db: Database) -> None:
    """'overdue owner:me' leaves Sam's six late leads; Ctrl+T sorts by company."""
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LeadListScreen)
        table = app.screen.query_one(VirtualTable)
        await _type(pilot, "overdue owner:me")
        await settle(pilot)
        rows = _cells(table)
        assert len(rows) == 6
        assert all(row[6].endswith("late") and row[4] == "sam.rep" for row in rows)
        scores = [Decimal(row[5]) for row in rows]
        assert scores == sorted(scores, reverse=True)
        assert "my leads; follow-up overdue" in _shown(app.screen, "#lead-filter-help")
        await pilot.press("ctrl+t")
        await settle(pilot)
        companies = [row[1] for row in _cells(table)]
        assert companies == sorted(companies, key=str.upper)
        assert "company A to Z" in _shown(app.screen, "#lead-filter-help")
        await pilot.press("ctrl+u")
        await _type(pilot, "status:lost")
        await settle(pilot)
        assert "✗ 'status:lost'" in _shown(app.screen, "#lead-filter-help")


async def test_a_suspect_goes_from_new_to_converted_by_keys(demo_db: Database) -> None:
    """Sam adds a suspect, answers, ranks, qualifies and converts it, keys only."""
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, LeadFormScreen)
        await _type(pilot, "Koroit Livestock Haulage")
        await pilot.press("tab")
        await _type(pilot, "livestock")
        await pilot.press("tab")
        await _type(pilot, "referral")
        for _ in range(4):
            await pilot.press("tab")
        await _type(pilot, "Dave Keane")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        lead = app.screen.lead
        assert lead is not None and lead.company == "Koroit Livestock Haulage"
        assert lead.status is LeadStatus.NEW
        assert not _enabled(app.screen, "qualify")
        assert "start qualifying it first" in _shown(app.screen, "#lead-why")

        await pilot.press("q")
        await settle(pilot)
        for index in range(5):
            await _type(pilot, "yes")
            await pilot.press("tab" if index < 4 else "ctrl+s")
        await settle(pilot)
        assert app.screen.lead.status is LeadStatus.QUALIFYING
        assert _enabled(app.screen, "qualify")

        await pilot.press("s")
        await settle(pilot)
        await _type(pilot, "20")
        for value in ("4", "3", "4"):
            await pilot.press("tab")
            await _type(pilot, value)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Livestock uses the standard weights 3/3/2/2: 3/5*30 + 4/5*30 + 3/5*20
        # + 4/5*20 = 18 + 24 + 12 + 16.
        assert app.screen.lead.score.total == Decimal("70.00")
        assert "score 70.00" in _shown(app.screen, "#lead-head")

        await pilot.press("y")
        await settle(pilot)
        assert app.screen.lead.status is LeadStatus.QUALIFIED

        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ConversionScreen)
        await pilot.press("tab")
        await _type(pilot, "3")
        await pilot.press("tab")
        await _type(pilot, "540000")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        converted = app.screen.lead
        assert converted.status is LeadStatus.CONVERTED
        assert converted.opportunity is not None
        assert converted.opportunity.value == Decimal("540000.00")
        assert "CONVERTED" in _shown(app.screen, "#lead-head")

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.account is not None
        assert app.screen.account.name == "Koroit Livestock Haulage"
    with demo_db.read() as session:
        account = session.scalars(
            select(Account).where(Account.name == "Koroit Livestock Haulage")
        ).one()
        contacts = session.scalars(
            select(Contact.name).where(Contact.account_id == account.id)
        ).all()
        opportunity = session.scalars(
            select(Opportunity).where(Opportunity.account_id == account.id)
        ).one()
    assert account.sales_rep_id is not None
    assert list(contacts) == ["Dave Keane"]
    assert (opportunity.expected_trucks, opportunity.stage) == (3, "needs_analysis")


async def test_a_known_customer_asks_merge_link_or_keep(demo_db: Database) -> None:
    """Typing an existing customer's name opens the choice; link ties the lead to it."""
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await _type(pilot, "Westgate Concrete Pumping Pty Ltd")
        await pilot.press("tab")
        await _type(pilot, "construction")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DuplicateChoiceScreen)
        # The customer, and the demo lead already linked to it.
        account, lead = app.screen.matches
        assert (account.kind, account.number) == ("account", "C000103")
        assert account.reasons == "same name WESTGATE CONCRETE PUMPING"
        assert lead.kind == "lead"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        assert app.screen.lead is not None
        assert app.screen.lead.account == "C000103 Westgate Concrete Pumping"


async def test_completing_a_follow_up_asks_for_the_next_one(demo_db: Database) -> None:
    """d on an overdue call: without a next date the field is marked; then saved."""
    with demo_db.read() as session:
        lead_id = session.scalar(select(Lead.id).where(Lead.number == "L2026-000004"))
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_record("lead", lead_id)
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await _type(pilot, "Owner wants a demo truck")
        await pilot.press("ctrl+s")
        await settle(pilot)
        field = app.screen.query_one("#f-next_contact_on", Input)
        assert field.has_class("-invalid")
        assert "required while the lead is open" in _shown(
            app.screen, "#p-next_contact_on"
        )
        field.value = "11/12/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        assert app.screen.lead is not None
        assert f"{app.screen.lead.next_contact_on:%d/%m/%Y}" == "11/12/2026"
        await pilot.press("escape")
        await settle(pilot)
        panel = app.screen.query_one("#panel-overdue_follow_ups")
        assert "Overdue follow-ups · 5" in str(panel.query_one(Static).render())
    with demo_db.read() as session:
        outcomes = session.scalars(
            select(LeadActivity.outcome).where(
                LeadActivity.lead_id == lead_id, LeadActivity.done.is_(True)
            )
        ).all()
    assert "Owner wants a demo truck" in outcomes


async def test_only_the_manager_assigns_and_sets_weights(demo_db: Database) -> None:
    """Sam sees neither Assign nor weight changes; Mike changes long haul's weights."""
    rep = signed_in_app(demo_db, "sam.rep")
    async with rep.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        rep.open_record("lead", 1)
        await settle(pilot)
        assert _enabled(rep.screen, "assign") is False
        rep.action_open_list("ranking")
        await settle(pilot)
        assert _enabled(rep.screen, "edit") is False
    manager = signed_in_app(demo_db, "mike.manager")
    async with manager.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(manager.screen, RankingScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(manager.screen, FormScreen)
        weight = manager.screen.query_one("#f-fleet_size", Input)
        weight.value = "6.00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(manager.screen, RankingScreen)
    with demo_db.read() as session:
        stored = session.scalars(select(RankingWeights)).one()
    assert (stored.segment, stored.fleet_size) == ("long_haul", Decimal("6.00"))


async def test_the_palette_finds_a_lead_by_number(demo_db: Database) -> None:
    """Ctrl+P and 'L2026-000003' offer Hume Corridor Linehaul; Enter opens it."""
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await _type(pilot, "L2026-000003")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        assert app.screen.lead is not None
        assert app.screen.lead.company == "Hume Corridor Linehaul"


async def test_each_key_in_the_lead_filter_asks_the_source_once(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen mounts once; 'abc' asks for a first page 3 times, one per key."""
    asked: list[str] = []
    call_source = virtual_table._call_source

    def counted(source: Any, kind: str, anchor: Any, limit: int) -> Any:
        if kind == "first":
            asked.append(source._text)
        return call_source(source, kind, anchor, limit)

    explained: list[str] = []
    explain = LeadListScreen._explain

    def counted_explain(screen: LeadListScreen, text: str) -> None:
        explained.append(text)
        explain(screen, text)

    monkeypatch.setattr(virtual_table, "_call_source", counted)
    monkeypatch.setattr(LeadListScreen, "_explain", counted_explain)
    mounted: list[str] = []
    mount = ListScreen.on_mount

    def counted_mount(screen: ListScreen) -> None:
        mounted.append(type(screen).__name__)
        mount(screen)

    monkeypatch.setattr(ListScreen, "on_mount", counted_mount)
    app = signed_in_app(demo_db, "sam.rep")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LeadListScreen)
        assert mounted == ["LeadListScreen"]
        assert explained == [""]
        asked.clear()
        for key in "abc":
            await pilot.press(key)
            await settle(pilot)
        assert asked == ["a", "ab", "abc"]
        assert explained == ["", "a", "ab", "abc"]
