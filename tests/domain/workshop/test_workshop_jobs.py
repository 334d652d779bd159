"""Workshop jobs: the state whitelist, payers, estimates and what advisors type."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dealer_tui.workshop.jobs import (
    ChargeLine,
    JobStatus,
    Payer,
    estimate,
    financial_status,
    hours_for_minutes,
    move_refusal,
    parse_codes,
    parse_due_within,
    parse_length,
    parse_parts,
    parse_week,
    reschedule_refusal,
    show_minutes,
    split_by_payer,
)

D = Decimal


def test_a_job_moves_only_along_the_whitelist():
    """Booked may be checked in, cancelled or a no-show; it may not be finished."""
    assert move_refusal(JobStatus.BOOKED, JobStatus.CHECKED_IN) is None
    assert move_refusal(JobStatus.BOOKED, JobStatus.NO_SHOW) is None
    assert move_refusal(JobStatus.IN_PROGRESS, JobStatus.FINISHED) is None
    assert move_refusal(JobStatus.BOOKED, JobStatus.FINISHED) == (
        "A job that is booked cannot be finished."
    )
    assert move_refusal(JobStatus.INVOICED, JobStatus.CANCELLED) == (
        "A job that is invoiced cannot be cancelled."
    )


def test_only_jobs_not_yet_started_move_to_another_time():
    """Booked and checked-in jobs move; a job in progress stays where it is."""
    assert reschedule_refusal(JobStatus.BOOKED) is None
    assert reschedule_refusal(JobStatus.CHECKED_IN) is None
    assert reschedule_refusal(JobStatus.IN_PROGRESS) == (
        "A job that is in progress cannot be moved to another time."
    )


def test_open_jobs_hold_time_and_closed_ones_give_it_back():
    """Cancelled and no-show jobs hold no time; finished ones keep theirs."""
    assert JobStatus.BOOKED.is_open and JobStatus.BOOKED.holds_time
    assert JobStatus.FINISHED.holds_time and not JobStatus.FINISHED.is_open
    assert not JobStatus.CANCELLED.holds_time
    assert not JobStatus.NO_SHOW.holds_time


def test_estimate_rounds_each_line_and_adds_the_rounded_lines():
    """1.25 h at $185.55 is $231.94 (231.9375 half up); parts 3 x $0.335 is $1.01."""
    worked = estimate([(D("1.25"), D("185.55"))], [(D(3), D("0.335"))])
    assert (worked.labour, worked.parts, worked.total) == (
        D("231.94"),
        D("1.01"),
        D("232.95"),
    )


def test_internal_work_is_exempt_and_other_payers_keep_the_category():
    """Internal lines carry E; customer, warranty and contract keep S."""
    assert Payer.INTERNAL.tax_category("S") == "E"
    assert Payer.WARRANTY.tax_category("S") == "S"
    assert Payer.CUSTOMER.tax_category("Z") == "Z"
    assert Payer.INTERNAL.following() is Payer.CUSTOMER


def test_lines_split_by_payer_in_the_fixed_order():
    """Warranty lines listed first still come after the customer's."""

    def line(payer: Payer, code: str) -> ChargeLine:
        return ChargeLine(payer, "labour", code, code, D(1), D("10.00"), "S")

    grouped = split_by_payer(
        [
            line(Payer.WARRANTY, "W1"),
            line(Payer.CUSTOMER, "C1"),
            line(Payer.WARRANTY, "W2"),
        ]
    )
    assert [
        (payer, [entry.code for entry in lines]) for payer, lines in grouped.items()
    ] == [
        (Payer.CUSTOMER, ["C1"]),
        (Payer.WARRANTY, ["W1", "W2"]),
    ]


def test_a_charge_line_amount_is_rounded_half_up():
    """1.333 h at $180.00 is $239.94."""
    assert ChargeLine(
        Payer.CUSTOMER, "labour", "X", "x", D("1.333"), D("180.00"), "S"
    ).amount == D("239.94")


def test_minutes_become_hours_and_text():
    """90 minutes are 1.50 h and '1 h 30 min'; 20 are 0.33 h; 45 are '45 min'."""
    assert hours_for_minutes(90) == D("1.50")
    assert hours_for_minutes(20) == D("0.33")
    assert (show_minutes(90), show_minutes(180), show_minutes(45)) == (
        "1 h 30 min",
        "3 h",
        "45 min",
    )


def test_codes_are_read_in_upper_case_once_each():
    """'svc-a, hv410 svc-a' is SVC-A then HV410."""
    assert parse_codes("svc-a, hv410 svc-a") == ["SVC-A", "HV410"]
    assert parse_codes("   ") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2992241", [("2992241", D(1))]),
        ("2992241x2 85137640*1.5", [("2992241", D(2)), ("85137640", D("1.5"))]),
        ("LINING x 2, lining x1", [("LINING", D(3))]),
    ],
)
def test_parts_are_read_with_their_quantities(text, expected):
    """Part numbers with 'x', '*' or ':' and a quantity; repeats add up."""
    found, problems = parse_parts(text)
    assert problems == []
    assert found == expected


def test_unreadable_parts_are_named():
    """A token that is no part number, and a quantity of zero, are each named."""
    found, problems = parse_parts("#12 P1x0")
    assert found == []
    assert problems == [
        "'#12' is not a part number like 2992241x2",
        "'P1X0': the quantity must be above zero, 3 decimals",
    ]


def test_spans_weeks_and_lengths_as_typed():
    """'30d' is 30 days, '4w' 28; 2026-W50 starts Monday 7 December."""
    assert parse_due_within("30d") == 30
    assert parse_due_within("4w") == 28
    assert parse_due_within(" 14 ") == 14
    with pytest.raises(ValueError, match="like 30d or 4w"):
        parse_due_within("a month")
    assert parse_week("2026-W50") == date(2026, 12, 7)
    assert parse_week("2026-12-10") == date(2026, 12, 7)
    with pytest.raises(ValueError, match="not a week"):
        parse_week("2026-W60")
    assert parse_length("19 m") == D(19)
    assert parse_length("") is None
    with pytest.raises(ValueError, match="between 0 and 60 m"):
        parse_length("-2")


def test_financial_status_in_words():
    """A hold, no credit and an account each read as the advisor records them."""
    assert financial_status(True, D("5000"), 30).startswith("ON CREDIT HOLD")
    assert financial_status(False, D("0"), 30) == (
        "no credit account: payment on collection"
    )
    assert financial_status(False, D("150000"), 14) == (
        "account customer, limit $150,000.00, 14 days"
    )


@pytest.mark.parametrize(
    "module", ["dealer_tui/workshop/jobs.py", "dealer_tui/parts/stock.py"]
)
def test_job_and_stock_rules_import_only_pure_modules(module):
    """The job rules and the stock rules reach no database, screen or file."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    tree = ast.parse((root / module).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    pure = {"__future__", "collections", "dataclasses", "datetime", "decimal"}
    assert imported <= pure | {"enum", "re"}
