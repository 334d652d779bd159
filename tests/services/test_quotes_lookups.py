"""What the quote screens look up: extras, versions, numbers, approvals, search."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dealer_tui.accounts.services import import_customers
from dealer_tui.catalog.configurator import OptionState
from dealer_tui.catalog.panels import quote_hits, quotes_awaiting_approval
from dealer_tui.catalog.quotes import (
    PricingForm,
    complete_open_families,
    diff_with_previous,
    find_quote,
    new_quote,
    open_configurator,
    quote_products,
    request_approval,
    revise,
    set_accessories,
    set_discounts,
)
from dealer_tui.catalog.services import import_products, import_range
from dealer_tui.core.config import fixtures_dir
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import NotFound, Refused
from dealer_tui.search.services import global_search
from dealer_tui.today import today_panels
from tests.services.helpers import small_dealer, user

CATALOG = fixtures_dir() / "catalog"
START = date(2026, 1, 1)


def _dealer(db: Database) -> None:
    admin = small_dealer(db)
    import_customers(db, admin, text_stream("number,name\nC000001,Bayside Haulage\n"))
    import_range(db, admin, CATALOG / "volvo-fh.txt", START)
    import_products(db, admin, CATALOG / "products.csv", START)


def test_completing_fills_each_open_family_in_one_undoable_step(db: Database) -> None:
    """With D13K540 chosen the gearbox is open; completing fits ATO3112F."""
    _dealer(db)
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, 1, "FH-PM")
    session = open_configurator(db, rep, quote.id)
    try:
        chosen = session.configuration.choose("D13K540")
        assert chosen.open_families() == ("GEARBOX",)
        done = complete_open_families(chosen)
        assert done.open_families() == ()
        assert done.status("ATO3112F").state is OptionState.CHOSEN
        assert done.undo() is chosen
        assert complete_open_families(done) is done
    finally:
        session.close()


def test_products_come_priced_with_the_quantity_on_the_quote(db: Database) -> None:
    """Twelve products at the quote's prices; two UHF radios show as 2 at $890.00."""
    _dealer(db)
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, 1, "FH-PM")
    set_accessories(db, rep, quote.id, quote.version, {"ACC-UHF": "2"})
    offers = {offer.code: offer for offer in quote_products(db, rep, quote.id)}
    assert len(offers) == 12
    assert offers["ACC-UHF"].quantity == 2
    assert offers["ACC-UHF"].price == Decimal("890.00")
    assert offers["CON-RM-GOLD-5"].quantity == 0
    assert offers["WAR-DRIVELINE-5"].kind == "warranty"


def test_changes_are_read_against_the_version_before(db: Database) -> None:
    """v2 is compared with v1; v1 has nothing before it and says so."""
    _dealer(db)
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, 1, "FH-PM")
    with pytest.raises(Refused) as refused:
        diff_with_previous(db, rep, quote.id)
    assert "is the first version" in refused.value.message
    second = revise(db, rep, quote.id, quote.version).quote
    diff = diff_with_previous(db, rep, second.id)
    assert diff.older == f"{quote.number} v1"
    assert diff.newer == f"{quote.number} v2"


def test_a_quote_is_found_by_number_latest_version_first(db: Database) -> None:
    """A number alone gives the latest version; a revision picks one; else named."""
    _dealer(db)
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, 1, "FH-PM")
    second = revise(db, rep, quote.id, quote.version).quote
    assert find_quote(db, rep, quote.number.lower()) == second.id
    assert find_quote(db, rep, quote.number, 1) == quote.id
    with pytest.raises(NotFound) as missing:
        find_quote(db, rep, quote.number, 7)
    assert missing.value.message == f"There is no quote {quote.number} version 7."


def test_a_sales_manager_sees_quotes_waiting_for_approval(db: Database) -> None:
    """A rep's 5% discount waiting for approval is the manager's first panel."""
    _dealer(db)
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, 1, "FH-PM")
    off = (quote.totals.list_total * Decimal("0.05")).quantize(Decimal("0.01"))
    quote = set_discounts(db, rep, quote.id, quote.version, PricingForm({}, str(off)))
    manager = user(db, "sales_manager")
    with db.read() as session:
        empty = quotes_awaiting_approval(session, manager, START)
    assert empty.total == 0 and empty.rows == []
    request_approval(db, rep, quote.id, quote.version)
    panel = today_panels(db, manager)[0]
    assert panel.key == "quotes_awaiting_approval"
    assert panel.total == 1
    row = panel.rows[0]
    assert (row.kind, row.record_id, row.mark) == ("quote", quote.id, "APPROVE")
    assert f"{quote.number} v1 Bayside Haulage · 5.00% off" in row.text


def test_search_finds_a_quote_by_its_number(db: Database) -> None:
    """'Q2026-1', '2026-000001' and the full number all find the quote."""
    _dealer(db)
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, 1, "FH-PM")
    year, _, counter = quote.number.partition("-")
    for typed in (quote.number, f"{year}-{int(counter)}", quote.number[1:]):
        hits = [h for h in global_search(db, rep, typed) if h.kind == "quote"]
        assert [h.record_id for h in hits] == [quote.id], typed
    assert hits[0].title == f"{quote.number} v1"
    assert "draft · Bayside Haulage · FH-PM" in hits[0].detail
    with db.read() as session:
        assert quote_hits(session, "Bay", 8) == []
