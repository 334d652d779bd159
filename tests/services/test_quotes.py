"""Quotes on both databases: configure, price, approve, send, accept, revise."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from dealer_tui.accounts.services import import_customers
from dealer_tui.catalog.models import Quote
from dealer_tui.catalog.quote_states import QuoteState
from dealer_tui.catalog.quotes import (
    FinanceForm,
    PricingForm,
    TradeInForm,
    accept,
    approve,
    copy_quote,
    diff_quotes,
    new_quote,
    open_configurator,
    request_approval,
    revise,
    save_configuration,
    send,
    set_discounts,
    set_finance,
    set_trade_in,
)
from dealer_tui.catalog.services import import_products, import_range
from dealer_tui.core.config import fixtures_dir
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import PermissionDenied, Refused, ValidationFailed
from tests.services.helpers import small_dealer, user

D = Decimal
CATALOG = fixtures_dir() / "catalog"
START = date(2026, 1, 1)


def _dealer(db: Database):  # type: ignore[no-untyped-def]
    admin = small_dealer(db)
    import_customers(db, admin, text_stream("number,name\nC000001,Bayside Haulage\n"))
    import_range(db, admin, CATALOG / "volvo-fh.txt", START)
    import_products(db, admin, CATALOG / "products.csv", START)
    return admin


def _configured(db: Database):  # type: ignore[no-untyped-def]
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, 1, "FH-PM", "Dave")
    session = open_configurator(db, rep, quote.id)
    config = session.configuration.choose("D13K540")
    config = config.choose("ATO3112F")
    try:
        return rep, save_configuration(db, rep, quote.id, quote.version, config)
    finally:
        session.close()


def test_new_quote_takes_the_models_defaults_at_list_price(db: Database) -> None:
    """An FH prime mover starts at $289,500 with its default options priced."""
    _dealer(db)
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, 1, "FH-PM")
    assert quote.number.startswith("Q20") and quote.revision == 1
    assert quote.state is QuoteState.DRAFT
    assert quote.lines[0].code == "FH-PM"
    assert quote.lines[0].unit_price == D("289500.00")
    assert {line.origin for line in quote.lines[1:]} == {"default"}
    assert quote.totals.gst == (quote.totals.net_total / 10).quantize(D("0.01"))


def test_blocked_option_is_explained_and_freed(db: Database) -> None:
    """With D13K540 chosen, ATO2612F is blocked; giving up the engine frees it."""
    _dealer(db)
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, 1, "FH-PM")
    session = open_configurator(db, rep, quote.id)
    config = session.configuration.choose("D13K540")
    why = config.explain("ATO2612F")
    assert why is not None and "You chose engine D13K540" in why.text()
    change = config.freeing_change("ATO2612F")
    assert change is not None
    freed = config.accept(change)
    assert "ATO2612F" in freed.included()
    session.close()


def test_discount_beyond_authority_needs_approval_before_sending(db: Database) -> None:
    """A 5% discount cannot be sent by the rep until the manager approves it."""
    _dealer(db)
    rep, quote = _configured(db)
    target = (quote.totals.list_total * D("0.05")).quantize(D("0.01"))
    quote = set_discounts(
        db, rep, quote.id, quote.version, PricingForm({}, str(target))
    )
    assert quote.needs_approval
    assert not quote.moves["send"].allowed
    assert "approval" in quote.moves["send"].reason
    with pytest.raises(Refused):
        send(db, rep, quote.id, quote.version)
    quote = request_approval(db, rep, quote.id, quote.version)
    assert quote.state is QuoteState.AWAITING_APPROVAL
    with pytest.raises(PermissionDenied):
        approve(db, rep, quote.id, quote.version)
    quote = approve(db, user(db, "sales_manager"), quote.id, quote.version)
    assert quote.approved_percent == quote.totals.discount_percent
    quote = send(db, rep, quote.id, quote.version)
    assert quote.state is QuoteState.SENT


def test_trade_in_and_finance_are_priced(db: Database) -> None:
    """An $85,000 allowance on an $80,000 truck shows $5,000 over-allowance."""
    _dealer(db)
    rep, quote = _configured(db)
    quote = set_trade_in(
        db,
        rep,
        quote.id,
        quote.version,
        TradeInForm("2016 Volvo FH 540", "80000", "85000"),
    )
    assert quote.totals.over_allowance == D("5000.00")
    assert quote.totals.payable == quote.totals.total_with_gst - D("85000.00")
    quote = set_finance(
        db,
        rep,
        quote.id,
        quote.version,
        FinanceForm("loan", "7.5", "60", "20000", "60000"),
    )
    assert quote.finance is not None
    assert quote.finance.terms.amount_financed == quote.totals.payable - D("20000")
    with pytest.raises(ValidationFailed) as refused:
        set_finance(
            db, rep, quote.id, quote.version, FinanceForm("rent", "x", "0", "", "")
        )
    assert {p.field for p in refused.value.problems} == {
        "kind",
        "annual_rate_percent",
        "term_months",
    }


def test_sent_prices_stay_when_the_price_list_changes(
    db: Database, tmp_path: Path
) -> None:
    """A price rise from tomorrow leaves the sent quote's $289,500 base alone."""
    admin = _dealer(db)
    rep, quote = _configured(db)
    quote = send(db, rep, quote.id, quote.version)
    dearer = (CATALOG / "volvo-fh.txt").read_text().replace("289500.00", "299900.00")
    path = tmp_path / "volvo-fh.txt"
    path.write_text(dearer)
    import_range(db, admin, path, date.today() + timedelta(days=1))
    with db.read() as session:
        stored = session.get(Quote, quote.id)
        assert stored is not None
        assert stored.lines[0].unit_price == D("289500.00")


