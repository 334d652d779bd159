"""Orders, their lines, trucks in stock and which truck is whose.

A unit is allocated to an order by a row of ``unit_allocations``: the
database refuses a second row for the same unit or the same order, so two
workstations allocating one truck at the same moment cannot both succeed.
Quotes, parts and workshop jobs live in other areas' lines of migrations
and are referred to by plain ids.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dealer_tui.core.model import Base, Versioned, money_column
from dealer_tui.core.types import ExactDecimal, UTCDateTime, utc_now

NO_MONEY = Decimal("0.00")

IN_STOCK = "in_stock"
ON_ORDER = "on_order"
ALLOCATED = "allocated"
DELIVERED = "delivered"
UNIT_STATUSES = (ON_ORDER, IN_STOCK, ALLOCATED, DELIVERED)


class Order(Versioned, Base):
    """A vehicle order or a parts counter sale, from entry to invoice."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_state", "state", "number"),
        Index("ix_orders_account", "account_id", "state"),
        Index("ix_orders_delivery", "planned_delivery"),
        Index("ix_orders_rep", "rep_id"),
        # The home screen's panels: held orders, and a branch's sales of a day.
        Index("ix_orders_hold", "credit_hold", "state"),
        Index("ix_orders_day", "kind", "ordered_on", "branch_id"),
        UniqueConstraint("quote_id", name="uq_orders_quote_id"),
        CheckConstraint("kind IN ('vehicle', 'parts')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="vehicle")
    state: Mapped[str] = mapped_column(String(24), default="entered")
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    ordered_on: Mapped[date] = mapped_column(Date)
    customer_reference: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    model_code: Mapped[str] = mapped_column(String(30), default="")
    # The quote the order was made from: a plain id, quotes being another
    # area's tables; the number and version are kept for the screen.
    quote_id: Mapped[int | None] = mapped_column(Integer)
    quote_number: Mapped[str] = mapped_column(String(20), default="")
    quote_revision: Mapped[int | None] = mapped_column(Integer)

    total_discount: Mapped[Decimal] = money_column(default=NO_MONEY)
    trade_in_description: Mapped[str] = mapped_column(String(200), default="")
    trade_in_appraised: Mapped[Decimal] = money_column(default=NO_MONEY)
    trade_in_allowance: Mapped[Decimal] = money_column(default=NO_MONEY)
    trade_in_payout: Mapped[Decimal] = money_column(default=NO_MONEY)
    # Worked out again on every change of the lines (orders.totals).
    list_total: Mapped[Decimal] = money_column(default=NO_MONEY)
    net_total: Mapped[Decimal] = money_column(default=NO_MONEY)
    gst: Mapped[Decimal] = money_column(default=NO_MONEY)
    total: Mapped[Decimal] = money_column(default=NO_MONEY)
    payable: Mapped[Decimal] = money_column(default=NO_MONEY)

    credit_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    credit_reason: Mapped[str] = mapped_column(String(400), default="")
    credit_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credit_released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    credit_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credit_release_note: Mapped[str] = mapped_column(String(300), default="")

    factory_order_ref: Mapped[str] = mapped_column(String(40), default="")
    expected_arrival: Mapped[date | None] = mapped_column(Date)
    planned_delivery: Mapped[date | None] = mapped_column(Date)
    # "" (not planned yet), "needed", "booked" or "done"; the job is the
    # workshop's, referred to by its id.
    pdi_status: Mapped[str] = mapped_column(String(10), default="")
    pdi_job_id: Mapped[int | None] = mapped_column(Integer)
    pdi_job_number: Mapped[str] = mapped_column(String(20), default="")
    delivered_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")
    invoice_number: Mapped[str] = mapped_column(String(20), default="")
    invoiced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order",
        order_by="OrderLine.position",
        cascade="all, delete-orphan",
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    code: Mapped[str] = mapped_column(String(30), default="")
    description: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(120), default="")
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(14, 3))
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))
    discount: Mapped[Decimal] = money_column(default=NO_MONEY)
    # The line's share of the discount on the total, and its net after both.
    total_discount_share: Mapped[Decimal] = money_column(default=NO_MONEY)
    net: Mapped[Decimal] = money_column(default=NO_MONEY)
    # UNCL5305 tax category, as invoices carry it.
    tax_category: Mapped[str] = mapped_column(String(2), default="S")
    # A part sold over the counter: the parts area's id.
    part_id: Mapped[int | None] = mapped_column(Integer)

    order: Mapped[Order] = relationship(back_populates="lines")


class StockUnit(Versioned, Base):
    """A truck the dealer holds, or has coming from the factory."""

    __tablename__ = "stock_units"
    __table_args__ = (
        Index("ix_stock_units_status", "status", "branch_id"),
        Index(
            "ix_stock_units_vin_tail",
            "vin_tail",
            postgresql_ops={"vin_tail": "varchar_pattern_ops"},
        ),
        Index("ix_stock_units_factory_ref", "factory_order_ref"),
        CheckConstraint(
            "status IN ('on_order', 'in_stock', 'allocated', 'delivered')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vin: Mapped[str] = mapped_column(String(17), unique=True)
    vin_tail: Mapped[str] = mapped_column(String(6))
    make: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(80))
    model_year: Mapped[int | None] = mapped_column(Integer)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    status: Mapped[str] = mapped_column(String(10), default=IN_STOCK)
    cost: Mapped[Decimal] = money_column(default=NO_MONEY)
    received_on: Mapped[date | None] = mapped_column(Date)
    factory_order_ref: Mapped[str] = mapped_column(String(40), default="")
    expected_arrival: Mapped[date | None] = mapped_column(Date)
    # The customer's vehicle record once the truck is sold (or booked for
    # its pre-delivery inspection), so the workshop sees it.
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"))
    notes: Mapped[str] = mapped_column(String(300), default="")


class UnitAllocation(Base):
    """One truck given to one order; each unique, whoever tries at once."""

    __tablename__ = "unit_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("stock_units.id"), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    allocated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
