"""Time the lead list's pages on a dealership with many leads, in SQLite.

The script builds a temporary database with the demo dealer and `--leads`
synthetic leads (100,000 by default), then times the first page, a page
deep in the list, and the first page under typical filters as the user
types them, in both sort orders. It deletes the database when done.

    python bench/leads_list_bench.py [--leads 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

from dealer_tui.core.db import Database
from dealer_tui.core.models import User
from dealer_tui.core.paging import From, PageRequest
from dealer_tui.core.services import batch_actor
from dealer_tui.core.text import search_key
from dealer_tui.demo.build import fill
from dealer_tui.leads.matching import normalise_company_name
from dealer_tui.leads.models import Lead
from dealer_tui.leads.qualification import LeadStatus, Segment
from dealer_tui.leads.services import LeadSort, lead_page

AT = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)
WORDS = (
    "Alpine",
    "Baltic",
    "Central",
    "Delta",
    "Eastern",
    "Granite",
    "Harbour",
    "Kestrel",
    "Lakeside",
    "Midland",
    "Northern",
    "Pioneer",
    "Quarry",
    "Southern",
    "Timber",
    "Western",
)
TRADES = ("Haulage", "Freight", "Transport", "Logistics", "Earthmoving", "Carriers")
FILTERS = (
    "",
    "west",
    "status:qualified",
    "seg:con owner:sam",
    "overdue owner:me",
    "score>80",
    "status:new seg:refuse region:qld",
    "L2026-00500",
)


def _rows(count: int, owners: list[int]) -> list[dict[str, object]]:
    rng = random.Random(7)
    statuses = [s.value for s in LeadStatus if s is not LeadStatus.CONVERTED]
    rows = []
    for index in range(1, count + 1):
        company = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)}"
        rows.append(
            {
                # Numbered after the demo's own leads.
                "number": f"L2026-{index + 1000:06d}",
                "company": company,
                "company_key": search_key(company),
                "match_name": normalise_company_name(company),
                "abn": "",
                "phone": "",
                "phone_key": "",
                "email": "",
                "email_key": "",
                "source": "other",
                "segment": rng.choice(list(Segment)).value,
                "fleet_makes": "",
                "region": rng.choice(("VIC", "QLD", "NSW")),
                "owner_id": rng.choice([*owners, None]),
                "status": rng.choice(statuses),
                "disqualification_reason": "",
                "score": Decimal(rng.randint(0, 10000)).scaleb(-2),
                "next_contact_on": date(2026, 12, 4)
                + timedelta(days=rng.randint(-30, 60)),
                "notes": "",
                "version": 1,
                "updated_at": AT,
                "created_at": AT,
            }
        )
    return rows


def _time(call, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database.open(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        fill(db)
        with db.write() as session:
            owners = list(
                session.scalars(select(User.id).where(User.role == "sales_rep"))
            )
            rows = _rows(options.leads, owners)
            for start in range(0, len(rows), 5000):
                session.execute(insert(Lead), rows[start : start + 5000])
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        actor = batch_actor(db, "sam.rep")
        print(f"{options.leads:,} leads; median of {options.repeat} runs, in ms")
        for sort in LeadSort:
            print(f"-- sorted by {sort.label}")
            _, keys, _ = lead_page(
                db, actor, "", PageRequest(limit=60), sort=sort, at=AT
            )
            requests = [
                ("last page", "", PageRequest(From.END, None, 60)),
                ("page after the first", "", PageRequest(From.AFTER, keys[-1], 60)),
                *(
                    (f"first page of {text!r}", text, PageRequest(limit=60))
                    for text in FILTERS
                ),
            ]
            for label, text, request in requests:

                def page(
                    text: str = text,
                    request: PageRequest = request,
                    sort: LeadSort = sort,
                ) -> None:
                    lead_page(db, actor, text, request, sort=sort, at=AT)

                print(f"{label:<40}{_time(page, options.repeat):8.1f}")
        db.dispose()


if __name__ == "__main__":
    main()
