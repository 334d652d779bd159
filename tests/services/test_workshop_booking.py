"""Finding and booking workshop time on both databases, as an advisor does it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dealer_tui.core.db import Database
from dealer_tui.core.errors import PermissionDenied, Refused, ValidationFailed
from dealer_tui.core.models import AuditEntry
from dealer_tui.parts.models import PartReservation, PartStock
from dealer_tui.workshop.booking import (
    JobDraft,
    SlotChoice,
    SlotTaken,
    book_job,
    cancel_job,
    mark_no_show,
    plan_job,
    reschedule_job,
    reschedule_options,
)
from dealer_tui.workshop.jobs import JobStatus
from dealer_tui.workshop.models import BookingInterval, WorkshopJob
from dealer_tui.workshop.views import job_view
from tests.services.helpers import user
from tests.services.workshop_support import local, mel, workshop_dealer

MONDAY_6AM = mel(2026, 12, 7, 6, 0)


def _intervals(db: Database, job_id: int) -> list[tuple[str, str, str]]:
    with db.read() as session:
        rows = session.scalars(
            select(BookingInterval)
            .where(BookingInterval.job_id == job_id)
            .order_by(BookingInterval.resource_key, BookingInterval.starts_at)
        ).all()
    return [
        (r.resource_key.split(":")[0], local(r.starts_at), local(r.ends_at))
        for r in rows
    ]


def _stock(db: Database, part_number: str) -> tuple[Decimal, Decimal]:
    from dealer_tui.parts.models import Part

    with db.read() as session:
        row = session.execute(
            select(PartStock.on_hand, PartStock.reserved)
            .join(Part, Part.id == PartStock.part_id)
            .where(Part.part_number == part_number)
        ).one()
    return row.on_hand, row.reserved


def test_plan_shows_estimate_standing_parts_and_earliest_slots(db: Database) -> None:
    """An A service: 1.5 h at $180 and $437.60 of parts, the earliest slot Mon 07:00."""
    advisor = workshop_dealer(db)
    plan = plan_job(
        db, advisor, JobDraft(vehicle="AAA111", work="SVC-A"), at=MONDAY_6AM
    )
    assert plan.customer_number == "C1"
    assert plan.work_minutes == 90
    # 1.5 h x $180.00 = $270.00; 1 x $45.60 + 40 x $9.80 = $437.60.
    assert plan.estimate.labour == Decimal("270.00")
    assert plan.estimate.parts == Decimal("437.60")
    assert plan.estimate.total == Decimal("707.60")
    assert plan.financial_status == "account customer, limit $50,000.00, 30 days"
    assert [need.describe() for need in plan.parts] == [
        "OIL-FILTER Oil filter x1: in stock",
        "ENGINE-OIL Engine oil (litre) x40: in stock",
    ]
    assert [slot.describe() for slot in plan.slots[:2]] == [
        "Mon 07/12 07:00-08:30 · Ann Roberts · Standard bay",
        "Mon 07/12 07:00-08:30 · Ben Okafor · Standard bay",
    ]


def test_a_customer_on_credit_hold_is_flagged(db: Database) -> None:
    """The held customer's plan says so; a cash buyer is told to pay on collection."""
    advisor = workshop_dealer(db)
    held = plan_job(
        db, advisor, JobDraft(vehicle="BBB222", work="OIL100"), at=MONDAY_6AM
    )
    cash = plan_job(
        db, advisor, JobDraft(vehicle="CCC333", work="OIL100"), at=MONDAY_6AM
    )
    assert held.credit_hold is True
    assert held.financial_status.startswith("ON CREDIT HOLD")
    assert cash.financial_status == "no credit account: payment on collection"


def test_booking_holds_time_parts_and_a_number(db: Database) -> None:
    """Booking writes JOB2026-000001, the time of mechanic and bay, and the parts."""
    advisor = workshop_dealer(db)
    draft = JobDraft(vehicle="AAA111", work="SVC-A")
    plan = plan_job(db, advisor, draft, at=MONDAY_6AM)
    booked = book_job(db, advisor, draft, plan.slots[0].choice, at=MONDAY_6AM)
    assert booked.number == "JOB2026-000001"
    assert _intervals(db, booked.job_id) == [
        ("bay", "Mon 07/12 07:00", "Mon 07/12 08:30"),
        ("mechanic", "Mon 07/12 07:00", "Mon 07/12 08:30"),
    ]
    assert [promise.describe() for promise in booked.promises] == [
        "OIL-FILTER Oil filter x1: 1 reserved",
        "ENGINE-OIL Engine oil (litre) x40: 40 reserved",
    ]
    assert _stock(db, "OIL-FILTER") == (Decimal("5.000"), Decimal("1.000"))
    view = job_view(db, advisor, booked.job_id)
    assert view.status is JobStatus.BOOKED
    assert (view.mechanic_name, view.bay_name) == ("Ann Roberts", "Standard bay")
    with db.read() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "workshop_job")
        ).all()
    assert actions == ["book"]


