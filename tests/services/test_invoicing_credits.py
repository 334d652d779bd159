"""Credit notes, payments, open balances and the ageing, on both databases."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from dealer_tui.core.db import Database
from dealer_tui.core.errors import PermissionDenied, Refused, ValidationFailed
from dealer_tui.invoicing.models import Invoice, Payment
from dealer_tui.invoicing.services import (
    DraftForm,
    LineForm,
    ageing,
    create_draft,
    credit_invoice,
    invoice_view,
    open_balance,
    post_invoice,
    read_credit_spec,
    record_payment,
)
from dealer_tui.invoicing.totals import CreditedLine
from tests.services.helpers import small_dealer, user
from tests.services.invoicing_support import add_customers

# Nets 100.01, 365.00 and 5.00 zero-rated, less a 20.00 fleet allowance at
# 10%: GST 10% of 445.01 is 44.50; 494.51 due.
LINES = [
    LineForm("Oil filter", "3", "33.335"),
    LineForm("Workshop labour", "2.5", "150.00", "10.00", unit_code="HUR"),
    LineForm("Brochure", "1", "5.00", category="Z"),
    LineForm("Fleet discount", "1", "20.00", line_kind="allowance"),
]


@pytest.fixture
def posted(db: Database):  # type: ignore[no-untyped-def]
    admin = small_dealer(db)
    add_customers(db, admin)
    clerk = user(db, "sales_admin")
    draft = create_draft(db, clerk, DraftForm("C1", buyer_reference="PO-77"), LINES)
    return clerk, post_invoice(db, clerk, draft.id, draft.version)


def test_the_invoice_adds_up(posted) -> None:  # type: ignore[no-untyped-def]
    """470.01 of lines less 20.00 is 450.01; GST 44.50; 494.51 due."""
    _, invoice = posted
    assert invoice.line_extension_total == D("470.01")
    assert invoice.allowance_total == D("20.00")
    assert invoice.tax_exclusive_total == D("450.01")
    assert invoice.tax_total == D("44.50")
    assert invoice.total == D("494.51")


def test_a_partial_credit_takes_back_net_and_tax(db: Database, posted) -> None:  # type: ignore[no-untyped-def]
    """One filter (33.34) and 50.00 off labour: 83.34 net, 8.33 GST, 91.67."""
    clerk, invoice = posted
    note = credit_invoice(db, clerk, invoice.id, "1x1, 2=50", "one filter short")
    year = note.invoice_date.year
    assert note.number == f"CRN{year}-000001"
    assert note.is_credit_note
    assert [(line.description, line.net_amount) for line in note.lines] == [
        ("Oil filter", D("33.34")),
        ("Workshop labour", D("50.00")),
    ]
    assert (note.tax_exclusive_total, note.tax_total, note.total) == (
        D("83.34"),
        D("8.33"),
        D("91.67"),
    )
    assert note.credited is not None and note.credited.number == invoice.number
    after = invoice_view(db, clerk, invoice.id)
    assert after.open_amount == D("402.84")
    assert after.state == "open"
    assert [c.number for c in after.credit_notes] == [note.number]


def test_a_full_credit_reverses_every_amount(db: Database, posted) -> None:  # type: ignore[no-untyped-def]
    """Crediting 'all' gives back exactly the invoice's totals, allowance too."""
    clerk, invoice = posted
    note = credit_invoice(db, clerk, invoice.id, "all", "raised in error")
    assert (note.line_extension_total, note.allowance_total) == (
        D("470.01"),
        D("20.00"),
    )
    assert (note.tax_total, note.total) == (invoice.tax_total, invoice.total)
    after = invoice_view(db, clerk, invoice.id)
    assert after.state == "credited"
    assert after.open_amount == D("0.00")
    assert "credited in full" in after.why_not["credit"]
    with pytest.raises(ValidationFailed):
        credit_invoice(db, clerk, invoice.id, "1", "again")


