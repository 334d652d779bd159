"""Trucks in stock: receiving a delivery from the factory, and the stock list.

A delivery note is a CSV file with a row per truck.  Every row is checked
(the VIN by ``vehicles.vin``, the branch, the dates) and every problem is
named with its line and field; nothing is written when a row is bad,
unless only the good rows are asked for.  A row with an expected arrival
and no received date announces a truck still on its way; receiving it
later is a row with the same VIN.  A truck that arrives for a factory
order puts the order waiting for it in stock.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from dealer_tui.accounts.models import Account
from dealer_tui.core import audit
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.csvimport import ImportReport, parse_rows, reject_line
from dealer_tui.core.db import Database
from dealer_tui.core.errors import Problem, ValidationFailed
from dealer_tui.core.models import Branch
from dealer_tui.core.paging import PageRequest, fetch_page
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.text import compact_key, like_escape
from dealer_tui.orders.common import local_day
from dealer_tui.orders.delivery import note_arrival
from dealer_tui.orders.models import (
    ALLOCATED,
    DELIVERED,
    IN_STOCK,
    ON_ORDER,
    Order,
    StockUnit,
    UnitAllocation,
)
from dealer_tui.orders.states import OrderState
from dealer_tui.vehicles import vin as vins
from dealer_tui.vehicles.models import Vehicle

FIRST_MODEL_YEAR = 1950
UNIT_COLUMNS = ("vin", "make", "model", "branch")
UNIT_OPTIONAL = (
    "model_year",
    "cost",
    "received_on",
    "expected_arrival",
    "factory_order_ref",
    "notes",
)


@dataclass
class ReceiptReport(ImportReport):
    """An import report that also tells which orders' trucks came in."""

    arrivals: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = super().summary()
        for line in self.arrivals:
            text += f" {line}"
        return text


@dataclass
class _Row:
    values: dict[str, object]
    announced: bool


def _read_row(
    row: dict[str, str],
    errors: FieldErrors,
    branches: dict[str, int],
    today: date,
) -> _Row:
    raw_vin = (row.get("vin") or "").strip()
    check = vins.validate(raw_vin)
    if not check.ok:
        errors.add("vin", f"'{raw_vin}': {check.problem}")
    branch_code = (row.get("branch") or "").strip().upper()
    if not branch_code:
        errors.add("branch", "is required")
    elif branch_code not in branches:
        errors.add("branch", f"there is no branch '{branch_code}'")
    year = errors.integer(
        "model_year",
        row.get("model_year"),
        default=0,
        minimum=FIRST_MODEL_YEAR,
        maximum=today.year + 2,
    )
    received = errors.day("received_on", row.get("received_on"))
    expected = errors.day("expected_arrival", row.get("expected_arrival"))
    if received and received > today:
        errors.add("received_on", f"{received:%d/%m/%Y} is in the future")
    announced = received is None and expected is not None
    return _Row(
        {
            "vin": check.vin,
            "vin_tail": check.vin[-6:],
            "make": errors.required("make", row.get("make"), 40),
            "model": errors.required("model", row.get("model"), 80),
            "model_year": year or None,
            "branch_id": branches.get(branch_code, 0),
            "cost": errors.money("cost", row.get("cost"), default=Decimal("0.00")),
            "received_on": None if announced else (received or today),
            "expected_arrival": expected,
            "factory_order_ref": errors.optional(
                "factory_order_ref", row.get("factory_order_ref"), 40
            ).upper(),
            "notes": errors.optional("notes", row.get("notes"), 300),
            "status": ON_ORDER if announced else IN_STOCK,
        },
        announced,
    )


def receive_units(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
    at: datetime | None = None,
) -> ReceiptReport:
    """Receive (or announce) trucks from a CSV delivery note, row by row."""
    actor.require(Permission.MANAGE_STOCK)
    report = ReceiptReport("trucks")
    with db.write() as session:
        branches = {b.code.upper(): b.id for b in session.scalars(select(Branch))}
        today = local_day(session, actor.branch_id, at)

        def parse(row: dict[str, str], errors: FieldErrors) -> _Row:
            return _read_row(row, errors, branches, today)

        good = parse_rows(report, source, UNIT_COLUMNS, UNIT_OPTIONAL, parse)
        wanted = [str(r.values["vin"]) for _, r in good]
        known = _units_by_vin(session, wanted)
        owned = _owned_vehicles(session, wanted)
        seen: dict[str, int] = {}
        fresh: list[tuple[int, _Row]] = []
        arriving: list[tuple[int, _Row, StockUnit]] = []
        for line, parsed in good:
            vin = str(parsed.values["vin"])
            unit = known.get(vin)
            if vin in seen:
                reject_line(report, line, "vin", f"{vin} is also on line {seen[vin]}")
            elif vin in owned:
                reject_line(
                    report, line, "vin", f"{vin} is customer {owned[vin]}'s vehicle"
                )
            elif unit is not None and (unit.status != ON_ORDER or parsed.announced):
                state = "announced" if unit.status == ON_ORDER else unit.status
                reject_line(
                    report,
                    line,
                    "vin",
                    f"truck {vin} is already {state.replace('_', ' ')}",
                )
            elif unit is not None:
                arriving.append((line, parsed, unit))
            else:
                fresh.append((line, parsed))
            seen.setdefault(vin, line)
        to_write = len(fresh) + len(arriving)
        if dry_run or (report.bad_rows and not good_rows_only) or not to_write:
            return report
        received = _write_units(session, actor, fresh, arriving)
        report.imported = to_write
        report.written = True
        report.arrivals = _note_arrivals(session, actor, received)
        audit.record(
            session,
            actor,
            "receive",
            "stock_unit",
            "*",
            after={"rows": to_write, "left_out": report.bad_rows},
        )
    return report