def test_a_slot_already_taken_is_refused_with_the_next_free_one(db: Database) -> None:
    """A second booking of Ann at Mon 07:00 is told and offered Ben in the long bay."""
    advisor = workshop_dealer(db)
    choice = SlotChoice(_mechanic(db, "ANN"), _bay(db, "S1"), mel(2026, 12, 7, 7, 0))
    book_job(
        db, advisor, JobDraft(vehicle="AAA111", work="OIL100"), choice, at=MONDAY_6AM
    )
    with pytest.raises(SlotTaken) as refused:
        book_job(
            db,
            advisor,
            JobDraft(vehicle="CCC333", work="OIL100"),
            choice,
            at=MONDAY_6AM,
        )
    assert refused.value.message == (
        "Mon 07/12 07:00 with Ann Roberts cannot be booked: the mechanic or the "
        "bay is already booked then. Next free: Mon 07/12 07:00-08:30 · Ben Okafor "
        "· Long bay."
    )
    assert refused.value.offer is not None
    assert refused.value.offer.mechanic_name == "Ben Okafor"
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(WorkshopJob)) == 1


def test_skills_and_bay_types_choose_mechanic_and_bay(db: Database) -> None:
    """The HV trailer job goes only to Eve in the long bay; Ann is refused by name."""
    advisor = workshop_dealer(db)
    draft = JobDraft(vehicle="AAA111", work="HV410")
    plan = plan_job(db, advisor, draft, at=MONDAY_6AM)
    assert {(s.mechanic_name, s.bay_name) for s in plan.slots} == {
        ("Eve Tran", "Long bay")
    }
    wrong = SlotChoice(_mechanic(db, "ANN"), _bay(db, "L1"), mel(2026, 12, 7, 7, 0))
    with pytest.raises(Refused, match="Ann Roberts does not hold: hv_ev"):
        book_job(db, advisor, draft, wrong, at=MONDAY_6AM)
    small = SlotChoice(_mechanic(db, "EVE"), _bay(db, "S1"), mel(2026, 12, 7, 7, 0))
    with pytest.raises(Refused, match="Standard bay does not take this job"):
        book_job(db, advisor, draft, small, at=MONDAY_6AM)


def test_a_long_combination_needs_the_long_bay(db: Database) -> None:
    """A 19 m truck and trailer for an oil change fits only the 26 m long bay."""
    advisor = workshop_dealer(db)
    plan = plan_job(
        db,
        advisor,
        JobDraft(vehicle="AAA111", work="OIL100", length_m="19"),
        at=MONDAY_6AM,
    )
    assert {slot.bay_name for slot in plan.slots} == {"Long bay"}


def test_no_slot_on_a_public_holiday(db: Database) -> None:
    """From Monday 16:00 before Melbourne Cup day the next start is Wednesday 07:00."""
    advisor = workshop_dealer(db)
    draft = JobDraft(vehicle="AAA111", work="OIL100")
    plan = plan_job(db, advisor, draft, at=mel(2026, 11, 2, 16, 0))
    assert local(plan.slots[0].starts_at) == "Wed 04/11 07:00"
    cup_day = SlotChoice(_mechanic(db, "ANN"), _bay(db, "S1"), mel(2026, 11, 3, 9, 0))
    with pytest.raises(SlotTaken, match="the work does not fit there"):
        book_job(db, advisor, draft, cup_day, at=mel(2026, 11, 2, 16, 0))


def test_a_job_longer_than_a_day_carries_over(db: Database) -> None:
    """16 hours from Monday 07:00 take Monday's 9 hours and Tuesday until 14:30."""
    advisor = workshop_dealer(db)
    draft = JobDraft(vehicle="AAA111", work="ENG810")
    plan = plan_job(db, advisor, draft, at=MONDAY_6AM)
    booked = book_job(db, advisor, draft, plan.slots[0].choice, at=MONDAY_6AM)
    spans = [
        (start, end)
        for kind, start, end in _intervals(db, booked.job_id)
        if kind == "mechanic"
    ]
    assert spans == [
        ("Mon 07/12 07:00", "Mon 07/12 12:00"),
        ("Mon 07/12 12:30", "Mon 07/12 16:30"),
        ("Tue 08/12 07:00", "Tue 08/12 12:00"),
        ("Tue 08/12 12:30", "Tue 08/12 14:30"),
    ]


