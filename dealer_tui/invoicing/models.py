"""Invoices, credit notes, their lines and taxes, and payments received.

An invoice is a draft until it is posted.  Posting gives it its number,
freezes the seller's and the buyer's details as they were that day, and
fixes every amount; from then on only its open amount moves, as payments
and credit notes are applied to it.  A credit note is an invoice row of
document type "credit_note" that points at the invoice it corrects.
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dealer_tui.core.model import Base, Versioned, money_column
from dealer_tui.core.types import ExactDecimal, UTCDateTime, utc_now
from dealer_tui.invoicing.document import INVOICE

DRAFT = "draft"
POSTED = "posted"
NO_MONEY = Decimal("0.00")


class Invoice(Versioned, Base):
    """A tax invoice or a credit note, with the totals it was posted with."""

    __tablename__ = "invoices"
    __table_args__ = (
        # A source (a workshop job's part for one payer, a delivered order)
        # is invoiced at most once, whatever number of runs try at once.
        # By-hand invoices and credit notes leave all three empty.
        UniqueConstraint(
            "source_kind", "source_ref", "source_payer", name="uq_invoices_source"
        ),
        CheckConstraint(
            "(source_kind IS NULL AND source_ref IS NULL AND source_payer IS NULL)"
            " OR (source_kind IS NOT NULL AND source_ref IS NOT NULL"
            " AND source_payer IS NOT NULL)",
            name="source_complete",
        ),
        CheckConstraint("status IN ('draft', 'posted')", name="status"),
        CheckConstraint(
            "document_type IN ('invoice', 'credit_note')", name="document_type"
        ),
        CheckConstraint(
            "status = 'draft' OR number IS NOT NULL", name="posted_has_number"
        ),
        Index("ix_invoices_date", "invoice_date", "id"),
        Index("ix_invoices_account", "account_id", "document_type", "status"),
        Index("ix_invoices_status", "status", "invoice_date", "id"),
        Index("ix_invoices_due", "due_date"),
        # Open invoices, for the overdue panel and ageing (migration 0008).
        Index(
            "ix_invoices_open",
            "status",
            "document_type",
            "open_amount",
            "due_date",
            "branch_id",
        ),
        # The invoice list's own order over the invoices still owed: "open"
        # and "overdue" read a page of it instead of sorting every open
        # invoice (migration 0010).
        Index(
            "ix_invoices_owed_by_date",
            "status",
            "document_type",
            "invoice_date",
            "id",
            sqlite_where=text("open_amount > 0"),
            postgresql_where=text("open_amount > 0"),
        ),
        Index(
            "ix_invoices_buyer_key",
            "buyer_key",
            postgresql_ops={"buyer_key": "varchar_pattern_ops"},
        ),
        Index(
            "ix_invoices_number",
            "number",
            unique=True,
            postgresql_ops={"number": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_type: Mapped[str] = mapped_column(String(12), default=INVOICE)
    # Who pays: customer, warranty, contract, internal or sublet.
    kind: Mapped[str] = mapped_column(String(10), default="customer")
    status: Mapped[str] = mapped_column(String(8), default=DRAFT)
    # Drafts have no number; posting takes the next one of the series.
    number: Mapped[str | None] = mapped_column(String(20))
    series: Mapped[str] = mapped_column(String(8))
    invoice_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    buyer_reference: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    source_kind: Mapped[str | None] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(String(40))
    source_payer: Mapped[str | None] = mapped_column(String(10))
    credited_invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoices.id"), index=True
    )

    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    prices_include_tax: Mapped[bool] = mapped_column(Boolean, default=False)
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)

    # The parties as they were when the invoice was posted.
    seller_name: Mapped[str] = mapped_column(String(200), default="")
    seller_abn: Mapped[str] = mapped_column(String(20), default="")
    seller_address: Mapped[str] = mapped_column(String(300), default="")
    seller_phone: Mapped[str] = mapped_column(String(32), default="")
    buyer_number: Mapped[str] = mapped_column(String(20), default="")
    buyer_name: Mapped[str] = mapped_column(String(200), default="")
    buyer_key: Mapped[str] = mapped_column(String(200), default="")
    buyer_abn: Mapped[str] = mapped_column(String(20), default="")
    buyer_street: Mapped[str] = mapped_column(String(200), default="")
    buyer_suburb: Mapped[str] = mapped_column(String(100), default="")
    buyer_state: Mapped[str] = mapped_column(String(8), default="")
    buyer_postcode: Mapped[str] = mapped_column(String(10), default="")
    buyer_country: Mapped[str] = mapped_column(String(2), default="AU")

    line_extension_total: Mapped[Decimal] = money_column(default=NO_MONEY)
    allowance_total: Mapped[Decimal] = money_column(default=NO_MONEY)
    charge_total: Mapped[Decimal] = money_column(default=NO_MONEY)
    tax_exclusive_total: Mapped[Decimal] = money_column(default=NO_MONEY)
    tax_total: Mapped[Decimal] = money_column(default=NO_MONEY)
    total: Mapped[Decimal] = money_column(default=NO_MONEY)
    # What is still to be paid (an invoice) or still to be refunded or used
    # (a credit note), and what credit notes took off an invoice: the only
    # amounts that move after posting.
    open_amount: Mapped[Decimal] = money_column(default=NO_MONEY)
    credited_amount: Mapped[Decimal] = money_column(default=NO_MONEY)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    posted_by_id: Mapped[int | None] = mapped_column(Integer)

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice",
        order_by="InvoiceLine.position",
        cascade="all, delete-orphan",
    )
    taxes: Mapped[list[InvoiceTax]] = relationship(
        order_by="InvoiceTax.position", cascade="all, delete-orphan"
    )


class InvoiceLine(Base):
    """A priced line, a document allowance or a document charge.

    Items carry a quantity, a unit price and a discount; allowances and
    charges carry their amount as the unit price of one.  `net_amount` is
    the tax-exclusive net the totals gave it.
    """

    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_position"),
        CheckConstraint(
            "line_kind IN ('item', 'allowance', 'charge')", name="line_kind"
        ),
        CheckConstraint("category IN ('S', 'Z', 'E')", name="category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    line_kind: Mapped[str] = mapped_column(String(10), default="item")
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(14, 3))
    # UN/ECE recommendation 20 code: EA each, HUR hour, LTR litre.
    unit_code: Mapped[str] = mapped_column(String(3), default="EA")
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal(18, 4))
    discount: Mapped[Decimal] = money_column(default=NO_MONEY)
    category: Mapped[str] = mapped_column(String(1), default="S")
    rate: Mapped[Decimal] = mapped_column(ExactDecimal(9, 4))
    net_amount: Mapped[Decimal] = money_column(default=NO_MONEY)
    # On a credit note: the invoice line it takes back, and whether it gives
    # money back on that line without taking units back.
    credited_line_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_lines.id"))
    price_adjustment: Mapped[bool] = mapped_column(Boolean, default=False)
    source_line_ref: Mapped[str] = mapped_column(String(40), default="")

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class InvoiceTax(Base):
    """The tax base and tax of one category and rate, as posted."""

    __tablename__ = "invoice_taxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(1))
    rate: Mapped[Decimal] = mapped_column(ExactDecimal(9, 4))
    taxable_amount: Mapped[Decimal] = money_column(default=NO_MONEY)
    tax_amount: Mapped[Decimal] = money_column(default=NO_MONEY)


class Payment(Base):
    """Money received from a customer against one posted invoice."""

    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))
    method: Mapped[str] = mapped_column(String(10), default="eft")
    reference: Mapped[str] = mapped_column(String(40), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    recorded_by_id: Mapped[int | None] = mapped_column(Integer)
