"""Bringing orders in from a story file: each order taken through its steps.

The file (TOML, see fixtures/orders/orders.toml) lists orders with the
customer, the quote or the truck or the parts, and the steps a user took:
confirm, release, factory, allocate, plan, inspect, ready, deliver, sell.
The whole file is checked first and every problem named by order and
field; then each step is done through the same use case a user's key
runs, as the user the file names, so the history reads as if they had.
Each step is its own transaction, as it is on the screen: a step that is
refused stops the import there and says which order and step it was.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from dealer_tui.accounts.models import Account
from dealer_tui.catalog import quotes
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.csvimport import ImportReport
from dealer_tui.core.db import Database
from dealer_tui.core.errors import DealerError, Problem
from dealer_tui.core.models import Branch, User
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.services import actor_for
from dealer_tui.orders import counter, delivery, services
from dealer_tui.orders.models import StockUnit
from dealer_tui.orders.views import order_view
from dealer_tui.parts.services import parse_quantity, parts_by_number

STEPS = {
    "confirm",
    "release",
    "factory",
    "allocate",
    "plan",
    "inspect",
    "ready",
    "deliver",
    "sell",
}
# Steps that take the rest of their text as an argument, and how many words.
ARGUMENTS = {"release": None, "factory": 2, "allocate": 1, "plan": 1}


@dataclass
class _Story:
    """One order of the file, checked."""

    where: str
    customer: str
    entered: date
    clerk: str
    manager: str
    quote: dict[str, Any] | None
    trade_in: dict[str, Any] | None
    truck: str
    model: str
    price: str
    reference: str
    parts: list[tuple[str, str]] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)


def _text(errors: FieldErrors, item: dict[str, Any], name: str, where: str) -> str:
    value = item.get(name, "")
    if not isinstance(value, str):
        errors.add(f"{where}.{name}", "must be text in quotes")
        return ""
    return value.strip()


def _read(
    item: dict[str, Any], where: str, errors: FieldErrors, known: dict[str, set[str]]
) -> _Story:
    customer = _text(errors, item, "customer", where).upper()
    if customer not in known["customers"]:
        errors.add(f"{where}.customer", f"there is no customer '{customer}'")
    entered = item.get("entered")
    if not isinstance(entered, date):
        errors.add(f"{where}.entered", "is required: a date such as 2026-11-30")
        entered = date.today()
    users = {}
    for role in ("clerk", "manager"):
        users[role] = _text(errors, item, role, where).lower()
        if users[role] and users[role] not in known["users"]:
            errors.add(f"{where}.{role}", f"there is no user '{users[role]}'")
    if not users["clerk"]:
        errors.add(f"{where}.clerk", "is required: the user who does the steps")
    quote = item.get("quote")
    parts = item.get("parts") or []
    truck = _text(errors, item, "truck", where)
    kinds = sum(bool(x) for x in (quote, parts, truck))
    if kinds != 1:
        errors.add(where, "needs exactly one of quote, truck or parts")
    if quote is not None:
        rep = str(quote.get("rep", "")).lower()
        if rep not in known["users"]:
            errors.add(f"{where}.quote.rep", f"there is no user '{rep}'")
    read_parts = []
    for n, text in enumerate(parts, start=1):
        number, _, amount = str(text).partition(" x")
        if number.strip().upper() not in known["parts"]:
            errors.add(f"{where}.parts[{n}]", f"there is no part '{number.strip()}'")
        parse_quantity(errors, f"{where}.parts[{n}]", amount)
        read_parts.append((number.strip().upper(), amount.strip()))
    steps = []
    for n, text in enumerate(item.get("steps", []), start=1):
        name, _, rest = str(text).strip().partition(" ")
        rest = rest.strip()
        here = f"{where}.steps[{n}]"
        if name not in STEPS:
            errors.add(here, f"'{name}' is not a step ({', '.join(sorted(STEPS))})")
            continue
        count = ARGUMENTS.get(name, 0)
        if count is None and not rest:
            errors.add(here, f"'{name}' needs a note")
        elif count is not None and len(rest.split()) != count:
            errors.add(here, f"'{name}' takes {count or 'no'} argument(s)")
        if name == "allocate" and rest.upper() not in known["vins"]:
            errors.add(here, f"truck {rest} is not in stock")
        if name == "release" and not users["manager"]:
            errors.add(f"{where}.manager", "is required to release a credit hold")
        steps.append((name, rest))
    return _Story(
        where=where,
        customer=customer,
        entered=entered,
        clerk=users["clerk"],
        manager=users["manager"],
        quote=quote,
        trade_in=item.get("trade_in"),
        truck=truck,
        model=_text(errors, item, "model", where),
        price=_text(errors, item, "price", where),
        reference=_text(errors, item, "reference", where),
        parts=read_parts,
        steps=steps,
    )


def _known(db: Database, stories: list[dict[str, Any]]) -> dict[str, set[str]]:
    with db.read() as session:
        numbers = {str(s.get("customer", "")).upper() for s in stories}
        wanted_parts = {
            str(text).partition(" x")[0].strip().upper()
            for s in stories
            for text in s.get("parts") or []
        }
        return {
            "customers": set(
                session.scalars(
                    select(Account.number).where(Account.number.in_(numbers))
                )
            ),
            "users": {
                name.lower()
                for name in session.scalars(
                    select(User.username).where(User.active.is_(True))
                )
            },
            "parts": set(parts_by_number(session, wanted_parts)),
            "vins": set(session.scalars(select(StockUnit.vin))),
        }


def import_order_story(
    db: Database, actor: Actor, path: Path, now: datetime | None = None
) -> ImportReport:
    """Take the file's orders through their steps; `now` is the day of the
    steps after entry (today by default)."""
    actor.require(Permission.IMPORT_DATA)
    actor.require(Permission.MANAGE_USERS)
    report = ImportReport("orders")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        report.problems.append(Problem("file", str(exc)))
        report.bad_lines.add(0)
        return report
    items = data.get("orders", [])
    known = _known(db, items)
    errors = FieldErrors()
    stories = [
        _read(item, f"orders[{n}]", errors, known)
        for n, item in enumerate(items, start=1)
    ]
    report.rows = len(stories)
    if errors:
        report.problems.extend(errors.problems)
        report.bad_lines.add(0)
        return report
    for story in stories:
        try:
            _tell(db, story, now)
        except DealerError as refusal:
            raise DealerError(f"{story.where}: {refusal.message}") from None
        report.imported += 1
    report.written = True
    return report


def _user(db: Database, username: str) -> Actor:
    with db.read() as session:
        user = session.scalars(
            select(User).where(func.lower(User.username) == username)
        ).one()
        return actor_for(user)


def _entered_at(db: Database, story: _Story) -> datetime:
    with db.read() as session:
        zone = session.scalar(
            select(Branch.time_zone)
            .join(Account, Account.branch_id == Branch.id)
            .where(Account.number == story.customer)
        )
    return datetime.combine(story.entered, time(9), ZoneInfo(zone or "UTC"))


def _quoted(db: Database, story: _Story, account_id: int) -> int:
    """The quote made, configured, priced, sent and accepted; its id."""
    assert story.quote is not None
    rep = _user(db, str(story.quote["rep"]).lower())
    quote = quotes.new_quote(db, rep, account_id, str(story.quote["model"]))
    session = quotes.open_configurator(db, rep, quote.id)
    try:
        config = session.configuration
        for option in story.quote.get("choose", []):
            config = config.choose(str(option))
        quote = quotes.save_configuration(db, rep, quote.id, quote.version, config)
    finally:
        session.close()
    if story.quote.get("discount"):
        quote = quotes.set_discounts(
            db,
            rep,
            quote.id,
            quote.version,
            quotes.PricingForm({}, str(story.quote["discount"])),
        )
    if story.trade_in:
        trade = story.trade_in
        quote = quotes.set_trade_in(
            db,
            rep,
            quote.id,
            quote.version,
            quotes.TradeInForm(
                str(trade["description"]),
                str(trade["appraised"]),
                str(trade["allowance"]),
                str(trade.get("payout", "")),
            ),
        )
    quote = quotes.send(db, rep, quote.id, quote.version)
    quote = quotes.accept(db, rep, quote.id, quote.version)
    return quote.id


def _tell(db: Database, story: _Story, now: datetime | None) -> None:
    clerk = _user(db, story.clerk)
    entered = _entered_at(db, story)
    with db.read() as session:
        account_id = session.scalar(
            select(Account.id).where(Account.number == story.customer)
        )
        units = dict(session.execute(select(StockUnit.vin, StockUnit.id)).all())
    assert account_id is not None
    if story.quote:
        order_id = services.create_order_from_quote(
            db, clerk, _quoted(db, story, account_id), at=entered
        )
    elif story.parts:
        order_id = counter.new_counter_sale(
            db, clerk, story.customer, story.reference, at=entered
        )
        for number, amount in story.parts:
            view = order_view(db, clerk, order_id)
            counter.add_part(db, clerk, order_id, view.version, number, amount)
    else:
        order_id = services.create_order(
            db,
            clerk,
            services.OrderForm(
                customer=story.customer,
                description=story.truck,
                unit_price=story.price,
                model_code=story.model,
                customer_reference=story.reference,
            ),
            at=entered,
        )
    for name, rest in story.steps:
        version = order_view(db, clerk, order_id).version
        if name == "confirm":
            services.confirm_order(db, clerk, order_id, version, at=entered)
        elif name == "release":
            manager = _user(db, story.manager)
            services.release_credit_hold(db, manager, order_id, version, rest)
        elif name == "factory":
            ref, arrival = rest.split()
            delivery.order_from_factory(db, clerk, order_id, version, ref, arrival)
        elif name == "allocate":
            unit = units[rest.upper()]
            delivery.allocate_unit(db, clerk, order_id, version, unit)
        elif name == "plan":
            delivery.plan_delivery(db, clerk, order_id, version, rest)
        elif name == "inspect":
            delivery.book_pdi(db, clerk, order_id, version, at=now)
        elif name == "ready":
            delivery.mark_ready(db, clerk, order_id, version)
        elif name == "deliver":
            delivery.deliver(db, clerk, order_id, version, at=now)
        elif name == "sell":
            counter.sell(db, clerk, order_id, version, at=now)


# The demo's day: Friday 4 December 2026, 09:00 in Melbourne.
DEMO_NOW = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)


def demo_stock_units(db: Database, actor: Actor, folder: Path) -> ImportReport:
    """The demo's trucks in stock and on their way, received on its day."""
    from dealer_tui.orders.stock import receive_units

    report = receive_units(
        db, actor, folder / "orders" / "stock_units.csv", at=DEMO_NOW
    )
    if not report.written:
        details = "; ".join(str(p) for p in report.problems[:5])
        raise DealerError(
            f"The demo file orders/stock_units.csv did not import: {details}"
        )
    return report


def demo_orders(db: Database, actor: Actor, folder: Path) -> ImportReport:
    """The demo's orders, taken through their steps up to the demo's day."""
    report = import_order_story(db, actor, folder / "orders" / "orders.toml", DEMO_NOW)
    if not report.written:
        details = "; ".join(str(p) for p in report.problems[:5])
        raise DealerError(f"The demo file orders/orders.toml did not import: {details}")
    return report
