"""The batch run: each source invoiced exactly once, whatever happens."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from dealer_tui.core.db import Database
from dealer_tui.core.errors import PermissionDenied
from dealer_tui.invoicing.batch import ANOTHER_RUN, plan_run, run_invoicing
from dealer_tui.invoicing.models import Invoice
from dealer_tui.invoicing.sources import (
    SourceLine,
    register_source,
    registered_sources,
    unregister_source,
)
from dealer_tui.invoicing.tax import TaxCategory
from tests.services.helpers import small_dealer, user
from tests.services.invoicing_support import (
    JOB_TOTAL,
    StandInSource,
    add_customers,
    candidate,
    job_lines,
    many_jobs,
    only_sources,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def source() -> Iterator[StandInSource]:
    stand_in = StandInSource()
    with only_sources(stand_in):
        yield stand_in


@pytest.fixture
def accounts(db: Database) -> dict[str, int]:
    admin = small_dealer(db)
    return add_customers(db, admin)


def _numbers(db: Database) -> list[str]:
    with db.read() as session:
        return sorted(session.scalars(select(Invoice.number)))


def _sources(db: Database) -> Counter[tuple[str | None, str | None]]:
    with db.read() as session:
        return Counter(
            session.execute(select(Invoice.source_ref, Invoice.source_payer)).all()
        )


def _consecutive(numbers: list[str]) -> bool:
    """INV<year>-000001 up to the count, with no gap and no repeat."""
    year = numbers[0][3:7] if numbers else ""
    return numbers == [f"INV{year}-{n:06d}" for n in range(1, len(numbers) + 1)]


def test_a_run_invoices_each_candidate_and_a_second_run_nothing(
    db: Database, accounts, source: StandInSource
) -> None:
    """Three jobs make three invoices of 507.54; run again, all three are skipped."""
    source.items = [candidate(f"J{n}", accounts["C1"]) for n in (1, 2, 3)]
    admin = user(db, "sales_admin")
    first = run_invoicing(db, admin)
    assert [number for _, number, _ in first.invoiced] == _numbers(db)
    assert _consecutive(_numbers(db)) and len(_numbers(db)) == 3
    assert first.total == 3 * JOB_TOTAL
    # Per rate: 3 x 461.40 taxable, 3 x 46.14 tax.
    assert first.taxes == {(TaxCategory.STANDARD, D(10)): [D("1384.20"), D("138.42")]}
    assert [ref for ref, _ in source.noted] == ["J1", "J2", "J3"]
    second = run_invoicing(db, admin)
    assert second.invoiced == []
    assert [reason.split(" INV")[0] for _, reason in second.skipped] == [
        "already invoiced:"
    ] * 3
    assert len(_numbers(db)) == 3


def test_a_dry_run_says_what_it_would_do_and_writes_nothing(
    db: Database, accounts, source: StandInSource
) -> None:
    """Each candidate is 'will invoice' or skipped with its reason; no invoice."""
    source.items = [
        candidate("J1", accounts["C1"]),
        candidate("J2", accounts["C1"], skip="cancelled"),
        candidate("J3", accounts["C3"]),
        candidate("J4", None),
        candidate("J5", accounts["C1"], lines=[]),
        candidate("J6", accounts["C1"], payer="warranty"),
        candidate("J7", accounts["C1"], ready_on=date(2999, 1, 1)),
    ]
    summary = run_invoicing(db, user(db, "sales_admin"), dry_run=True)
    decisions = {item.candidate.source_ref: item.reason for item in summary.planned}
    assert decisions == {
        "J1": "",
        "J2": "cancelled",
        "J3": "credit hold",
        "J4": "missing data: no customer account",
        "J5": "missing data: no lines to invoice",
        "J6": "",
    }
    assert summary.planned[0].priced is not None
    assert summary.planned[0].priced.totals.payable_amount == JOB_TOTAL
    assert _numbers(db) == []


def test_a_line_with_bad_data_is_skipped_naming_it(
    db: Database, accounts, source: StandInSource
) -> None:
    """A job whose second line has a negative price is skipped as missing data."""
    bad = (job_lines()[0], SourceLine("Part", D(1), D("-5.00")))
    source.items = [candidate("J1", accounts["C1"], lines=bad)]
    summary = run_invoicing(db, user(db, "sales_admin"))
    [(_, reason)] = summary.skipped
    assert reason.startswith("missing data: line 2 unit_price")


def test_one_job_split_between_payers_gives_one_invoice_each(
    db: Database, accounts, source: StandInSource
) -> None:
    """A job billed to the customer and under warranty makes two invoices."""
    source.items = [
        candidate("J9", accounts["C1"], payer="customer"),
        candidate("J9", accounts["C1"], payer="warranty"),
        candidate("J9", accounts["C1"], payer="warranty"),
    ]
    summary = run_invoicing(db, user(db, "sales_admin"))
    assert len(summary.invoiced) == 2
    assert summary.skipped[0][1] == "already invoiced: listed twice in this run"
    assert _sources(db) == Counter({("J9", "customer"): 1, ("J9", "warranty"): 1})


def test_the_database_refuses_a_second_invoice_for_a_source(
    db: Database, accounts, source: StandInSource
) -> None:
    """Inserting another invoice with the same source and payer is refused."""
    source.items = [candidate("J1", accounts["C1"])]
    run_invoicing(db, user(db, "sales_admin"))
    with db.read() as session:
        row = session.scalars(select(Invoice)).one()
        values = {
            c.key: getattr(row, c.key)
            for c in Invoice.__table__.columns
            if c.key not in ("id", "number")
        }
    values["status"] = "draft"
    with pytest.raises(IntegrityError), db.write() as session:
        session.execute(insert(Invoice).values(values))


def test_a_run_is_limited_to_a_branch_and_a_day(
    db: Database, accounts, source: StandInSource
) -> None:
    """--branch BNE finds nothing of MEL; --until before a job's day leaves it."""
    source.items = [candidate("J1", accounts["C1"], ready_on=date(2026, 3, 1))]
    admin = user(db, "sales_admin")
    assert run_invoicing(db, admin, branch="BNE").planned == []
    assert run_invoicing(db, admin, date(2026, 2, 28)).planned == []
    assert len(run_invoicing(db, admin, date(2026, 3, 1)).invoiced) == 1


