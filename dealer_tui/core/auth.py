"""Roles, what each may do, and the signed-in user a service acts for."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dealer_tui.core.errors import PermissionDenied


class Role(enum.StrEnum):
    COUNTER = "counter"
    SALES_REP = "sales_rep"
    SALES_ADMIN = "sales_admin"
    SERVICE_ADVISOR = "service_advisor"
    SALES_MANAGER = "sales_manager"
    ADMINISTRATOR = "administrator"

    @property
    def title(self) -> str:
        return ROLE_TITLES[self]


ROLE_TITLES = {
    Role.COUNTER: "Counter staff",
    Role.SALES_REP: "Sales representative",
    Role.SALES_ADMIN: "Sales administrator",
    Role.SERVICE_ADVISOR: "Service advisor",
    Role.SALES_MANAGER: "Sales manager",
    Role.ADMINISTRATOR: "Administrator",
}


class Permission(enum.StrEnum):
    VIEW_CUSTOMERS = "view_customers"
    EDIT_CUSTOMERS = "edit_customers"
    SET_CREDIT = "set_credit"
    VIEW_VEHICLES = "view_vehicles"
    EDIT_VEHICLES = "edit_vehicles"
    IMPORT_DATA = "import_data"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    VIEW_LEADS = "view_leads"
    WORK_LEADS = "work_leads"
    ASSIGN_LEADS = "assign_leads"
    SET_RANKING = "set_ranking"
    IMPORT_LEADS = "import_leads"
    VIEW_PARTS = "view_parts"
    RECEIVE_PARTS = "receive_parts"
    VIEW_WORKSHOP = "view_workshop"
    BOOK_WORKSHOP = "book_workshop"
    RUN_WORKSHOP = "run_workshop"
    INVOICE_WORKSHOP = "invoice_workshop"
    VIEW_INVOICES = "view_invoices"
    DRAFT_INVOICES = "draft_invoices"
    POST_INVOICES = "post_invoices"
    RECORD_PAYMENTS = "record_payments"
    RUN_INVOICING = "run_invoicing"
    VIEW_CATALOG = "view_catalog"
    MANAGE_CATALOG = "manage_catalog"
    QUOTE = "quote"
    APPROVE_DISCOUNTS = "approve_discounts"
    VIEW_ORDERS = "view_orders"
    ENTER_ORDERS = "enter_orders"
    MANAGE_STOCK = "manage_stock"
    PLAN_DELIVERIES = "plan_deliveries"
    RELEASE_CREDIT_HOLD = "release_credit_hold"
    SELL_PARTS = "sell_parts"

    @property
    def description(self) -> str:
        return PERMISSION_DESCRIPTIONS[self]


PERMISSION_DESCRIPTIONS = {
    Permission.VIEW_CUSTOMERS: "look up customers",
    Permission.EDIT_CUSTOMERS: "change customer details",
    Permission.SET_CREDIT: "change a customer's credit limit or hold",
    Permission.VIEW_VEHICLES: "look up vehicles",
    Permission.EDIT_VEHICLES: "change vehicle details",
    Permission.IMPORT_DATA: "import data files",
    Permission.MANAGE_USERS: "manage users",
    Permission.VIEW_AUDIT: "read the audit log",
    Permission.VIEW_LEADS: "look up leads",
    Permission.WORK_LEADS: "qualify leads and plan their follow-ups",
    Permission.ASSIGN_LEADS: "assign leads to sales representatives",
    Permission.SET_RANKING: "change the ranking weights of a segment",
    Permission.IMPORT_LEADS: "import leads",
    Permission.VIEW_PARTS: "look up parts and stock",
    Permission.RECEIVE_PARTS: "receive parts deliveries into stock",
    Permission.VIEW_WORKSHOP: "look at workshop jobs, the planner and utilisation",
    Permission.BOOK_WORKSHOP: "book, move and cancel workshop jobs",
    Permission.RUN_WORKSHOP: "check trucks in and keep job cards",
    Permission.INVOICE_WORKSHOP: "hand finished workshop jobs to invoicing",
    Permission.VIEW_INVOICES: "look up invoices, credit notes and balances",
    Permission.DRAFT_INVOICES: "draft invoices by hand",
    Permission.POST_INVOICES: "post invoices and issue credit notes",
    Permission.RECORD_PAYMENTS: "record payments against invoices",
    Permission.RUN_INVOICING: "run batch invoicing",
    Permission.VIEW_CATALOG: "look at the truck catalogue and quotes",
    Permission.MANAGE_CATALOG: "import catalogue ranges, products and prices",
    Permission.QUOTE: "configure trucks and write quotes",
    Permission.APPROVE_DISCOUNTS: "approve discounts beyond a representative's "
    "authority",
    Permission.VIEW_ORDERS: "look up orders, stock trucks and the delivery schedule",
    Permission.ENTER_ORDERS: "enter, amend, confirm and cancel vehicle orders",
    Permission.MANAGE_STOCK: "receive trucks into stock and allocate them to orders",
    Permission.PLAN_DELIVERIES: "plan and make deliveries of trucks",
    Permission.RELEASE_CREDIT_HOLD: "release an order held for credit",
    Permission.SELL_PARTS: "sell parts over the counter",
}

_EVERYONE = {
    Permission.VIEW_CATALOG,
    Permission.VIEW_CUSTOMERS,
    Permission.VIEW_VEHICLES,
    Permission.EDIT_CUSTOMERS,
    Permission.EDIT_VEHICLES,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COUNTER: frozenset(_EVERYONE),
    Role.SALES_REP: frozenset(
        _EVERYONE | {Permission.VIEW_LEADS, Permission.WORK_LEADS, Permission.QUOTE}
    ),
    Role.SERVICE_ADVISOR: frozenset(_EVERYONE),
    Role.SALES_ADMIN: frozenset(
        _EVERYONE
        | {
            Permission.SET_CREDIT,
            Permission.IMPORT_DATA,
            Permission.MANAGE_CATALOG,
            Permission.QUOTE,
        }
    ),
    Role.SALES_MANAGER: frozenset(
        _EVERYONE
        | {
            Permission.SET_CREDIT,
            Permission.VIEW_AUDIT,
            Permission.VIEW_LEADS,
            Permission.WORK_LEADS,
            Permission.ASSIGN_LEADS,
            Permission.SET_RANKING,
            Permission.IMPORT_LEADS,
            Permission.QUOTE,
            Permission.APPROVE_DISCOUNTS,
        }
    ),
    Role.ADMINISTRATOR: frozenset(Permission),
}


def grant(role: Role, *permissions: Permission) -> None:
    """Let a business area add its permissions to a role's set."""
    ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS[role] | frozenset(permissions)


