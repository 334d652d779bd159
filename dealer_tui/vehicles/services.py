"""Use cases for vehicles: look up, change, import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from sqlalchemy import and_, func, literal, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.core import audit
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.csvimport import (
    UNSURE,
    ImportReport,
    LeanCheck,
    Remembered,
    RowReader,
    check_rows,
    ids_by_key,
    lenient,
    reject_line,
    taken,
    without_collector_walks,
    write_rows,
)
from dealer_tui.core.db import Database
from dealer_tui.core.errors import ValidationFailed
from dealer_tui.core.models import Branch
from dealer_tui.core.paging import PageRequest, fetch_page
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.records import actor_time_zone, load, load_for_change
from dealer_tui.core.text import compact_key, like_escape
from dealer_tui.core.types import utc_now
from dealer_tui.search.pages import few_rows, merged_page, page_in_order
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


# Every row of a vehicles import gives these values, in this order; the
# owner's customer number, read as the ninth, is replaced by the owner's id.
VEHICLE_IMPORT_COLUMNS = (
    "vin",
    "vin_tail",
    "make",
    "model",
    "model_year",
    "registration",
    "registration_state",
    "odometer_km",
    "owner_id",
    "branch_id",
    "next_service_due",
    "next_service_km",
    "version",
    "updated_at",
    "updated_by_id",
)
_OWNER = VEHICLE_IMPORT_COLUMNS.index("owner_id")
MOST_KM = 10_000_000


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
    # One instant for the whole import: it is one change, made at once.
    now = utc_now()
    this_year = now.year
    with db.write() as session, without_collector_walks():
        branches = {b.code.upper(): b.id for b in session.scalars(select(Branch))}

        def parse(row: dict[str, str], errors: FieldErrors) -> list[object]:
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
                maximum=MOST_KM,
            )
            return [
                check.vin,
                check.vin[-6:],
                errors.required("make", row.get("make"), 40),
                errors.required("model", row.get("model"), 80),
                year or None,
                compact_key(
                    errors.optional("registration", row.get("registration"), 12)
                ),
                state,
                errors.integer(
                    "odometer_km",
                    row.get("odometer_km"),
                    default=0,
                    maximum=MOST_KM,
                ),
                (row.get("owner") or "").strip().upper(),
                branches.get(branch_code),
                errors.day("next_service_due", row.get("next_service_due")),
                due_km or None,
                1,
                now,
                actor.user_id,
            ]

        def lean(reader: RowReader) -> LeanCheck:
            return _lean_vehicle_check(reader, branches, now, actor.user_id)

        checked = check_rows(
            report, source, VEHICLE_COLUMNS, VEHICLE_OPTIONAL, parse, lean
        )
        owners = sorted({str(row[_OWNER]) for row in checked.rows if row[_OWNER]})
        account_ids = ids_by_key(session, Account.number, Account.id, owners)
        vins_found = [str(row[0]) for row in checked.rows]
        existing = taken(session, Vehicle.vin, vins_found)
        seen: dict[str, int] = {}
        rows = []
        for line, row in zip(checked.lines, checked.rows, strict=True):
            vin = str(row[0])
            owner = str(row[_OWNER])
            if vin in existing:
                reject_line(report, line, "vin", f"vehicle {vin} already exists")
            elif vin in seen:
                reject_line(
                    report, line, "vin", f"VIN {vin} is also on line {seen[vin]}"
                )
            elif owner and owner not in account_ids:
                reject_line(report, line, "owner", f"there is no customer {owner}")
            else:
                row[_OWNER] = account_ids.get(owner)
                rows.append(row)
            seen.setdefault(vin, line)
        return write_rows(
            session,
            report,
            actor,
            Vehicle.__table__,
            VEHICLE_IMPORT_COLUMNS,
            rows,
            entity="vehicle",
            dry_run=dry_run,
            good_rows_only=good_rows_only,
        )


def _lean_vehicle_check(
    reader: RowReader,
    branches: dict[str, int],
    now: datetime,
    user_id: int | None,
) -> LeanCheck:
    """The quick check of a vehicle row (see `check_rows`)."""
    at = reader.position
    fields = itemgetter(
        *(
            at(name)
            for name in (
                "vin",
                "registration",
                "odometer_km",
                "next_service_km",
                "owner",
                "make",
                "model",
                "model_year",
                "registration_state",
                "branch",
                "next_service_due",
            )
        )
    )
    makes = lenient(FieldErrors.required, 40)
    models = lenient(FieldErrors.required, 80)
    years = lenient(
        FieldErrors.integer,
        default=0,
        minimum=FIRST_MODEL_YEAR,
        maximum=now.year + 1,
    )
    distances = lenient(FieldErrors.integer, default=0, maximum=MOST_KM)
    days = lenient(FieldErrors.day)

    def state_of(text: str) -> object:
        state = text.strip().upper()
        return state if not state or state in STATES else UNSURE

    def branch_of(text: str) -> object:
        code = text.strip().upper()
        return branches.get(code, UNSURE if code else None)

    states = Remembered(state_of)
    branch_ids = Remembered(branch_of)

    def check(values: list[str]) -> list[object] | None:
        vin, plate, odometer, due_km, owner, *coded = fields(values)
        vin = vin.upper()
        if not vins.is_valid(vin):
            return None
        plate = plate.strip()
        if len(plate) > 12:
            return None
        if plate.isalnum() and plate.isascii():
            plate = plate.upper()
        else:
            plate = compact_key(plate)
        if odometer.isdigit() and odometer.isascii():
            odometer_km: object = int(odometer)
            if odometer_km > MOST_KM:  # type: ignore[operator]
                return None
        else:
            odometer_km = distances[odometer]
        if due_km.isdigit() and due_km.isascii():
            next_km: object = int(due_km)
            if next_km > MOST_KM:  # type: ignore[operator]
                return None
        else:
            next_km = distances[due_km]
        make, model, year, state, branch, due = coded
        row = [
            vin,
            vin[-6:],
            makes[make],
            models[model],
            years[year] or None,
            plate,
            states[state],
            odometer_km,
            owner.strip().upper(),
            branch_ids[branch],
            days[due],
            next_km or None,
            1,
            now,
            user_id,
        ]
        if UNSURE in row:
            return None
        return row

    return check


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


# Up to this many vehicles matching one way are gathered by id; beyond it
# they are common enough for the list to find a page in VIN order.
FEW_VEHICLES = 8000
# Makes are few; past this many the make is tested row by row instead.
MAKES_LISTED = 500
# PostgreSQL: a key this short starts the registrations or VIN tails of
# tens of thousands of trucks, and a page of them is first looked for by
# reading this many VINs in order (the VIN order's index of migration 0011
# holds both columns).
SHORT_KEY = 2
SHORT_KEY_READ = 50000

_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _makes(session: Session) -> list[str] | None:
    """Every make on file, one index step each, or None if there are very many."""
    found = select(func.min(Vehicle.make).label("make"), literal(1).label("step")).cte(
        "makes", recursive=True
    )
    following = (
        select(Vehicle.make)
        .where(Vehicle.make > found.c.make)
        .order_by(Vehicle.make)
        .limit(1)
        .scalar_subquery()
    )
    found = found.union_all(
        select(following, found.c.step + 1).where(
            found.c.make.is_not(None), found.c.step <= MAKES_LISTED
        )
    )
    makes = list(session.scalars(select(found.c.make).where(found.c.make.is_not(None))))
    return makes if len(makes) <= MAKES_LISTED else None


def _vehicle_conditions(
    session: Session, key: str, request: PageRequest | None = None
) -> list[Any]:
    """One test per way the typed key matches a vehicle, each on its own index.

    The start of the registration, of the VIN's last six or of the whole
    VIN, or of the make in capitals.  Few matches become their ids; many
    are tested while the list reads VIN order.  Given the page asked for,
    a key of a character or two is first looked for in that page alone.
    """
    short = len(key) <= SHORT_KEY and session.get_bind().dialect.name == "postgresql"
    read_first = request if short else None
    starts = f"{like_escape(key)}%"
    conditions: list[Any] = []
    many = {
        # The list's own order, read from the typed text on.
        Vehicle.vin: and_(Vehicle.vin >= key, Vehicle.vin.like(starts, escape="\\")),
        # Written as expressions, the columns are only compared.
        Vehicle.registration: Vehicle.registration.concat("").like(starts, escape="\\"),
        Vehicle.vin_tail: Vehicle.vin_tail.concat("").like(starts, escape="\\"),
    }
    for column, in_order in many.items():
        starting = column.like(starts, escape="\\")
        if read_first is not None and column is not Vehicle.vin:
            page = page_in_order(
                session, (Vehicle.vin,), starting, read_first, SHORT_KEY_READ
            )
            if page is not None:
                conditions.append(page)
                continue
        few = few_rows(session, Vehicle.id, Vehicle.vin, starting, FEW_VEHICLES)
        conditions.append(in_order if few is None else few)
    makes = _makes(session)
    if makes is None:
        conditions.append(func.upper(Vehicle.make).like(starts, escape="\\"))
    else:
        # Each make's trucks lie in VIN order on the make's index.
        conditions += [
            Vehicle.make == make
            for make in makes
            if make.translate(_ASCII_UPPER).startswith(key)
        ]
    return conditions


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
    with db.read() as session:
        if key:
            conditions = _vehicle_conditions(session, key, request)
            page = merged_page(session, stmt, conditions, (Vehicle.vin,), request)
        else:
            page = fetch_page(session, stmt, (Vehicle.vin,), request)
    lines = [
        VehicleLine(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", r[7])
        for r in page.rows
    ]
    return lines, page.keys, page.has_more
