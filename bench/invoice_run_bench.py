"""How fast `dealer invoice run` bills, against inserting the same rows raw.

The script makes a dealer with 200 customers and N eligible workshop jobs
of three lines each (labour, a part, a zero-rated levy), runs the batch
over them and times it, planning, pricing and commits included.  It then
reads back every row the run wrote (invoices, lines, tax subtotals, audit
entries) and inserts those same rows with the bare driver, executemany per
table, in one transaction committed at the end, into an identical database
whose invoicing tables are empty.  The ratio of the two rates is what the
run keeps of the database's own speed; the aim is a quarter.  Each is the
fastest of several rounds (--repeat), the one a busy machine disturbed
least.

    python bench/invoice_run_bench.py [--count 5000] [--chunk 100] [--repeat 3]
    python bench/invoice_run_bench.py --postgres postgresql://user@host/scratch

The PostgreSQL database named is emptied: give it a scratch database.
SQLite runs in a temporary folder the script deletes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import text

from dealer_tui.accounts.services import import_customers
from dealer_tui.core import schema
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.services import (
    BranchSpec,
    DealerSpec,
    UserSpec,
    batch_actor,
    set_up_dealer,
)
from dealer_tui.invoicing.batch import CHUNK, run_invoicing
from dealer_tui.invoicing.sources import (
    Candidate,
    LinesGiven,
    SourceLine,
    register_source,
)

TABLES = ("invoices", "invoice_lines", "invoice_taxes", "audit_log")
CUSTOMERS = 200


class BenchJobs(LinesGiven):
    """N finished jobs spread over the customers, ready since January."""

    kind = "bench_job"
    title = "Bench job"

    def __init__(self, account_ids: list[int], count: int) -> None:
        self.items = [
            Candidate(
                source_kind=self.kind,
                source_ref=f"W{n:07d}",
                payer="customer",
                account_id=account_ids[n % len(account_ids)],
                branch_code="MEL",
                ready_on=date(2026, 1, 5),
                title=f"Job W{n:07d}",
                lines=(
                    SourceLine("Workshop labour", Decimal("2.5"), Decimal("165.00")),
                    SourceLine(f"Part {n % 97}", Decimal(n % 4 + 1), Decimal("48.90")),
                    SourceLine("Tyre levy", Decimal(1), Decimal("3.50"), category="Z"),
                ),
            )
            for n in range(count)
        ]

    def candidates(self, db: Any, actor: Any, until: date, branch: Any) -> list:
        return self.items


def prepare(db: Database) -> list[int]:
    """Migrate an empty database and give it a dealer and its customers."""
    schema.upgrade(db)
    set_up_dealer(
        db,
        DealerSpec(
            name="Bench Trucks",
            legal_name="Bench Trucks Pty Ltd",
            country="AU",
            currency="AUD",
            tax_registration="91526018159",
            branches=[
                BranchSpec(
                    "MEL",
                    "Melbourne",
                    "AU",
                    "VIC",
                    "AUD",
                    "Australia/Melbourne",
                    "91526018159",
                    "18 Boundary Road, Laverton North VIC 3026",
                )
            ],
            users=[UserSpec("admin", "Admin", "administrator", "MEL", "bench-pass")],
        ),
    )
    rows = "\n".join(f"B{n:05d},Bench Customer {n} Pty Ltd" for n in range(CUSTOMERS))
    import_customers(db, batch_actor(db), text_stream(f"number,name\n{rows}\n"))
    with db.read() as session:
        return list(session.scalars(text("SELECT id FROM accounts ORDER BY id")))


def written_rows(db: Database) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row of the run's tables as the driver returns it."""
    found = {}
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            columns = [d[0] for d in cursor.description]
            found[table] = (columns, [tuple(r) for r in cursor.fetchall()])
    finally:
        raw.close()
    return found