# Parts and the workshop: the service advisor runs the workshop's day, the
# counter and the sales office receive parts, the sales office invoices.
# The counter looks jobs up, to tell a caller where their truck is.
grant(
    Role.COUNTER,
    Permission.VIEW_PARTS,
    Permission.RECEIVE_PARTS,
    Permission.VIEW_WORKSHOP,
)
grant(Role.SALES_REP, Permission.VIEW_PARTS)
grant(
    Role.SERVICE_ADVISOR,
    Permission.VIEW_PARTS,
    Permission.RECEIVE_PARTS,
    Permission.VIEW_WORKSHOP,
    Permission.BOOK_WORKSHOP,
    Permission.RUN_WORKSHOP,
)
grant(
    Role.SALES_ADMIN,
    Permission.VIEW_PARTS,
    Permission.RECEIVE_PARTS,
    Permission.INVOICE_WORKSHOP,
)
grant(Role.SALES_MANAGER, Permission.VIEW_PARTS, Permission.VIEW_WORKSHOP)

# Invoicing is the sales office's: it drafts, posts, credits, takes payments
# and runs the batch; the counter, the workshop and the manager look up.
grant(
    Role.SALES_ADMIN,
    Permission.VIEW_INVOICES,
    Permission.DRAFT_INVOICES,
    Permission.POST_INVOICES,
    Permission.RECORD_PAYMENTS,
    Permission.RUN_INVOICING,
)
grant(Role.COUNTER, Permission.VIEW_INVOICES, Permission.RECORD_PAYMENTS)
grant(Role.SERVICE_ADVISOR, Permission.VIEW_INVOICES)
grant(Role.SALES_MANAGER, Permission.VIEW_INVOICES)

# Orders: representatives turn accepted quotes into orders; the sales office
# enters and amends them, receives and allocates trucks and plans their
# delivery, booking the pre-delivery inspection in the workshop; a manager
# releases credit holds; the counter and the workshop sell parts.
grant(Role.COUNTER, Permission.VIEW_ORDERS, Permission.SELL_PARTS)
grant(Role.SALES_REP, Permission.VIEW_ORDERS, Permission.ENTER_ORDERS)
grant(
    Role.SALES_ADMIN,
    Permission.VIEW_ORDERS,
    Permission.ENTER_ORDERS,
    Permission.MANAGE_STOCK,
    Permission.PLAN_DELIVERIES,
    Permission.BOOK_WORKSHOP,
    Permission.SELL_PARTS,
)
grant(Role.SERVICE_ADVISOR, Permission.VIEW_ORDERS, Permission.SELL_PARTS)
grant(
    Role.SALES_MANAGER,
    Permission.VIEW_ORDERS,
    Permission.ENTER_ORDERS,
    Permission.RELEASE_CREDIT_HOLD,
)


@dataclass(frozen=True)
class Actor:
    """The person a service acts for: a signed-in user or a batch operator."""

    user_id: int
    username: str
    display_name: str
    role: Role
    branch_id: int | None = None

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                f"{self.role.title} users may not {permission.description}."
            )


_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
