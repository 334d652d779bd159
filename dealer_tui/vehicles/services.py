"""Use cases for vehicles: look up, change, import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from sqlalchemy import func, insert, or_, select

from dealer_tui.accounts.models import Account
from dealer_tui.core import audit
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.csvimport import ImportReport, parse_rows, reject_line, taken
from dealer_tui.core.db import Database
from dealer_tui.core.errors import ValidationFailed
from dealer_tui.core.models import Branch
from dealer_tui.core.paging import PageRequest, fetch_page
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.records import actor_time_zone, load, load_for_change
from dealer_tui.core.text import compact_key, like_escape
from dealer_tui.core.types import utc_now
from dealer_tui.vehicles import vin as vins
from dealer_tui.vehicles.models import Vehicle

STATES = {"ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"}
FIRST_MODEL_YEAR = 1950


@dataclass(frozen=True)
class VehicleView:
    id: int
    version: int
    vin: str
    make: str
    model: str
    model_year: int | None
    registration: str
    registration_state: str
    odometer_km: int
    owner_id: int | None
    owner_number: str
    owner_name: str
    branch_code: str
    next_service_due: date | None
    next_service_km: int | None


def vehicle_view(db: Database, actor: Actor, vehicle_id: int) -> VehicleView:
    """The vehicle and its owner, for the vehicle screen."""
    actor.require(Permission.VIEW_VEHICLES)
    with db.read() as session:
        v = load(session, Vehicle, vehicle_id, "vehicle")
        owner = session.get(Account, v.owner_id) if v.owner_id else None
        branch = session.get(Branch, v.branch_id) if v.branch_id else None
        return VehicleView(
            id=v.id,
            version=v.version,
            vin=v.vin,
            make=v.make,
            model=v.model,
            model_year=v.model_year,
            registration=v.registration,
            registration_state=v.registration_state,
            odometer_km=v.odometer_km,
            owner_id=v.owner_id,
            owner_number=owner.number if owner else "",
            owner_name=owner.name if owner else "",
            branch_code=branch.code if branch else "",
            next_service_due=v.next_service_due,
            next_service_km=v.next_service_km,
        )


@dataclass(frozen=True)
class VehicleForm:
    registration: str
    registration_state: str
    odometer_km: str
    next_service_due: str
    next_service_km: str


def update_vehicle(
    db: Database,
    actor: Actor,
    vehicle_id: int,
    expected_version: int,
    form: VehicleForm,
) -> VehicleView:
    """Save registration, odometer and service due, unless changed meanwhile."""
    actor.require(Permission.EDIT_VEHICLES)
    errors = FieldErrors()
    values = {
        "registration": compact_key(
            errors.optional("registration", form.registration, 12)
        ),
        "registration_state": form.registration_state.strip().upper(),
        "odometer_km": errors.integer(
            "odometer_km", form.odometer_km, maximum=10_000_000
        ),
        "next_service_due": errors.day("next_service_due", form.next_service_due),
        "next_service_km": errors.integer(
            "next_service_km", form.next_service_km, default=0, maximum=10_000_000
        )
        or None,
    }
    if values["registration_state"] and values["registration_state"] not in STATES:
        errors.add("registration_state", "is not an Australian state or territory")
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        vehicle = load_for_change(
            session,
            Vehicle,
            vehicle_id,
            expected_version,
            "vehicle",
            actor_time_zone(session, actor),
        )
        if values["odometer_km"] < vehicle.odometer_km:
            raise ValidationFailed(
                [_odometer_problem(vehicle.odometer_km, int(values["odometer_km"]))]
            )
        before = audit.snapshot(vehicle, values)
        for name, value in values.items():
            setattr(vehicle, name, value)
        vehicle.updated_by_id = actor.user_id
        old, new = audit.changes(before, audit.snapshot(vehicle, values))
        if new:
            audit.record(
                session, actor, "update", "vehicle", vehicle.id, before=old, after=new
            )
    return vehicle_view(db, actor, vehicle_id)


def _odometer_problem(recorded: int, typed: int):  # type: ignore[no-untyped-def]
    from dealer_tui.core.errors import Problem

    return Problem(
        "odometer_km",
        f"{typed:,} km is less than the {recorded:,} km already recorded",
    )


VEHICLE_COLUMNS = ("vin", "make", "model")
VEHICLE_OPTIONAL = (
    "model_year",
    "registration",
    "registration_state",
    "odometer_km",
    "owner",
    "branch",
    "next_service_due",
    "next_service_km",
)


def import_vehicles(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import vehicles from CSV, checking each VIN and the owner's number."""
    actor.require(Permission.IMPORT_DATA)
    report = ImportReport("vehicles")
    this_year = utc_now().year
    with db.write() as session:
        branches = {b.code.upper(): b.id for b in session.scalars(select(Branch))}

        def parse(row: dict[str, str], errors: FieldErrors) -> dict[str, object]:
            check = vins.validate(row.get("vin") or "")
            if not check.ok:
                errors.add(
                    "vin", f"'{(row.get('vin') or '').strip()}': {check.problem}"
                )
            branch_code = (row.get("branch") or "").strip().upper()
            if branch_code and branch_code not in branches:
                errors.add("branch", f"there is no branch '{branch_code}'")
            state = (row.get("registration_state") or "").strip().upper()
            if state and state not in STATES:
                errors.add(
                    "registration_state", f"'{state}' is not an Australian state"
                )
            year = errors.integer(
                "model_year",
                row.get("model_year"),
                default=0,
                minimum=FIRST_MODEL_YEAR,
                maximum=this_year + 1,
            )
            due_km = errors.integer(
                "next_service_km",
                row.get("next_service_km"),
                default=0,
                maximum=10_000_000,
            )
            return {
                "vin": check.vin,
                "vin_tail": check.vin[-6:],
                "make": errors.required("make", row.get("make"), 40),
                "model": errors.required("model", row.get("model"), 80),
                "model_year": year or None,
                "registration": compact_key(
                    errors.optional("registration", row.get("registration"), 12)
                ),
                "registration_state": state,
                "odometer_km": errors.integer(
                    "odometer_km",
                    row.get("odometer_km"),
                    default=0,
                    maximum=10_000_000,
                ),
                "owner": (row.get("owner") or "").strip().upper(),
                "branch_id": branches.get(branch_code),
                "next_service_due": errors.day(
                    "next_service_due", row.get("next_service_due")
                ),
                "next_service_km": due_km or None,
                "version": 1,
                "updated_at": utc_now(),
                "updated_by_id": actor.user_id,
            }

        good = parse_rows(report, source, VEHICLE_COLUMNS, VEHICLE_OPTIONAL, parse)
        owners = {str(v["owner"]) for _, v in good if v["owner"]}
        account_ids: dict[str, int] = {}
        numbers = sorted(owners)
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            account_ids.update(
                session.execute(
                    select(Account.number, Account.id).where(Account.number.in_(chunk))
                ).all()
            )
        existing = taken(session, Vehicle.vin, [str(v["vin"]) for _, v in good])
        seen: dict[str, int] = {}
        rows = []
        for line, values in good:
            vin = str(values["vin"])
            owner = str(values.pop("owner"))
            if vin in existing:
                reject_line(report, line, "vin", f"vehicle {vin} already exists")
            elif vin in seen:
                reject_line(
                    report, line, "vin", f"VIN {vin} is also on line {seen[vin]}"
                )
            elif owner and owner not in account_ids:
                reject_line(report, line, "owner", f"there is no customer {owner}")
            else:
                rows.append({**values, "owner_id": account_ids.get(owner)})
            seen.setdefault(vin, line)
        if dry_run or (report.bad_rows and not good_rows_only) or not rows:
            return report
        # Through the table, not the model: one executemany for every row.
        session.execute(insert(Vehicle.__table__), rows)
        report.imported = len(rows)
        report.written = True
        audit.record(
            session,
            actor,
            "import",
            "vehicle",
            "*",
            after={"rows": report.imported, "left_out": report.bad_rows},
        )
    return report


