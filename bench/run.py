"""Run every speed scenario on SQLite, and on PostgreSQL given a URL.

    .venv/bin/python -m bench.run                       # SQLite, largest size
    .venv/bin/python -m bench.run --database-url postgresql://user@host/db
    .venv/bin/python -m bench.run --scale tiny --runs 1 --json results.json

Each database gets the generated dealership of the scale (built on first
use, as `dealer demo --scale` builds it, and kept for the next run): a
file in the data directory for SQLite, the given database for PostgreSQL,
which must be empty or hold a generated dealership.  The scenarios then
run one after another and a table is printed: the median, the 95th
percentile, the fastest and the slowest of the samples, a rate where one
applies, and the budget with whether it was met.  The same results, with
the machine they came from, are written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from bench.measure import Result, show
from dealer_tui.cli.scaled_demo import scaled_demo
from dealer_tui.core.db import Database
from dealer_tui.demo.scale import Scale, StepReport
from dealer_tui.demo.synth import DEMO_SEED

Scenario = Callable[[Bench], list[Result]]

# Scenarios that only read come first; those that write (invoices) last,
# and memory after them, with every invoice of the run in the list.
SCENARIOS: dict[str, Scenario] = {
    "start-up": startup.measure,
    "search": search.measure,
    "lists": lists.measure,
    "screens": screens.measure,
    "configurator": configurator.measure,
    "slot finder": slot_finder.measure,
    "CSV import": csv_import.measure,
    "batch invoicing": invoicing.batch,
    "concurrent posting": invoicing.concurrent,
    "memory": startup.memory,
}


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--database-url",
        help="also run on this PostgreSQL database (emptied and filled with "
        "the generated dealership unless it holds it already)",
    )
    parser.add_argument(
        "--only",
        choices=("sqlite", "postgresql"),
        help="run on one database only",
    )
    parser.add_argument("--scale", default="large", help="tiny, small, medium, large")
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--runs", type=int, default=5, help="runs of each measure")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=list(SCENARIOS),
        help="run only this scenario (may be given more than once)",
    )
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument(
        "--rebuild", action="store_true", help="generate the dealership anew"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = arguments(argv)
    try:
        scale = Scale.parse(options.scale)
    except ValueError as problem:
        print(f"--scale: {problem}", file=sys.stderr)
        return 2
    targets: list[str | None] = []
    if options.only != "postgresql":
        targets.append(None)
    if options.database_url and options.only != "sqlite":
        targets.append(options.database_url)
    if not targets:
        print("nothing to run: --only postgresql needs --database-url", file=sys.stderr)
        return 2
    chosen = options.scenario or list(SCENARIOS)
    started = time.perf_counter()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "scale": scale.label,
        "seed": options.seed,
        "runs": options.runs,
        "databases": [],
    }
    with tempfile.TemporaryDirectory(prefix="dealer-bench-") as scratch:
        for target in targets:
            report["databases"].append(
                run_database(options, scale, target, chosen, Path(scratch))
            )
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(f"\nThe whole run took {report['seconds'] / 60:.1f} minutes.")
    path = (
        options.json
        or Path(os.environ.get("DEALER_DATA_DIR") or tempfile.gettempdir())
        / "bench-results.json"
    )
    path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"Results written to {path}.")
    return 0


def run_database(
    options: argparse.Namespace,
    scale: Scale,
    target: str | None,
    chosen: list[str],
    scratch: Path,
) -> dict[str, Any]:
    """Build or reuse the dealership on one database and run the scenarios."""
    built: list[StepReport] = []
    started = time.perf_counter()
    db = scaled_demo(
        options.scale, options.seed, target, rebuild=options.rebuild, told=built
    )
    generation = time.perf_counter() - started
    folder = scratch / ("postgresql" if target else "sqlite")
    folder.mkdir()
    bench = Bench(db, scale, options.seed, max(1, options.runs), folder)
    print(f"\n== {bench.backend} ({server_version(db)}), {scale.label} scale")
    results: list[Result] = []
    if built:
        results += generation_results(built)
    for name in chosen:
        began = time.perf_counter()
        print(f"-- {name} ...", flush=True)
        found = SCENARIOS[name](bench)
        results += found
        print_table(found)
        print(f"   ({time.perf_counter() - began:.0f} s)", flush=True)
    db.dispose()
    return {
        "backend": bench.backend,
        "version": server_version(db),
        "generated_seconds": round(generation, 1) if built else None,
        "results": [r.as_dict() for r in results],
    }


def generation_results(built: list[StepReport]) -> list[Result]:
    """The build of the dealership, as results: seconds and rows a second."""
    results = []
    for step in built:
        result = Result("generation", step.what, "s", [step.seconds], items=step.rows)
        results.append(result)
    results.append(
        Result("generation", "whole build", "s", [sum(s.seconds for s in built)])
    )
    print_table(results)
    return results


HEAD = ("measure", "median", "p95", "min", "max", "unit", "per s", "budget", "")


def table_rows(results: list[Result]) -> list[tuple[str, ...]]:
    rows = []
    for r in results:
        if r.skipped:
            rows.append(
                (
                    f"{r.scenario}: {r.measure}",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    f"skipped: {r.skipped}",
                )
            )
            continue
        rows.append(
            (
                f"{r.scenario}: {r.measure}",
                show(r.median),
                show(r.p95),
                show(r.minimum),
                show(r.maximum),
                r.unit,
                show(r.per_second),
                r.budget.describe(r.unit) if r.budget else "",
                r.verdict,
            )
        )
    return rows


def print_table(results: list[Result]) -> None:
    rows = table_rows(results)
    widths = [max(len(row[i]) for row in [HEAD, *rows]) for i in range(len(HEAD))]
    for row in [HEAD, *rows]:
        cells = [
            cell.ljust(width) if i in (0, 5, 7, 8) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + "  ".join(cells).rstrip())
    for r in results:
        if r.note and not r.skipped:
            print(f"    {r.measure}: {r.note}")


def server_version(db: Database) -> str:
    if db.is_sqlite:
        return f"SQLite {sqlite3.sqlite_version}"
    with db.engine.connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version").scalar_one()
    return f"PostgreSQL {str(version).split()[0]}"


def machine() -> dict[str, Any]:
    """Where the results came from."""
    memory_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kib = int(line.split()[1])
    from textual import __version__ as textual_version

    return {
        "system": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual_version,
        "load_average": os.getloadavg(),
    }


if __name__ == "__main__":
    sys.exit(main())
