"""Several advisors at once on PostgreSQL: one slot, one booking, no negative stock.

Each thread has its own connection from the pool and its own transaction,
and all of them start together at a barrier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dealer_tui.core.db import Database
from dealer_tui.parts import services as parts
from dealer_tui.parts.models import Part, PartReservation, PartStock
from dealer_tui.workshop.booking import JobDraft, SlotChoice, SlotTaken, book_job
from dealer_tui.workshop.models import (
    Bay,
    BookingInterval,
    Mechanic,
    WorkshopJob,
    resource_key,
)
from tests.services.helpers import user
from tests.services.workshop_support import mel, workshop_dealer

ADVISORS = 6
MONDAY_6AM = mel(2026, 12, 7, 6, 0)


@pytest.fixture
def pg(db: Database) -> Database:
    if db.is_sqlite:
        pytest.skip("several connections at once: SQLite serialises its writers")
    return db


def _all_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released together; results or errors."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:  # the test looks at every outcome
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _ids(db: Database) -> tuple[int, int]:
    with db.read() as session:
        ann = session.scalar(select(Mechanic.id).where(Mechanic.code == "ANN"))
        bay = session.scalar(select(Bay.id).where(Bay.code == "S1"))
    return ann, bay


def test_the_same_slot_booked_at_once_ends_with_one_booking(pg: Database) -> None:
    """Six advisors book Ann in S1 at Mon 07:00 at once: one wins, five get an offer."""
    advisor = workshop_dealer(pg)
    choice = SlotChoice(*_ids(pg), mel(2026, 12, 7, 7, 0))
    vehicles = ["AAA111", "CCC333"]

    def book(index: int) -> Any:
        draft = JobDraft(vehicle=vehicles[index % 2], work="SVC-A")
        return book_job(pg, advisor, draft, choice, at=MONDAY_6AM)

    outcomes = _all_at_once(ADVISORS, book)
    won = [o for o in outcomes if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1
    assert all(isinstance(o, SlotTaken) for o in lost), lost
    assert all(o.offer is not None for o in lost)
    assert all(o.offer.starts_at >= choice.starts_at for o in lost)
    with pg.read() as session:
        assert session.scalar(select(func.count()).select_from(WorkshopJob)) == 1
        assert session.scalar(select(func.count()).select_from(BookingInterval)) == 2
        # Only the winner's parts are held: one oil filter of five.
        reserved = session.scalar(
            select(PartStock.reserved)
            .join(Part, Part.id == PartStock.part_id)
            .where(Part.part_number == "OIL-FILTER")
        )
    assert reserved == Decimal("1.000")


def test_the_database_itself_refuses_an_overlap(pg: Database) -> None:
    """Two transactions writing overlapping spans for one mechanic: the second fails."""
    advisor = workshop_dealer(pg)
    ann, bay = _ids(pg)
    first = book_job(
        pg,
        advisor,
        JobDraft(vehicle="AAA111", work="OIL100"),
        SlotChoice(ann, bay, mel(2026, 12, 7, 7, 0)),
        at=MONDAY_6AM,
    )
    start = mel(2026, 12, 7, 8, 0)
    with pytest.raises(IntegrityError) as refused, pg.write() as session:
        session.add(
            BookingInterval(
                job_id=first.job_id,
                branch_id=advisor.branch_id,
                resource_key=resource_key("mechanic", ann),
                mechanic_id=ann,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
            )
        )
        session.flush()
    assert refused.value.orig.sqlstate == "23P01"


def test_reservations_at_once_never_make_available_stock_negative(
    pg: Database,
) -> None:
    """Eight counter orders of one lining each, 3 on hand: 3 held, 5 awaiting."""
    workshop_dealer(pg)
    actor = user(pg, "counter")
    with pg.read() as session:
        part_id, branch_id = session.execute(
            select(PartStock.part_id, PartStock.branch_id)
            .join(Part, Part.id == PartStock.part_id)
            .where(Part.part_number == "LINING")
        ).one()

    def reserve(index: int) -> parts.Promise:
        with pg.write() as session:
            return parts.reserve(
                session,
                actor,
                branch_id=branch_id,
                part_id=part_id,
                quantity=Decimal(1),
                source_kind="counter_order",
                source_id=index + 1,
            )

    outcomes = _all_at_once(8, reserve)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sum(o.reserved for o in outcomes) == Decimal("3.000")
    assert sum(o.awaiting for o in outcomes) == Decimal("5.000")
    with pg.read() as session:
        on_hand, reserved = session.execute(
            select(PartStock.on_hand, PartStock.reserved).where(
                PartStock.part_id == part_id, PartStock.branch_id == branch_id
            )
        ).one()
        waiting = session.scalar(
            select(func.count())
            .select_from(PartReservation)
            .where(PartReservation.status == "awaiting")
        )
    assert (on_hand, reserved, waiting) == (Decimal("3.000"), Decimal("3.000"), 5)
