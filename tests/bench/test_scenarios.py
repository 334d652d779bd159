"""Every speed scenario runs at a tiny scale and gives results of the right shape.

Timings are never asserted here: only that each scenario still runs, finds
what it looks for and reports every measure it should.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench import (
    configurator,
    csv_import,
    invoicing,
    lists,
    screens,
    search,
    slot_finder,
    startup,
)
from bench.context import Bench
from bench.measure import AT_LEAST, Budget, Result, percentile
from bench.run import SCENARIOS, main
from dealer_tui.core.db import Database
from dealer_tui.demo.scale import build_scaled
from dealer_tui.demo.synth import DEMO_SEED
from dealer_tui.invoicing.models import Invoice
from dealer_tui.workshop.models import JobInvoicing
from tests.bench.conftest import TINY


def _measured(results: list[Result]) -> None:
    for result in results:
        assert result.samples, result.measure
        assert all(not math.isnan(s) and s >= 0 for s in result.samples)


def test_a_result_is_judged_on_its_percentile_or_its_median() -> None:
    """p95 of 1..20 is 19; a rate of 9 misses 'at least 12' by 25 per cent."""
    latency = Result(
        "x", "y", "ms", [float(n) for n in range(1, 21)], budget=Budget(20)
    )
    assert (latency.median, latency.p95, latency.maximum) == (10.5, 19.0, 20.0)
    assert latency.verdict == "met"
    rate = Result("x", "y", "rows/s", [9.0], budget=Budget(12, AT_LEAST, "median"))
    assert rate.verdict == "MISSED by 25%"
    assert math.isnan(percentile([], 95))
    timed = Result("x", "y", "ms", [250.0], items=500)
    assert timed.per_second == 2000


def test_search_finds_what_is_typed_and_nothing_for_nonsense(tiny_bench: Bench) -> None:
    """The whole name, VIN, plate and number each find their record; 'ZQXW' none."""
    typed = search.queries(tiny_bench)
    assert (
        typed["VIN, last six characters"][-1]
        == typed["VIN, whole, from its start"][-1][-6:]
    )
    results = search.measure(tiny_bench)
    _measured(results)
    hits = {r.measure.split(" (")[0]: r.note for r in results}
    for kind in (
        "customer name, from its start",
        "VIN, whole, from its start",
        "VIN, last six characters",
        "registration",
        "invoice number",
        "invoice number without its series",
    ):
        assert "; 0 hits" not in hits[kind], kind
    assert hits["text that matches nothing"].endswith("; 0 hits for the whole text")
    assert all(r.budget is not None and r.budget.limit == 50 for r in results)


def test_lists_page_through_every_list(tiny_bench: Bench) -> None:
    """First, last and middle pages and typed filters of three lists, 100 a page."""
    results = lists.measure(tiny_bench)
    _measured(results)
    assert [r.measure.split(":")[0] for r in results[::4]] == [
        "invoices",
        "customers",
        "vehicles",
    ]
    assert results[0].note == "100 rows a page"


def test_the_workstation_screens_hold_one_window_of_rows(tiny_bench: Bench) -> None:
    """At 80x24 the invoice list draws 16 rows and holds at most its window."""
    results = {r.measure: r for r in screens.measure(tiny_bench)}
    _measured(list(results.values()))
    drawn = results["rows the invoice list draws at 80x24"]
    assert drawn.samples == [16.0]
    held = next(r for name, r in results.items() if name.startswith("rows the"))
    assert held.samples[0] <= 400


def test_the_configurator_answers_on_every_range(tiny_bench: Bench) -> None:
    """The three demo ranges and the generated one each make their choices."""
    results = configurator.measure(tiny_bench)
    _measured(results)
    ranges = [r.measure.split(":")[0] for r in results[::2]]
    assert ranges == ["ANTHEM", "FH", "FM", "SYN"]
    assert results[-1].measure.endswith("(large catalogue)")
    assert len(results[-1].samples) == configurator.CHOICES


def test_the_slot_finder_offers_five_slots(tiny_bench: Bench) -> None:
    """Five slots among the bookings, and the booking plan offers five too."""
    finder, plan = slot_finder.measure(tiny_bench)
    _measured([finder, plan])
    assert "5 slots found" in finder.note
    assert plan.note.endswith("5 slots offered")


def test_csv_import_writes_every_row(tiny_bench: Bench) -> None:
    """1,000 customers and 2,500 vehicles import whole into an empty dealership."""
    customers, vehicles = csv_import.measure(tiny_bench)
    _measured([customers, vehicles])
    assert customers.note.startswith("1,000 rows")
    assert vehicles.note.startswith("2,500 rows")


def _invoice_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Invoice)) or 0


def _waiting_jobs(db: Database) -> int:
    with db.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(JobInvoicing)
                .where(JobInvoicing.status == "ready")
            )
            or 0
        )


def test_batch_invoicing_bills_the_jobs_and_leaves_no_raw_rows(
    tiny_bench: Bench,
) -> None:
    """20 jobs are billed by the workshop's source, then wait again; no gap."""
    before = _invoice_count(tiny_bench.db)
    waiting = _waiting_jobs(tiny_bench.db)
    runs, rate, raw, ratio = invoicing.batch(tiny_bench)
    _measured([runs, rate, raw, ratio])
    invoiced = int(runs.note.split()[0])
    assert invoiced + int(runs.note.split(", ")[1].split()[0]) == 20
    assert _invoice_count(tiny_bench.db) == before + invoiced
    assert _waiting_jobs(tiny_bench.db) == waiting == 40
    assert invoicing.number_gaps(tiny_bench.db)[:2] == (0, 0)


