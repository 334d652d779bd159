"""Use cases of the shared core: signing in, the dealer and its users."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select

from dealer_tui.core import audit
from dealer_tui.core.auth import (
    Actor,
    Permission,
    Role,
    hash_password,
    needs_rehash,
    password_matches,
)
from dealer_tui.core.db import Database
from dealer_tui.core.errors import Problem, SignInFailed, ValidationFailed
from dealer_tui.core.models import Branch, Dealer, User
from dealer_tui.core.parse import FieldErrors


@cache
def _dummy_hash() -> str:
    """A real hash to verify against when the user name is unknown.

    It keeps a wrong user name as slow as a wrong password, so the time
    taken does not tell which one was wrong.  Made on first need: hashing
    is slow on purpose and must not slow every start.
    """
    return hash_password("no such user")


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        branch_id=user.branch_id,
    )


def sign_in(db: Database, username: str, password: str) -> Actor:
    """The user with this name and password, if the account is active."""
    name = username.strip().lower()
    if not name or not password:
        raise SignInFailed("Type your user name and password.")
    with db.write() as session:
        user = session.scalars(
            select(User).where(func.lower(User.username) == name)
        ).one_or_none()
        if user is None:
            password_matches(_dummy_hash(), password)
            raise SignInFailed("That user name and password do not match.")
        if not password_matches(user.password_hash, password):
            raise SignInFailed("That user name and password do not match.")
        if not user.active:
            raise SignInFailed(
                "This user account is switched off; ask an administrator."
            )
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        audit.record(session, actor_for(user), "sign_in", "user", user.id)
        return actor_for(user)


def batch_actor(db: Database, username: str | None = None) -> Actor:
    """The user a batch command acts for: the one named, or the first administrator."""
    with db.read() as session:
        stmt = select(User).where(User.active.is_(True))
        if username:
            stmt = stmt.where(func.lower(User.username) == username.strip().lower())
        else:
            stmt = stmt.where(User.role == Role.ADMINISTRATOR.value).order_by(User.id)
        user = session.scalars(stmt.limit(1)).one_or_none()
        if user is None:
            if username:
                raise SignInFailed(f"There is no active user '{username}'.")
            raise SignInFailed(
                "The database has no administrator yet: run `dealer demo` or "
                "`dealer setup` first."
            )
        return actor_for(user)


@dataclass(frozen=True)
class Workplace:
    """Where the signed-in user works: for the status line and for time zones."""

    dealer_name: str
    branch_code: str
    branch_name: str
    time_zone: str
    currency: str
    country: str


def workplace(db: Database, actor: Actor) -> Workplace:
    with db.read() as session:
        dealer = session.scalars(select(Dealer).order_by(Dealer.id).limit(1)).first()
        branch = session.get(Branch, actor.branch_id) if actor.branch_id else None
        if branch is None:
            branch = session.scalars(
                select(Branch).order_by(Branch.id).limit(1)
            ).first()
        return Workplace(
            dealer_name=dealer.name if dealer else "No dealer set up",
            branch_code=branch.code if branch else "",
            branch_name=branch.name if branch else "",
            time_zone=branch.time_zone if branch else "UTC",
            currency=branch.currency if branch else "AUD",
            country=branch.country if branch else "AU",
        )


@dataclass(frozen=True)
class UserSpec:
    username: str
    display_name: str
    role: str
    branch: str
    password: str
    email: str = ""


@dataclass(frozen=True)
class BranchSpec:
    code: str
    name: str
    country: str
    region: str
    currency: str
    time_zone: str
    tax_registration: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class DealerSpec:
    name: str
    legal_name: str
    country: str
    currency: str
    tax_registration: str
    branches: list[BranchSpec]
    users: list[UserSpec]


def set_up_dealer(db: Database, spec: DealerSpec, actor: Actor | None = None) -> None:
    """Create the dealer, its branches and its users in an empty database."""
    if actor is not None:
        actor.require(Permission.MANAGE_USERS)
    errors = FieldErrors()
    roles = {r.value for r in Role}
    for i, user in enumerate(spec.users, start=1):
        if user.role not in roles:
            errors.add(f"users[{i}].role", f"'{user.role}' is not a role")
        if user.branch and user.branch not in {b.code for b in spec.branches}:
            errors.add(f"users[{i}].branch", f"there is no branch '{user.branch}'")
        if len(user.password) < 8:
            errors.add(f"users[{i}].password", "needs at least 8 characters")
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        if session.scalar(select(func.count()).select_from(Dealer)):
            raise ValidationFailed(
                [Problem("dealer", "this database already has a dealer")]
            )
        dealer = Dealer(
            name=spec.name,
            legal_name=spec.legal_name,
            country=spec.country,
            currency=spec.currency,
            tax_registration=spec.tax_registration,
        )
        session.add(dealer)
        session.flush()
        codes: dict[str, int] = {}
        for b in spec.branches:
            branch = Branch(
                dealer_id=dealer.id,
                code=b.code,
                name=b.name,
                country=b.country,
                region=b.region,
                currency=b.currency,
                time_zone=b.time_zone,
                tax_registration=b.tax_registration,
                address=b.address,
                phone=b.phone,
            )
            session.add(branch)
            session.flush()
            codes[b.code] = branch.id
        for u in spec.users:
            session.add(
                User(
                    username=u.username.lower(),
                    display_name=u.display_name,
                    role=u.role,
                    branch_id=codes.get(u.branch),
                    password_hash=hash_password(u.password),
                    email=u.email,
                )
            )
        audit.record(
            session,
            actor,
            "set_up",
            "dealer",
            dealer.id,
            after={
                "name": spec.name,
                "branches": len(spec.branches),
                "users": len(spec.users),
            },
        )
