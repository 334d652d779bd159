"""Use cases for parts: the catalogue, stock, reservations and deliveries.

Reserving, releasing and picking run inside the transaction of the
document they serve (a workshop job now, a counter order later), so they
take that transaction's session. The stock row is locked for the rest of
the transaction before it is read, so two reservations of the last part
take turns; the database refuses a reserved quantity above what is on
hand in any case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dealer_tui.core import audit, clock
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.csvimport import (
    ImportReport,
    parse_rows,
    record_import,
    reject_line,
    taken,
)
from dealer_tui.core.db import Database
from dealer_tui.core.errors import NotFound, Refused
from dealer_tui.core.models import Branch
from dealer_tui.core.paging import PageRequest, fetch_page
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.text import like_escape
from dealer_tui.parts import stock as rules
from dealer_tui.parts.models import Part, PartDelivery, PartReservation, PartStock

RESERVED = "reserved"
AWAITING = "awaiting"
PICKED = "picked"
RELEASED = "released"
QUANTUM = Decimal("0.001")
MAX_QUANTITY = Decimal("1000000")
TAX_CATEGORIES = {"S": "S", "Z": "Z", "E": "E"}


def parse_quantity(errors: FieldErrors, field: str, text: str | None) -> Decimal:
    """A quantity above zero with at most three decimal places, e.g. '2' or '1.5'."""
    raw = (text or "").strip().replace(",", "")
    if not raw:
        errors.add(field, "is required")
        return Decimal(0)
    try:
        quantity = Decimal(raw)
    except ArithmeticError:
        errors.add(field, f"'{raw}' is not a quantity")
        return Decimal(0)
    if not quantity.is_finite() or quantity != quantity.quantize(QUANTUM):
        errors.add(field, f"'{raw}' is not a quantity with at most 3 decimals")
        return Decimal(0)
    if quantity <= 0:
        errors.add(field, "must be more than zero")
    elif quantity >= MAX_QUANTITY:
        errors.add(field, f"'{raw}' is too large")
    return quantity.quantize(QUANTUM)


def show_quantity(quantity: Decimal) -> str:
    """'2' for two, '1.5' for one and a half: no trailing zeros."""
    return f"{quantity.normalize():f}"


@dataclass(frozen=True)
class Promise:
    """What a document line was promised of a part, and when the rest comes."""

    part_id: int
    part_number: str
    description: str
    reserved: Decimal
    awaiting: Decimal
    picked: Decimal
    expected_on: date | None

    @property
    def quantity(self) -> Decimal:
        return self.reserved + self.awaiting + self.picked

    @property
    def short(self) -> bool:
        return self.awaiting > 0

    def describe(self) -> str:
        """One line for a screen: the part, and what is reserved or short."""
        head = f"{self.part_number} {self.description} x{show_quantity(self.quantity)}"
        parts = []
        if self.picked:
            parts.append(f"{show_quantity(self.picked)} picked")
        if self.reserved:
            parts.append(f"{show_quantity(self.reserved)} reserved")
        if self.awaiting:
            when = (
                f"expected {self.expected_on:%d/%m/%Y}"
                if self.expected_on
                else "no delivery expected: order it"
            )
            parts.append(f"SHORT {show_quantity(self.awaiting)}, {when}")
        return f"{head}: {', '.join(parts) or 'nothing held'}"


@dataclass(frozen=True)
class StockLevel:
    """A part's stock at a branch as the counter reads it."""

    part_id: int
    bin: str
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return rules.available(self.on_hand, self.reserved)


def parts_by_number(session: Session, numbers: Iterable[str]) -> dict[str, Part]:
    """Active parts by part number, for the numbers given (upper case)."""
    wanted = sorted({n.strip().upper() for n in numbers if n.strip()})
    if not wanted:
        return {}
    found = session.scalars(
        select(Part).where(Part.part_number.in_(wanted), Part.active.is_(True))
    )
    return {part.part_number: part for part in found}