def test_concurrent_posting_is_left_out_on_sqlite(tiny_bench: Bench) -> None:
    """SQLite takes one writer at a time, so the scenario says it is skipped."""
    rate, gaps = invoicing.concurrent(tiny_bench)
    assert rate.skipped.startswith("PostgreSQL only")
    assert gaps.skipped == rate.skipped


@pytest.mark.postgres
def test_eight_workstations_post_without_a_gap(db: Database, tmp_path: Path) -> None:
    """On PostgreSQL 8 processes post 3 drafts each; the numbers have no gap."""
    if db.is_sqlite:
        pytest.skip("several connections at once: SQLite serialises its writers")
    build_scaled(db, TINY, DEMO_SEED)
    bench = Bench(db, TINY, DEMO_SEED, 1, tmp_path)
    rate, gaps = invoicing.concurrent(bench)
    assert rate.note == "24 posted per run"
    assert gaps.samples == [0.0]
    assert gaps.verdict == "met"


def test_start_up_and_memory_run_the_real_command(tiny_bench: Bench) -> None:
    """Both programs reach their first frame; the workstation signs in and lists."""
    dealer, bare, ratio = startup.measure(tiny_bench)
    _measured([dealer, bare, ratio])
    assert ratio.samples[0] == pytest.approx(dealer.samples[0] / bare.samples[0])
    first, last, peak = startup.memory(tiny_bench)
    _measured([first, last, peak])
    assert peak.samples[0] >= first.samples[0] > 0
    assert first.measure == "resident, invoice list of 1,000 shown"


def test_the_one_command_runs_every_scenario_and_writes_json(tmp_path: Path) -> None:
    """`python -m bench.run --scale tiny` reports every scenario, as JSON too."""
    out = tmp_path / "results.json"
    assert main(["--scale", "tiny", "--runs", "1", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["scale"] == "tiny"
    assert report["machine"]["cores"] >= 1
    (sqlite,) = report["databases"]
    assert sqlite["backend"] == "SQLite"
    scenarios = {r["scenario"] for r in sqlite["results"]}
    assert set(SCENARIOS) <= scenarios
    for result in sqlite["results"]:
        if result["skipped"]:
            continue
        assert result["samples"], result["measure"]
        if result["budget"]:
            assert result["verdict"] in ("met",) or result["verdict"].startswith(
                "MISSED by"
            )