def raw_insert(db: Database, rows: dict[str, tuple[list[str], list[tuple]]]) -> float:
    """Seconds to insert the rows with the bare driver in one transaction."""
    json_columns = {"before", "after"}
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        postgres = not db.is_sqlite
        mark = "%s" if postgres else "?"
        started = time.perf_counter()
        if not postgres:
            cursor.execute("BEGIN IMMEDIATE")
        for table in TABLES:
            columns, values = rows[table]
            if postgres:
                values = [_adapt(columns, row, json_columns) for row in values]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join(mark for _ in columns)
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})", values
            )
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def _adapt(columns: list[str], row: tuple, json_columns: set[str]) -> tuple:
    from psycopg.types.json import Json

    return tuple(
        Json(v) if c in json_columns and v is not None else v
        for c, v in zip(columns, row, strict=True)
    )


def emptied(db: Database) -> Database:
    """The run's tables of the database emptied; everything else kept.

    TRUNCATE passes the guard that refuses to delete a posted invoice row
    by row, which is what a benchmark may do and a user may not.
    """
    names = ", ".join(TABLES)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return db


def measure(
    db: Database, count: int, chunk: int, target: Callable[[], Database]
) -> tuple[float, float, int]:
    """Seconds for the run, seconds for the raw insert, and the rows written."""
    accounts = prepare(db)
    register_source(BenchJobs(accounts, count))
    actor = batch_actor(db)
    started = time.perf_counter()
    summary = run_invoicing(db, actor, chunk=chunk)
    run_seconds = time.perf_counter() - started
    if len(summary.invoiced) != count or summary.failed:
        sys.exit(f"the run invoiced {len(summary.invoiced)} of {count}")
    rows = written_rows(db)
    raw_seconds = raw_insert(target(), rows)
    return run_seconds, raw_seconds, sum(len(v) for _, v in rows.values())


def report(name: str, count: int, run: float, raw: float, rows: int) -> None:
    run_rate = count / run
    raw_rate = count / raw
    print(
        f"{name:<10} {count:>7} invoices ({rows} rows): run {run:7.2f} s "
        f"= {run_rate:8.0f}/s; raw insert {raw:6.2f} s = {raw_rate:8.0f}/s; "
        f"ratio {run_rate / raw_rate:.2f} (aim 0.25)"
    )


def best_of(
    repeat: int, count: int, chunk: int, fresh: Callable[[str], Database]
) -> tuple[float, float, int]:
    """The fastest run and the fastest raw insert over several rounds.

    The machine may be busy with other work; the fastest round is the one
    least disturbed by it, for the run and for the raw insert alike.
    """
    runs, raws = [], []
    rows = 0
    for round_number in range(repeat):
        db = fresh(f"run{round_number}")
        run, raw, rows = measure(
            db, count, chunk, lambda n=round_number, d=db: raw_target(fresh, d, n)
        )
        db.dispose()
        runs.append(run)
        raws.append(raw)
    return min(runs), min(raws), rows


def raw_target(fresh: Callable[[str], Database], db: Database, n: int) -> Database:
    """Where the raw insert goes: a second SQLite file, or the run's PostgreSQL."""
    if db.is_sqlite:
        second = fresh(f"raw{n}")
        prepare(second)
        with second.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_log"))
        return second
    return emptied(db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--chunk", type=int, default=CHUNK)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="a scratch PostgreSQL database to empty")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:

        def sqlite_file(name: str) -> Database:
            return Database.open(f"sqlite:///{Path(folder) / name}.sqlite3")

        run, raw, rows = best_of(args.repeat, args.count, args.chunk, sqlite_file)
        report("SQLite", args.count, run, raw, rows)

    if args.postgres:
        url = args.postgres

        def scratch(_name: str) -> Database:
            db = Database.open(url)
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            return db

        run, raw, rows = best_of(args.repeat, args.count, args.chunk, scratch)
        report("PostgreSQL", args.count, run, raw, rows)


if __name__ == "__main__":
    main()
