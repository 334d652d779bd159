"""Regenerate the demo dealership's customers, contacts and vehicles as CSV.

Run with the project installed (its virtualenv), from the repository root:

    python bench/make_fixtures.py                 # rewrite fixtures/
    python bench/make_fixtures.py --out /tmp/big --customers 200000 \\
        --vehicles 500000                         # a large dealership

With the default seed and sizes the output is byte for byte the committed
fixtures, so anyone can check that they come from the generator unchanged.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from dealer_tui.demo.synth import (
    CONTACT_COLUMNS,
    CUSTOMER_COLUMNS,
    DEMO_CUSTOMERS,
    DEMO_SEED,
    DEMO_VEHICLES,
    VEHICLE_COLUMNS,
    SyntheticDealership,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def write_csv(
    out: TextIO, columns: Sequence[str], rows: Iterable[dict[str, str]]
) -> None:
    """Write a header row and then the rows, quoting only where needed."""
    # Plain newlines keep the committed files' diffs readable.
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def fixture_tables(
    dealership: SyntheticDealership,
) -> dict[str, tuple[Sequence[str], Iterable[dict[str, str]]]]:
    """Each fixture file's name with its columns and its rows."""
    return {
        "customers.csv": (
            CUSTOMER_COLUMNS,
            (row.as_row() for row in dealership.customers()),
        ),
        "contacts.csv": (
            CONTACT_COLUMNS,
            (row.as_row() for row in dealership.contacts()),
        ),
        "vehicles.csv": (
            VEHICLE_COLUMNS,
            (row.as_row() for row in dealership.vehicles()),
        ),
    }


def fixture_texts(dealership: SyntheticDealership) -> dict[str, str]:
    """The text of each fixture file, keyed by file name."""
    texts = {}
    for name, (columns, rows) in fixture_tables(dealership).items():
        buffer = io.StringIO()
        write_csv(buffer, columns, rows)
        texts[name] = buffer.getvalue()
    return texts


def main(argv: Sequence[str] | None = None) -> int:
    """Write the three CSV files into the chosen folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIXTURES)
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--customers", type=int, default=DEMO_CUSTOMERS)
    parser.add_argument("--vehicles", type=int, default=DEMO_VEHICLES)
    args = parser.parse_args(argv)
    try:
        dealership = SyntheticDealership(args.seed, args.customers, args.vehicles)
    except ValueError as problem:
        print(f"make_fixtures: {problem}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (columns, rows) in fixture_tables(dealership).items():
        path = args.out / name
        with path.open("w", encoding="utf-8", newline="") as out:
            write_csv(out, columns, rows)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
