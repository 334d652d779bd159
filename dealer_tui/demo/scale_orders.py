"""Open orders of a generated dealership: trucks ordered, parts sales taken.

A dealer group carries thousands of orders between entry and invoice:
trucks ordered for customers (entered, confirmed, ordered from the
factory) and parts sales taken over the counter and not yet sold.  Each
order's lines are priced by the order rules themselves, so its stored
figures are those the workstation would work out, and the orders are
numbered in their series, year by year, without a gap.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from dealer_tui.catalog.models import (
    CatalogModel,
    CatalogOption,
    CatalogRange,
    Price,
    PriceList,
)
from dealer_tui.core.numbering import format_number
from dealer_tui.invoicing.tax import Jurisdiction
from dealer_tui.orders.common import SERIES
from dealer_tui.orders.states import OrderKind, OrderState
from dealer_tui.orders.totals import (
    PART,
    OrderLineIn,
    OrderTotals,
    price_parts_sale,
    price_vehicle_order,
)
from dealer_tui.parts.models import Part

ZERO = Decimal("0.00")
# How far back the open orders were taken, in days.
ORDER_DAYS = 120
# Of a hundred open orders, how many are trucks; the rest are parts sales.
VEHICLE_SHARE = 70
VEHICLE_STATES = (
    (OrderState.ENTERED, 25),
    (OrderState.CONFIRMED, 30),
    (OrderState.ORDERED_FROM_FACTORY, 45),
)


@dataclass(frozen=True)
class Priced:
    """Something an order line can sell: its kind, code, words and price."""

    kind: str
    code: str
    description: str
    family: str
    price: Decimal
    category: str = "S"


@dataclass(frozen=True)
class TruckRange:
    """A range's models and the options that can be added to them."""

    models: tuple[Priced, ...]
    options: tuple[Priced, ...]


@dataclass(frozen=True)
class Buyer:
    """Who an order is for: the account, its branch and its representative."""

    account_id: int
    branch_id: int
    rep_id: int | None


@dataclass
class _Order:
    kind: OrderKind
    state: OrderState
    day: date
    buyer: Buyer
    lines: list[OrderLineIn]
    families: list[str]
    totals: OrderTotals
    total_discount: Decimal
    number: str = ""


def load_ranges(session: Session, as_of: date, skip: Sequence[str]) -> list[TruckRange]:
    """Each range's priced models and options, from the list in force on the day."""
    ranges = []
    for found in session.scalars(
        select(CatalogRange)
        .where(CatalogRange.code.not_in(list(skip)))
        .order_by(CatalogRange.code)
    ):
        price_list = session.scalars(
            select(PriceList)
            .where(PriceList.scope == found.code, PriceList.valid_from <= as_of)
            .order_by(PriceList.valid_from.desc())
            .limit(1)
        ).one_or_none()
        if price_list is None:
            continue
        prices = {
            p.item_code: p.amount
            for p in session.scalars(
                select(Price).where(Price.price_list_id == price_list.id)
            )
        }
        models = tuple(
            Priced("base", m.code, m.name, "", prices[m.code])
            for m in session.scalars(
                select(CatalogModel)
                .where(CatalogModel.range_id == found.id, CatalogModel.active)
                .order_by(CatalogModel.code)
            )
            if prices.get(m.code, ZERO) > 0
        )
        options = tuple(
            Priced("option", o.code, o.name, o.family_name, prices[o.code])
            for o in session.scalars(
                select(CatalogOption)
                .where(CatalogOption.range_id == found.id, ~CatalogOption.is_default)
                .order_by(CatalogOption.code)
            )
            if prices.get(o.code, ZERO) > 0
        )
        if models:
            ranges.append(TruckRange(models, options))
    return ranges


def load_parts(session: Session) -> list[Priced]:
    return [
        Priced(PART, p.part_number, p.description, "", p.unit_price, p.tax_category)
        for p in session.scalars(
            select(Part).where(Part.active).order_by(Part.part_number)
        )
        if p.unit_price > 0
    ]


