"""Customer accounts and the people the dealer deals with there."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dealer_tui.core.model import Base, Versioned
from dealer_tui.core.types import ExactDecimal
from dealer_tui.leads.matching import normalise_company_name


def _match_name(context: Any) -> str:
    """The inserted name's duplicate-detection key, also for bulk imports."""
    return normalise_company_name(context.get_current_parameters().get("name") or "")


class Account(Versioned, Base):
    """A customer: a company or a private buyer, with credit terms."""

    __tablename__ = "accounts"
    __table_args__ = (
        # Prefix LIKE uses a btree index on PostgreSQL only with pattern ops.
        Index(
            "ix_accounts_name_key",
            "name_key",
            postgresql_ops={"name_key": "varchar_pattern_ops"},
        ),
        Index("ix_accounts_tax_id", "tax_id"),
        Index("ix_accounts_match_name", "match_name"),
        # The list's order, "starts with" on the number, a representative's
        # accounts and the credit holds (migration 0008).
        Index("ix_accounts_name_order", "name_key", "id"),
        Index(
            "ix_accounts_number_pattern",
            "number",
            postgresql_ops={"number": "varchar_pattern_ops"},
        ),
        Index("ix_accounts_sales_rep", "sales_rep_id", "name_key"),
        Index("ix_accounts_credit_hold", "credit_hold", "name_key"),
        # A fragment from the middle of the name is found on an index of its
        # trigrams that migration 0009 builds outside the models: a full-text
        # table on SQLite, a pg_trgm index on PostgreSQL (search.names).
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Upper-cased name without punctuation, for prefix search on an index.
    name_key: Mapped[str] = mapped_column(String(200))
    # The name as duplicate detection compares it (leads.matching); kept in
    # step with the name by whoever changes the name.
    match_name: Mapped[str] = mapped_column(
        String(200), default=_match_name, server_default=""
    )
    kind: Mapped[str] = mapped_column(String(10), default="company")
    tax_id: Mapped[str] = mapped_column(String(20), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    suburb: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(8), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    country: Mapped[str] = mapped_column(String(2), default="AU")
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    sales_rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    credit_limit: Mapped[Decimal] = mapped_column(
        ExactDecimal(18, 2), default=Decimal("0.00")
    )
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    credit_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="account", order_by="Contact.id"
    )


class Contact(Versioned, Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    primary: Mapped[bool] = mapped_column(Boolean, default=False)

    account: Mapped[Account] = relationship(back_populates="contacts")
