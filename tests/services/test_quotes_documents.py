"""The quote on paper and in an e-mail: letterhead, specification, totals."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from dealer_tui.accounts.services import import_customers
from dealer_tui.catalog.documents import (
    TEXT_WIDTH,
    documents_dir,
    email_text,
    print_quote,
    quote_document,
    quote_text,
    save_email_text,
)
from dealer_tui.catalog.quotes import (
    FinanceForm,
    PricingForm,
    QuoteView,
    TradeInForm,
    new_quote,
    open_configurator,
    save_configuration,
    send,
    set_accessories,
    set_discounts,
    set_finance,
    set_trade_in,
)
from dealer_tui.catalog.services import import_products, import_range
from dealer_tui.core.auth import Actor
from dealer_tui.core.config import fixtures_dir
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from tests.services.helpers import small_dealer, user

CATALOG = fixtures_dir() / "catalog"
START = date(2026, 1, 1)


def _full_quote(db: Database) -> tuple[Actor, QuoteView]:
    """An FH prime mover with a D13K540, radios, a contract, discounts,
    a trade-in with a payout, and a loan."""
    admin = small_dealer(db)
    import_customers(
        db,
        admin,
        text_stream(
            "number,name,abn,street,suburb,state,postcode\n"
            "C000001,Bayside Haulage,51 824 753 556,1 Dock Rd,Port Melbourne,"
            "VIC,3207\n"
        ),
    )
    import_range(db, admin, CATALOG / "volvo-fh.txt", START)
    import_products(db, admin, CATALOG / "products.csv", START)
    rep = user(db, "sales_rep")
    quote = new_quote(db, rep, 1, "FH-PM", "Dave Lim")
    session = open_configurator(db, rep, quote.id)
    try:
        config = session.configuration.choose("D13K540").choose("ATO3112F")
        quote = save_configuration(db, rep, quote.id, quote.version, config)
    finally:
        session.close()
    quote = set_accessories(
        db, rep, quote.id, quote.version, {"ACC-UHF": "2", "CON-RM-GOLD-5": "1"}
    )
    quote = set_discounts(db, rep, quote.id, quote.version, PricingForm({}, "5000"))
    quote = set_trade_in(
        db,
        rep,
        quote.id,
        quote.version,
        TradeInForm("2016 Volvo FH 540", "80000", "85000", "12000"),
    )
    quote = set_finance(
        db,
        rep,
        quote.id,
        quote.version,
        FinanceForm("loan", "7.5", "60", "20000", "60000"),
    )
    return rep, quote


def test_text_shows_letterhead_specification_and_totals(db: Database) -> None:
    """The e-mail text names the dealer, groups options and ends at the payable."""
    rep, quote = _full_quote(db)
    text = email_text(db, rep, quote.id)
    assert text.startswith("Test Trucks")
    assert f"QUOTE {quote.number} v1 (DRAFT)" in text
    assert "Test Trucks Pty Ltd - ABN 91 526 018 159" in text
    assert "Bayside Haulage (C000001)" in text
    assert "ABN 51 824 753 556" in text
    assert "Attention: Dave Lim" in text
    lines = text.splitlines()
    engine = lines.index("Engine")
    assert lines[engine + 1].split()[:2] == ["D13K540", "D13K"]
    assert lines[engine + 1].split()[-2:] == ["16,800.00", "16,800.00"]
    assert "Accessories and contracts" in lines
    assert any(line.split()[:4] == ["ACC-UHF", "2", "x", "UHF"] for line in lines)
    assert all(len(line) <= TEXT_WIDTH for line in lines)


def test_text_totals_add_up_to_the_amount_payable(db: Database) -> None:
    """List less $5,000.00, GST, less the $85,000.00 allowance, plus the payout."""
    rep, quote = _full_quote(db)
    text = email_text(db, rep, quote.id)
    totals = quote.totals
    assert totals.payable == (
        totals.list_total
        - Decimal("5000.00")
        + totals.gst
        - Decimal("85000.00")
        + Decimal("12000.00")
    )
    assert f"Discount on the total {'-5,000.00':>15}" in text
    assert f"Trade-in allowance {'-85,000.00':>15}" in text
    assert f"Payout owing on the trade-in {'12,000.00':>15}" in text
    assert f"Amount payable (AUD) {totals.payable:>15,.2f}" in text


def test_text_keeps_the_appraised_value_to_the_dealer(db: Database) -> None:
    """The allowance is printed; the $80,000.00 appraisal is not."""
    rep, quote = _full_quote(db)
    text = email_text(db, rep, quote.id)
    assert "allowance $85,000.00" in text
    assert "80,000.00" not in text


def test_text_states_the_finance_offer_and_validity(db: Database) -> None:
    """A 60-month loan at 7.5% with a $60,000.00 balloon, valid for 30 days."""
    rep, quote = _full_quote(db)
    text = email_text(db, rep, quote.id)
    assert quote.finance is not None
    assert f"60 monthly payments of ${quote.finance.payment:,.2f}" in text
    assert "at 7.5% a year" in text
    assert "Balloon (residual) at the end: $60,000.00." in text
    assert f"valid until {quote.valid_until:%d/%m/%Y}" in " ".join(text.split())


def test_a_sent_quote_is_not_marked_draft(db: Database) -> None:
    """Once sent, the heading reads QUOTE and the number, without DRAFT."""
    rep, quote = _full_quote(db)
    sent = send(db, rep, quote.id, quote.version)
    view, head = quote_document(db, rep, sent.id)
    text = quote_text(view, head)
    assert f"QUOTE {sent.number} v1\n" in text
    assert "DRAFT" not in text


def test_text_without_a_letterhead_starts_with_the_number(db: Database) -> None:
    """Given only the quote, the text starts with its number."""
    _, quote = _full_quote(db)
    assert quote_text(quote).startswith(f"QUOTE {quote.number} v1 (DRAFT)")


def test_pdf_is_written_to_the_documents_folder(db: Database) -> None:
    """Printing without a file name writes NUMBER-v1.pdf in the documents folder."""
    rep, quote = _full_quote(db)
    path = print_quote(db, rep, quote.id)
    assert path == documents_dir() / f"{quote.number}-v1.pdf"
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_pdf_text_holds_number_specification_and_payable(
    db: Database, tmp_path: Path
) -> None:
    """The PDF's text has the number, the dealer's ABN, D13K540 and the payable."""
    rep, quote = _full_quote(db)
    path = print_quote(db, rep, quote.id, tmp_path / "quote.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"{quote.number} v1" in text
    assert "ABN 91 526 018 159" in text
    assert "D13K540" in text and "Engine" in text
    assert f"{quote.totals.payable:,.2f}" in text
    assert "80,000.00" not in text


def test_email_text_is_saved_beside_the_pdfs(db: Database) -> None:
    """The text file goes to the documents folder as NUMBER-v1.txt."""
    rep, quote = _full_quote(db)
    path = save_email_text(db, rep, quote.id)
    assert path.name == f"{quote.number}-v1.txt"
    assert path.read_text(encoding="utf-8") == email_text(db, rep, quote.id)
