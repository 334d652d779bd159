"""CSV import: rows per second of `dealer import customers` and `vehicles`.

The files are written once from the synthetic dealership (100,000
customers and 250,000 vehicles at the largest size); each run imports
them into a fresh copy of an empty dealership, with every row checked as
a dealer's own file would be.  The budget is for SQLite; on PostgreSQL
the scenario is left out, as it would need a database of its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.context import Bench
from bench.make_fixtures import write_csv
from bench.measure import AT_LEAST, Budget, Result, timed
from dealer_tui.accounts.services import import_customers
from dealer_tui.core import schema
from dealer_tui.core.config import fixtures_dir
from dealer_tui.core.db import Database
from dealer_tui.core.services import batch_actor, set_up_dealer
from dealer_tui.demo.build import read_dealer_spec
from dealer_tui.demo.synth import (
    CUSTOMER_COLUMNS,
    VEHICLE_COLUMNS,
    SyntheticDealership,
)
from dealer_tui.vehicles.services import import_vehicles

IMPORT_RATE = Budget(100_000, AT_LEAST, on="median")


def files(bench: Bench) -> tuple[Path, Path, int, int]:
    """The customers and vehicles files, written once per scale."""
    customers = max(1_000, round(100_000 * bench.scale.factor))
    vehicles = customers * 5 // 2
    folder = bench.scratch / f"csv-{customers}"
    folder.mkdir(parents=True, exist_ok=True)
    customers_csv = folder / "customers.csv"
    vehicles_csv = folder / "vehicles.csv"
    if not vehicles_csv.exists():
        dealership = SyntheticDealership(bench.seed + 1, customers, vehicles)
        with customers_csv.open("w", encoding="utf-8", newline="") as out:
            write_csv(
                out, CUSTOMER_COLUMNS, (c.as_row() for c in dealership.customers())
            )
        with vehicles_csv.open("w", encoding="utf-8", newline="") as out:
            write_csv(out, VEHICLE_COLUMNS, (v.as_row() for v in dealership.vehicles()))
    return customers_csv, vehicles_csv, customers, vehicles


def _empty_dealership(bench: Bench) -> Path:
    path = bench.scratch / "csv-empty.sqlite3"
    if not path.exists():
        db = Database.open(f"sqlite:///{path}")
        schema.upgrade(db)
        set_up_dealer(db, read_dealer_spec(fixtures_dir() / "dealer.toml"))
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
    return path


def measure(bench: Bench) -> list[Result]:
    customers_rate = Result("CSV import", "customers", "rows/s", budget=IMPORT_RATE)
    vehicles_rate = Result("CSV import", "vehicles", "rows/s", budget=IMPORT_RATE)
    if not bench.db.is_sqlite:
        note = "measured on SQLite, where the budget applies"
        customers_rate.skipped = vehicles_rate.skipped = note
        return [customers_rate, vehicles_rate]
    customers_csv, vehicles_csv, customers, vehicles = files(bench)
    template = _empty_dealership(bench)
    for run in range(max(1, min(bench.runs, 3))):
        path = bench.scratch / f"csv-run-{run}.sqlite3"
        shutil.copy(template, path)
        db = Database.open(f"sqlite:///{path}")
        try:
            actor = batch_actor(db)
            report, ms = timed(
                lambda db=db, a=actor: import_customers(db, a, customers_csv)
            )
            if not report.written:
                raise RuntimeError(f"customers did not import: {report.problems[:3]}")
            customers_rate.samples.append(report.imported / ms * 1000)
            report, ms = timed(
                lambda db=db, a=actor: import_vehicles(db, a, vehicles_csv)
            )
            if not report.written:
                raise RuntimeError(f"vehicles did not import: {report.problems[:3]}")
            vehicles_rate.samples.append(report.imported / ms * 1000)
        finally:
            db.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    customers_rate.note = f"{customers:,} rows a run, every row checked"
    vehicles_rate.note = f"{vehicles:,} rows a run, every VIN checked"
    return [customers_rate, vehicles_rate]
