"""Bringing a workshop in from files: set-up, operations, packages, bookings.

The set-up (opening hours, mechanics, bays) is a TOML file, because hours
and lists of skills read best there; operations, packages and bookings are
CSV. As with every import, each problem names its line or item and field,
and nothing is written while any is bad, unless the good ones are asked
for. Bookings go through the same checks as booking at the screen.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dealer_tui.core import audit
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.csvimport import (
    ImportReport,
    open_text,
    parse_rows,
    record_import,
    reject_line,
    taken,
)
from dealer_tui.core.db import Database
from dealer_tui.core.errors import DealerError, Problem, ValidationFailed
from dealer_tui.core.models import Branch
from dealer_tui.core.parse import FieldErrors
from dealer_tui.parts import services as parts
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.workshop import jobs
from dealer_tui.workshop.booking import JobDraft, SlotChoice, book_in
from dealer_tui.workshop.calendar import BranchCalendar, WeeklyHours
from dealer_tui.workshop.jobs import JobStatus
from dealer_tui.workshop.models import (
    Bay,
    LabourOperation,
    Mechanic,
    MechanicLeave,
    ServicePackage,
    ServicePackageItem,
    TimeLog,
    WorkshopBranch,
    WorkshopDay,
    WorkshopJob,
)
from dealer_tui.workshop.resources import load_setup
from dealer_tui.workshop.services import (
    end_log,
    record_check_in,
    record_finish,
    start_log,
)

_WORD = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,11}$")
MAX_HOURS = Decimal("200")


class _Discard(Exception):
    """Raised inside the import transaction so that it writes nothing."""


@contextmanager
def _all_or_nothing(db: Database) -> Iterator[Session]:
    try:
        with db.write() as session:
            yield session
    except _Discard:
        pass


def _words(value: Any, where: str, problems: list[Problem]) -> str:
    """A list of skill or bay-type words as stored: sorted, space-separated."""
    if value is None:
        return ""
    items = value if isinstance(value, list) else str(value).replace(",", " ").split()
    good = []
    for item in items:
        word = str(item).strip().lower()
        if not _WORD.match(word):
            problems.append(Problem(where, f"'{item}' is not a word like hv_ev"))
        else:
            good.append(word)
    return " ".join(sorted(set(good)))


def _hours(value: Any, where: str, problems: list[Problem]) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(Problem(where, 'give hours like { "mon-fri" = "07:00-16:00" }'))
        return None
    spec = {str(k): str(v) for k, v in value.items()}
    try:
        WeeklyHours.parse(spec)
    except ValueError as exc:
        problems.append(Problem(where, str(exc)))
        return None
    return spec


def _decimal(
    value: Any, where: str, problems: list[Problem], places: int = 2
) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        problems.append(Problem(where, f'write {value} in quotes, "{value}"'))
        return None
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        problems.append(Problem(where, f"'{value}' is not a number"))
        return None
    if not number.is_finite() or number <= 0:
        problems.append(Problem(where, f"'{value}' must be more than zero"))
        return None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        problems.append(Problem(where, f"'{value}' has more than {places} decimals"))
        return None
    return number


def _day(value: Any, where: str, problems: list[Problem]) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem(where, f"'{value}' is not a date like 2026-12-24"))
        return None


@dataclass
class _Item:
    where: str
    problems: list[Problem]
    make: Any


def import_workshop_setup(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import workshops, mechanics and bays from a TOML file (see fixtures)."""
    actor.require(Permission.IMPORT_DATA)
    report = ImportReport("workshop set-up items")
    stream = open_text(source)
    try:
        data = tomllib.loads(stream.read())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        report.problems.append(Problem("file", f"is not readable TOML ({exc})"))
        report.bad_lines.add(0)
        return report
    finally:
        if stream is not source:
            stream.close()
    with _all_or_nothing(db) as session:
        branches = {b.code: b for b in session.scalars(select(Branch))}
        items = _setup_items(session, data, branches)
        report.rows = len(items)
        for number, item in enumerate(items, start=1):
            if item.problems:
                report.problems.extend(item.problems)
                report.bad_lines.add(number)
        if dry_run or (report.bad_rows and not good_rows_only):
            raise _Discard
        for number, item in enumerate(items, start=1):
            if number not in report.bad_lines:
                item.make(session)
                report.imported += 1
        session.flush()
        report.written = report.imported > 0
        audit.record(
            session,
            actor,
            "import",
            "workshop",
            "*",
            after={"items": report.imported, "left_out": report.bad_rows},
        )
    return report


