"""Use cases for customer accounts: look up, change, import."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter, mul
from pathlib import Path
from typing import IO

from sqlalchemy import select
from stdnum.au import abn as au_abn

from dealer_tui.accounts.models import Account, Contact
from dealer_tui.core import audit
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.csvimport import (
    UNSURE,
    ImportReport,
    LeanCheck,
    Remembered,
    RowReader,
    check_rows,
    lenient,
    parse_rows,
    reject_line,
    taken,
    without_collector_walks,
    write_rows,
)
from dealer_tui.core.db import Database
from dealer_tui.core.errors import ValidationFailed
from dealer_tui.core.models import Branch, User
from dealer_tui.core.paging import PageRequest, fetch_page
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.records import actor_time_zone, load, load_for_change
from dealer_tui.core.text import search_key
from dealer_tui.core.types import utc_now
from dealer_tui.leads.matching import (
    _LEGAL_SUFFIXES,
    _join_initials,
    _strip_legal_suffixes,
    normalise_company_name,
)
from dealer_tui.search.names import account_conditions
from dealer_tui.search.pages import merged_page

KINDS = {"company": "company", "private": "private"}
STATES = {"ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"}


@dataclass(frozen=True)
class ContactView:
    id: int
    name: str
    position: str
    phone: str
    email: str
    primary: bool


@dataclass(frozen=True)
class VehicleLine:
    id: int
    vin: str
    make: str
    model: str
    model_year: int | None
    registration: str
    next_service_due: date | None


@dataclass(frozen=True)
class AccountView:
    """An account as the customer screen shows it."""

    id: int
    version: int
    number: str
    name: str
    kind: str
    tax_id: str
    phone: str
    email: str
    street: str
    suburb: str
    state: str
    postcode: str
    branch_code: str
    sales_rep: str
    credit_limit: Decimal
    payment_terms_days: int
    credit_hold: bool
    notes: str
    contacts: list[ContactView] = field(default_factory=list)
    vehicles: list[VehicleLine] = field(default_factory=list)

    @property
    def address(self) -> str:
        place = " ".join(p for p in (self.suburb, self.state, self.postcode) if p)
        return ", ".join(p for p in (self.street, place) if p)


@dataclass(frozen=True)
class AccountForm:
    """What the user may change on an account, as typed."""

    name: str
    tax_id: str
    phone: str
    email: str
    street: str
    suburb: str
    state: str
    postcode: str
    notes: str = ""


def normalise_abn(text: str, errors: FieldErrors, field_name: str = "abn") -> str:
    """An ABN as 11 digits, checked against its checksum; blank stays blank."""
    raw = (text or "").strip()
    if not raw:
        return ""
    digits = au_abn.compact(raw)
    if not au_abn.is_valid(digits):
        errors.add(field_name, f"'{raw}' is not a valid ABN (wrong length or checksum)")
        return ""
    return digits


def format_abn(digits: str) -> str:
    return au_abn.format(digits) if digits else ""


def account_view(db: Database, actor: Actor, account_id: int) -> AccountView:
    """The account with its contacts and vehicles, for the customer screen."""
    actor.require(Permission.VIEW_CUSTOMERS)
    from dealer_tui.vehicles.models import Vehicle

    with db.read() as session:
        account = load(session, Account, account_id, "customer")
        branch = session.get(Branch, account.branch_id) if account.branch_id else None
        rep = session.get(User, account.sales_rep_id) if account.sales_rep_id else None
        contacts = session.scalars(
            select(Contact)
            .where(Contact.account_id == account_id)
            .order_by(Contact.primary.desc(), Contact.name)
        ).all()
        vehicles = session.scalars(
            select(Vehicle).where(Vehicle.owner_id == account_id).order_by(Vehicle.vin)
        ).all()
        return AccountView(
            id=account.id,
            version=account.version,
            number=account.number,
            name=account.name,
            kind=account.kind,
            tax_id=account.tax_id,
            phone=account.phone,
            email=account.email,
            street=account.street,
            suburb=account.suburb,
            state=account.state,
            postcode=account.postcode,
            branch_code=branch.code if branch else "",
            sales_rep=rep.display_name if rep else "",
            credit_limit=account.credit_limit,
            payment_terms_days=account.payment_terms_days,
            credit_hold=account.credit_hold,
            notes=account.notes,
            contacts=[
                ContactView(c.id, c.name, c.position, c.phone, c.email, c.primary)
                for c in contacts
            ],
            vehicles=[
                VehicleLine(
                    v.id,
                    v.vin,
                    v.make,
                    v.model,
                    v.model_year,
                    v.registration,
                    v.next_service_due,
                )
                for v in vehicles
            ],
        )


def _validate_form(form: AccountForm, errors: FieldErrors) -> dict[str, str]:
    values = {
        "name": errors.required("name", form.name, 200),
        "tax_id": normalise_abn(form.tax_id, errors, "tax_id"),
        "phone": errors.optional("phone", form.phone, 32),
        "email": errors.optional("email", form.email, 200),
        "street": errors.optional("street", form.street, 200),
        "suburb": errors.optional("suburb", form.suburb, 100),
        "state": form.state.strip().upper(),
        "postcode": errors.optional("postcode", form.postcode, 10),
        "notes": errors.optional("notes", form.notes, 4000),
    }
    if values["state"] and values["state"] not in STATES:
        errors.add("state", f"'{form.state}' is not an Australian state or territory")
    if values["email"] and "@" not in values["email"]:
        errors.add("email", f"'{form.email}' is not an e-mail address")
    if values["postcode"] and not values["postcode"].isdigit():
        errors.add("postcode", "must be digits")
    return values


def update_account(
    db: Database,
    actor: Actor,
    account_id: int,
    expected_version: int,
    form: AccountForm,
) -> AccountView:
    """Save the changed details, unless someone else saved the account first."""
    actor.require(Permission.EDIT_CUSTOMERS)
    errors = FieldErrors()
    values = _validate_form(form, errors)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        zone = actor_time_zone(session, actor)
        account = load_for_change(
            session, Account, account_id, expected_version, "customer", zone
        )
        before = audit.snapshot(account, values)
        for name, value in values.items():
            setattr(account, name, value)
        account.name_key = search_key(account.name)
        account.match_name = normalise_company_name(account.name)
        account.updated_by_id = actor.user_id
        old, new = audit.changes(before, audit.snapshot(account, values))
        if new:
            audit.record(
                session, actor, "update", "account", account.id, before=old, after=new
            )
    return account_view(db, actor, account_id)


def set_credit(
    db: Database,
    actor: Actor,
    account_id: int,
    expected_version: int,
    credit_limit: str,
    payment_terms_days: str,
    credit_hold: bool,
) -> AccountView:
    """Change the credit limit, payment terms or credit hold of an account."""
    actor.require(Permission.SET_CREDIT)
    errors = FieldErrors()
    limit = errors.money("credit_limit", credit_limit)
    terms = errors.integer("payment_terms_days", payment_terms_days, maximum=365)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        zone = actor_time_zone(session, actor)
        account = load_for_change(
            session, Account, account_id, expected_version, "customer", zone
        )
        fields = ("credit_limit", "payment_terms_days", "credit_hold")
        before = audit.snapshot(account, fields)
        account.credit_limit = limit
        account.payment_terms_days = terms
        account.credit_hold = credit_hold
        account.updated_by_id = actor.user_id
        old, new = audit.changes(before, audit.snapshot(account, fields))
        if new:
            audit.record(
                session,
                actor,
                "set_credit",
                "account",
                account.id,
                before=old,
                after=new,
            )
    return account_view(db, actor, account_id)


CUSTOMER_COLUMNS = ("number", "name")
CUSTOMER_OPTIONAL = (
    "kind",
    "abn",
    "phone",
    "email",
    "street",
    "suburb",
    "state",
    "postcode",
    "branch",
    "sales_rep",
    "credit_limit",
    "payment_terms_days",
    "credit_hold",
    "notes",
)


# Every row of a customers import gives these values, in this order.
ACCOUNT_IMPORT_COLUMNS = (
    "number",
    "name",
    "name_key",
    "match_name",
    "kind",
    "tax_id",
    "phone",
    "email",
    "street",
    "suburb",
    "state",
    "postcode",
    "country",
    "branch_id",
    "sales_rep_id",
    "credit_limit",
    "payment_terms_days",
    "credit_hold",
    "notes",
    "version",
    "updated_at",
    "updated_by_id",
)
_ACCOUNT_ROW = itemgetter(*ACCOUNT_IMPORT_COLUMNS)

_ABN_WEIGHTS = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)
# The weighted sum of eleven '0' characters, taken off the sum of the codes.
_ABN_ZEROS = ord("0") * sum(_ABN_WEIGHTS)


def abn_checks_out(digits: str) -> bool:
    """Whether eleven ASCII digits are an ABN: one less on the first digit,
    weighted, must sum to a multiple of 89 (the tax office's rule)."""
    if digits[:2] < "11":
        # Written without a leading zero, the first two digits are 11 to 99.
        return False
    codes = digits.encode("ascii")
    return (sum(map(mul, _ABN_WEIGHTS, codes)) - _ABN_ZEROS - 10) % 89 == 0


# Last words that a company name's legal form can end with; a name ending
# otherwise keeps every word in its duplicate-detection key.
_LEGAL_LAST_WORDS = frozenset(suffix[-1] for suffix in _LEGAL_SUFFIXES)


def name_keys(name: str) -> tuple[str, str]:
    """The search key and the duplicate-detection key of a name.

    The same as `search_key` and `normalise_company_name`.  For an ASCII
    name without apostrophes the words of the search key are the words
    the duplicate key is made of, so only those last steps of
    `normalise_company_name` are taken that can change them.
    """
    if not name.isascii():
        return search_key(name), normalise_company_name(name)
    if "  " not in name and name.replace(" ", "").isalnum():
        key = name.upper()
    else:
        key = search_key(name)
    if not key or "'" in name or "`" in name:
        return key, normalise_company_name(name)
    words = key.split(" ")
    plain = True
    if "AND" in words or min(map(len, words)) == 1:
        words = _join_initials([w for w in words if w != "AND"])
        plain = False
    if len(words) > 1 and words[0] == "THE":
        words = words[1:]
        plain = False
    if words and words[-1] in _LEGAL_LAST_WORDS:
        words = _strip_legal_suffixes(words)
        plain = False
    return key, key if plain else " ".join(words)


def import_customers(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import customer accounts from CSV: every row, or none if any is bad."""
    actor.require(Permission.IMPORT_DATA)
    report = ImportReport("customers")
    # One instant for the whole import: it is one change, made at once.
    now = utc_now()
    with db.write() as session, without_collector_walks():
        branches = {b.code.upper(): b.id for b in session.scalars(select(Branch))}
        users = {u.username.lower(): u.id for u in session.scalars(select(User))}

        def parse(row: dict[str, str], errors: FieldErrors) -> list[object]:
            number = errors.required("number", row.get("number"), 20).upper()
            name = errors.required("name", row.get("name"), 200)
            branch_code = (row.get("branch") or "").strip().upper()
            rep = (row.get("sales_rep") or "").strip().lower()
            name_key, match_name = name_keys(name)
            values = {
                "number": number,
                "name": name,
                "name_key": name_key,
                # Given here, not left to the column default, so that every
                # row has the same columns and all go in one batch.
                "match_name": match_name,
                "kind": errors.choice(
                    "kind", row.get("kind"), KINDS, default="company"
                ),
                "tax_id": normalise_abn(row.get("abn", ""), errors),
                "phone": errors.optional("phone", row.get("phone"), 32),
                "email": errors.optional("email", row.get("email"), 200),
                "street": errors.optional("street", row.get("street"), 200),
                "suburb": errors.optional("suburb", row.get("suburb"), 100),
                "state": (row.get("state") or "").strip().upper(),
                "postcode": errors.optional("postcode", row.get("postcode"), 10),
                "country": "AU",
                "branch_id": branches.get(branch_code),
                "sales_rep_id": users.get(rep),
                "credit_limit": errors.money(
                    "credit_limit", row.get("credit_limit"), default=Decimal("0.00")
                ),
                "payment_terms_days": errors.integer(
                    "payment_terms_days",
                    row.get("payment_terms_days"),
                    default=30,
                    maximum=365,
                ),
                "credit_hold": errors.flag("credit_hold", row.get("credit_hold")),
                "notes": errors.optional("notes", row.get("notes"), 4000),
                "version": 1,
                "updated_at": now,
                "updated_by_id": actor.user_id,
            }
            if values["state"] and values["state"] not in STATES:
                errors.add("state", f"'{row.get('state')}' is not an Australian state")
            if branch_code and branch_code not in branches:
                errors.add("branch", f"there is no branch '{branch_code}'")
            if rep and rep not in users:
                errors.add("sales_rep", f"there is no user '{rep}'")
            if values["email"] and "@" not in str(values["email"]):
                errors.add("email", f"'{values['email']}' is not an e-mail address")
            return list(_ACCOUNT_ROW(values))

        def lean(reader: RowReader) -> LeanCheck:
            return _lean_customer_check(reader, branches, users, now, actor.user_id)

        checked = check_rows(
            report, source, CUSTOMER_COLUMNS, CUSTOMER_OPTIONAL, parse, lean
        )
        numbers = [str(row[0]) for row in checked.rows]
        existing = taken(session, Account.number, numbers)
        seen: dict[str, int] = {}
        for line, number in zip(checked.lines, numbers, strict=True):
            if number in existing:
                reject_line(report, line, "number", f"customer {number} already exists")
            elif number in seen:
                reject_line(
                    report,
                    line,
                    "number",
                    f"customer {number} is also on line {seen[number]}",
                )
            seen.setdefault(number, line)
        return write_rows(
            session,
            report,
            actor,
            Account.__table__,
            ACCOUNT_IMPORT_COLUMNS,
            checked.keep(report.bad_lines),
            entity="account",
            dry_run=dry_run,
            good_rows_only=good_rows_only,
        )


def _lean_customer_check(
    reader: RowReader,
    branches: dict[str, int],
    users: dict[str, int],
    now: datetime,
    user_id: int | None,
) -> LeanCheck:
    """The quick check of a customer row (see `check_rows`)."""
    at = reader.position
    fields = itemgetter(
        *(
            at(name)
            for name in (
                "number",
                "name",
                "abn",
                "phone",
                "email",
                "street",
                "suburb",
                "postcode",
                "notes",
                "kind",
                "state",
                "branch",
                "sales_rep",
                "credit_limit",
                "payment_terms_days",
                "credit_hold",
            )
        )
    )
    kinds = lenient(FieldErrors.choice, KINDS, default="company")
    limits = lenient(FieldErrors.money, default=Decimal("0.00"))
    terms = lenient(FieldErrors.integer, default=30, maximum=365)
    holds = lenient(FieldErrors.flag)

    def state_of(text: str) -> object:
        state = text.strip().upper()
        return state if not state or state in STATES else UNSURE

    def branch_of(text: str) -> object:
        code = text.strip().upper()
        return branches.get(code, UNSURE if code else None)

    def rep_of(text: str) -> object:
        rep = text.strip().lower()
        return users.get(rep, UNSURE if rep else None)

    states = Remembered(state_of)
    branch_ids = Remembered(branch_of)
    rep_ids = Remembered(rep_of)

    def check(values: list[str]) -> list[object] | None:
        (
            number,
            name,
            abn,
            phone,
            email,
            street,
            suburb,
            postcode,
            notes,
            *coded,
        ) = fields(values)
        number = number.strip()
        name = name.strip()
        abn = abn.strip()
        phone = phone.strip()
        email = email.strip()
        street = street.strip()
        suburb = suburb.strip()
        postcode = postcode.strip()
        notes = notes.strip()
        if (
            not 0 < len(number) <= 20
            or not 0 < len(name) <= 200
            or len(phone) > 32
            or len(email) > 200
            or len(street) > 200
            or len(suburb) > 100
            or len(postcode) > 10
            or len(notes) > 4000
            or (email and "@" not in email)
        ):
            return None
        if abn and not (
            len(abn) == 11 and abn.isascii() and abn.isdigit() and abn_checks_out(abn)
        ):
            return None
        kind_text, state, branch, rep, limit, days, hold = coded
        row = (
            kinds[kind_text],
            states[state],
            branch_ids[branch],
            rep_ids[rep],
            limits[limit],
            terms[days],
            holds[hold],
        )
        if UNSURE in row:
            return None
        name_key, match_name = name_keys(name)
        return [
            number.upper(),
            name,
            name_key,
            match_name,
            row[0],
            abn,
            phone,
            email,
            street,
            suburb,
            row[1],
            postcode,
            "AU",
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            notes,
            1,
            now,
            user_id,
        ]

    return check


CONTACT_COLUMNS = ("customer_number", "name")
CONTACT_OPTIONAL = ("position", "phone", "email", "primary")
CONTACT_IMPORT_COLUMNS = (
    "name",
    "position",
    "phone",
    "email",
    "primary",
    "version",
    "updated_at",
    "updated_by_id",
)
_CONTACT_ROW = itemgetter(*CONTACT_IMPORT_COLUMNS)


def import_contacts(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import contacts of existing customers from CSV."""
    actor.require(Permission.IMPORT_DATA)
    report = ImportReport("contacts")
    now = utc_now()
    with db.write() as session:

        def parse(row: dict[str, str], errors: FieldErrors) -> dict[str, object]:
            email = errors.optional("email", row.get("email"), 200)
            if email and "@" not in email:
                errors.add("email", f"'{email}' is not an e-mail address")
            return {
                "customer_number": errors.required(
                    "customer_number", row.get("customer_number"), 20
                ).upper(),
                "name": errors.required("name", row.get("name"), 120),
                "position": errors.optional("position", row.get("position"), 80),
                "phone": errors.optional("phone", row.get("phone"), 32),
                "email": email,
                "primary": errors.flag("primary", row.get("primary")),
                "version": 1,
                "updated_at": now,
                "updated_by_id": actor.user_id,
            }

        good = parse_rows(report, source, CONTACT_COLUMNS, CONTACT_OPTIONAL, parse)
        numbers = {str(v["customer_number"]) for _, v in good}
        accounts = (
            dict(
                session.execute(
                    select(Account.number, Account.id).where(
                        Account.number.in_(numbers)
                    )
                ).all()
            )
            if numbers
            else {}
        )
        # A contact already on the customer, or a second primary contact,
        # is refused: importing the same file twice must not double them.
        known = (
            {
                (account_id, name.casefold())
                for account_id, name in session.execute(
                    select(Contact.account_id, Contact.name).where(
                        Contact.account_id.in_(list(accounts.values()))
                    )
                )
            }
            if accounts
            else set()
        )
        with_primary = (
            set(
                session.scalars(
                    select(Contact.account_id).where(
                        Contact.account_id.in_(list(accounts.values())),
                        Contact.primary.is_(True),
                    )
                )
            )
            if accounts
            else set()
        )
        rows = []
        for line, values in good:
            number = str(values.pop("customer_number"))
            account_id = accounts.get(number)
            if account_id is None:
                reject_line(
                    report, line, "customer_number", "there is no such customer"
                )
                continue
            key = (account_id, str(values["name"]).casefold())
            if key in known:
                reject_line(
                    report,
                    line,
                    "name",
                    f"{values['name']} is already a contact of {number}",
                )
                continue
            if values["primary"] and account_id in with_primary:
                reject_line(
                    report,
                    line,
                    "primary",
                    f"{number} already has a primary contact",
                )
                continue
            known.add(key)
            if values["primary"]:
                with_primary.add(account_id)
            rows.append((account_id, *_CONTACT_ROW(values)))
        return write_rows(
            session,
            report,
            actor,
            Contact.__table__,
            ("account_id", *CONTACT_IMPORT_COLUMNS),
            rows,
            entity="contact",
            dry_run=dry_run,
            good_rows_only=good_rows_only,
        )


@dataclass(frozen=True)
class CustomerLine:
    id: int
    number: str
    name: str
    suburb: str
    state: str
    phone: str
    credit_hold: bool


def customer_page(
    db: Database, actor: Actor, text: str, request: PageRequest
) -> tuple[list[CustomerLine], list[tuple[object, ...]], bool]:
    """A page of the customer list filtered by name or number as typed."""
    actor.require(Permission.VIEW_CUSTOMERS)
    stmt = select(
        Account.id,
        Account.number,
        Account.name,
        Account.suburb,
        Account.state,
        Account.phone,
        Account.credit_hold,
        Account.name_key,
        Account.id,
    )
    key = search_key(text)
    order = (Account.name_key, Account.id)
    with db.read() as session:
        if key:
            # Name and number each on their own index, merged in name order.
            conditions = account_conditions(session, key, request=request)
            page = merged_page(session, stmt, conditions, order, request)
        else:
            page = fetch_page(session, stmt, order, request)
    lines = [CustomerLine(*row[:7]) for row in page.rows]
    return lines, page.keys, page.has_more