def test_a_failing_candidate_does_not_hold_up_the_others(
    db: Database, accounts, source: StandInSource
) -> None:
    """Job J2's source refuses; J1 and J3 are invoiced with consecutive numbers."""
    source.items = [candidate(f"J{n}", accounts["C1"]) for n in (1, 2, 3)]
    source.refuse = {"J2"}
    summary = run_invoicing(db, user(db, "sales_admin"), chunk=10)
    assert [c.source_ref for c, _, _ in summary.invoiced] == ["J1", "J3"]
    assert [(c.source_ref, m) for c, m in summary.failed] == [
        ("J2", "job J2 is locked by its mechanic")
    ]
    assert _consecutive(_numbers(db)) and len(_numbers(db)) == 2
    # The chunk was written again without J2: one marking, of J1 and J3.
    assert source.calls == 1
    assert source.noted == [(c.source_ref, n) for c, n, _ in summary.invoiced]


def test_the_source_marks_a_whole_chunk_at_once(
    db: Database, accounts, source: StandInSource
) -> None:
    """Seven jobs in chunks of three are marked in three calls, each with its number."""
    source.items = many_jobs(accounts["C1"], 7)
    summary = run_invoicing(db, user(db, "sales_admin"), chunk=3)
    assert source.calls == 3
    assert source.noted == [(c.source_ref, n) for c, n, _ in summary.invoiced]
    assert [ref for ref, _ in source.noted] == [f"J{n:05d}" for n in range(1, 8)]
    assert _consecutive(_numbers(db)) and len(_numbers(db)) == 7


def test_jobs_with_the_same_figures_are_priced_alike_with_their_own_wording(
    db: Database, accounts, source: StandInSource
) -> None:
    """Two jobs differing only in a part's name have equal totals and own lines."""
    source.items = [
        candidate(f"J{n}", accounts["C1"], lines=job_lines(n)) for n in (1, 2)
    ]
    summary = run_invoicing(db, user(db, "sales_admin"), dry_run=True)
    first, second = (item.priced for item in summary.planned)
    assert first is not None and second is not None
    assert first.totals == second.totals
    assert first.totals.payable_amount == JOB_TOTAL
    assert [p.line.description for p in second.lines] == [
        "Workshop labour",
        "Oil filter 2",
    ]
    assert [p.net_amount for p in second.lines] == [D("412.50"), D("48.90")]


def test_a_whole_number_is_not_priced_as_its_equal_decimal(
    db: Database, accounts, source: StandInSource
) -> None:
    """A price of True (a bool) is refused though 1 was priced for another job."""
    good = (SourceLine("Levy", D(1), D(1)),)
    bad = (SourceLine("Levy", D(1), True),)  # type: ignore[arg-type]
    source.items = [
        candidate("J1", accounts["C1"], lines=good),
        candidate("J2", accounts["C1"], lines=bad),
    ]
    summary = run_invoicing(db, user(db, "sales_admin"), dry_run=True)
    reasons = {item.candidate.source_ref: item.reason for item in summary.planned}
    assert reasons["J1"] == ""
    assert reasons["J2"].startswith("missing data: line 1 unit_price")