def _setup_items(
    session: Session, data: dict[str, Any], branches: dict[str, Branch]
) -> list[_Item]:
    items: list[_Item] = []
    known = {
        code
        for (code,) in session.execute(
            select(Branch.code).join(
                WorkshopBranch, WorkshopBranch.branch_id == Branch.id
            )
        )
    }
    for index, entry in enumerate(data.get("workshops", []), start=1):
        items.append(_workshop_item(f"workshops[{index}]", entry, branches, known))
    people = {
        (branch_id, code)
        for branch_id, code in session.execute(
            select(Mechanic.branch_id, Mechanic.code)
        )
    }
    for index, entry in enumerate(data.get("mechanics", []), start=1):
        items.append(_mechanic_item(f"mechanics[{index}]", entry, branches, people))
    places = {
        (branch_id, code)
        for branch_id, code in session.execute(select(Bay.branch_id, Bay.code))
    }
    for index, entry in enumerate(data.get("bays", []), start=1):
        items.append(_bay_item(f"bays[{index}]", entry, branches, places))
    return items


def _branch_of(
    entry: dict[str, Any],
    where: str,
    branches: dict[str, Branch],
    problems: list[Problem],
) -> Branch | None:
    code = str(entry.get("branch", "")).strip().upper()
    branch = branches.get(code)
    if branch is None:
        problems.append(Problem(f"{where}.branch", f"there is no branch '{code}'"))
    return branch


def _workshop_item(
    where: str, entry: dict[str, Any], branches: dict[str, Branch], known: set[str]
) -> _Item:
    problems: list[Problem] = []
    branch = _branch_of(entry, where, branches, problems)
    if branch is not None and branch.code in known:
        problems.append(Problem(f"{where}.branch", f"{branch.code} is already set up"))
    if branch is not None:
        known.add(branch.code)
    hours = _hours(entry.get("opening_hours"), f"{where}.opening_hours", problems)
    if hours is None and "opening_hours" not in entry:
        problems.append(Problem(f"{where}.opening_hours", "is required"))
    rate = _decimal(entry.get("labour_rate"), f"{where}.labour_rate", problems)
    if rate is None and not entry.get("labour_rate"):
        problems.append(Problem(f"{where}.labour_rate", "is required"))
    country, _, region = str(entry.get("holidays", "")).upper().partition("-")
    granularity = entry.get("slot_minutes", 15)
    if not isinstance(granularity, int) or granularity < 5 or 1440 % granularity:
        problems.append(
            Problem(f"{where}.slot_minutes", "must divide a day, e.g. 15 or 30")
        )
    days: list[tuple[date, str, str]] = []
    for kind in ("closed", "open"):
        for number, special in enumerate(entry.get(f"{kind}_days", []), start=1):
            at = f"{where}.{kind}_days[{number}]"
            day = _day(special.get("day"), f"{at}.day", problems)
            if day is not None:
                days.append((day, kind, str(special.get("reason", ""))[:120]))
    if branch is not None and hours is not None and not problems:
        try:
            BranchCalendar(
                branch.time_zone,
                WeeklyHours.parse(hours),
                country or None,
                region or None,
                frozenset(d for d, k, _ in days if k == "closed"),
                frozenset(d for d, k, _ in days if k == "open"),
            )
        except ValueError as exc:
            problems.append(Problem(f"{where}.holidays", str(exc)))

    def make(session: Session) -> None:
        assert branch is not None and hours is not None and rate is not None
        session.add(
            WorkshopBranch(
                branch_id=branch.id,
                opening_hours=hours,
                holiday_country=country or None,
                holiday_subdivision=region or None,
                labour_rate=rate,
                granularity_minutes=granularity,
            )
        )
        session.add_all(
            WorkshopDay(branch_id=branch.id, day=day, kind=kind, reason=reason)
            for day, kind, reason in days
        )

    return _Item(where, problems, make)


