"""Receiving trucks into stock, VINs checked, and allocation under a race."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import Refused, StaleRecord, ValidationFailed
from dealer_tui.core.paging import PageRequest
from dealer_tui.orders import delivery
from dealer_tui.orders.models import StockUnit, UnitAllocation
from dealer_tui.orders.services import OrderForm, confirm_order, create_order
from dealer_tui.orders.stock import receive_unit, receive_units, unit_page
from dealer_tui.orders.views import order_view
from dealer_tui.vehicles.vin import check_digit
from tests.conftest import PG_URL
from tests.services.helpers import user
from tests.services.orders_support import (
    MACK_1,
    NOW,
    VOLVO_1,
    order_dealer,
    unit_id,
    units_csv,
)

# A Mack (WMI 1M1, North American) with its ninth character changed.
MACK_WRONG = MACK_1[:8] + ("0" if MACK_1[8] != "0" else "1") + MACK_1[9:]
MACK_NEW = "1M1AN07Y0TM200002"
MACK_NEW = MACK_NEW[:8] + check_digit(MACK_NEW) + MACK_NEW[9:]
# A Scania (WMI YS2, Sweden): the ninth character is not a check digit.
SCANIA = "YS2R4X20005399999"


def _count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(StockUnit)) or 0


def test_every_bad_row_is_named_and_nothing_is_received(db: Database) -> None:
    """Wrong check digit, I/O/Q, short VIN, unknown branch, a repeat: all named."""
    admin = order_dealer(db)
    before = _count(db)
    source = units_csv(
        f"{MACK_WRONG},Mack,Anthem,2026,MEL,229500,,",
        "YV2RT40AOTB100009,Volvo,FH 540,2026,MEL,241000,,",
        "YV2RT40A,Volvo,FH 540,2026,MEL,241000,,",
        f"{SCANIA},Scania,R 620,2026,PER,250000,,",
        f"{MACK_NEW},Mack,Anthem,2026,MEL,229500,,",
        f"{MACK_NEW},Mack,Anthem,2026,MEL,229500,,",
        f"{VOLVO_1},Volvo,FH 540,2026,MEL,241000,,",
    )
    report = receive_units(db, admin, text_stream(source), at=NOW)
    assert not report.written
    assert [(p.line, p.field) for p in report.problems] == [
        (2, "vin"),
        (3, "vin"),
        (4, "vin"),
        (5, "branch"),
        (7, "vin"),
        (8, "vin"),
    ]
    messages = [p.message for p in report.problems]
    assert f"should be {MACK_1[8]}" in messages[0]
    assert messages[1].endswith("a VIN never contains I, O or Q")
    assert messages[2].endswith("a VIN has 17 characters, this has 8")
    assert messages[4] == f"{MACK_NEW} is also on line 6"
    assert messages[5] == f"truck {VOLVO_1} is already in stock"
    assert report.summary() == (
        "Nothing imported: 6 of 7 rows have problems. Fix them, or import the "
        "good rows only."
    )
    assert _count(db) == before


def test_a_non_north_american_vin_is_not_held_to_a_check_digit(
    db: Database,
) -> None:
    """The Scania's ninth character 0 is no check digit; it is received."""
    admin = order_dealer(db)
    assert check_digit(SCANIA) != "0"
    report = receive_units(
        db,
        admin,
        text_stream(units_csv(f"{SCANIA},Scania,R 620,2026,MEL,250000,,")),
        at=NOW,
    )
    assert report.written and report.imported == 1


def test_good_rows_only_and_dry_run(db: Database) -> None:
    """A dry run writes nothing; good rows only leaves the bad Mack out."""
    admin = order_dealer(db)
    before = _count(db)
    source = units_csv(
        f"{MACK_WRONG},Mack,Anthem,2026,MEL,229500,,",
        f"{MACK_NEW},Mack,Anthem,2026,MEL,229500,,",
    )
    dry = receive_units(db, admin, text_stream(source), dry_run=True, at=NOW)
    assert not dry.written and _count(db) == before
    report = receive_units(db, admin, text_stream(source), good_rows_only=True, at=NOW)
    assert report.summary() == "Imported 1 trucks of 2 rows. Left out 1 bad rows."
    assert _count(db) == before + 1