def test_the_run_reports_progress_for_every_candidate(
    db: Database, accounts, source: StandInSource
) -> None:
    """Two candidates, one skipped, are told as 1 of 2 and 2 of 2."""
    source.items = [
        candidate("J1", accounts["C1"], skip="cancelled"),
        candidate("J2", accounts["C1"]),
    ]
    told = []
    run_invoicing(
        db,
        user(db, "sales_admin"),
        progress=lambda done, total, item, outcome: told.append(
            (done, total, item.candidate.source_ref, outcome)
        ),
    )
    assert told == [(1, 2, "J1", "skipped"), (2, 2, "J2", "invoiced")]


def test_only_the_sales_office_runs_invoicing(db: Database, accounts) -> None:
    """A service advisor may not run the batch, even as a dry run."""
    with pytest.raises(PermissionDenied):
        plan_run(db, user(db, "service_advisor"), date(2026, 1, 1))


def test_an_invoice_made_elsewhere_in_the_meantime_counts_as_another_run(
    db: Database, accounts, source: StandInSource, monkeypatch
) -> None:
    """A candidate planned free but invoiced before it is written is not billed twice.

    The first run's plan is kept, a second run bills J1 in between, and the
    first run then meets the database's refusal and reports it.
    """
    source.items = [candidate("J1", accounts["C1"]), candidate("J2", accounts["C1"])]
    admin = user(db, "sales_admin")
    import dealer_tui.invoicing.batch as batch

    plan = batch.plan_run(db, admin, date(2026, 12, 31))
    source.items = source.items[:1]
    run_invoicing(db, admin)
    source.items = [candidate("J1", accounts["C1"]), candidate("J2", accounts["C1"])]
    monkeypatch.setattr(batch, "plan_run", lambda *args, **kwargs: plan)
    summary = run_invoicing(db, admin)
    assert [(c.source_ref, reason) for c, reason in summary.skipped] == [
        ("J1", ANOTHER_RUN)
    ]
    assert [c.source_ref for c, _, _ in summary.invoiced] == ["J2"]
    assert _consecutive(_numbers(db)) and len(_numbers(db)) == 2


KILLED_RUN = """
import sys
sys.path.insert(0, {root!r})
from dealer_tui.core.db import Database
from dealer_tui.core.services import batch_actor
from dealer_tui.invoicing.batch import run_invoicing
from tests.services.invoicing_support import StandInSource, many_jobs, only_sources

db = Database.open({url!r})
source = StandInSource(items=many_jobs({account}, {count}), kill_after={kill_after})
with only_sources(source):
    run_invoicing(db, batch_actor(db, "sales_admin"), chunk={chunk})
print("the run was not killed")
"""


def test_a_run_killed_half_way_leaves_whole_invoices_and_the_next_finishes(
    db: Database, accounts, source: StandInSource
) -> None:
    """Killed in its third chunk of 4, a run of 20 jobs leaves 8 whole invoices.

    The next run bills the other 12; each job is invoiced exactly once and
    the numbers run 1 to 20 with no gap.
    """
    script = KILLED_RUN.format(
        root=str(ROOT),
        url=db.url,
        account=accounts["C1"],
        count=20,
        kill_after=10,
        chunk=4,
    )
    killed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert killed.returncode == -9, killed.stderr
    assert "not killed" not in killed.stdout
    with db.read() as session:
        left = session.scalar(select(func.count()).select_from(Invoice))
        lines = session.scalar(
            select(func.count()).select_from(Invoice).where(Invoice.total == JOB_TOTAL)
        )
    assert left == lines == 8
    assert _consecutive(_numbers(db))
    source.items = many_jobs(accounts["C1"], 20)
    summary = run_invoicing(db, user(db, "sales_admin"), chunk=4)
    assert len(summary.invoiced) == 12
    assert len(summary.skipped) == 8
    assert _consecutive(_numbers(db)) and len(_numbers(db)) == 20
    assert set(_sources(db).values()) == {1}
    assert len(_sources(db)) == 20


def test_registered_sources_are_asked_in_order(source: StandInSource) -> None:
    """A second source of another kind is asked after the first."""
    other = StandInSource(kind="test_order", title="Test order")
    register_source(other)
    try:
        kinds = [s.kind for s in registered_sources()]
        assert kinds.index("test_job") < kinds.index("test_order")
    finally:
        unregister_source("test_order")


def test_by_hand_is_not_a_source_kind() -> None:
    """Registering a source called by_hand is refused."""
    with pytest.raises(ValueError, match="by hand"):
        register_source(StandInSource(kind="by_hand"))


def test_a_run_leaves_the_collector_and_the_connections_as_it_found_them(
    db: Database, accounts, source: StandInSource
) -> None:
    """Collection is on again after a run; SQLite's log bound is 1,000 pages again."""
    source.items = many_jobs(accounts["C1"], 5)
    summary = run_invoicing(db, user(db, "sales_admin"), chunk=2)
    assert len(summary.invoiced) == 5
    assert gc.isenabled()
    assert _consecutive(_numbers(db)) and len(_numbers(db)) == 5
    if db.is_sqlite:
        with db.engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == 1000
