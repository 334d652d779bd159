"""Small builders the service tests share."""

from __future__ import annotations

from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database
from dealer_tui.core.services import (
    BranchSpec,
    DealerSpec,
    UserSpec,
    batch_actor,
    set_up_dealer,
)

PASSWORD = "correct-horse"


def small_dealer(db: Database) -> Actor:
    """A dealer with one branch and one user of each role; returns the admin."""
    roles = [
        "administrator",
        "counter",
        "sales_rep",
        "sales_admin",
        "service_advisor",
        "sales_manager",
    ]
    set_up_dealer(
        db,
        DealerSpec(
            name="Test Trucks",
            legal_name="Test Trucks Pty Ltd",
            country="AU",
            currency="AUD",
            tax_registration="91526018159",
            branches=[
                BranchSpec(
                    code="MEL",
                    name="Melbourne",
                    country="AU",
                    region="VIC",
                    currency="AUD",
                    time_zone="Australia/Melbourne",
                    tax_registration="91526018159",
                )
            ],
            users=[
                UserSpec(role, role.replace("_", " ").title(), role, "MEL", PASSWORD)
                for role in roles
            ],
        ),
    )
    return batch_actor(db)


def user(db: Database, username: str) -> Actor:
    return batch_actor(db, username)