def test_credits_never_take_back_more_than_the_invoice(db: Database, posted) -> None:  # type: ignore[no-untyped-def]
    """After two of the three filters, crediting two more is refused by line."""
    clerk, invoice = posted
    credit_invoice(db, clerk, invoice.id, "1x2", "two returned")
    with pytest.raises(ValidationFailed) as caught:
        credit_invoice(db, clerk, invoice.id, "1x2", "two more")
    assert "line 1:" in caught.value.problems[0].message
    assert "had 3.000, credits take back 4" in caught.value.problems[0].message
    credit_invoice(db, clerk, invoice.id, "1x1", "the last one")
    with pytest.raises(Refused, match="Part of"):
        credit_invoice(db, clerk, invoice.id, "all", "everything")


def test_an_allowance_line_is_credited_only_with_the_whole(
    db: Database, posted
) -> None:  # type: ignore[no-untyped-def]
    """Line 4 is the fleet allowance: naming it alone is refused."""
    clerk, invoice = posted
    with pytest.raises(ValidationFailed, match="document allowance"):
        credit_invoice(db, clerk, invoice.id, "4", "allowance")


def test_the_credit_cap_counts_allowances(db: Database) -> None:
    """Lines of 1000.00 less a 100.00 allowance: the line alone exceeds the 990.00."""
    admin = small_dealer(db)
    add_customers(db, admin)
    clerk = user(db, "sales_admin")
    draft = create_draft(
        db,
        clerk,
        DraftForm("C1"),
        [
            LineForm("Gearbox", "1", "1000.00"),
            LineForm("Fleet discount", "1", "100.00", line_kind="allowance"),
        ],
    )
    invoice = post_invoice(db, clerk, draft.id, draft.version)
    assert invoice.total == D("990.00")
    with pytest.raises(Refused, match=r"\$990.00 is left to credit"):
        credit_invoice(db, clerk, invoice.id, "1", "gearbox back")


def test_a_credit_spec_is_read_with_every_problem(db: Database) -> None:
    """'1, 2x3, 4=150.00' reads as three credits; 'two' and '3x' are problems."""
    whole, wanted, problems = read_credit_spec("1, 2x3, 4=150.00")
    assert not whole and not problems
    assert wanted == [
        CreditedLine(1),
        CreditedLine(2, quantity=D(3)),
        CreditedLine(4, amount=D("150.00")),
    ]
    assert read_credit_spec(" All ")[0]
    _, _, problems = read_credit_spec("two, 3x")
    assert len(problems) == 2
    assert all(p.field == "lines" for p in problems)


def test_drafts_and_credit_notes_are_not_credited(db: Database, posted) -> None:  # type: ignore[no-untyped-def]
    """A draft has nothing to credit; a credit note is not credited again."""
    clerk, invoice = posted
    draft = create_draft(db, clerk, DraftForm("C1"), LINES[:1])
    with pytest.raises(Refused, match="draft"):
        credit_invoice(db, clerk, draft.id, "all", "x")
    note = credit_invoice(db, clerk, invoice.id, "1x1", "x")
    with pytest.raises(Refused, match="credit note cannot"):
        credit_invoice(db, clerk, note.id, "all", "x")


def test_payments_close_an_invoice(db: Database, posted) -> None:  # type: ignore[no-untyped-def]
    """494.51 paid as 200.00 and 294.51: part paid, then paid, balance 0.00."""
    clerk, invoice = posted
    part = record_payment(db, clerk, invoice.id, "200.00", "", "eft", "R1")
    assert (part.state, part.open_amount) == ("part paid", D("294.51"))
    assert open_balance(db, invoice.account_id) == D("294.51")
    paid = record_payment(db, clerk, invoice.id, "294.51", "", "card")
    assert (paid.state, paid.open_amount) == ("paid", D("0.00"))
    assert [p.amount for p in paid.payments] == [D("200.00"), D("294.51")]
    assert open_balance(db, invoice.account_id) == D("0.00")
    assert "nothing is open" in paid.why_not["pay"]
    with pytest.raises(Refused, match="is paid"):
        record_payment(db, clerk, invoice.id, "1.00")