def _units_by_vin(session: Session, vins_: list[str]) -> dict[str, StockUnit]:
    found: dict[str, StockUnit] = {}
    for start in range(0, len(vins_), 500):
        chunk = vins_[start : start + 500]
        found.update(
            (u.vin, u)
            for u in session.scalars(select(StockUnit).where(StockUnit.vin.in_(chunk)))
        )
    return found


def _owned_vehicles(session: Session, vins_: list[str]) -> dict[str, str]:
    """VINs that are already a customer's truck, with the customer's number."""
    found: dict[str, str] = {}
    for start in range(0, len(vins_), 500):
        chunk = vins_[start : start + 500]
        found.update(
            session.execute(
                select(Vehicle.vin, Account.number)
                .join(Account, Account.id == Vehicle.owner_id)
                .where(Vehicle.vin.in_(chunk))
            ).all()
        )
    return found


def _write_units(
    session: Session,
    actor: Actor,
    fresh: list[tuple[int, _Row]],
    arriving: list[tuple[int, _Row, StockUnit]],
) -> list[StockUnit]:
    received: list[StockUnit] = []
    for _, parsed in fresh:
        unit = StockUnit(**parsed.values, updated_by_id=actor.user_id)
        session.add(unit)
        if unit.status == IN_STOCK:
            received.append(unit)
    for _, parsed, unit in arriving:
        for name, value in parsed.values.items():
            if name == "expected_arrival" and value is None:
                continue
            if name in ("cost", "notes", "factory_order_ref") and not value:
                continue
            setattr(unit, name, value)
        unit.updated_by_id = actor.user_id
        received.append(unit)
    session.flush()
    return received


def _note_arrivals(
    session: Session, actor: Actor, received: list[StockUnit]
) -> list[str]:
    """Orders waiting for these trucks from the factory are now in stock."""
    refs = {u.factory_order_ref: u for u in received if u.factory_order_ref}
    if not refs:
        return []
    waiting = session.scalars(
        select(Order)
        .where(
            Order.factory_order_ref.in_(sorted(refs)),
            Order.state == OrderState.ORDERED_FROM_FACTORY.value,
        )
        .order_by(Order.number)
    ).all()
    told = []
    for order in waiting:
        unit = refs[order.factory_order_ref]
        note_arrival(session, actor, order, unit)
        told.append(f"Order {order.number}'s truck {unit.vin} is in stock.")
    return told


def receive_unit(
    db: Database,
    actor: Actor,
    values: dict[str, str],
    at: datetime | None = None,
) -> ReceiptReport:
    """Receive one truck typed on the screen, checked as a delivery note row."""
    columns = [*UNIT_COLUMNS, *UNIT_OPTIONAL]
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(columns)
    writer.writerow([values.get(name, "") for name in columns])
    text.seek(0)
    report = receive_units(db, actor, text, at=at)
    if not report.written:
        problems = [Problem(p.field, p.message) for p in report.problems]
        raise ValidationFailed(problems or [Problem("vin", "was not received")])
    return report


@dataclass(frozen=True)
class UnitLine:
    """A row of the stock list."""

    id: int
    vin: str
    make: str
    model: str
    model_year: int | None
    branch_code: str
    status: str
    received_on: date | None
    expected_arrival: date | None
    factory_order_ref: str
    order_number: str
    order_id: int | None


def unit_page(
    db: Database, actor: Actor, text: str, request: PageRequest
) -> tuple[list[UnitLine], list[tuple[object, ...]], bool]:
    """A page of stock trucks by VIN: type a VIN (or its end), make, model,
    a branch code or a status (in stock, on order, allocated, delivered)."""
    actor.require(Permission.VIEW_ORDERS)
    allocated = aliased(Order)
    stmt = (
        select(
            StockUnit.id,
            StockUnit.vin,
            StockUnit.make,
            StockUnit.model,
            StockUnit.model_year,
            Branch.code,
            StockUnit.status,
            StockUnit.received_on,
            StockUnit.expected_arrival,
            StockUnit.factory_order_ref,
            allocated.number,
            allocated.id,
            StockUnit.vin,
        )
        .join(Branch, Branch.id == StockUnit.branch_id)
        .outerjoin(UnitAllocation, UnitAllocation.unit_id == StockUnit.id)
        .outerjoin(allocated, allocated.id == UnitAllocation.order_id)
    )
    statuses = {"stock": IN_STOCK, "on_order": ON_ORDER}
    typed = text.lower().replace("on order", "on_order").replace("in stock", "stock")
    for word in typed.split():
        if word in statuses:
            stmt = stmt.where(StockUnit.status == statuses[word])
            continue
        key = compact_key(word)
        if not key:
            continue
        pattern = like_escape(key)
        conditions = [
            StockUnit.vin.like(f"{pattern}%", escape="\\"),
            StockUnit.vin_tail.like(f"{pattern}%", escape="\\"),
            StockUnit.make.ilike(f"{like_escape(word)}%", escape="\\"),
            StockUnit.model.ilike(f"%{like_escape(word)}%", escape="\\"),
            Branch.code == key,
            StockUnit.factory_order_ref == key,
        ]
        status = next((s for s in (ALLOCATED, DELIVERED) if s.startswith(word)), None)
        if status and len(word) >= 3:
            conditions.append(StockUnit.status == status)
        stmt = stmt.where(or_(*conditions))
    with db.read() as session:
        page = fetch_page(session, stmt, (StockUnit.vin,), request)
    lines = [UnitLine(*row[:10], row[10] or "", row[11]) for row in page.rows]
    return lines, page.keys, page.has_more
