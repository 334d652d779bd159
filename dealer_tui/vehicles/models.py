"""Vehicles known to the dealer, with their owner and service status."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dealer_tui.accounts.models import Account
from dealer_tui.core.model import Base, Versioned


class Vehicle(Versioned, Base):
    __tablename__ = "vehicles"
    __table_args__ = (
        Index(
            "ix_vehicles_registration",
            "registration",
            postgresql_ops={"registration": "varchar_pattern_ops"},
        ),
        Index(
            "ix_vehicles_vin_tail",
            "vin_tail",
            postgresql_ops={"vin_tail": "varchar_pattern_ops"},
        ),
        # Services due at a branch, and "starts with" on the VIN for the
        # global search (migration 0008).
        Index("ix_vehicles_service_due", "branch_id", "next_service_due"),
        Index(
            "ix_vehicles_vin_pattern",
            "vin",
            postgresql_ops={"vin": "varchar_pattern_ops"},
        ),
        # The makes on file, and a make's trucks in the list's VIN order
        # (migration 0009).
        Index("ix_vehicles_make", "make", "vin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vin: Mapped[str] = mapped_column(String(17), unique=True)
    # The last six characters, the serial part people read off a plate.
    vin_tail: Mapped[str] = mapped_column(String(6))
    make: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(80))
    model_year: Mapped[int | None] = mapped_column(Integer)
    registration: Mapped[str] = mapped_column(String(12), default="")
    registration_state: Mapped[str] = mapped_column(String(8), default="")
    odometer_km: Mapped[int] = mapped_column(Integer, default=0)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    next_service_due: Mapped[date | None] = mapped_column(Date, index=True)
    next_service_km: Mapped[int | None] = mapped_column(Integer)

    owner: Mapped[Account | None] = relationship()
