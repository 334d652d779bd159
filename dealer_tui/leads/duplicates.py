"""Finding the leads and accounts that may be the same company as a new lead.

The keys come from leads.matching. Leads keep theirs in indexed columns;
accounts keep their name key and ABN in indexed columns, and their phones
and e-mails are compared on the fly. The database only narrows the field
to candidates; leads.matching decides which are matches and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from dealer_tui.accounts.models import Account, Contact
from dealer_tui.leads.matching import (
    PHONE_KEY_MIN_LENGTH,
    Match,
    MatchKeys,
    Party,
    RecordKind,
    find_matches,
    match_keys,
    normalise_email,
    normalise_phone,
)
from dealer_tui.leads.models import Lead, LeadContact
from dealer_tui.leads.qualification import LeadStatus

# Keys are asked for in batches so that an import of thousands of rows
# never builds one enormous IN list.
_BATCH = 400


def phone_key(text: str) -> str:
    """The stored key of a phone number; empty when it is too short to match."""
    key = normalise_phone(text)
    return key if len(key) >= PHONE_KEY_MIN_LENGTH else ""


def email_key(text: str) -> str:
    """The stored key of an e-mail address; empty when it is no address."""
    key = normalise_email(text)
    return key if "@" in key else ""


@dataclass(frozen=True)
class DuplicateLine:
    """A lead or account that may be the same company, and why."""

    kind: str
    record_id: int
    number: str
    name: str
    status: str
    reasons: str

    @property
    def sentence(self) -> str:
        """E.g. 'Account C000103 Westgate Concrete Pumping: same ABN ...'."""
        return f"{self.kind.capitalize()} {self.number} {self.name}: {self.reasons}"


def _digits_only(column: Any) -> ColumnElement[str]:
    """The column with the usual phone punctuation taken out, in SQL."""
    expression = column
    for character in " ()-+./":
        expression = func.replace(expression, character, "")
    return expression


def _stored_phone_forms(keys: Iterable[str]) -> set[str]:
    """Digit strings a stored number with this key may reduce to in SQL."""
    forms: set[str] = set()
    for key in keys:
        forms.add(key)
        if key.startswith("0"):
            forms.add("61" + key[1:])
            forms.add("610" + key[1:])
    return forms


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]


def _lead_candidates(session: Session, keys: Sequence[MatchKeys]) -> set[int]:
    names = sorted({k.name for k in keys if k.name})
    abns = sorted({k.abn for k in keys if k.abn})
    phones = sorted({p for k in keys for p in k.phones})
    emails = sorted({e for k in keys for e in k.emails})
    found: set[int] = set()
    for column, values in (
        (Lead.match_name, names),
        (Lead.abn, abns),
        (Lead.phone_key, phones),
        (Lead.email_key, emails),
    ):
        for chunk in _chunks(values):
            found.update(session.scalars(select(Lead.id).where(column.in_(chunk))))
    for column, values in (
        (LeadContact.phone_key, phones),
        (LeadContact.email_key, emails),
    ):
        for chunk in _chunks(values):
            found.update(
                session.scalars(select(LeadContact.lead_id).where(column.in_(chunk)))
            )
    return found


def _account_candidates(session: Session, keys: Sequence[MatchKeys]) -> set[int]:
    names = sorted({k.name for k in keys if k.name})
    abns = sorted({k.abn for k in keys if k.abn})
    phones = sorted(_stored_phone_forms(p for k in keys for p in k.phones))
    emails = sorted({e for k in keys for e in k.emails})
    found: set[int] = set()
    for chunk in _chunks(names):
        found.update(
            session.scalars(select(Account.id).where(Account.match_name.in_(chunk)))
        )
    for chunk in _chunks(abns):
        found.update(
            session.scalars(select(Account.id).where(Account.tax_id.in_(chunk)))
        )
    for chunk in _chunks(phones):
        found.update(
            session.scalars(
                select(Account.id).where(_digits_only(Account.phone).in_(chunk))
            )
        )
        found.update(
            session.scalars(
                select(Contact.account_id).where(_digits_only(Contact.phone).in_(chunk))
            )
        )
    for chunk in _chunks(emails):
        found.update(
            session.scalars(
                select(Account.id).where(
                    func.lower(func.trim(Account.email)).in_(chunk)
                )
            )
        )
        found.update(
            session.scalars(
                select(Contact.account_id).where(
                    func.lower(func.trim(Contact.email)).in_(chunk)
                )
            )
        )
    return found


@dataclass
class Candidates:
    """Existing leads and accounts that share a key with any of the parties."""

    parties: list[Party]
    numbers: dict[tuple[RecordKind, int], tuple[str, str]]

    def matches(self, party: Party) -> list[DuplicateLine]:
        """The candidates that match this party, strongest first."""
        return [self._line(m) for m in find_matches(party, self.parties)]

    def _line(self, match: Match) -> DuplicateLine:
        record = match.record
        number, status = self.numbers[(record.kind, record.record_id or 0)]
        return DuplicateLine(
            kind=record.kind.value,
            record_id=record.record_id or 0,
            number=number,
            name=record.name,
            status=status,
            reasons=", ".join(r.sentence for r in match.reasons),
        )


def candidates(session: Session, parties: Sequence[Party]) -> Candidates:
    """Every lead and account sharing a key with one of the parties.

    Converted leads are left out: the account they became is compared
    instead.
    """
    keys = [match_keys(p) for p in parties]
    lead_ids = sorted(_lead_candidates(session, keys))
    account_ids = sorted(_account_candidates(session, keys))
    found: list[Party] = []
    numbers: dict[tuple[RecordKind, int], tuple[str, str]] = {}
    for chunk in _int_chunks(lead_ids):
        leads = session.scalars(
            select(Lead).where(
                Lead.id.in_(chunk), Lead.status != LeadStatus.CONVERTED.value
            )
        ).all()
        contacts = _lead_contacts(session, [lead.id for lead in leads])
        for lead in leads:
            people = contacts.get(lead.id, [])
            found.append(
                Party(
                    name=lead.company,
                    abn=lead.abn,
                    phones=tuple(p for p in (lead.phone, *(c[0] for c in people)) if p),
                    emails=tuple(e for e in (lead.email, *(c[1] for c in people)) if e),
                    kind=RecordKind.LEAD,
                    record_id=lead.id,
                )
            )
            numbers[(RecordKind.LEAD, lead.id)] = (lead.number, lead.status)
    for chunk in _int_chunks(account_ids):
        accounts = session.scalars(select(Account).where(Account.id.in_(chunk))).all()
        contacts = _account_contacts(session, [a.id for a in accounts])
        for account in accounts:
            people = contacts.get(account.id, [])
            found.append(
                Party(
                    name=account.name,
                    abn=account.tax_id,
                    phones=tuple(
                        p for p in (account.phone, *(c[0] for c in people)) if p
                    ),
                    emails=tuple(
                        e for e in (account.email, *(c[1] for c in people)) if e
                    ),
                    kind=RecordKind.ACCOUNT,
                    record_id=account.id,
                )
            )
            numbers[(RecordKind.ACCOUNT, account.id)] = (account.number, "account")
    return Candidates(found, numbers)


def _int_chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]


def _lead_contacts(
    session: Session, lead_ids: Sequence[int]
) -> dict[int, list[tuple[str, str]]]:
    people: dict[int, list[tuple[str, str]]] = {}
    if not lead_ids:
        return people
    rows = session.execute(
        select(LeadContact.lead_id, LeadContact.phone, LeadContact.email).where(
            LeadContact.lead_id.in_(lead_ids)
        )
    )
    for lead_id, phone, email in rows:
        people.setdefault(lead_id, []).append((phone, email))
    return people


def _account_contacts(
    session: Session, account_ids: Sequence[int]
) -> dict[int, list[tuple[str, str]]]:
    people: dict[int, list[tuple[str, str]]] = {}
    if not account_ids:
        return people
    rows = session.execute(
        select(Contact.account_id, Contact.phone, Contact.email).where(
            Contact.account_id.in_(account_ids)
        )
    )
    for account_id, phone, email in rows:
        people.setdefault(account_id, []).append((phone, email))
    return people


def find_duplicates(session: Session, party: Party) -> list[DuplicateLine]:
    """The leads and accounts that may be this party's company, strongest first."""
    return candidates(session, [party]).matches(party)
