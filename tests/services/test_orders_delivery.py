"""Planning deliveries: the date, the inspection in the workshop, the schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dealer_tui.core.db import Database
from dealer_tui.core.errors import Refused, ValidationFailed
from dealer_tui.orders import delivery
from dealer_tui.orders.services import (
    OrderForm,
    cancel_order,
    confirm_order,
    create_order,
)
from dealer_tui.orders.views import OrderView, order_view
from dealer_tui.workshop.views import job_view
from tests.services.helpers import user
from tests.services.orders_support import (
    MACK_1,
    VOLVO_1,
    VOLVO_2,
    order_dealer,
    unit_id,
)

# Thursday 3 December 2026, 09:30 in Melbourne: the workshop is open.
THURSDAY = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)


def _allocated(db: Database, vin: str, customer: str = "C1") -> OrderView:
    admin = user(db, "sales_admin")
    order_id = create_order(
        db, admin, OrderForm(customer, "Volvo FH 540 prime mover", "289500")
    )
    view = order_view(db, admin, order_id)
    view = confirm_order(db, admin, order_id, view.version)
    return delivery.allocate_unit(db, admin, order_id, view.version, unit_id(db, vin))


def _planned(db: Database, vin: str, day: date, customer: str = "C1") -> OrderView:
    """An allocated order planned for the day (entered on the day before)."""
    view = _allocated(db, vin, customer)
    from dealer_tui.orders.models import Order

    with db.write() as session:
        order = session.get(Order, view.id)
        assert order is not None
        order.ordered_on = day - timedelta(days=20)
    view = order_view(db, user(db, "sales_admin"), view.id)
    return delivery.plan_delivery(
        db, user(db, "sales_admin"), view.id, view.version, day.isoformat()
    )


def test_planning_asks_for_a_real_day(db: Database) -> None:
    """'31/02/2027' is no date; a day before the order was entered is refused."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    view = _allocated(db, VOLVO_1)
    with pytest.raises(ValidationFailed) as refused:
        delivery.plan_delivery(db, admin, view.id, view.version, "31/02/2027")
    assert refused.value.problems[0].field == "planned_delivery"
    before = (view.ordered_on - timedelta(days=1)).isoformat()
    with pytest.raises(ValidationFailed, match="before the order was entered"):
        delivery.plan_delivery(db, admin, view.id, view.version, before)


def test_the_inspection_is_booked_in_the_workshop(db: Database) -> None:
    """Booked on Thursday for a Friday week delivery: the first free slot, Ann."""
    order_dealer(db, workshop=True)
    admin = user(db, "sales_admin")
    view = _planned(db, VOLVO_1, date(2026, 12, 11))
    assert view.pdi_text == "NEEDED: not booked in the workshop yet"
    view = delivery.book_pdi(db, admin, view.id, view.version, at=THURSDAY)
    assert view.pdi_status == "booked" and view.pdi_job_number.startswith("JOB2026-")
    assert view.history[-1].what == (
        f"inspection booked: job {view.pdi_job_number}, "
        "slot Thu 03/12 09:30-11:15 · Ann Roberts · Standard bay 1"
    )
    advisor = user(db, "service_advisor")
    with db.read() as session:
        from dealer_tui.orders.models import Order

        job_id = session.get(Order, view.id).pdi_job_id  # type: ignore[union-attr]
    job = job_view(db, advisor, job_id)
    assert job.vin == VOLVO_1 and job.customer_number == "C1"
    assert job.requested_work == f"Pre-delivery inspection for order {view.number}"
    assert not view.moves["book_pdi"].allowed


def test_without_the_inspection_work_the_order_keeps_inspection_needed(
    db: Database,
) -> None:
    """A workshop without the operations cannot book; the order says so."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    view = _planned(db, VOLVO_1, date(2026, 12, 11))
    with pytest.raises(Refused, match="keeps 'inspection needed'"):
        delivery.book_pdi(db, admin, view.id, view.version, at=THURSDAY)
    assert order_view(db, admin, view.id).pdi_status == "needed"


def test_an_inspection_that_would_end_after_the_delivery_is_not_booked(
    db: Database,
) -> None:
    """Delivery on Thursday itself leaves no time before it: refused."""
    order_dealer(db, workshop=True)
    admin = user(db, "sales_admin")
    view = _planned(db, VOLVO_1, date(2026, 12, 3))
    with pytest.raises(Refused, match="not before the delivery on 03/12/2026"):
        delivery.book_pdi(db, admin, view.id, view.version, at=THURSDAY)


def test_the_weekly_schedule_lists_the_weeks_deliveries_by_day(db: Database) -> None:
    """Week 2026-W50: Tuesday's Mack before Friday's Volvo; week 51 is apart."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    friday = _planned(db, VOLVO_1, date(2026, 12, 11))
    tuesday = _planned(db, MACK_1, date(2026, 12, 8))
    later = _planned(db, VOLVO_2, date(2026, 12, 14))
    schedule = delivery.delivery_schedule(db, admin, "2026-W50")
    assert (schedule.week.monday, schedule.week.sunday) == (
        date(2026, 12, 7),
        date(2026, 12, 13),
    )
    assert [(r.day, r.order_number, r.vin) for r in schedule.rows] == [
        (date(2026, 12, 8), tuesday.number, MACK_1),
        (date(2026, 12, 11), friday.number, VOLVO_1),
    ]
    assert schedule.rows[0].customer_name == "Bayside Haulage Pty Ltd"
    assert schedule.rows[0].state == "allocated"
    assert not schedule.rows[0].on_hold and schedule.rows[0].inspection == "needed"
    assert later.number not in [r.order_number for r in schedule.rows]
    cancel_order(db, admin, friday.id, friday.version, "Tender lost")
    again = delivery.delivery_schedule(db, admin, "2026-12-09", branch="mel")
    assert [r.order_number for r in again.rows] == [tuesday.number]


def test_a_bad_week_or_branch_is_named(db: Database) -> None:
    """'2026-W60' and branch 'SYD' are refused with their field."""
    order_dealer(db)
    admin = user(db, "sales_admin")
    with pytest.raises(ValidationFailed) as refused:
        delivery.delivery_schedule(db, admin, "2026-W60")
    assert refused.value.problems[0].field == "week"
    with pytest.raises(ValidationFailed) as refused:
        delivery.delivery_schedule(db, admin, "2026-W50", branch="SYD")
    assert str(refused.value.problems[0]) == "branch: there is no branch 'SYD'"
