"""The parts catalogue, stock per branch, reservations and deliveries."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from dealer_tui.core.model import Base, Versioned
from dealer_tui.core.types import ExactDecimal, UTCDateTime, utc_now

ZERO = Decimal("0.000")


class Part(Versioned, Base):
    """A part the dealer sells or fits: its number, description and price."""

    __tablename__ = "parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_number: Mapped[str] = mapped_column(String(30), unique=True)
    description: Mapped[str] = mapped_column(String(200))
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))
    # UNCL5305 code of the tax category, as invoices carry it ("S" is GST).
    tax_category: Mapped[str] = mapped_column(String(2), default="S")
    unit: Mapped[str] = mapped_column(String(8), default="each")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PartStock(Versioned, Base):
    """A part's stock at one branch: where it lies, on hand and reserved.

    The database refuses a reservation beyond what is on hand; a shortage
    is kept as a reservation awaiting stock, never as negative stock.
    """

    __tablename__ = "part_stock"
    __table_args__ = (
        UniqueConstraint("part_id", "branch_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    bin: Mapped[str] = mapped_column(String(20), default="")
    on_hand: Mapped[Decimal] = mapped_column(ExactDecimal(14, 3), default=ZERO)
    reserved: Mapped[Decimal] = mapped_column(ExactDecimal(14, 3), default=ZERO)


class PartReservation(Base):
    """Parts promised to a source document, such as a workshop job line.

    ``status`` is ``reserved`` (held from stock on hand), ``awaiting``
    (waiting for a delivery, with the day it is expected), ``picked``
    (issued from stock) or ``released`` (given back).
    """

    __tablename__ = "part_reservations"
    __table_args__ = (
        Index("ix_part_reservations_source", "source_kind", "source_id"),
        Index("ix_part_reservations_waiting", "part_id", "branch_id", "status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    source_kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(Integer)
    source_line: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(14, 3))
    status: Mapped[str] = mapped_column(String(10))
    expected_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    changed_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utc_now, onupdate=utc_now
    )


class PartDelivery(Base):
    """A delivery of a part to a branch: expected on a day, then received."""

    __tablename__ = "part_deliveries"
    __table_args__ = (
        Index("ix_part_deliveries_open", "part_id", "branch_id", "received_at"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(14, 3))
    expected_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(40), default="")
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
