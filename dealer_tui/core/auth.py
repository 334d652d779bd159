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
    VIEW_CATALOG = "view_catalog"
    MANAGE_CATALOG = "manage_catalog"
    QUOTE = "quote"
    APPROVE_DISCOUNTS = "approve_discounts"

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
    Permission.VIEW_CATALOG: "look at the truck catalogue and quotes",
    Permission.MANAGE_CATALOG: "import catalogue ranges, products and prices",
    Permission.QUOTE: "configure trucks and write quotes",
    Permission.APPROVE_DISCOUNTS: "approve discounts beyond a representative's "
    "authority",
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
    Role.SALES_REP: frozenset(_EVERYONE | {Permission.QUOTE}),
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
            Permission.QUOTE,
            Permission.APPROVE_DISCOUNTS,
        }
    ),
    Role.ADMINISTRATOR: frozenset(Permission),
}


def grant(role: Role, *permissions: Permission) -> None:
    """Let a business area add its permissions to a role's set."""
    ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS[role] | frozenset(permissions)


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