def test_a_booking_over_the_spring_forward_night_lasts_its_minutes(
    db: Database,
) -> None:
    """Open round the clock: 90 minutes from 01:30 on 4 October end at 04:00."""
    advisor = workshop_dealer(db, opening_hours='{ "mon-sun" = "00:00-24:00" }')
    draft = JobDraft(vehicle="AAA111", work="OIL100")
    start = mel(2026, 10, 4, 1, 30)
    choice = SlotChoice(_mechanic(db, "ANN"), _bay(db, "S1"), start)
    booked = book_job(db, advisor, draft, choice, at=mel(2026, 10, 3, 12, 0))
    view = job_view(db, advisor, booked.job_id)
    assert view.ends_at - view.starts_at == timedelta(minutes=90)
    assert local(view.ends_at) == "Sun 04/10 04:00"


def test_a_shortage_waits_for_its_delivery_and_never_goes_negative(
    db: Database,
) -> None:
    """3 linings: 2 for the first job; 1 held and 1 awaited (10/12) for the second."""
    advisor = workshop_dealer(db)
    first = JobDraft(vehicle="AAA111", work="BRK200", parts="LINING x2")
    plan = plan_job(db, advisor, first, at=MONDAY_6AM)
    book_job(db, advisor, first, plan.slots[0].choice, at=MONDAY_6AM)
    second = JobDraft(vehicle="CCC333", work="BRK200", parts="LINING x2")
    plan = plan_job(db, advisor, second, at=MONDAY_6AM)
    assert plan.parts[0].describe() == (
        "LINING Brake lining kit x2: SHORT 1, expected 10/12/2026"
    )
    assert local(plan.slots[0].starts_at) == "Thu 10/12 07:00"
    booked = book_job(db, advisor, second, plan.slots[0].choice, at=MONDAY_6AM)
    assert booked.promises[0].describe() == (
        "LINING Brake lining kit x2: 1 reserved, SHORT 1, expected 10/12/2026"
    )
    assert _stock(db, "LINING") == (Decimal("3.000"), Decimal("3.000"))
    view = job_view(db, advisor, booked.job_id)
    cancel_job(db, advisor, booked.job_id, view.version, "Customer sold the truck")
    assert _stock(db, "LINING") == (Decimal("3.000"), Decimal("2.000"))
    with db.read() as session:
        held = session.scalars(
            select(PartReservation.status).where(
                PartReservation.source_id == booked.job_id
            )
        ).all()
    assert sorted(held) == ["released", "released"]


def test_rescheduling_rechecks_and_keeps_the_parts(db: Database) -> None:
    """Moving Monday's job to Tuesday frees Monday; Christmas Day is refused."""
    advisor = workshop_dealer(db)
    draft = JobDraft(vehicle="AAA111", work="SVC-A")
    ann_monday = SlotChoice(
        _mechanic(db, "ANN"), _bay(db, "S1"), mel(2026, 12, 7, 7, 0)
    )
    booked = book_job(db, advisor, draft, ann_monday, at=MONDAY_6AM)
    options = reschedule_options(db, advisor, booked.job_id, at=MONDAY_6AM)
    assert local(options[0].starts_at) == "Mon 07/12 07:00"
    version = job_view(db, advisor, booked.job_id).version
    christmas = SlotChoice(
        _mechanic(db, "ANN"), _bay(db, "S1"), mel(2026, 12, 25, 9, 0)
    )
    with pytest.raises(SlotTaken, match="does not fit there"):
        reschedule_job(db, advisor, booked.job_id, version, christmas, at=MONDAY_6AM)
    tuesday = SlotChoice(_mechanic(db, "ANN"), _bay(db, "S1"), mel(2026, 12, 8, 7, 0))
    moved = reschedule_job(db, advisor, booked.job_id, version, tuesday, at=MONDAY_6AM)
    assert local(moved.starts_at) == "Tue 08/12 07:00"
    assert [line.holding for line in moved.parts] == ["1 reserved", "40 reserved"]
    other = book_job(
        db,
        advisor,
        JobDraft(vehicle="CCC333", work="OIL100"),
        ann_monday,
        at=MONDAY_6AM,
    )
    assert other.number == "JOB2026-000002"