def test_a_payment_over_the_open_amount_is_refused(db: Database, posted) -> None:  # type: ignore[no-untyped-def]
    """Paying 494.52 against 494.51 open names the amount; nothing is written."""
    clerk, invoice = posted
    with pytest.raises(ValidationFailed) as caught:
        record_payment(db, clerk, invoice.id, "494.52")
    assert caught.value.problems[0].field == "amount"
    with pytest.raises(ValidationFailed) as caught:
        record_payment(db, clerk, invoice.id, "-5", "31/02/2026", "bitcoin")
    assert {p.field for p in caught.value.problems} == {
        "amount",
        "received_on",
        "method",
    }
    with db.read() as session:
        assert session.scalars(select(Payment)).all() == []


def test_the_counter_takes_payments_but_cannot_credit(db: Database, posted) -> None:  # type: ignore[no-untyped-def]
    """Counter staff record a payment; a credit note is refused them."""
    _, invoice = posted
    counter = user(db, "counter")
    record_payment(db, counter, invoice.id, "10.00")
    with pytest.raises(PermissionDenied):
        credit_invoice(db, counter, invoice.id, "all", "x")


def test_open_balance_is_invoices_less_credits_and_payments(
    db: Database, posted
) -> None:  # type: ignore[no-untyped-def]
    """494.51 invoiced, 100.00 paid, then a full credit leaves 100.00 to refund.

    The credit takes the 394.51 still open off the invoice; the other 100.00
    of the credit note stays open for the customer, so the balance is -100.00,
    which is also 494.51 - 494.51 - 100.00.
    """
    clerk, invoice = posted
    record_payment(db, clerk, invoice.id, "100.00")
    note = credit_invoice(db, clerk, invoice.id, "all", "returned")
    assert note.open_amount == D("100.00")
    assert note.state == "credit open"
    balance = open_balance(db, invoice.account_id)
    with db.read() as session:
        invoiced = session.scalar(select(Invoice.total).where(Invoice.id == invoice.id))
        paid = sum(session.scalars(select(Payment.amount)), D(0))
    assert balance == invoiced - note.total - paid == D("-100.00")


def test_ageing_buckets_follow_the_due_date(db: Database, posted) -> None:  # type: ignore[no-untyped-def]
    """Due 30 days after issue: current on day 30, 1-30 on 31, 90+ on day 121."""
    clerk, invoice = posted
    due = invoice.due_date
    assert due is not None
    expected = {
        due: "current",
        due + timedelta(days=1): "days_1_30",
        due + timedelta(days=31): "days_31_60",
        due + timedelta(days=61): "days_61_90",
        due + timedelta(days=91): "days_over_90",
    }
    for day, bucket in expected.items():
        result = ageing(db, clerk, day)
        [line] = result.lines
        assert getattr(line, bucket) == D("494.51")
        assert line.total == result.total.total == D("494.51")


def test_ageing_sums_customers_and_credits(db: Database, posted) -> None:  # type: ignore[no-untyped-def]
    """Two invoices of C1 and one of C2, C1's partly credited, add up by customer."""
    clerk, invoice = posted
    second = create_draft(db, clerk, DraftForm("C2"), LINES[:1])
    second = post_invoice(db, clerk, second.id, second.version)
    record_payment(db, clerk, invoice.id, "494.51")
    credit_invoice(db, clerk, invoice.id, "1x1", "short")
    result = ageing(db, clerk, date(2030, 1, 1))
    by_customer = {line.customer_number: line for line in result.lines}
    assert by_customer["C1"].credits == D("-36.67")
    assert by_customer["C2"].days_over_90 == second.total == D("110.01")
    assert result.total.total == sum((line.total for line in result.lines), D(0))
    assert result.total.total == D("110.01") - D("36.67")
