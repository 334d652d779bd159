"""Parts on both databases: importing, reserving, picking, receiving, and the limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import Refused
from dealer_tui.parts import services as parts
from dealer_tui.parts.models import Part, PartDelivery, PartStock
from tests.services.helpers import user
from tests.services.workshop_support import workshop_dealer


def _ids(db: Database, number: str) -> tuple[int, int]:
    with db.read() as session:
        part_id, branch_id = session.execute(
            select(PartStock.part_id, PartStock.branch_id)
            .join(Part, Part.id == PartStock.part_id)
            .where(Part.part_number == number)
        ).one()
    return part_id, branch_id


def _levels(db: Database, number: str) -> tuple[Decimal, Decimal]:
    part_id, branch_id = _ids(db, number)
    with db.read() as session:
        level = parts.stock_levels(session, branch_id, [part_id])[part_id]
    return level.on_hand, level.reserved


def _reserve(db: Database, number: str, quantity: str, source_id: int) -> parts.Promise:
    actor = user(db, "service_advisor")
    part_id, branch_id = _ids(db, number)
    with db.write() as session:
        return parts.reserve(
            session,
            actor,
            branch_id=branch_id,
            part_id=part_id,
            quantity=Decimal(quantity),
            source_kind="counter_order",
            source_id=source_id,
        )


def test_a_bad_parts_file_names_each_line_and_writes_nothing(db: Database) -> None:
    """A float price, a missing description and a repeated number are each named."""
    workshop_dealer(db)
    admin = user(db, "administrator")
    report = parts.import_parts(
        db,
        admin,
        text_stream(
            "part_number,description,unit_price\n"
            "P1,Good part,10.00\n"
            "P2,,1.234\n"
            "P1,Again,5.00\n"
            "OIL-FILTER,Exists already,1.00\n"
        ),
    )
    assert not report.written
    assert [str(p) for p in report.problems] == [
        "line 3, description: is required",
        "line 3, unit_price: '1.234' has more than two decimal places",
        "line 4, part_number: part P1 is also on line 2",
        "line 5, part_number: part OIL-FILTER already exists",
    ]
    with db.read() as session:
        assert session.scalar(select(Part.id).where(Part.part_number == "P1")) is None


def test_reserving_takes_only_what_is_free_and_the_rest_waits(db: Database) -> None:
    """3 linings on hand: 2, then 2 more (1 held, 1 awaited on 10/12), never below 0."""
    workshop_dealer(db)
    first = _reserve(db, "LINING", "2", 1)
    second = _reserve(db, "LINING", "2", 2)
    assert (first.reserved, first.awaiting) == (Decimal("2.000"), Decimal("0.000"))
    assert (second.reserved, second.awaiting) == (Decimal("1.000"), Decimal("1.000"))
    assert str(second.expected_on) == "2026-12-10"
    assert _levels(db, "LINING") == (Decimal("3.000"), Decimal("3.000"))
    third = _reserve(db, "LINING", "4", 3)
    # 4 are on their way, 1 already promised: 3 of these come then, 1 has no date.
    assert (third.reserved, third.awaiting, third.expected_on) == (
        Decimal("0.000"),
        Decimal("4.000"),
        None,
    )


def test_releasing_gives_back_exactly_what_was_held(db: Database) -> None:
    """Releasing the second order returns its one held lining and drops its wait."""
    workshop_dealer(db)
    _reserve(db, "LINING", "2", 1)
    _reserve(db, "LINING", "2", 2)
    actor = user(db, "service_advisor")
    with db.write() as session:
        released = parts.release(session, actor, "counter_order", 2)
    assert released == Decimal("2.000")
    assert _levels(db, "LINING") == (Decimal("3.000"), Decimal("2.000"))
    with db.write() as session:
        assert parts.release(session, actor, "counter_order", 2) == Decimal("0.000")


def test_picking_takes_the_parts_off_the_shelf(db: Database) -> None:
    """Picking 2 held linings leaves 1 on hand and none reserved."""
    workshop_dealer(db)
    _reserve(db, "LINING", "2", 1)
    actor = user(db, "service_advisor")
    with db.write() as session:
        assert parts.pick(session, actor, "counter_order", 1) == Decimal("2.000")
    assert _levels(db, "LINING") == (Decimal("1.000"), Decimal("0.000"))


def test_receiving_a_delivery_fills_the_waiting_reservations(db: Database) -> None:
    """4 linings arrive: the 1 awaited becomes reserved; on hand 7, reserved 4."""
    workshop_dealer(db)
    _reserve(db, "LINING", "2", 1)
    _reserve(db, "LINING", "2", 2)
    counter = user(db, "counter")
    with db.read() as session:
        delivery_id = session.scalar(select(PartDelivery.id))
    receipt = parts.receive_delivery(db, counter, delivery_id)
    assert (receipt.on_hand, receipt.filled_for_waiting) == (
        Decimal("7.000"),
        Decimal("1.000"),
    )
    assert _levels(db, "LINING") == (Decimal("7.000"), Decimal("4.000"))
    with db.write() as session:
        held = parts.promises(session, "counter_order", 2)[None][0]
    assert (held.reserved, held.awaiting) == (Decimal("2.000"), Decimal("0.000"))
    with pytest.raises(Refused, match="already been received"):
        parts.receive_delivery(db, counter, delivery_id)


def test_the_database_refuses_more_reserved_than_on_hand(db: Database) -> None:
    """Setting reserved above on hand by hand breaks the table's own check."""
    workshop_dealer(db)
    part_id, branch_id = _ids(db, "LINING")
    with pytest.raises(IntegrityError), db.write() as session:
        session.execute(
            update(PartStock)
            .where(PartStock.part_id == part_id, PartStock.branch_id == branch_id)
            .values(reserved=Decimal("4.000"))
        )
