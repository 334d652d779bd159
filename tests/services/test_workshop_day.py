"""The workshop's day on both databases: check-in, time, extra work, finish, invoice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from dealer_tui.core.db import Database
from dealer_tui.core.errors import (
    PermissionDenied,
    Refused,
    StaleRecord,
    ValidationFailed,
)
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.workshop.booking import JobDraft, SlotChoice, book_job
from dealer_tui.workshop.jobs import JobStatus
from dealer_tui.workshop.models import Bay, BookingInterval, Mechanic
from dealer_tui.workshop.services import (
    CheckInForm,
    ExtraWorkForm,
    FinishForm,
    add_extra_work,
    answer_extra_work,
    check_in,
    finish_job,
    jobs_ready_to_invoice,
    log_off,
    log_on,
    mark_invoiced,
    pick_parts,
    set_payer,
)
from dealer_tui.workshop.views import job_view
from tests.services.helpers import user
from tests.services.workshop_support import local, mel, workshop_dealer

MONDAY_6AM = mel(2026, 12, 7, 6, 0)


def _booked(db: Database, work: str = "SVC-A", parts: str = "") -> tuple[int, object]:
    advisor = workshop_dealer(db)
    with db.read() as session:
        ann = session.scalar(select(Mechanic.id).where(Mechanic.code == "ANN"))
        bay = session.scalar(select(Bay.id).where(Bay.code == "S1"))
    booked = book_job(
        db,
        advisor,
        JobDraft(vehicle="AAA111", work=work, parts=parts),
        SlotChoice(ann, bay, mel(2026, 12, 7, 7, 0)),
        at=MONDAY_6AM,
    )
    return booked.job_id, advisor


def _checked_in(db: Database, **kwargs: str) -> tuple[int, object]:
    job_id, advisor = _booked(db, **kwargs)
    version = job_view(db, advisor, job_id).version
    check_in(
        db,
        advisor,
        job_id,
        version,
        CheckInForm("47300", True, "Mirror cracked", "Tyres at 6 mm"),
        at=mel(2026, 12, 7, 6, 50),
    )
    return job_id, advisor


def test_check_in_needs_the_agreed_work_confirmed_and_a_real_odometer(
    db: Database,
) -> None:
    """Unconfirmed work and an odometer below 47,237 km are named; then it checks in."""
    job_id, advisor = _booked(db)
    version = job_view(db, advisor, job_id).version
    with pytest.raises(ValidationFailed) as bad:
        check_in(db, advisor, job_id, version, CheckInForm("", False))
    assert [p.field for p in bad.value.problems] == [
        "odometer_km",
        "agreed_work_confirmed",
    ]
    with pytest.raises(ValidationFailed, match="less than the 47,237 km"):
        check_in(db, advisor, job_id, version, CheckInForm("47000", True))
    view = check_in(
        db,
        advisor,
        job_id,
        version,
        CheckInForm("47300", True, "Mirror cracked", "Tyres at 6 mm"),
        at=mel(2026, 12, 7, 6, 50),
    )
    assert view.status is JobStatus.CHECKED_IN
    assert (view.odometer_km, view.other_issues) == (47300, "Mirror cracked")
    assert local(view.arrived_at) == "Mon 07/12 06:50"
    with db.read() as session:
        assert (
            session.scalar(
                select(Vehicle.odometer_km).where(Vehicle.id == view.vehicle_id)
            )
            == 47300
        )
    with pytest.raises(StaleRecord):
        check_in(db, advisor, job_id, version, CheckInForm("47300", True))


def test_time_is_logged_on_and_off_one_job_at_a_time(db: Database) -> None:
    """Ann logs on at 07:00 (the job starts), cannot log on twice, and off at 08:40."""
    job_id, advisor = _checked_in(db)
    view = log_on(db, advisor, job_id, "ann", at=mel(2026, 12, 7, 7, 0))
    assert view.status is JobStatus.IN_PROGRESS
    assert [log.mechanic_name for log in view.logged_on] == ["Ann Roberts"]
    with pytest.raises(Refused, match="Ann Roberts is already logged on to this job"):
        log_on(db, advisor, job_id, "ANN", at=mel(2026, 12, 7, 7, 5))
    with pytest.raises(ValidationFailed, match="no mechanic 'ZED'"):
        log_on(db, advisor, job_id, "ZED")
    view = log_off(db, advisor, job_id, at=mel(2026, 12, 7, 8, 40))
    assert view.logged_on == []
    assert view.time_logs[0].minutes(mel(2026, 12, 7, 9, 0)) == 100


def test_time_cannot_be_logged_before_check_in(db: Database) -> None:
    """A booked truck that has not arrived has no time logged on it."""
    job_id, advisor = _booked(db)
    with pytest.raises(Refused, match="Check the truck in first"):
        log_on(db, advisor, job_id, "ANN")


def test_extra_work_waits_for_the_customers_answer(db: Database) -> None:
    """Extra brake work without a yes blocks the finish; a yes records who and how."""
    job_id, advisor = _checked_in(db)
    log_on(db, advisor, job_id, "ANN", at=mel(2026, 12, 7, 7, 0))
    view = add_extra_work(db, advisor, job_id, ExtraWorkForm("BRK200", "LINING x2"))
    assert view.awaiting_answer
    assert [(op.code, op.status) for op in view.operations][-1] == (
        "BRK200",
        "requested",
    )
    log_off(db, advisor, job_id, at=mel(2026, 12, 7, 9, 0))
    pick_parts(db, advisor, job_id)
    version = job_view(db, advisor, job_id).version
    with pytest.raises(Refused, match="waits for the customer's answer"):
        finish_job(db, advisor, job_id, version, FinishForm("Done"))
    with pytest.raises(ValidationFailed) as bad:
        answer_extra_work(db, advisor, job_id, authorised=True)
    assert [p.field for p in bad.value.problems] == ["authorised_by", "authorised_how"]
    view = answer_extra_work(
        db,
        advisor,
        job_id,
        authorised=True,
        authorised_by="J. Smith",
        authorised_how="phone",
    )
    assert view.operations[-1].authorised == "J. Smith (phone)"


def test_declined_extra_work_gives_its_parts_back(db: Database) -> None:
    """A no to the extra brake work releases the two linings it held."""
    job_id, advisor = _checked_in(db)
    add_extra_work(db, advisor, job_id, ExtraWorkForm("BRK200", "LINING x2"))
    view = answer_extra_work(db, advisor, job_id, authorised=False)
    assert [line.status for line in view.parts][-1] == "declined"
    assert view.parts[-1].holding == "nothing held"


def test_finishing_hands_lines_to_invoicing_split_by_payer(db: Database) -> None:
    """The A service for the customer and a warranty road test go out as two parts."""
    job_id, advisor = _checked_in(db)
    log_on(db, advisor, job_id, "ANN", at=mel(2026, 12, 7, 7, 0))
    add_extra_work(
        db,
        advisor,
        job_id,
        ExtraWorkForm(
            "ROAD900", payer="warranty", authorised_by="Maker", authorised_how="claim"
        ),
    )
    log_off(db, advisor, job_id, at=mel(2026, 12, 7, 8, 15))
    version = job_view(db, advisor, job_id).version
    with pytest.raises(
        Refused, match="Pick or remove these parts first: ENGINE-OIL, OIL-FILTER"
    ):
        finish_job(db, advisor, job_id, version, FinishForm("Done"))
    pick_parts(db, advisor, job_id)
    with pytest.raises(ValidationFailed) as bad:
        finish_job(
            db, advisor, job_id, version, FinishForm("", next_service_due="2026-12-01")
        )
    assert [p.field for p in bad.value.problems] == ["findings"]
    view = finish_job(
        db,
        advisor,
        job_id,
        version,
        FinishForm("A service done", "Pads at 40 %", "2027-06-07", "97000"),
        at=mel(2026, 12, 7, 8, 20),
    )
    assert view.status is JobStatus.FINISHED
    # Booked 07:00-08:30; finished at 08:20, so the last ten minutes are free again.
    with db.read() as session:
        ends = session.scalars(
            select(BookingInterval.ends_at).where(BookingInterval.job_id == job_id)
        ).all()
    assert {local(end) for end in ends} == {"Mon 07/12 08:20"}
    admin = user(db, "sales_admin")
    ready = jobs_ready_to_invoice(db, admin)
    assert [(r.payer, r.net_total) for r in ready] == [
        # 1.5 h x $180 + $45.60 + 40 x $9.80 = $707.60; 0.5 h x $180 = $90.00.
        ("customer", Decimal("707.60")),
        ("warranty", Decimal("90.00")),
    ]
    customer, warranty = ready
    assert customer.customer_number == "C1" and customer.customer_id is not None
    assert warranty.customer_id is None
    assert [
        (line.code, line.quantity, line.unit_price, line.tax_category)
        for line in customer.lines
    ] == [
        ("OIL100", Decimal("1.500"), Decimal("180.00"), "S"),
        ("OIL-FILTER", Decimal("1.000"), Decimal("45.60"), "S"),
        ("ENGINE-OIL", Decimal("40.000"), Decimal("9.80"), "S"),
    ]
    mark_invoiced(db, admin, job_id, "customer", "INV2026-000101")
    with pytest.raises(Refused, match="already on invoice INV2026-000101"):
        mark_invoiced(db, admin, job_id, "customer", "INV2026-000102")
    assert job_view(db, advisor, job_id).status is JobStatus.FINISHED
    mark_invoiced(db, admin, job_id, "warranty", "WC-5521")
    assert job_view(db, advisor, job_id).status is JobStatus.INVOICED
    assert jobs_ready_to_invoice(db, admin) == []
    with db.read() as session:
        vehicle = session.get(Vehicle, view.vehicle_id)
        assert (str(vehicle.next_service_due), vehicle.next_service_km) == (
            "2027-06-07",
            97000,
        )


def test_internal_work_carries_no_tax(db: Database) -> None:
    """Setting the service line to internal makes its invoice line exempt (E)."""
    job_id, advisor = _checked_in(db, work="OIL100")
    view = job_view(db, advisor, job_id)
    set_payer(db, advisor, job_id, "operation", view.operations[0].id, "internal")
    log_on(db, advisor, job_id, "ANN", at=mel(2026, 12, 7, 7, 0))
    log_off(db, advisor, job_id, at=mel(2026, 12, 7, 8, 0))
    version = job_view(db, advisor, job_id).version
    finish_job(
        db, advisor, job_id, version, FinishForm("Done"), at=mel(2026, 12, 7, 8, 0)
    )
    ready = jobs_ready_to_invoice(db, user(db, "sales_admin"))
    assert [(r.payer, [line.tax_category for line in r.lines]) for r in ready] == [
        ("internal", ["E"])
    ]


def test_a_job_cannot_finish_while_a_mechanic_is_on_it(db: Database) -> None:
    """Finishing with Ann still logged on is refused and names her."""
    job_id, advisor = _checked_in(db, work="OIL100")
    log_on(db, advisor, job_id, "ANN", at=mel(2026, 12, 7, 7, 0))
    version = job_view(db, advisor, job_id).version
    with pytest.raises(Refused, match="Log off first: Ann Roberts"):
        finish_job(db, advisor, job_id, version, FinishForm("Done"))


def test_invoicing_is_for_the_sales_office(db: Database) -> None:
    """The service advisor may not mark a job invoiced."""
    job_id, advisor = _checked_in(db, work="OIL100")
    with pytest.raises(PermissionDenied):
        mark_invoiced(db, advisor, job_id, "customer", "INV1")