def test_expired_quote_must_be_repriced_before_acceptance(
    db: Database, tmp_path: Path
) -> None:
    """Past its validity, acceptance is refused; the revision is at today's prices."""
    admin = _dealer(db)
    rep, quote = _configured(db)
    quote = send(db, rep, quote.id, quote.version)
    dearer = (CATALOG / "volvo-fh.txt").read_text().replace("289500.00", "299900.00")
    path = tmp_path / "volvo-fh.txt"
    path.write_text(dearer)
    import_range(db, admin, path, date.today())
    with db.write() as session:
        session.execute(
            update(Quote)
            .where(Quote.id == quote.id)
            .values(valid_until=date.today() - timedelta(days=1))
        )
    with pytest.raises(Refused) as refused:
        accept(db, rep, quote.id, quote.version)
    assert "re-price" in refused.value.message
    result = revise(db, rep, quote.id, quote.version + 1)
    assert result.quote.revision == 2
    assert result.quote.lines[0].unit_price == D("299900.00")
    assert [c.code for c in result.price_changes] == ["FH-PM"]
    changes = diff_quotes(db, rep, quote.id, result.quote.id)
    assert changes.repriced[0].old_price == D("289500.00")
    sent = send(db, rep, result.quote.id, result.quote.version)
    accepted = accept(db, rep, sent.id, sent.version)
    assert accepted.state is QuoteState.ACCEPTED


def test_copy_keeps_every_line(db: Database) -> None:
    """A copy has a new number, the same options, and no price changes today."""
    _dealer(db)
    rep, quote = _configured(db)
    result = copy_quote(db, rep, quote.id)
    assert result.quote.number != quote.number
    assert [line.code for line in result.quote.lines] == [
        line.code for line in quote.lines
    ]
    assert result.price_changes == []


def test_a_sent_quote_cannot_change(db: Database) -> None:
    """Changing the discount of a sent quote is refused; revising is the way."""
    _dealer(db)
    rep, quote = _configured(db)
    quote = send(db, rep, quote.id, quote.version)
    with pytest.raises(Refused) as refused:
        set_discounts(db, rep, quote.id, quote.version, PricingForm({}, "100"))
    assert "revise it" in refused.value.message


def test_an_incomplete_truck_cannot_be_sent(db: Database) -> None:
    """With D13K540 chosen the default gearbox no longer fits: send says why."""
    _dealer(db)
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, 1, "FH-PM")
    session = open_configurator(db, rep, quote.id)
    try:
        config = session.configuration.choose("D13K540")
        assert "GEARBOX" in config.open_families()
        quote = save_configuration(db, rep, quote.id, quote.version, config)
    finally:
        session.close()
    assert not quote.moves["send"].allowed
    assert quote.moves["send"].reason == (
        "The truck is not complete: some families are open."
    )
