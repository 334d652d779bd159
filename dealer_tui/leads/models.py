"""Leads, their contacts and activities, ranking schemes and opportunities.

A lead keeps its duplicate-detection keys (leads.matching) in indexed
columns, and its score in an indexed column so the list sorts by it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dealer_tui.core.model import Base, Versioned
from dealer_tui.core.types import ExactDecimal, UTCDateTime, utc_now


class Lead(Versioned, Base):
    """A suspect or prospect: a company the dealer may sell trucks to."""

    __tablename__ = "leads"
    __table_args__ = (
        Index(
            "ix_leads_company_key",
            "company_key",
            postgresql_ops={"company_key": "varchar_pattern_ops"},
        ),
        Index("ix_leads_score", "score", "id"),
        Index("ix_leads_company_order", "company_key", "id"),
        Index("ix_leads_status", "status"),
        Index("ix_leads_segment", "segment"),
        Index("ix_leads_owner", "owner_id", "next_contact_on"),
        Index("ix_leads_next_contact_on", "next_contact_on"),
        Index("ix_leads_match_name", "match_name"),
        Index("ix_leads_abn", "abn"),
        Index("ix_leads_phone_key", "phone_key"),
        Index("ix_leads_email_key", "email_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    company: Mapped[str] = mapped_column(String(200))
    # Upper case without punctuation, for typing a filter on an index.
    company_key: Mapped[str] = mapped_column(String(200))
    # The company name as duplicate detection compares it.
    match_name: Mapped[str] = mapped_column(String(200))
    abn: Mapped[str] = mapped_column(String(11), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    phone_key: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    email_key: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(20))
    segment: Mapped[str] = mapped_column(String(20))
    fleet_size: Mapped[int | None] = mapped_column(Integer)
    fleet_makes: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(40), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16))
    disqualification_reason: Mapped[str] = mapped_column(String(300), default="")

    in_business: Mapped[str] = mapped_column(String(8), default="unknown")
    financially_viable: Mapped[str] = mapped_column(String(8), default="unknown")
    segment_applicable: Mapped[str] = mapped_column(String(8), default="unknown")
    open_to_brand: Mapped[str] = mapped_column(String(8), default="unknown")
    open_to_after_sales: Mapped[str] = mapped_column(String(8), default="unknown")

    after_sales_penetration: Mapped[int | None] = mapped_column(Integer)
    finance_openness: Mapped[int | None] = mapped_column(Integer)
    brand_values_fit: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[Decimal] = mapped_column(ExactDecimal(5, 2), default=Decimal("0.00"))

    # The earliest due date of the lead's planned activities.
    next_contact_on: Mapped[date | None] = mapped_column(Date)
    # An account the lead was linked to as a possible duplicate, or the
    # account it was converted into.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    linked_lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(Integer)

    contacts: Mapped[list[LeadContact]] = relationship(
        back_populates="lead", order_by="LeadContact.id"
    )


class LeadContact(Versioned, Base):
    """A person the sales rep talks to at the lead's company."""

    __tablename__ = "lead_contacts"
    __table_args__ = (
        Index("ix_lead_contacts_phone_key", "phone_key"),
        Index("ix_lead_contacts_email_key", "email_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    phone_key: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    email_key: Mapped[str] = mapped_column(String(200), default="")
    primary: Mapped[bool] = mapped_column(Boolean, default=False)

    lead: Mapped[Lead] = relationship(back_populates="contacts")


class LeadActivity(Versioned, Base):
    """A call, visit, meeting or e-mail planned for a lead, and how it went."""

    __tablename__ = "lead_activities"
    __table_args__ = (
        Index("ix_lead_activities_open", "done", "due_on"),
        Index("ix_lead_activities_lead", "lead_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"))
    kind: Mapped[str] = mapped_column(String(12))
    due_on: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class RankingWeights(Versioned, Base):
    """A segment's ranking weights as the sales manager set them."""

    __tablename__ = "ranking_weights"

    id: Mapped[int] = mapped_column(primary_key=True)
    segment: Mapped[str] = mapped_column(String(20), unique=True)
    fleet_size: Mapped[Decimal] = mapped_column(ExactDecimal(7, 2))
    after_sales_penetration: Mapped[Decimal] = mapped_column(ExactDecimal(7, 2))
    finance_openness: Mapped[Decimal] = mapped_column(ExactDecimal(7, 2))
    brand_values_fit: Mapped[Decimal] = mapped_column(ExactDecimal(7, 2))


class Opportunity(Versioned, Base):
    """Trucks a converted prospect may buy: value, close date and stage."""

    __tablename__ = "opportunities"
    __table_args__ = (Index("ix_opportunities_stage", "stage", "close_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    expected_trucks: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(ExactDecimal(18, 2))
    close_on: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(20))
    lost_reason: Mapped[str] = mapped_column(String(300), default="")
    competitor: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