class OpenOrders:
    """Plans the open orders of a generated dealership and gives their rows."""

    def __init__(
        self,
        rng: random.Random,
        as_of: date,
        buyers: Sequence[Buyer],
        ranges: Sequence[TruckRange],
        parts: Sequence[Priced],
        places: dict[int, Jurisdiction],
        actor_id: int | None,
    ) -> None:
        self.rng = rng
        self.as_of = as_of
        self.buyers = buyers
        self.ranges = ranges
        self.parts = parts
        self.places = places
        self.actor_id = actor_id
        self.orders: list[_Order] = []
        self.last: dict[tuple[str, str, int], int] = {}

    def plan(self, count: int) -> None:
        rng = self.rng
        for _ in range(count):
            buyer = self.buyers[rng.randrange(len(self.buyers))]
            day = self.as_of - timedelta(days=rng.randrange(ORDER_DAYS))
            if self.ranges and rng.randrange(100) < VEHICLE_SHARE:
                self.orders.append(self._truck(buyer, day))
            elif self.parts:
                self.orders.append(self._parts_sale(buyer, day))
        self.orders.sort(key=lambda o: (o.day, o.kind.value))
        for order in self.orders:
            series, prefix = SERIES[order.kind]
            key = (series, prefix, order.day.year)
            self.last[key] = self.last.get(key, 0) + 1
            order.number = format_number(prefix, order.day.year, self.last[key])

    def _truck(self, buyer: Buyer, day: date) -> _Order:
        rng = self.rng
        truck = self.ranges[rng.randrange(len(self.ranges))]
        model = truck.models[rng.randrange(len(truck.models))]
        # One option of each family chosen, as the configurator allows.
        families = sorted({o.family for o in truck.options})
        picked = rng.sample(families, min(len(families), rng.randint(2, 5)))
        chosen = [
            rng.choice([o for o in truck.options if o.family == family])
            for family in picked
        ]
        sold = [model, *sorted(chosen, key=lambda o: o.code)]
        lines = [
            OrderLineIn(item.kind, item.code, item.description, Decimal(1), item.price)
            for item in sold
        ]
        discount = ZERO
        if rng.randrange(3) == 0:
            # A round discount on the total, as a representative gives one.
            discount = Decimal(rng.randrange(5, 40) * 100)
        totals = price_vehicle_order(
            lines, self.places[buyer.branch_id], total_discount=discount
        )
        states = [s for s, _ in VEHICLE_STATES]
        weights = [w for _, w in VEHICLE_STATES]
        state = rng.choices(states, weights)[0]
        return _Order(
            OrderKind.VEHICLE,
            state,
            day,
            buyer,
            lines,
            [item.family for item in sold],
            totals,
            discount,
        )

    def _parts_sale(self, buyer: Buyer, day: date) -> _Order:
        rng = self.rng
        chosen = rng.sample(self.parts, min(len(self.parts), rng.randint(1, 4)))
        lines = [
            OrderLineIn(
                PART,
                part.code,
                part.description,
                Decimal(rng.randint(1, 4)),
                part.price,
                category=part.category,
            )
            for part in chosen
        ]
        totals = price_parts_sale(lines, self.places[buyer.branch_id])
        return _Order(
            OrderKind.PARTS,
            OrderState.ENTERED,
            day,
            buyer,
            lines,
            ["" for _ in lines],
            totals,
            ZERO,
        )

    # --- rows -----------------------------------------------------------

    def order_rows(self, table: Table, first: int) -> Iterator[tuple[Any, ...]]:
        blank = _defaults(table)
        for n, order in enumerate(self.orders):
            at = datetime.combine(order.day, time(9), UTC)
            row = dict(blank)
            row.update(
                id=first + n,
                number=order.number,
                kind=order.kind.value,
                state=order.state.value,
                account_id=order.buyer.account_id,
                rep_id=order.buyer.rep_id if order.kind is OrderKind.VEHICLE else None,
                branch_id=order.buyer.branch_id,
                ordered_on=order.day,
                description=order.lines[0].description,
                model_code=(
                    order.lines[0].code if order.kind is OrderKind.VEHICLE else ""
                ),
                total_discount=order.total_discount,
                list_total=order.totals.list_total,
                net_total=order.totals.net_total,
                gst=order.totals.gst,
                total=order.totals.total,
                payable=order.totals.payable,
                created_at=at,
                created_by_id=self.actor_id,
                updated_at=at,
                updated_by_id=self.actor_id,
            )
            if order.state is not OrderState.ENTERED:
                row["credit_checked_at"] = at
            if order.state is OrderState.ORDERED_FROM_FACTORY:
                row["factory_order_ref"] = f"F{order.number[2:].replace('-', '')}"
                row["expected_arrival"] = order.day + timedelta(days=70)
                row["planned_delivery"] = order.day + timedelta(days=84)
            yield tuple(row[name] for name in table.columns.keys())  # noqa: SIM118

    def line_rows(
        self, table: Table, first_order: int, first: int
    ) -> Iterator[tuple[Any, ...]]:
        blank = _defaults(table)
        line_id = first
        for n, order in enumerate(self.orders):
            totals = order.totals
            for position, (line, family) in enumerate(
                zip(order.lines, order.families, strict=True), start=1
            ):
                row = dict(blank)
                row.update(
                    id=line_id,
                    order_id=first_order + n,
                    position=position,
                    kind=line.kind,
                    code=line.code,
                    description=line.description,
                    family=family,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    discount=line.discount,
                    total_discount_share=totals.shares[position - 1],
                    net=totals.line_nets[position - 1],
                    tax_category=line.category,
                )
                line_id += 1
                yield tuple(row[name] for name in table.columns.keys())  # noqa: SIM118

    @property
    def line_count(self) -> int:
        return sum(len(order.lines) for order in self.orders)


def _defaults(table: Table) -> dict[str, Any]:
    """Each column's plain default, None where it has none (or a computed one)."""
    values: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        scalar = default is not None and getattr(default, "is_scalar", False)
        values[column.name] = default.arg if scalar else None  # type: ignore[union-attr]
    return values