def stock_levels(
    session: Session, branch_id: int, part_ids: Iterable[int]
) -> dict[int, StockLevel]:
    """Stock of each part at the branch; a part never stocked there has none."""
    ids = sorted(set(part_ids))
    levels = {i: StockLevel(i, "", Decimal("0.000"), Decimal("0.000")) for i in ids}
    if ids:
        for row in session.scalars(
            select(PartStock).where(
                PartStock.branch_id == branch_id, PartStock.part_id.in_(ids)
            )
        ):
            levels[row.part_id] = StockLevel(
                row.part_id, row.bin, row.on_hand, row.reserved
            )
    return levels


def incoming(session: Session, branch_id: int, part_id: int) -> list[rules.Incoming]:
    """Deliveries of the part to the branch not yet received."""
    rows = session.execute(
        select(PartDelivery.expected_on, PartDelivery.quantity).where(
            PartDelivery.branch_id == branch_id,
            PartDelivery.part_id == part_id,
            PartDelivery.received_at.is_(None),
        )
    )
    return [rules.Incoming(day, quantity) for day, quantity in rows]


def waiting_quantity(session: Session, branch_id: int, part_id: int) -> Decimal:
    """How much of the part already awaits stock at the branch."""
    total = session.scalar(
        select(func.sum(PartReservation.quantity)).where(
            PartReservation.branch_id == branch_id,
            PartReservation.part_id == part_id,
            PartReservation.status == AWAITING,
        )
    )
    return total or Decimal("0.000")


def shortage_arrival(
    session: Session, branch_id: int, part_id: int, needed: Decimal
) -> date | None:
    """When a shortage of ``needed`` would be filled, after those already waiting."""
    return rules.arrival_date(
        incoming(session, branch_id, part_id),
        waiting_quantity(session, branch_id, part_id),
        needed,
    )


def _locked_stock(session: Session, branch_id: int, part_id: int) -> PartStock:
    """The stock row, locked until the transaction ends; made if missing."""
    stmt = (
        select(PartStock)
        .where(PartStock.branch_id == branch_id, PartStock.part_id == part_id)
        .with_for_update()
    )
    row = session.scalars(stmt).one_or_none()
    if row is None:
        try:
            with session.begin_nested():
                session.add(PartStock(part_id=part_id, branch_id=branch_id))
        except IntegrityError:
            # Another transaction stocked the part at the branch first.
            pass
        row = session.scalars(stmt).one()
    return row