def test_a_stale_reschedule_is_refused(db: Database) -> None:
    """A move made with the version before someone else's move saves nothing."""
    advisor = workshop_dealer(db)
    booked = book_job(
        db,
        advisor,
        JobDraft(vehicle="AAA111", work="OIL100"),
        SlotChoice(_mechanic(db, "ANN"), _bay(db, "S1"), mel(2026, 12, 7, 7, 0)),
        at=MONDAY_6AM,
    )
    version = job_view(db, advisor, booked.job_id).version
    tuesday = SlotChoice(_mechanic(db, "ANN"), _bay(db, "S1"), mel(2026, 12, 8, 7, 0))
    reschedule_job(db, advisor, booked.job_id, version, tuesday, at=MONDAY_6AM)
    wednesday = SlotChoice(_mechanic(db, "ANN"), _bay(db, "S1"), mel(2026, 12, 9, 7, 0))
    from dealer_tui.core.errors import StaleRecord

    with pytest.raises(StaleRecord, match="after you opened it"):
        reschedule_job(db, advisor, booked.job_id, version, wednesday, at=MONDAY_6AM)


def test_cancelling_needs_a_reason_and_frees_the_time(db: Database) -> None:
    """No reason is a field problem; with one the slot is free to book again."""
    advisor = workshop_dealer(db)
    choice = SlotChoice(_mechanic(db, "ANN"), _bay(db, "S1"), mel(2026, 12, 7, 7, 0))
    booked = book_job(
        db, advisor, JobDraft(vehicle="AAA111", work="OIL100"), choice, at=MONDAY_6AM
    )
    version = job_view(db, advisor, booked.job_id).version
    with pytest.raises(ValidationFailed) as bad:
        cancel_job(db, advisor, booked.job_id, version, "  ")
    assert [p.field for p in bad.value.problems] == ["reason"]
    view = cancel_job(db, advisor, booked.job_id, version, "Truck off the road")
    assert (view.status, view.cancel_reason) == (
        JobStatus.CANCELLED,
        "Truck off the road",
    )
    assert _intervals(db, booked.job_id) == []
    again = book_job(
        db, advisor, JobDraft(vehicle="CCC333", work="OIL100"), choice, at=MONDAY_6AM
    )
    assert again.slot.mechanic_name == "Ann Roberts"
    with pytest.raises(Refused, match="cannot be cancelled"):
        cancel_job(db, advisor, booked.job_id, view.version, "again")


def test_a_no_show_only_after_the_booked_start(db: Database) -> None:
    """Before 07:00 it cannot be a no-show; at 07:30 it can, and the time is freed."""
    advisor = workshop_dealer(db)
    choice = SlotChoice(_mechanic(db, "ANN"), _bay(db, "S1"), mel(2026, 12, 7, 7, 0))
    booked = book_job(
        db, advisor, JobDraft(vehicle="AAA111", work="SVC-A"), choice, at=MONDAY_6AM
    )
    version = job_view(db, advisor, booked.job_id).version
    with pytest.raises(Refused, match="not due until"):
        mark_no_show(db, advisor, booked.job_id, version, at=MONDAY_6AM)
    view = mark_no_show(db, advisor, booked.job_id, version, at=mel(2026, 12, 7, 7, 30))
    assert view.status is JobStatus.NO_SHOW
    assert _intervals(db, booked.job_id) == []
    assert _stock(db, "OIL-FILTER") == (Decimal("5.000"), Decimal("0.000"))


def test_bad_drafts_name_every_field(db: Database) -> None:
    """Unknown vehicle, work code and part, and a bad length are each named."""
    advisor = workshop_dealer(db)
    draft = JobDraft(vehicle="ZZZ999", work="NOPE", parts="NOSUCH", length_m="long")
    with pytest.raises(ValidationFailed) as bad:
        plan_job(db, advisor, draft, at=MONDAY_6AM)
    assert {p.field: p.message for p in bad.value.problems} == {
        "vehicle": "no vehicle has registration or VIN 'ZZZ999'",
        "work": "'NOPE' is neither an operation nor a package",
        "parts": "there is no part 'NOSUCH'",
        "length_m": "'long' is not a length in metres",
    }


def test_counter_staff_may_not_book(db: Database) -> None:
    """Booking is the service advisor's work; counter staff are refused in words."""
    workshop_dealer(db)
    counter = user(db, "counter")
    with pytest.raises(PermissionDenied, match="Counter staff users may not book"):
        plan_job(db, counter, JobDraft(vehicle="AAA111", work="OIL100"))


def _mechanic(db: Database, code: str) -> int:
    from dealer_tui.workshop.models import Mechanic

    with db.read() as session:
        return session.scalar(select(Mechanic.id).where(Mechanic.code == code))


def _bay(db: Database, code: str) -> int:
    from dealer_tui.workshop.models import Bay

    with db.read() as session:
        return session.scalar(select(Bay.id).where(Bay.code == code))