def _mechanic_item(
    where: str,
    entry: dict[str, Any],
    branches: dict[str, Branch],
    people: set[tuple[int, str]],
) -> _Item:
    problems: list[Problem] = []
    branch = _branch_of(entry, where, branches, problems)
    code = str(entry.get("code", "")).strip().upper()
    if not _CODE.match(code):
        problems.append(Problem(f"{where}.code", f"'{code}' is not a code like EVE"))
    elif branch is not None and (branch.id, code) in people:
        problems.append(Problem(f"{where}.code", f"{code} already works there"))
    elif branch is not None:
        people.add((branch.id, code))
    name = str(entry.get("name", "")).strip()
    if not name:
        problems.append(Problem(f"{where}.name", "is required"))
    skills = _words(entry.get("skills"), f"{where}.skills", problems)
    hours = _hours(entry.get("hours"), f"{where}.hours", problems)
    leave = []
    for number, away in enumerate(entry.get("leave", []), start=1):
        at = f"{where}.leave[{number}]"
        first = _day(away.get("from"), f"{at}.from", problems)
        last = _day(away.get("to"), f"{at}.to", problems)
        if first and last and last < first:
            problems.append(Problem(f"{at}.to", "comes before the first day"))
        leave.append((first, last, str(away.get("reason", ""))[:120]))

    def make(session: Session) -> None:
        assert branch is not None
        mechanic = Mechanic(
            branch_id=branch.id,
            code=code,
            name=name[:120],
            skills=skills,
            working_hours=hours,
        )
        session.add(mechanic)
        session.flush()
        session.add_all(
            MechanicLeave(
                mechanic_id=mechanic.id, first_day=first, last_day=last, reason=reason
            )
            for first, last, reason in leave
        )

    return _Item(where, problems, make)


def _bay_item(
    where: str,
    entry: dict[str, Any],
    branches: dict[str, Branch],
    places: set[tuple[int, str]],
) -> _Item:
    problems: list[Problem] = []
    branch = _branch_of(entry, where, branches, problems)
    code = str(entry.get("code", "")).strip().upper()
    if not _CODE.match(code):
        problems.append(Problem(f"{where}.code", f"'{code}' is not a code like L1"))
    elif branch is not None and (branch.id, code) in places:
        problems.append(Problem(f"{where}.code", f"bay {code} already exists there"))
    elif branch is not None:
        places.add((branch.id, code))
    name = str(entry.get("name", "")).strip() or code
    bay_type = _words(entry.get("type"), f"{where}.type", problems)
    if not bay_type or " " in bay_type:
        problems.append(Problem(f"{where}.type", "give one bay type, e.g. long"))
    also = _words(entry.get("also_serves"), f"{where}.also_serves", problems)
    length = _decimal(entry.get("max_length_m"), f"{where}.max_length_m", problems)

    def make(session: Session) -> None:
        assert branch is not None
        session.add(
            Bay(
                branch_id=branch.id,
                code=code,
                name=name[:120],
                bay_type=bay_type,
                also_serves=also,
                max_length_m=length,
            )
        )

    return _Item(where, problems, make)


OPERATION_COLUMNS = ("code", "description", "standard_hours")
OPERATION_OPTIONAL = ("skill", "bay_type")