def reserve(
    session: Session,
    actor: Actor,
    *,
    branch_id: int,
    part_id: int,
    quantity: Decimal,
    source_kind: str,
    source_id: int,
    source_line: int | None = None,
) -> Promise:
    """Reserve what stock allows; the rest awaits a delivery, with its date.

    Available stock never goes below zero: the stock row is locked before
    it is read, and only what is free is taken from it.
    """
    part = session.get(Part, part_id)
    if part is None:
        raise NotFound("The part no longer exists.")
    stock = _locked_stock(session, branch_id, part_id)
    split = rules.split_request(stock.on_hand - stock.reserved, quantity)
    expected = None
    if split.awaiting:
        expected = shortage_arrival(session, branch_id, part_id, split.awaiting)
    before = {"reserved": audit.plain(stock.reserved)}
    if split.from_stock:
        stock.reserved += split.from_stock
        session.add(
            PartReservation(
                part_id=part_id,
                branch_id=branch_id,
                source_kind=source_kind,
                source_id=source_id,
                source_line=source_line,
                quantity=split.from_stock,
                status=RESERVED,
            )
        )
    if split.awaiting:
        session.add(
            PartReservation(
                part_id=part_id,
                branch_id=branch_id,
                source_kind=source_kind,
                source_id=source_id,
                source_line=source_line,
                quantity=split.awaiting,
                status=AWAITING,
                expected_on=expected,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "reserve",
        "part_stock",
        stock.id,
        before=before,
        after={
            "reserved": audit.plain(stock.reserved),
            "awaiting": audit.plain(split.awaiting),
            "for": f"{source_kind} {source_id}",
        },
    )
    return Promise(
        part.id,
        part.part_number,
        part.description,
        split.from_stock,
        split.awaiting,
        Decimal("0.000"),
        expected,
    )


def _source_reservations(
    session: Session,
    source_kind: str,
    source_id: int,
    source_line: int | None,
    statuses: tuple[str, ...],
) -> list[PartReservation]:
    stmt = select(PartReservation).where(
        PartReservation.source_kind == source_kind,
        PartReservation.source_id == source_id,
        PartReservation.status.in_(statuses),
    )
    if source_line is not None:
        stmt = stmt.where(PartReservation.source_line == source_line)
    return list(session.scalars(stmt.order_by(PartReservation.id)))


def release(
    session: Session,
    actor: Actor,
    source_kind: str,
    source_id: int,
    source_line: int | None = None,
) -> Decimal:
    """Give back exactly what the document (or one line of it) holds.

    Reserved stock becomes available again and waiting shortages are
    dropped; picked parts are not touched. Returns the quantity released.
    """
    held = _source_reservations(
        session, source_kind, source_id, source_line, (RESERVED, AWAITING)
    )
    released = Decimal("0.000")
    touched: set[tuple[int, int]] = set()
    for reservation in sorted(held, key=lambda r: (r.branch_id, r.part_id, r.id)):
        if reservation.status == RESERVED:
            stock = _locked_stock(session, reservation.branch_id, reservation.part_id)
            before = audit.plain(stock.reserved)
            stock.reserved -= reservation.quantity
            audit.record(
                session,
                actor,
                "release",
                "part_stock",
                stock.id,
                before={"reserved": before},
                after={
                    "reserved": audit.plain(stock.reserved),
                    "for": f"{source_kind} {source_id}",
                },
            )
        touched.add((reservation.branch_id, reservation.part_id))
        reservation.status = RELEASED
        released += reservation.quantity
    session.flush()
    for branch_id, part_id in sorted(touched):
        _restamp_waiting(session, branch_id, part_id)
    return released


def pick(
    session: Session,
    actor: Actor,
    source_kind: str,
    source_id: int,
    source_line: int | None = None,
) -> Decimal:
    """Issue the reserved parts from stock: on hand and reserved both go down."""
    held = _source_reservations(
        session, source_kind, source_id, source_line, (RESERVED,)
    )
    picked = Decimal("0.000")
    for reservation in sorted(held, key=lambda r: (r.branch_id, r.part_id, r.id)):
        stock = _locked_stock(session, reservation.branch_id, reservation.part_id)
        before = {
            "on_hand": audit.plain(stock.on_hand),
            "reserved": audit.plain(stock.reserved),
        }
        stock.on_hand -= reservation.quantity
        stock.reserved -= reservation.quantity
        reservation.status = PICKED
        picked += reservation.quantity
        audit.record(
            session,
            actor,
            "pick",
            "part_stock",
            stock.id,
            before=before,
            after={
                "on_hand": audit.plain(stock.on_hand),
                "reserved": audit.plain(stock.reserved),
                "for": f"{source_kind} {source_id}",
            },
        )
    session.flush()
    return picked


def promises(
    session: Session, source_kind: str, source_id: int
) -> dict[int | None, list[Promise]]:
    """What each line of the document holds, per part, keyed by line."""
    rows = session.execute(
        select(PartReservation, Part)
        .join(Part, Part.id == PartReservation.part_id)
        .where(
            PartReservation.source_kind == source_kind,
            PartReservation.source_id == source_id,
            PartReservation.status != RELEASED,
        )
        .order_by(PartReservation.source_line, Part.part_number, PartReservation.id)
    )
    sums: dict[tuple[int | None, int], list[Decimal]] = defaultdict(
        lambda: [Decimal("0.000")] * 3
    )
    waits: dict[tuple[int | None, int], list[date | None]] = defaultdict(list)
    parts: dict[int, Part] = {}
    for reservation, part in rows:
        key = (reservation.source_line, part.id)
        slot = {RESERVED: 0, AWAITING: 1, PICKED: 2}[reservation.status]
        sums[key][slot] += reservation.quantity
        parts[part.id] = part
        if reservation.status == AWAITING:
            waits[key].append(reservation.expected_on)
    result: dict[int | None, list[Promise]] = defaultdict(list)
    for (line, part_id), (held, waiting, issued) in sums.items():
        part = parts[part_id]
        result[line].append(
            Promise(
                part_id,
                part.part_number,
                part.description,
                held,
                waiting,
                issued,
                _last_arrival(waits.get((line, part_id), [])),
            )
        )
    return dict(result)


def _last_arrival(days: list[date | None]) -> date | None:
    """The day the last waiting piece arrives; None if any has no delivery."""
    if not days or any(day is None for day in days):
        return None
    return max(day for day in days if day is not None)


def _restamp_waiting(session: Session, branch_id: int, part_id: int) -> None:
    """Give each waiting reservation the day it will be filled, in turn."""
    waiting = session.scalars(
        select(PartReservation)
        .where(
            PartReservation.branch_id == branch_id,
            PartReservation.part_id == part_id,
            PartReservation.status == AWAITING,
        )
        .order_by(PartReservation.created_at, PartReservation.id)
    ).all()
    deliveries = incoming(session, branch_id, part_id)
    before = Decimal("0.000")
    for reservation in waiting:
        reservation.expected_on = rules.arrival_date(
            deliveries, before, reservation.quantity
        )
        before += reservation.quantity


def fill_waiting(
    session: Session, actor: Actor, branch_id: int, part_id: int
) -> Decimal:
    """Turn waiting reservations into reserved stock as far as stock allows."""
    stock = _locked_stock(session, branch_id, part_id)
    waiting = session.scalars(
        select(PartReservation)
        .where(
            PartReservation.branch_id == branch_id,
            PartReservation.part_id == part_id,
            PartReservation.status == AWAITING,
        )
        .order_by(PartReservation.created_at, PartReservation.id)
    ).all()
    by_id = {r.id: r for r in waiting}
    shares = rules.fill_waiting(
        stock.on_hand - stock.reserved, [(r.id, r.quantity) for r in waiting]
    )
    filled = Decimal("0.000")
    for reservation_id, quantity in shares:
        reservation = by_id[reservation_id]
        if quantity == reservation.quantity:
            reservation.status = RESERVED
            reservation.expected_on = None
        else:
            reservation.quantity -= quantity
            session.add(
                PartReservation(
                    part_id=part_id,
                    branch_id=branch_id,
                    source_kind=reservation.source_kind,
                    source_id=reservation.source_id,
                    source_line=reservation.source_line,
                    quantity=quantity,
                    status=RESERVED,
                )
            )
        stock.reserved += quantity
        filled += quantity
    session.flush()
    _restamp_waiting(session, branch_id, part_id)
    return filled


@dataclass(frozen=True)
class Receipt:
    """What receiving a delivery did."""

    part_number: str
    quantity: Decimal
    on_hand: Decimal
    filled_for_waiting: Decimal


def receive_delivery(
    db: Database, actor: Actor, delivery_id: int, at: datetime | None = None
) -> Receipt:
    """Book a delivery into stock and fill the reservations waiting for it."""
    actor.require(Permission.RECEIVE_PARTS)
    with db.write() as session:
        delivery = session.get(PartDelivery, delivery_id, with_for_update=True)
        if delivery is None:
            raise NotFound("The delivery no longer exists.")
        if delivery.received_at is not None:
            raise Refused("This delivery has already been received.")
        part = session.get(Part, delivery.part_id)
        assert part is not None
        stock = _locked_stock(session, delivery.branch_id, delivery.part_id)
        before = audit.plain(stock.on_hand)
        stock.on_hand += delivery.quantity
        delivery.received_at = at or clock.now()
        session.flush()
        audit.record(
            session,
            actor,
            "receive",
            "part_stock",
            stock.id,
            before={"on_hand": before},
            after={
                "on_hand": audit.plain(stock.on_hand),
                "delivery": delivery.id,
            },
        )
        filled = fill_waiting(session, actor, delivery.branch_id, delivery.part_id)
        return Receipt(part.part_number, delivery.quantity, stock.on_hand, filled)


@dataclass(frozen=True)
class PartLine:
    """A row of the parts list: the part and its stock at one branch."""

    id: int
    part_number: str
    description: str
    unit_price: Decimal
    bin: str
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return rules.available(self.on_hand, self.reserved)


def part_page(
    db: Database, actor: Actor, branch_id: int, text: str, request: PageRequest
) -> tuple[list[PartLine], list[tuple[object, ...]], bool]:
    """A page of the catalogue with stock at the branch, by part number as typed."""
    actor.require(Permission.VIEW_PARTS)
    stmt = select(
        Part.id,
        Part.part_number,
        Part.description,
        Part.unit_price,
        func.coalesce(PartStock.bin, ""),
        func.coalesce(PartStock.on_hand, Decimal("0.000")),
        func.coalesce(PartStock.reserved, Decimal("0.000")),
        Part.part_number,
    ).outerjoin(
        PartStock,
        (PartStock.part_id == Part.id) & (PartStock.branch_id == branch_id),
    )
    key = text.strip().upper()
    if key:
        stmt = stmt.where(Part.part_number.like(f"{like_escape(key)}%", escape="\\"))
    with db.read() as session:
        page = fetch_page(session, stmt, (Part.part_number,), request)
    lines = [PartLine(*row[:7]) for row in page.rows]
    return lines, page.keys, page.has_more


PART_COLUMNS = ("part_number", "description", "unit_price")
PART_OPTIONAL = ("tax_category", "unit")


def import_parts(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import the parts catalogue from CSV: every row, or none if any is bad."""
    actor.require(Permission.IMPORT_DATA)
    report = ImportReport("parts")
    with db.write() as session:

        def parse(row: dict[str, str], errors: FieldErrors) -> dict[str, object]:
            return {
                "part_number": errors.required(
                    "part_number", row.get("part_number"), 30
                ).upper(),
                "description": errors.required(
                    "description", row.get("description"), 200
                ),
                "unit_price": errors.money("unit_price", row.get("unit_price")),
                "tax_category": errors.choice(
                    "tax_category", row.get("tax_category"), TAX_CATEGORIES, default="S"
                ),
                "unit": errors.optional("unit", row.get("unit"), 8) or "each",
            }

        good = parse_rows(report, source, PART_COLUMNS, PART_OPTIONAL, parse)
        existing = taken(
            session, Part.part_number, [str(v["part_number"]) for _, v in good]
        )
        seen: dict[str, int] = {}
        rows = []
        for line, values in good:
            number = str(values["part_number"])
            if number in existing:
                reject_line(
                    report, line, "part_number", f"part {number} already exists"
                )
            elif number in seen:
                reject_line(
                    report,
                    line,
                    "part_number",
                    f"part {number} is also on line {seen[number]}",
                )
            else:
                rows.append(values)
            seen.setdefault(number, line)
        if dry_run or (report.bad_rows and not good_rows_only) or not rows:
            return report
        session.add_all(Part(**values, updated_by_id=actor.user_id) for values in rows)
        record_import(session, actor, report, "part", len(rows))
    return report


STOCK_COLUMNS = ("part_number", "branch", "on_hand")
STOCK_OPTIONAL = ("bin",)


def import_stock(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import stock on hand per part and branch (a stock take) from CSV."""
    actor.require(Permission.IMPORT_DATA)
    report = ImportReport("stock rows")
    with db.write() as session:
        branches = {b.code.upper(): b.id for b in session.scalars(select(Branch))}

        def parse(row: dict[str, str], errors: FieldErrors) -> dict[str, object]:
            code = errors.required("branch", row.get("branch"), 12).upper()
            if code and code not in branches:
                errors.add("branch", f"there is no branch '{code}'")
            on_hand = _stock_quantity(errors, row.get("on_hand"))
            return {
                "part_number": errors.required(
                    "part_number", row.get("part_number"), 30
                ).upper(),
                "branch_id": branches.get(code),
                "bin": errors.optional("bin", row.get("bin"), 20),
                "on_hand": on_hand,
            }

        good = parse_rows(report, source, STOCK_COLUMNS, STOCK_OPTIONAL, parse)
        parts = parts_by_number(session, (str(v["part_number"]) for _, v in good))
        held = {
            (row.part_id, row.branch_id): row
            for row in session.scalars(select(PartStock))
        }
        seen: dict[tuple[str, object], int] = {}
        rows = []
        for line, values in good:
            number = str(values["part_number"])
            part = parts.get(number)
            key = (number, values["branch_id"])
            if part is None:
                reject_line(report, line, "part_number", f"there is no part {number}")
            elif key in seen:
                reject_line(
                    report, line, "part_number", f"{number} is also on line {seen[key]}"
                )
            elif (part.id, values["branch_id"]) in held:
                reject_line(
                    report, line, "part_number", f"{number} is already stocked there"
                )
            else:
                rows.append({**values, "part_id": part.id})
            seen.setdefault(key, line)
        if dry_run or (report.bad_rows and not good_rows_only) or not rows:
            return report
        for values in rows:
            values.pop("part_number")
            session.add(PartStock(**values, updated_by_id=actor.user_id))
        record_import(session, actor, report, "part_stock", len(rows))
    return report


def _stock_quantity(errors: FieldErrors, text: str | None) -> Decimal:
    raw = (text or "").strip()
    if raw in ("0", "0.0", "0.00", "0.000"):
        return Decimal("0.000")
    return parse_quantity(errors, "on_hand", raw)


DELIVERY_COLUMNS = ("part_number", "branch", "quantity", "expected_on")
DELIVERY_OPTIONAL = ("reference",)


def import_deliveries(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import expected deliveries (supplier orders on their way) from CSV."""
    actor.require(Permission.IMPORT_DATA)
    report = ImportReport("expected deliveries")
    with db.write() as session:
        branches = {b.code.upper(): b.id for b in session.scalars(select(Branch))}

        def parse(row: dict[str, str], errors: FieldErrors) -> dict[str, object]:
            code = errors.required("branch", row.get("branch"), 12).upper()
            if code and code not in branches:
                errors.add("branch", f"there is no branch '{code}'")
            return {
                "part_number": errors.required(
                    "part_number", row.get("part_number"), 30
                ).upper(),
                "branch_id": branches.get(code),
                "quantity": parse_quantity(errors, "quantity", row.get("quantity")),
                "expected_on": errors.day(
                    "expected_on", row.get("expected_on"), required=True
                ),
                "reference": errors.optional("reference", row.get("reference"), 40),
            }

        good = parse_rows(report, source, DELIVERY_COLUMNS, DELIVERY_OPTIONAL, parse)
        parts = parts_by_number(session, (str(v["part_number"]) for _, v in good))
        rows = []
        for line, values in good:
            number = str(values.pop("part_number"))
            part = parts.get(number)
            if part is None:
                reject_line(report, line, "part_number", f"there is no part {number}")
            else:
                rows.append({**values, "part_id": part.id})
        if dry_run or (report.bad_rows and not good_rows_only) or not rows:
            return report
        session.add_all(PartDelivery(**values) for values in rows)
        session.flush()
        for branch_id, part_id in sorted(
            {(v["branch_id"], v["part_id"]) for v in rows}
        ):
            _restamp_waiting(session, int(branch_id), int(part_id))  # type: ignore[call-overload]
        record_import(session, actor, report, "part_delivery", len(rows))
    return report