def test_an_announced_truck_is_received_later(db: Database) -> None:
    """On order until 2027-01-20; the second file receives it into stock."""
    admin = order_dealer(db)
    head = "vin,make,model,branch,expected_arrival,received_on\n"
    report = receive_units(
        db,
        admin,
        text_stream(head + f"{MACK_NEW},Mack,Anthem,MEL,2027-01-20,\n"),
        at=NOW,
    )
    assert report.written
    lines, _, _ = unit_page(db, admin, "on order", PageRequest())
    assert [(line.vin, line.status) for line in lines] == [(MACK_NEW, "on_order")]
    again = receive_units(
        db, admin, text_stream(head + f"{MACK_NEW},Mack,Anthem,MEL,2027-01-20,\n")
    )
    assert again.problems[0].message == f"truck {MACK_NEW} is already announced"
    report = receive_units(
        db,
        admin,
        text_stream(head + f"{MACK_NEW},Mack,Anthem,MEL,,2026-12-01\n"),
        at=NOW,
    )
    assert report.written
    with db.read() as session:
        unit = session.get(StockUnit, unit_id(db, MACK_NEW))
        assert unit is not None and unit.status == "in_stock"
        assert str(unit.received_on) == "2026-12-01"


def test_one_truck_typed_on_the_screen(db: Database) -> None:
    """The form's problems come back by field, without line numbers."""
    admin = order_dealer(db)
    with pytest.raises(ValidationFailed) as refused:
        receive_unit(
            db,
            admin,
            {"vin": MACK_WRONG, "make": "", "model": "Anthem", "branch": "MEL"},
            at=NOW,
        )
    assert [(p.field, p.line) for p in refused.value.problems] == [
        ("vin", None),
        ("make", None),
    ]
    report = receive_unit(
        db,
        admin,
        {"vin": MACK_NEW, "make": "Mack", "model": "Anthem", "branch": "mel"},
        at=NOW,
    )
    assert report.imported == 1


def _two_confirmed_orders(db: Database) -> tuple[int, int]:
    admin = user(db, "sales_admin")
    ids = []
    for _ in range(2):
        order_id = create_order(db, admin, OrderForm("C1", "Volvo FH 540", "289500"))
        view = order_view(db, admin, order_id)
        confirm_order(db, admin, order_id, view.version)
        ids.append(order_id)
    return ids[0], ids[1]


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="races need two PostgreSQL connections")
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_two_connections_racing_for_one_truck_allocate_it_once(
    db: Database,
) -> None:
    """Two clerks allocate the same Volvo at once: one wins, one is refused."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    first, second = _two_confirmed_orders(db)
    target = unit_id(db, VOLVO_1)
    versions = {i: order_view(db, admin, i).version for i in (first, second)}
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def clerk(order_id: int) -> None:
        barrier.wait()
        try:
            delivery.allocate_unit(db, admin, order_id, versions[order_id], target)
            outcomes[order_id] = "allocated"
        except (Refused, StaleRecord) as refusal:
            outcomes[order_id] = refusal.message

    threads = [threading.Thread(target=clerk, args=(i,)) for i in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values(), key=len)[0] == "allocated"
    refused = [text for text in outcomes.values() if text != "allocated"]
    assert len(refused) == 1
    assert refused[0] in (
        f"Truck {VOLVO_1} was allocated to another order a moment ago: "
        "choose another truck.",
        f"Truck {VOLVO_1} is allocated, not in stock.",
    )
    with db.read() as session:
        rows = session.scalars(
            select(UnitAllocation).where(UnitAllocation.unit_id == target)
        ).all()
        assert len(rows) == 1
    states = {i: order_view(db, admin, i).state.value for i in (first, second)}
    assert sorted(states.values()) == ["allocated", "confirmed"]


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="races need two PostgreSQL connections")
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_the_database_itself_refuses_a_second_allocation(db: Database) -> None:
    """Inserting a second allocation row for the truck fails in PostgreSQL."""
    from sqlalchemy.exc import IntegrityError

    order_dealer(db)
    first, second = _two_confirmed_orders(db)
    target = unit_id(db, MACK_1)
    with db.write() as session:
        session.add(UnitAllocation(unit_id=target, order_id=first))
    with pytest.raises(IntegrityError), db.write() as session:
        session.add(UnitAllocation(unit_id=target, order_id=second))
        session.flush()