@dataclass(frozen=True)
class VehicleLine:
    id: int
    vin: str
    registration: str
    make: str
    model: str
    model_year: int | None
    owner_name: str
    next_service_due: date | None


def vehicle_page(
    db: Database, actor: Actor, text: str, request: PageRequest
) -> tuple[list[VehicleLine], list[tuple[object, ...]], bool]:
    """A page of the vehicle list filtered by VIN, registration or make as typed."""
    actor.require(Permission.VIEW_VEHICLES)
    stmt = select(
        Vehicle.id,
        Vehicle.vin,
        Vehicle.registration,
        Vehicle.make,
        Vehicle.model,
        Vehicle.model_year,
        Account.name,
        Vehicle.next_service_due,
        Vehicle.vin,
    ).outerjoin(Account, Account.id == Vehicle.owner_id)
    key = compact_key(text)
    if key:
        pattern = like_escape(key)
        stmt = stmt.where(
            or_(
                Vehicle.registration.like(f"{pattern}%", escape="\\"),
                Vehicle.vin_tail.like(f"{pattern}%", escape="\\"),
                Vehicle.vin.like(f"{pattern}%", escape="\\"),
                func.upper(Vehicle.make).like(f"{pattern}%", escape="\\"),
            )
        )
    with db.read() as session:
        page = fetch_page(session, stmt, (Vehicle.vin,), request)
    lines = [
        VehicleLine(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", r[7])
        for r in page.rows
    ]
    return lines, page.keys, page.has_more
