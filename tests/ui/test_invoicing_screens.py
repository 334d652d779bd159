"""The invoice screens driven by keys on the demo dealership."""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from sqlalchemy import select
from textual.widgets import Input, OptionList, Static

from dealer_tui.core.db import Database
from dealer_tui.invoicing.models import Invoice
from dealer_tui.ui.screens.home import HomeScreen
from dealer_tui.ui.screens.invoice import InvoiceScreen
from dealer_tui.ui.screens.invoices import InvoiceListScreen
from dealer_tui.ui.widgets.form import FormScreen
from dealer_tui.ui.widgets.virtual_table import VirtualTable
from tests.domain.invoicing.documents import ubl_schema
from tests.ui.conftest import settle, signed_in_app


def _id(db: Database, **where: str) -> int:
    with db.read() as session:
        stmt = select(Invoice.id)
        for column, value in where.items():
            stmt = stmt.where(getattr(Invoice, column) == value)
        return session.scalars(stmt).one()


def _shown(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


def _cells(table: VirtualTable) -> list[list[str]]:
    return [
        [c if isinstance(c, str) else c.plain for c in row.cells]
        for row in table.rows_in_view
    ]


async def _fill(pilot, app, **values: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the fields of the form in front, then save it."""
    assert isinstance(app.screen, FormScreen)
    for name, value in values.items():
        app.screen.query_one(f"#f-{name}", Input).value = value
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_the_sales_office_sees_drafts_and_overdue_invoices(
    demo_db: Database,
) -> None:
    """Jo's today lists the Evans Bros draft and Melbourne's two overdue invoices."""
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        drafts = app.screen.query_one("#panel-drafts_to_post")
        assert "Draft invoices to post · 1" in str(drafts.query_one(Static).render())
        overdue = app.screen.query_one("#panel-overdue_invoices")
        rows = overdue.query_one(OptionList)
        first = str(rows.get_option_at_index(0).prompt)
        assert first.startswith("OVERDUE INV2026-000005 Wilson Crane Hire")
        assert "$1,628.00 open, 23 days" in first
        rows.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceScreen)
        assert app.screen.invoice is not None
        assert app.screen.invoice.number == "INV2026-000005"


async def test_the_list_filters_as_the_user_types(demo_db: Database) -> None:
    """i opens the list; 'overdue' leaves the five late ones; Enter opens one."""
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceListScreen)
        table = app.screen.query_one(VirtualTable)
        assert len(_cells(table)) == 8
        await pilot.press(*"overdue")
        await pilot.pause(0.3)
        await settle(pilot)
        numbers = [row[0] for row in _cells(table)]
        assert numbers == [
            "INV2026-000001",
            "INV2026-000002",
            "INV2026-000003",
            "INV2026-000005",
            "INV2026-000006",
        ]
        assert _shown(app.screen, "#invoice-filter-help") == "Showing overdue"
        assert _cells(table)[0][-1] == "late 102d"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceScreen)
        assert app.screen.invoice.number == "INV2026-000001"


async def test_a_draft_is_completed_and_posted_by_keys(demo_db: Database) -> None:
    """a adds a line to the Evans Bros draft, p posts it with the next number."""
    draft = _id(demo_db, status="draft")
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_record("invoice", draft)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InvoiceScreen)
        assert screen.check_action("credit", ()) is None
        assert "A draft has nothing to credit" in _shown(screen, "#invoice-why")
        await pilot.press("a")
        await settle(pilot)
        await _fill(
            pilot, app, description="Wiper blades", quantity="2", unit_price="42.50"
        )
        assert app.screen is screen
        assert [line.description for line in screen.invoice.lines][-1] == "Wiper blades"
        # 319.50 + 85.00 = 404.50 net; 40.45 GST.
        assert screen.invoice.total.to_eng_string() == "444.95"
        await pilot.press("p")
        await settle(pilot)
        assert screen.invoice.number == "INV2026-000008"
        assert screen.invoice.state == "open"
        assert screen.check_action("post", ()) is False
        assert screen.check_action("add_line", ()) is False


async def test_a_bad_line_is_marked_at_its_field(demo_db: Database) -> None:
    """A price of 'abc' marks the price field; the draft keeps its two lines."""
    draft = _id(demo_db, status="draft")
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_record("invoice", draft)
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await _fill(pilot, app, description="Hose", unit_price="abc")
        assert isinstance(app.screen, FormScreen)
        price = app.screen.query_one("#f-unit_price", Input)
        assert price.has_class("-invalid")
        assert "not a number" in _shown(app.screen, "#p-unit_price")


async def test_a_credit_note_then_a_payment_close_an_invoice(
    demo_db: Database, tmp_path: Path
) -> None:
    """Crediting 500.00 of Wilson's 1,628.00 and paying the rest leaves it paid."""
    wilson = _id(demo_db, number="INV2026-000005")
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_record("invoice", wilson)
        await settle(pilot)
        screen = app.screen
        await pilot.press("k")
        await settle(pilot)
        await _fill(pilot, app, lines="1=500.00", reason="service price agreed")
        assert app.screen is screen
        # 500.00 and its 50.00 of GST come off: 1,078.00 is open.
        assert screen.invoice.open_amount.to_eng_string() == "1078.00"
        related = screen.query_one("#invoice-related", OptionList)
        assert "Credit note CRN2026-000001" in str(
            related.get_option_at_index(0).prompt
        )
        await pilot.press("m")
        await settle(pilot)
        assert app.screen.query_one("#f-amount", Input).value == "1078.00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.invoice.state == "paid"
        assert screen.check_action("pay", ()) is None
        assert "is paid: nothing is open" in _shown(screen, "#invoice-why")
        target = tmp_path / "wilson.xml"
        await pilot.press("x")
        await settle(pilot)
        await _fill(pilot, app, path=str(target))
        root = etree.parse(str(target)).getroot()
        assert ubl_schema("Invoice").validate(root)
        await pilot.press("t")
        await settle(pilot)
        await _fill(pilot, app, path=str(tmp_path / "wilson.pdf"))
        assert (tmp_path / "wilson.pdf").read_bytes().startswith(b"%PDF")
        related.focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceScreen)
        assert app.screen.invoice.number == "CRN2026-000001"
        assert app.screen.check_action("credit", ()) is False


async def test_no_e_invoice_for_a_buyer_without_an_abn(demo_db: Database) -> None:
    """Paul Le has no ABN: the e-invoice key is dimmed and the reason shown."""
    paul = _id(demo_db, number="INV2026-000006")
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_record("invoice", paul)
        await settle(pilot)
        assert app.screen.check_action("export", ()) is None
        assert app.screen.check_action("print", ()) is True
        assert "Paul Le has no ABN" in _shown(app.screen, "#invoice-why")


async def test_what_a_role_may_never_do_is_hidden(demo_db: Database) -> None:
    """The counter takes payments but never posts or credits; a rep has no list."""
    wilson = _id(demo_db, number="INV2026-000005")
    app = signed_in_app(demo_db, "chris.counter")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_record("invoice", wilson)
        await settle(pilot)
        screen = app.screen
        assert screen.check_action("credit", ()) is False
        assert screen.check_action("pay", ()) is True
        assert screen.check_action("print", ()) is True
    rep = signed_in_app(demo_db, "sam.rep")
    async with rep.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert rep.screen.check_action("open_invoices", ()) is False


async def test_an_invoice_by_hand_from_the_list(demo_db: Database) -> None:
    """Ctrl+N drafts an invoice for a customer number and opens it."""
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.action_open_list("invoices")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await _fill(pilot, app, customer="C000999")
        assert isinstance(app.screen, FormScreen)
        assert "there is no customer" in _shown(app.screen, "#p-customer")
        await _fill(pilot, app, customer="c000103", buyer_reference="PO 5521")
        assert isinstance(app.screen, InvoiceScreen)
        assert app.screen.invoice.customer_name == "Westgate Concrete Pumping"
        assert app.screen.invoice.buyer_reference == "PO 5521"
        assert app.screen.check_action("post", ()) is None


async def test_each_key_in_the_filter_filters_the_list_once(demo_db: Database) -> None:
    """Typing 'paid' narrows the list four times, one per key, never twice."""
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_open_list("invoices")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        narrowed: list[str] = []
        set_filter = table.set_filter

        def counted(text: str) -> None:
            narrowed.append(text)
            set_filter(text)

        table.set_filter = counted  # type: ignore[method-assign]
        await pilot.press(*"paid")
        await settle(pilot)
        assert narrowed == ["p", "pa", "pai", "paid"]


async def test_the_list_stays_in_place_while_the_filter_is_typed(
    demo_db: Database,
) -> None:
    """The explanation under the filter keeps two lines: the list does not move."""
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_open_list("invoices")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        region = table.region
        await pilot.press(*"overdue")
        await settle(pilot)
        assert _shown(app.screen, "#invoice-filter-help") == "Showing overdue"
        assert table.region == region


async def test_the_list_styles_are_read_before_the_list_is_first_opened(
    demo_db: Database,
) -> None:
    """Once the home screen is up, the invoice list's stylesheet is already read."""
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        paths = [str(path) for path in InvoiceListScreen().css_path]
        assert paths
        assert all(app.stylesheet.has_source(path, "") for path in paths)
