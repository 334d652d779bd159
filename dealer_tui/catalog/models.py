"""Catalogue and quote tables: ranges with their rules, price lists, quotes.

A range's options and rules are kept as the catalogue text it was imported
from, revision by revision, and read back into the configurator from there;
its models, options and products are also kept as rows so that they can be
listed, searched and priced.  Prices live in dated price lists: a quote is
priced from the list in force on its price date and keeps those prices.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dealer_tui.core.model import Base, Versioned
from dealer_tui.core.types import ExactDecimal, UTCDateTime, utc_now


class CatalogRange(Base):
    """A model range and the catalogue text its rules are read from."""

    __tablename__ = "catalog_ranges"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    make: Mapped[str] = mapped_column(String(60))
    currency: Mapped[str] = mapped_column(String(3))
    rules_text: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(200))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    imported_by_id: Mapped[int | None] = mapped_column(Integer)


class CatalogModel(Base):
    __tablename__ = "catalog_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    range_id: Mapped[int] = mapped_column(ForeignKey("catalog_ranges.id"))
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CatalogOption(Base):
    __tablename__ = "catalog_options"
    __table_args__ = (UniqueConstraint("range_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    range_id: Mapped[int] = mapped_column(ForeignKey("catalog_ranges.id"))
    family_code: Mapped[str] = mapped_column(String(30))
    family_name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class Product(Versioned, Base):
    """Something sold beside the truck: an accessory, an R&M contract, a warranty."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PriceList(Base):
    """List prices of a range (or of the products) from a date on."""

    __tablename__ = "price_lists"
    __table_args__ = (UniqueConstraint("scope", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A range code, or "PRODUCTS" for accessories and contracts.
    scope: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class Price(Base):
    __tablename__ = "prices"
    __table_args__ = (UniqueConstraint("price_list_id", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_lists.id"))
    # A model code (base price), an option code or a product code.
    item_code: Mapped[str] = mapped_column(String(30))
    amount: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))


class Quote(Versioned, Base):
    """One version of a quote; revising makes the next version, same number."""

    __tablename__ = "quotes"
    __table_args__ = (
        UniqueConstraint("number", "revision"),
        Index("ix_quotes_state", "state"),
        Index("ix_quotes_account_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    range_code: Mapped[str] = mapped_column(String(20))
    model_code: Mapped[str] = mapped_column(String(30))
    # The options the user chose, in order; the rest follow from the rules.
    choices: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Whether every family the model needs has its option: a quote is sent
    # only for a complete truck.
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    price_date: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    total_discount: Mapped[Decimal] = mapped_column(
        ExactDecimal(18, 2), default=Decimal("0.00")
    )
    trade_in_description: Mapped[str] = mapped_column(String(200), default="")
    trade_in_appraised: Mapped[Decimal] = mapped_column(
        ExactDecimal(18, 2), default=Decimal("0.00")
    )
    trade_in_allowance: Mapped[Decimal] = mapped_column(
        ExactDecimal(18, 2), default=Decimal("0.00")
    )
    trade_in_payout: Mapped[Decimal] = mapped_column(
        ExactDecimal(18, 2), default=Decimal("0.00")
    )
    finance_kind: Mapped[str] = mapped_column(String(10), default="")
    finance_rate: Mapped[Decimal] = mapped_column(
        ExactDecimal(9, 4), default=Decimal("0.0000")
    )
    finance_term_months: Mapped[int] = mapped_column(Integer, default=0)
    finance_deposit: Mapped[Decimal] = mapped_column(
        ExactDecimal(18, 2), default=Decimal("0.00")
    )
    finance_balloon: Mapped[Decimal] = mapped_column(
        ExactDecimal(18, 2), default=Decimal("0.00")
    )
    # Totals are written on every save and frozen once the quote is sent.
    net_total: Mapped[Decimal] = mapped_column(
        ExactDecimal(18, 2), default=Decimal("0.00")
    )
    gst: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2), default=Decimal("0.00"))
    payable: Mapped[Decimal] = mapped_column(
        ExactDecimal(18, 2), default=Decimal("0.00")
    )
    discount_percent: Mapped[Decimal] = mapped_column(
        ExactDecimal(9, 2), default=Decimal("0.00")
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_percent: Mapped[Decimal | None] = mapped_column(ExactDecimal(9, 2))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str] = mapped_column(String(300), default="")
    superseded_by_id: Mapped[int | None] = mapped_column(Integer)
    order_id: Mapped[int | None] = mapped_column(Integer)

    lines: Mapped[list[QuoteLineRow]] = relationship(
        back_populates="quote",
        order_by="QuoteLineRow.position",
        cascade="all, delete-orphan",
    )


class QuoteLineRow(Base):
    __tablename__ = "quote_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    code: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(120), default="")
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(14, 3))
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))
    discount: Mapped[Decimal] = mapped_column(
        ExactDecimal(18, 2), default=Decimal("0.00")
    )
    # How the option came to be on the truck: chosen, default or forced.
    origin: Mapped[str] = mapped_column(String(10), default="")

    quote: Mapped[Quote] = relationship(back_populates="lines")