def import_operations(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import labour operations: code, description, standard hours, skill, bay type."""
    actor.require(Permission.IMPORT_DATA)
    report = ImportReport("labour operations")
    with db.write() as session:

        def parse(row: dict[str, str], errors: FieldErrors) -> dict[str, object]:
            problems: list[Problem] = []
            hours = _decimal(row.get("standard_hours"), "standard_hours", problems)
            skill = _words(row.get("skill"), "skill", problems)
            bay_type = _words(row.get("bay_type"), "bay_type", problems)
            for problem in problems:
                errors.add(problem.field, problem.message)
            if hours is None and not problems:
                errors.add("standard_hours", "is required")
            elif hours is not None and hours > MAX_HOURS:
                errors.add("standard_hours", f"is more than {MAX_HOURS} hours")
            if " " in skill:
                errors.add("skill", "give one skill")
            if " " in bay_type:
                errors.add("bay_type", "give one bay type")
            return {
                "code": errors.required("code", row.get("code"), 20).upper(),
                "description": errors.required(
                    "description", row.get("description"), 200
                ),
                "standard_hours": hours,
                "skill": skill or None,
                "bay_type": bay_type or None,
            }

        good = parse_rows(report, source, OPERATION_COLUMNS, OPERATION_OPTIONAL, parse)
        existing = taken(
            session, LabourOperation.code, [str(v["code"]) for _, v in good]
        )
        seen: dict[str, int] = {}
        rows = []
        for line, values in good:
            code = str(values["code"])
            if code in existing:
                reject_line(report, line, "code", f"operation {code} already exists")
            elif code in seen:
                reject_line(
                    report, line, "code", f"{code} is also on line {seen[code]}"
                )
            else:
                rows.append(values)
            seen.setdefault(code, line)
        if dry_run or (report.bad_rows and not good_rows_only) or not rows:
            return report
        session.add_all(
            LabourOperation(**values, updated_by_id=actor.user_id) for values in rows
        )
        record_import(session, actor, report, "labour_operation", len(rows))
    return report


PACKAGE_COLUMNS = ("package",)
PACKAGE_OPTIONAL = ("description", "operation", "part_number", "quantity")


def import_packages(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import service packages, one row per operation or part of a package.

    The package's description is given on its first row; a part row names
    the part number and quantity, an operation row the operation code.
    """
    actor.require(Permission.IMPORT_DATA)
    report = ImportReport("package items")
    with db.write() as session:
        operations = {op.code: op.id for op in session.scalars(select(LabourOperation))}

        def parse(row: dict[str, str], errors: FieldErrors) -> dict[str, object]:
            op_code = (row.get("operation") or "").strip().upper()
            number = (row.get("part_number") or "").strip().upper()
            quantity = None
            if op_code and number:
                errors.add("part_number", "give an operation or a part, not both")
            elif not op_code and not number:
                errors.add("operation", "give an operation code or a part number")
            elif op_code and op_code not in operations:
                errors.add("operation", f"there is no operation {op_code}")
            elif number:
                quantity = parts.parse_quantity(errors, "quantity", row.get("quantity"))
            return {
                "package": errors.required("package", row.get("package"), 20).upper(),
                "description": errors.optional(
                    "description", row.get("description"), 200
                ),
                "operation_id": operations.get(op_code),
                "part_number": number,
                "quantity": quantity,
            }

        good = parse_rows(report, source, PACKAGE_COLUMNS, PACKAGE_OPTIONAL, parse)
        known = parts.parts_by_number(
            session, (str(v["part_number"]) for _, v in good if v["part_number"])
        )
        existing = taken(
            session, ServicePackage.code, [str(v["package"]) for _, v in good]
        )
        described: dict[str, str] = {}
        for line, values in good:
            code = str(values["package"])
            if values["description"]:
                described.setdefault(code, str(values["description"]))
            if code in existing:
                reject_line(report, line, "package", f"package {code} already exists")
            elif values["part_number"] and values["part_number"] not in known:
                reject_line(
                    report,
                    line,
                    "part_number",
                    f"there is no part {values['part_number']}",
                )
        for line, values in good:
            code = str(values["package"])
            if code not in described and line not in report.bad_lines:
                reject_line(
                    report, line, "description", f"package {code} has no description"
                )
        rows = [(line, v) for line, v in good if line not in report.bad_lines]
        if dry_run or (report.bad_rows and not good_rows_only) or not rows:
            return report
        packages: dict[str, ServicePackage] = {}
        for position, (_, values) in enumerate(rows, start=1):
            code = str(values["package"])
            if code not in packages:
                packages[code] = ServicePackage(
                    code=code, description=described[code], updated_by_id=actor.user_id
                )
                session.add(packages[code])
                session.flush()
            part = known.get(str(values["part_number"]))
            session.add(
                ServicePackageItem(
                    package_id=packages[code].id,
                    position=position,
                    operation_id=values["operation_id"],
                    part_id=part.id if part else None,
                    quantity=values["quantity"],
                )
            )
        report.imported = len(rows)
        report.written = True
        audit.record(
            session,
            actor,
            "import",
            "service_package",
            "*",
            after={"packages": len(packages), "items": report.imported},
        )
    return report


BOOKING_COLUMNS = ("branch", "vehicle", "work", "mechanic", "start")
BOOKING_OPTIONAL = (
    "bay",
    "status",
    "source",
    "customer",
    "parts",
    "payer",
    "requested_work",
    "length_m",
    "bay_types",
    "odometer_km",
    "findings",
)
_STATUSES = {
    s.value: s.value
    for s in (
        JobStatus.BOOKED,
        JobStatus.CHECKED_IN,
        JobStatus.IN_PROGRESS,
        JobStatus.FINISHED,
    )
}


def import_bookings(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import workshop bookings made elsewhere, and how far each job has come.

    ``start`` is the branch's wall-clock time (``2026-12-07 07:30``); each
    booking is checked as if the advisor booked it at the screen (skills,
    bay, hours, closed days, parts and every other booking, those on
    earlier lines included). A ``status`` past booked also checks the
    truck in at the start, logs the mechanic on, and for ``finished`` logs
    off at the booked end and hands the job to invoicing.
    """
    actor.require(Permission.IMPORT_DATA)
    report = ImportReport("bookings")

    def parse(row: dict[str, str], errors: FieldErrors) -> dict[str, Any]:
        start = (row.get("start") or "").strip()
        try:
            local_start = datetime.fromisoformat(start)
            if local_start.tzinfo is not None:
                raise ValueError
        except ValueError:
            errors.add("start", f"'{start}' is not a local time like 2026-12-07 07:30")
            local_start = None
        return {
            "row": row,
            "start": local_start,
            "status": errors.choice(
                "status", row.get("status"), _STATUSES, default="booked"
            ),
            "odometer": errors.integer(
                "odometer_km", row.get("odometer_km"), default=0, maximum=10_000_000
            ),
        }

    good = parse_rows(report, source, BOOKING_COLUMNS, BOOKING_OPTIONAL, parse)
    with _all_or_nothing(db) as session:
        for line, values in good:
            try:
                with session.begin_nested():
                    _import_booking(session, actor, values)
                report.imported += 1
            except ValidationFailed as exc:
                for problem in exc.problems:
                    reject_line(report, line, problem.field, problem.message)
            except DealerError as exc:
                reject_line(report, line, "start", exc.message)
        if dry_run or (report.bad_rows and not good_rows_only) or not report.imported:
            report.imported = 0
            raise _Discard
        report.written = True
        audit.record(
            session,
            actor,
            "import",
            "workshop_job",
            "*",
            after={"rows": report.imported, "left_out": report.bad_rows},
        )
    return report


def _import_booking(session: Session, actor: Actor, values: dict[str, Any]) -> None:
    row = values["row"]
    draft = JobDraft(
        vehicle=row.get("vehicle", ""),
        work=row.get("work", ""),
        source=row.get("source") or "customer",
        customer=row.get("customer", ""),
        parts=row.get("parts", ""),
        payer=row.get("payer") or "customer",
        requested_work=row.get("requested_work", ""),
        length_m=row.get("length_m", ""),
        bay_types=row.get("bay_types", ""),
        branch=row.get("branch", ""),
    )
    code = (row.get("branch") or "").strip().upper()
    branch_id = session.scalar(select(Branch.id).where(Branch.code == code))
    if branch_id is None:
        raise ValidationFailed([Problem("branch", f"there is no branch '{code}'")])
    setup = load_setup(session, branch_id)
    mechanics = {c: i for i, c in setup.mechanic_codes.items()}
    bays = {c: i for i, c in setup.bay_codes.items()}
    errors = FieldErrors()
    mechanic_code = (row.get("mechanic") or "").strip().upper()
    bay_code = (row.get("bay") or "").strip().upper()
    if mechanic_code not in mechanics:
        errors.add("mechanic", f"no mechanic '{mechanic_code}' works at {code}")
    if bay_code and bay_code not in bays:
        errors.add("bay", f"there is no bay '{bay_code}' at {code}")
    if errors:
        raise ValidationFailed(errors.problems)
    start = values["start"].replace(tzinfo=ZoneInfo(setup.time_zone))
    choice = SlotChoice(mechanics[mechanic_code], bays.get(bay_code), start)
    booked = book_in(session, actor, draft, choice, now=None)
    status = JobStatus(values["status"])
    if status is JobStatus.BOOKED:
        return
    job = session.get(WorkshopJob, booked.job_id)
    assert job is not None
    odometer = values["odometer"] or _odometer(session, job)
    arrival = booked.slot.starts_at - timedelta(minutes=15)
    record_check_in(session, actor, job, odometer, "", "", arrival)
    if status is JobStatus.CHECKED_IN:
        return
    person = session.get(Mechanic, mechanics[mechanic_code])
    assert person is not None
    log: TimeLog = start_log(session, actor, job, person, booked.slot.starts_at)
    if status is JobStatus.IN_PROGRESS:
        return
    parts.pick(session, actor, jobs.SOURCE_KIND, job.id)
    end_log(session, actor, job, log, booked.slot.ends_at)
    findings = (row.get("findings") or "").strip() or "Work done as booked."
    record_finish(session, actor, job, findings, "", None, 0, booked.slot.ends_at)


def _odometer(session: Session, job: WorkshopJob) -> int:
    vehicle = session.get(Vehicle, job.vehicle_id)
    return vehicle.odometer_km if vehicle else 0
