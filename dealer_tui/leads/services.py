"""Use cases for leads: from a suspect to a ranked, assigned, converted prospect.

Every use case checks the user's permission, runs in one transaction and
audits each status change. A sales representative changes the leads they
own and the ones nobody owns yet; a sales manager changes any lead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from dealer_tui.accounts.models import Account, Contact
from dealer_tui.accounts.services import STATES
from dealer_tui.core import audit, clock
from dealer_tui.core.auth import Actor, Permission, Role
from dealer_tui.core.db import Database
from dealer_tui.core.errors import (
    NotFound,
    Problem,
    Refused,
    StaleRecord,
    ValidationFailed,
)
from dealer_tui.core.models import Branch, User
from dealer_tui.core.numbering import next_number
from dealer_tui.core.paging import From, PageRequest, fetch_page
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.records import load, load_for_change
from dealer_tui.core.text import like_escape, search_key
from dealer_tui.core.types import utc_now
from dealer_tui.leads.duplicates import (
    DuplicateLine,
    email_key,
    find_duplicates,
    phone_key,
)
from dealer_tui.leads.filtering import ME, NOBODY, LeadFilter, parse_filter
from dealer_tui.leads.matching import Party, RecordKind, normalise_abn
from dealer_tui.leads.matching import normalise_company_name as match_name_of
from dealer_tui.leads.models import (
    Lead,
    LeadActivity,
    LeadContact,
    Opportunity,
    RankingWeights,
)
from dealer_tui.leads.pipeline import (
    ActivityKind,
    Completion,
    OpportunityTerms,
    Stage,
    check_completion,
    check_loss,
    check_terms,
    ensure_stage_move,
)
from dealer_tui.leads.qualification import (
    Answer,
    Criterion,
    FollowUp,
    LeadSource,
    LeadStatus,
    QualificationAnswers,
    Segment,
    TransitionCheck,
    Verdict,
    assess,
    check_lead,
    ensure_transition,
    follow_up,
    lead_party,
    status_moves,
)
from dealer_tui.leads.qualification import Lead as LeadFacts
from dealer_tui.leads.qualification import (
    LeadContact as ContactFacts,
)
from dealer_tui.leads.scoring import (
    LeadScore,
    RankedLead,
    RankingAnswers,
    RankingParameter,
    RankingScheme,
    check_scheme,
    default_scheme,
    score_lead,
)
from dealer_tui.leads.scoring import priority_list as rank_prospects

LEAD_SERIES, LEAD_PREFIX = "lead", "L"
OPPORTUNITY_SERIES, OPPORTUNITY_PREFIX = "opportunity", "O"
CUSTOMER_SERIES, CUSTOMER_PREFIX = "customer", "C"
OPEN_STATUSES = tuple(s.value for s in LeadStatus if s.is_open)
SCALE_FIELDS = ("after_sales_penetration", "finance_openness", "brand_values_fit")

E = TypeVar("E", bound=StrEnum)


# --------------------------------------------------------------------------
# Reading typed values
# --------------------------------------------------------------------------


def read_choice(
    errors: FieldErrors, name: str, text: str, enum: type[E], default: E | None
) -> E | None:
    """An enum member typed as its value, its label or the value with spaces."""
    raw = (text or "").strip().lower()
    if not raw:
        if default is None:
            errors.add(name, "is required")
        return default
    wanted = raw.replace(" ", "_").replace("-", "_")
    for member in enum:
        label = str(getattr(member, "label", member.value)).lower()
        if wanted == member.value or raw == label:
            return member
    listed = ", ".join(m.value for m in enum)
    errors.add(name, f"'{text.strip()}' is not one of {listed}")
    return default


def read_optional_int(
    errors: FieldErrors, name: str, text: str, maximum: int | None = None
) -> int | None:
    if not (text or "").strip():
        return None
    return errors.integer(name, text, maximum=maximum)


def read_answer(errors: FieldErrors, name: str, text: str) -> Answer:
    raw = (text or "").strip().lower()
    if raw in ("", "?", "unknown", "u"):
        return Answer.UNKNOWN
    if raw in ("yes", "y"):
        return Answer.YES
    if raw in ("no", "n"):
        return Answer.NO
    errors.add(name, f"'{text.strip()}' is not yes, no or blank")
    return Answer.UNKNOWN


def _makes(text: str) -> tuple[str, ...]:
    return tuple(m.strip() for m in (text or "").replace(";", ",").split(","))


# --------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactLine:
    id: int
    name: str
    position: str
    phone: str
    email: str
    primary: bool


@dataclass(frozen=True)
class ActivityLine:
    """A planned or finished activity as the lead screen lists it."""

    id: int
    version: int
    kind: ActivityKind
    due_on: date
    done: bool
    done_at: datetime | None
    outcome: str
    notes: str
    owner: str
    overdue: bool


@dataclass(frozen=True)
class OpportunityLine:
    id: int
    version: int
    number: str
    title: str
    expected_trucks: int
    value: Decimal
    close_on: date
    stage: Stage
    lost_reason: str
    competitor: str


@dataclass(frozen=True)
class LeadView:
    """A lead as the lead screen shows it: facts, checklist, score, history."""

    id: int
    version: int
    number: str
    company: str
    segment: Segment
    source: LeadSource
    abn: str
    phone: str
    email: str
    fleet_size: int | None
    fleet_makes: str
    region: str
    owner_id: int | None
    owner: str
    status: LeadStatus
    disqualification_reason: str
    answers: QualificationAnswers
    verdict: Verdict
    ranking: RankingAnswers
    score: LeadScore
    next_contact_on: date | None
    follow_up: FollowUp
    account_id: int | None
    account: str
    linked_lead_id: int | None
    linked_lead: str
    notes: str
    today: date
    moves: tuple[TransitionCheck, ...]
    change_refusal: str | None
    contacts: list[ContactLine] = field(default_factory=list)
    activities: list[ActivityLine] = field(default_factory=list)
    opportunity: OpportunityLine | None = None
    duplicates: list[DuplicateLine] = field(default_factory=list)

    @property
    def may_change(self) -> bool:
        """Whether the signed-in user may change this lead at all."""
        return self.change_refusal is None

    def move(self, target: LeadStatus) -> TransitionCheck | None:
        """The checked move to target, or None when it is not whitelisted."""
        for check in self.moves:
            if check.target is target:
                return check
        return None


def _answers(lead: Lead) -> QualificationAnswers:
    return QualificationAnswers(
        **{c.value: Answer(getattr(lead, c.value)) for c in Criterion}
    )


def _ranking(lead: Lead) -> RankingAnswers:
    return RankingAnswers(
        fleet_size=lead.fleet_size,
        after_sales_penetration=lead.after_sales_penetration,
        finance_openness=lead.finance_openness,
        brand_values_fit=lead.brand_values_fit,
    )


def _scheme(session: Session, segment: Segment) -> RankingScheme:
    row = session.scalars(
        select(RankingWeights).where(RankingWeights.segment == segment.value)
    ).one_or_none()
    if row is None:
        return default_scheme(segment)
    return RankingScheme(segment, {p: getattr(row, p.value) for p in RankingParameter})


def score_of(session: Session, lead: Lead) -> LeadScore:
    return score_lead(_ranking(lead), _scheme(session, Segment(lead.segment)))


def _zone(session: Session, actor: Actor) -> str:
    branch = session.get(Branch, actor.branch_id) if actor.branch_id else None
    if branch is None:
        branch = session.scalars(select(Branch).order_by(Branch.id).limit(1)).first()
    return branch.time_zone if branch else "UTC"


def local_today(session: Session, actor: Actor, at: datetime | None) -> date:
    return clock.local_today(_zone(session, actor), at)


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.display_name if user else ""


def _refusal_for(session: Session, actor: Actor, lead: Lead) -> str | None:
    if not actor.can(Permission.WORK_LEADS):
        return f"{actor.role.title} users may not {Permission.WORK_LEADS.description}."
    if lead.owner_id in (None, actor.user_id) or actor.can(Permission.ASSIGN_LEADS):
        return None
    return (
        f"This lead belongs to {_name(session, lead.owner_id)}; "
        "ask a sales manager to reassign it."
    )


def _ensure_may_change(session: Session, actor: Actor, lead: Lead) -> None:
    actor.require(Permission.WORK_LEADS)
    refusal = _refusal_for(session, actor, lead)
    if refusal:
        raise Refused(refusal)


def _facts(lead: Lead, contacts: list[LeadContact]) -> LeadFacts:
    return LeadFacts(
        company=lead.company,
        segment=Segment(lead.segment),
        abn=lead.abn,
        phone=lead.phone,
        email=lead.email,
        contacts=tuple(
            ContactFacts(c.name, c.position, c.phone, c.email) for c in contacts
        ),
    )


def _view(session: Session, actor: Actor, lead: Lead, today: date) -> LeadView:
    contacts = list(
        session.scalars(
            select(LeadContact)
            .where(LeadContact.lead_id == lead.id)
            .order_by(LeadContact.primary.desc(), LeadContact.id)
        )
    )
    activities = session.scalars(
        select(LeadActivity)
        .where(LeadActivity.lead_id == lead.id)
        .order_by(LeadActivity.done, LeadActivity.due_on.desc(), LeadActivity.id)
    ).all()
    opportunity = session.scalars(
        select(Opportunity)
        .where(Opportunity.lead_id == lead.id)
        .order_by(Opportunity.id.desc())
        .limit(1)
    ).first()
    account = session.get(Account, lead.account_id) if lead.account_id else None
    linked = session.get(Lead, lead.linked_lead_id) if lead.linked_lead_id else None
    status = LeadStatus(lead.status)
    answers = _answers(lead)
    duplicates: list[DuplicateLine] = []
    if status.is_open:
        party = lead_party(_facts(lead, contacts), lead.id)
        duplicates = [
            d
            for d in find_duplicates(session, party)
            if not (d.kind == "account" and d.record_id == lead.account_id)
            and not (d.kind == "lead" and d.record_id == lead.linked_lead_id)
        ]
    return LeadView(
        id=lead.id,
        version=lead.version,
        number=lead.number,
        company=lead.company,
        segment=Segment(lead.segment),
        source=LeadSource(lead.source),
        abn=lead.abn,
        phone=lead.phone,
        email=lead.email,
        fleet_size=lead.fleet_size,
        fleet_makes=lead.fleet_makes,
        region=lead.region,
        owner_id=lead.owner_id,
        owner=_name(session, lead.owner_id),
        status=status,
        disqualification_reason=lead.disqualification_reason,
        answers=answers,
        verdict=assess(answers),
        ranking=_ranking(lead),
        score=score_of(session, lead),
        next_contact_on=lead.next_contact_on,
        follow_up=follow_up(status, lead.next_contact_on, today),
        account_id=lead.account_id,
        account=f"{account.number} {account.name}" if account else "",
        linked_lead_id=lead.linked_lead_id,
        linked_lead=f"{linked.number} {linked.company}" if linked else "",
        notes=lead.notes,
        today=today,
        moves=status_moves(status, answers),
        change_refusal=_refusal_for(session, actor, lead),
        contacts=[
            ContactLine(c.id, c.name, c.position, c.phone, c.email, c.primary)
            for c in contacts
        ],
        activities=[
            ActivityLine(
                id=a.id,
                version=a.version,
                kind=ActivityKind(a.kind),
                due_on=a.due_on,
                done=a.done,
                done_at=a.done_at,
                outcome=a.outcome,
                notes=a.notes,
                owner=_name(session, a.owner_id),
                overdue=not a.done and status.is_open and a.due_on < today,
            )
            for a in activities
        ],
        opportunity=(
            OpportunityLine(
                id=opportunity.id,
                version=opportunity.version,
                number=opportunity.number,
                title=opportunity.title,
                expected_trucks=opportunity.expected_trucks,
                value=opportunity.value,
                close_on=opportunity.close_on,
                stage=Stage(opportunity.stage),
                lost_reason=opportunity.lost_reason,
                competitor=opportunity.competitor,
            )
            if opportunity
            else None
        ),
        duplicates=duplicates,
    )


def lead_view(
    db: Database, actor: Actor, lead_id: int, at: datetime | None = None
) -> LeadView:
    """The lead with its checklist, score breakdown, contacts and history."""
    actor.require(Permission.VIEW_LEADS)
    with db.read() as session:
        lead = load(session, Lead, lead_id, "lead")
        return _view(session, actor, lead, local_today(session, actor, at))


# --------------------------------------------------------------------------
# Creating and changing a lead
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadForm:
    """A lead's details as typed on the form or read from a file."""

    company: str
    segment: str
    source: str = ""
    abn: str = ""
    phone: str = ""
    email: str = ""
    contact_name: str = ""
    contact_position: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    fleet_size: str = ""
    fleet_makes: str = ""
    region: str = ""
    next_contact_on: str = ""
    notes: str = ""


@dataclass(frozen=True)
class LeadDetails:
    """A lead form's values, checked and in their types."""

    company: str
    segment: Segment
    source: LeadSource
    abn: str
    phone: str
    email: str
    contact: ContactFacts | None
    fleet_size: int | None
    fleet_makes: tuple[str, ...]
    region: str
    next_contact_on: date | None
    notes: str

    def party(self, record_id: int | None = None) -> Party:
        """The details as duplicate detection sees them."""
        return lead_party(self.facts(), record_id)

    def facts(self) -> LeadFacts:
        return LeadFacts(
            company=self.company,
            segment=self.segment,
            source=self.source,
            abn=self.abn,
            phone=self.phone,
            email=self.email,
            contacts=(self.contact,) if self.contact else (),
            fleet_size=self.fleet_size,
            fleet_makes=self.fleet_makes,
            region=self.region,
        )


# check_lead names a contact's fields by position; the form has one contact.
_FORM_FIELDS = {
    "contacts[1].name": "contact_name",
    "contacts[1].email": "contact_email",
}


def read_lead_form(
    form: LeadForm, errors: FieldErrors, today: date | None = None
) -> LeadDetails:
    """Check every field of the form, adding each problem to errors."""
    company = errors.optional("company", form.company, 200)
    segment = read_choice(errors, "segment", form.segment, Segment, None)
    source = read_choice(errors, "source", form.source, LeadSource, LeadSource.OTHER)
    contact = None
    typed = (
        form.contact_name,
        form.contact_position,
        form.contact_phone,
        form.contact_email,
    )
    if any((text or "").strip() for text in typed):
        contact = ContactFacts(
            name=errors.optional("contact_name", form.contact_name, 120),
            position=errors.optional("contact_position", form.contact_position, 80),
            phone=errors.optional("contact_phone", form.contact_phone, 32),
            email=errors.optional("contact_email", form.contact_email, 200),
        )
    makes = tuple(m for m in _makes(form.fleet_makes) if m) if form.fleet_makes else ()
    if len(", ".join(makes)) > 200:
        errors.add("fleet_makes", "is longer than 200 characters")
    next_contact = errors.day("next_contact_on", form.next_contact_on)
    if next_contact and today and next_contact < today:
        errors.add("next_contact_on", "cannot be in the past")
    details = LeadDetails(
        company=company,
        segment=segment or Segment.OTHER,
        source=source or LeadSource.OTHER,
        abn=(form.abn or "").strip(),
        phone=errors.optional("phone", form.phone, 32),
        email=errors.optional("email", form.email, 200),
        contact=contact,
        fleet_size=read_optional_int(errors, "fleet_size", form.fleet_size),
        fleet_makes=makes,
        region=errors.optional("region", form.region, 40).upper(),
        next_contact_on=next_contact,
        notes=errors.optional("notes", form.notes, 4000),
    )
    known = {p.field for p in errors.problems}
    for problem in check_lead(details.facts()):
        name = _FORM_FIELDS.get(problem.field, problem.field)
        if name.startswith("fleet_makes"):
            name = "fleet_makes"
        if name not in known:
            errors.add(name, problem.message)
            known.add(name)
    return details


def _apply_details(lead: Lead, details: LeadDetails) -> None:
    lead.company = details.company
    lead.company_key = search_key(details.company)
    lead.match_name = match_name_of(details.company)
    lead.abn = normalise_abn(details.abn)
    lead.phone = details.phone
    lead.phone_key = phone_key(details.phone)
    lead.email = details.email
    lead.email_key = email_key(details.email)
    lead.source = details.source.value
    lead.segment = details.segment.value
    lead.fleet_size = details.fleet_size
    lead.fleet_makes = ", ".join(details.fleet_makes)
    lead.region = details.region
    lead.notes = details.notes


def _add_contact(session: Session, lead: Lead, contact: ContactFacts) -> None:
    has_primary = session.scalar(
        select(func.count())
        .select_from(LeadContact)
        .where(LeadContact.lead_id == lead.id, LeadContact.primary.is_(True))
    )
    session.add(
        LeadContact(
            lead_id=lead.id,
            name=contact.name.strip(),
            position=contact.position.strip(),
            phone=contact.phone.strip(),
            phone_key=phone_key(contact.phone),
            email=contact.email.strip(),
            email_key=email_key(contact.email),
            primary=not has_primary,
        )
    )


class DuplicateChoice(StrEnum):
    """What the user decided about a possible duplicate."""

    MERGE = "merge"
    LINK = "link"
    KEEP = "keep"


@dataclass(frozen=True)
class DuplicateDecision:
    """Merge into or link to one record, or keep both as they are."""

    choice: DuplicateChoice
    kind: str = ""
    record_id: int | None = None


class DuplicatesFound(Refused):
    """The new lead may be a company the dealer already has; the user decides."""

    def __init__(self, matches: list[DuplicateLine]) -> None:
        self.matches = matches
        first = matches[0].sentence
        more = f" (and {len(matches) - 1} more)" if len(matches) > 1 else ""
        super().__init__(
            f"This may be a company already known: {first}{more}. "
            "Merge, link or keep both."
        )


def new_lead(
    session: Session,
    actor: Actor,
    details: LeadDetails,
    today: date,
    owner_id: int | None,
) -> Lead:
    lead = Lead(
        number=next_number(session, LEAD_SERIES, today.year, LEAD_PREFIX),
        status=LeadStatus.NEW.value,
        owner_id=owner_id,
        created_by_id=actor.user_id,
        updated_by_id=actor.user_id,
    )
    _apply_details(lead, details)
    lead.score = score_of(session, lead).total
    session.add(lead)
    session.flush()
    if details.contact:
        _add_contact(session, lead, details.contact)
    return lead


def _region_of(session: Session, actor: Actor) -> str:
    branch = session.get(Branch, actor.branch_id) if actor.branch_id else None
    return branch.region if branch else ""


def create_lead(
    db: Database,
    actor: Actor,
    form: LeadForm,
    decision: DuplicateDecision | None = None,
    at: datetime | None = None,
) -> LeadView:
    """Create a suspect, unless it may be a known company and nobody decided.

    Without a decision, a possible duplicate raises DuplicatesFound with
    the matches. Merge folds the details into the chosen lead; link makes
    the new lead point at the chosen lead or account; keep saves it apart.
    A sales representative owns the leads they create.
    """
    actor.require(Permission.WORK_LEADS)
    with db.write() as session:
        today = local_today(session, actor, at)
        errors = FieldErrors()
        details = read_lead_form(form, errors, today)
        if errors:
            raise ValidationFailed(errors.problems)
        if not details.region:
            details = _with_region(details, _region_of(session, actor))
        matches = find_duplicates(session, details.party())
        if matches and decision is None:
            raise DuplicatesFound(matches)
        if decision and decision.choice is DuplicateChoice.MERGE:
            lead = merge_into_lead(session, actor, details, decision)
        else:
            owner = actor.user_id if actor.role is Role.SALES_REP else None
            lead = new_lead(session, actor, details, today, owner)
            if decision and decision.choice is DuplicateChoice.LINK:
                link_lead(session, lead, decision)
            audit.record(
                session,
                actor,
                "create",
                "lead",
                lead.id,
                after={"number": lead.number, "status": lead.status},
                note=_decision_note(decision),
            )
        if details.next_contact_on:
            _plan(session, lead, ActivityKind.CALL, details.next_contact_on, "")
        session.flush()
        return _view(session, actor, lead, today)


def _with_region(details: LeadDetails, region: str) -> LeadDetails:
    values = dict(details.__dict__)
    values["region"] = region
    return LeadDetails(**values)


def _decision_note(decision: DuplicateDecision | None) -> str:
    if decision is None:
        return ""
    if decision.choice is DuplicateChoice.KEEP:
        return "kept apart from a possible duplicate"
    return f"linked to {decision.kind} {decision.record_id}"


def link_lead(session: Session, lead: Lead, decision: DuplicateDecision) -> None:
    if decision.record_id is None:
        raise Refused("Choose the lead or account to link the new lead to.")
    if decision.kind == RecordKind.ACCOUNT.value:
        load(session, Account, decision.record_id, "customer")
        lead.account_id = decision.record_id
    elif decision.kind == RecordKind.LEAD.value:
        load(session, Lead, decision.record_id, "lead")
        lead.linked_lead_id = decision.record_id
    else:
        raise Refused("A lead is linked to another lead or to an account.")


def merge_into_lead(
    session: Session, actor: Actor, details: LeadDetails, decision: DuplicateDecision
) -> Lead:
    """Fold the new details into an existing lead: blanks filled, contact added."""
    if decision.kind != RecordKind.LEAD.value or decision.record_id is None:
        raise Refused(
            "Only another lead can take the new details; link the lead to "
            "the account instead."
        )
    target = load(session, Lead, decision.record_id, "lead")
    if not LeadStatus(target.status).is_open:
        raise Refused(
            f"Lead {target.number} is {target.status}; link to it or keep both instead."
        )
    _ensure_may_change(session, actor, target)
    before = audit.snapshot(target, ("abn", "phone", "email", "fleet_size"))
    if not target.abn:
        target.abn = normalise_abn(details.abn)
    if not target.phone:
        target.phone = details.phone
        target.phone_key = phone_key(details.phone)
    if not target.email:
        target.email = details.email
        target.email_key = email_key(details.email)
    if target.fleet_size is None:
        target.fleet_size = details.fleet_size
    makes = _makes(target.fleet_makes) if target.fleet_makes else ()
    known = {m.casefold() for m in makes}
    extra = tuple(m for m in details.fleet_makes if m.casefold() not in known)
    target.fleet_makes = ", ".join((*makes, *extra))[:200]
    if details.notes:
        target.notes = "\n".join(n for n in (target.notes, details.notes) if n)
    if details.contact:
        names = set(
            session.scalars(
                select(func.lower(LeadContact.name)).where(
                    LeadContact.lead_id == target.id
                )
            )
        )
        if details.contact.name.strip().lower() not in names:
            _add_contact(session, target, details.contact)
    target.score = score_of(session, target).total
    target.updated_by_id = actor.user_id
    audit.record(
        session,
        actor,
        "merge",
        "lead",
        target.id,
        before=before,
        after=audit.snapshot(target, ("abn", "phone", "email", "fleet_size")),
        note=f"merged a new lead for {details.company}",
    )
    return target


def update_lead(
    db: Database,
    actor: Actor,
    lead_id: int,
    expected_version: int,
    form: LeadForm,
    at: datetime | None = None,
) -> LeadView:
    """Save the changed details of a lead; the score follows a new segment."""
    actor.require(Permission.WORK_LEADS)
    with db.write() as session:
        zone = _zone(session, actor)
        today = clock.local_today(zone, at)
        errors = FieldErrors()
        details = read_lead_form(form, errors)
        if errors:
            raise ValidationFailed(errors.problems)
        lead = load_for_change(session, Lead, lead_id, expected_version, "lead", zone)
        _ensure_may_change(session, actor, lead)
        if lead.status == LeadStatus.CONVERTED.value:
            raise Refused("A converted lead is an account now; change the account.")
        fields = ("company", "segment", "source", "abn", "phone", "email", "region")
        before = audit.snapshot(lead, (*fields, "fleet_size", "fleet_makes"))
        _apply_details(lead, details)
        lead.score = score_of(session, lead).total
        lead.updated_by_id = actor.user_id
        old, new = audit.changes(
            before, audit.snapshot(lead, (*fields, "fleet_size", "fleet_makes"))
        )
        if new:
            audit.record(
                session, actor, "update", "lead", lead.id, before=old, after=new
            )
        session.flush()
        return _view(session, actor, lead, today)


def _move(
    session: Session,
    actor: Actor,
    lead: Lead,
    target: LeadStatus,
    reason: str = "",
) -> None:
    """Move the lead's status along the whitelist, audited."""
    ensure_transition(LeadStatus(lead.status), target, _answers(lead), reason)
    before = {"status": lead.status, "reason": lead.disqualification_reason}
    lead.status = target.value
    lead.disqualification_reason = (
        reason.strip() if target is LeadStatus.DISQUALIFIED else ""
    )
    lead.updated_by_id = actor.user_id
    if not target.is_open:
        word = "converted" if target is LeadStatus.CONVERTED else "disqualified"
        _close_open_activities(session, actor, lead, f"Not needed: lead {word}")
    audit.record(
        session,
        actor,
        "status",
        "lead",
        lead.id,
        before=before,
        after={"status": lead.status, "reason": lead.disqualification_reason},
    )


def record_answers(
    db: Database,
    actor: Actor,
    lead_id: int,
    expected_version: int,
    answers: Mapping[str, str],
    at: datetime | None = None,
) -> LeadView:
    """Record the qualification checklist: yes, no or blank for each question.

    A new lead starts qualifying with its first answer. A qualified lead
    keeps five yes answers: a no means disqualifying it instead.
    """
    actor.require(Permission.WORK_LEADS)
    errors = FieldErrors()
    given = {
        c: read_answer(errors, c.value, answers.get(c.value, "")) for c in Criterion
    }
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        zone = _zone(session, actor)
        lead = load_for_change(session, Lead, lead_id, expected_version, "lead", zone)
        _ensure_may_change(session, actor, lead)
        status = LeadStatus(lead.status)
        if status is LeadStatus.CONVERTED:
            raise Refused("A converted lead's checklist no longer changes.")
        if status is LeadStatus.QUALIFIED and any(
            a is not Answer.YES for a in given.values()
        ):
            raise Refused(
                "A qualified lead keeps five yes answers; disqualify it if one "
                "of them is now no."
            )
        fields = [c.value for c in Criterion]
        before = audit.snapshot(lead, fields)
        for criterion, answer in given.items():
            setattr(lead, criterion.value, answer.value)
        lead.updated_by_id = actor.user_id
        old, new = audit.changes(before, audit.snapshot(lead, fields))
        if new:
            audit.record(
                session, actor, "answers", "lead", lead.id, before=old, after=new
            )
        if status is LeadStatus.NEW and any(
            a is not Answer.UNKNOWN for a in given.values()
        ):
            _move(session, actor, lead, LeadStatus.QUALIFYING)
        session.flush()
        return _view(session, actor, lead, clock.local_today(zone, at))


def set_ranking_answers(
    db: Database,
    actor: Actor,
    lead_id: int,
    expected_version: int,
    values: Mapping[str, str],
    at: datetime | None = None,
) -> LeadView:
    """Record fleet size and the 0 to 5 ranking answers, and score again."""
    actor.require(Permission.WORK_LEADS)
    errors = FieldErrors()
    fleet = read_optional_int(errors, "fleet_size", values.get("fleet_size", ""))
    scale = {
        name: read_optional_int(errors, name, values.get(name, ""), maximum=5)
        for name in SCALE_FIELDS
    }
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        zone = _zone(session, actor)
        lead = load_for_change(session, Lead, lead_id, expected_version, "lead", zone)
        _ensure_may_change(session, actor, lead)
        if lead.status == LeadStatus.CONVERTED.value:
            raise Refused("A converted lead is no longer ranked.")
        fields = ("fleet_size", *SCALE_FIELDS, "score")
        before = audit.snapshot(lead, fields)
        lead.fleet_size = fleet
        for name, value in scale.items():
            setattr(lead, name, value)
        lead.score = score_of(session, lead).total
        lead.updated_by_id = actor.user_id
        old, new = audit.changes(before, audit.snapshot(lead, fields))
        if new:
            audit.record(
                session, actor, "ranking", "lead", lead.id, before=old, after=new
            )
        session.flush()
        return _view(session, actor, lead, clock.local_today(zone, at))


def change_status(
    db: Database,
    actor: Actor,
    lead_id: int,
    expected_version: int,
    target: LeadStatus | str,
    reason: str = "",
    at: datetime | None = None,
) -> LeadView:
    """Qualify, disqualify (with a reason) or reopen a lead, audited.

    Converting has its own use case, which creates the account too.
    """
    actor.require(Permission.WORK_LEADS)
    wanted = LeadStatus(target)
    if wanted is LeadStatus.CONVERTED:
        raise Refused("Convert the lead with its opportunity's details instead.")
    if wanted is LeadStatus.DISQUALIFIED:
        errors = FieldErrors()
        errors.required("disqualification_reason", reason, 300)
        if errors:
            raise ValidationFailed(errors.problems)
    with db.write() as session:
        zone = _zone(session, actor)
        lead = load_for_change(session, Lead, lead_id, expected_version, "lead", zone)
        _ensure_may_change(session, actor, lead)
        _move(session, actor, lead, wanted, reason)
        session.flush()
        return _view(session, actor, lead, clock.local_today(zone, at))


def add_contact(
    db: Database,
    actor: Actor,
    lead_id: int,
    values: Mapping[str, str],
    at: datetime | None = None,
) -> LeadView:
    """Add a person at the lead's company; the first one is the primary contact."""
    actor.require(Permission.WORK_LEADS)
    errors = FieldErrors()
    contact = ContactFacts(
        name=errors.required("name", values.get("name"), 120),
        position=errors.optional("position", values.get("position"), 80),
        phone=errors.optional("phone", values.get("phone"), 32),
        email=errors.optional("email", values.get("email"), 200),
    )
    for problem in check_lead(
        LeadFacts(company="-", segment=Segment.OTHER, contacts=(contact,))
    ):
        if problem.field == "contacts[1].email":
            errors.add("email", problem.message)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        lead = load(session, Lead, lead_id, "lead")
        _ensure_may_change(session, actor, lead)
        if lead.status == LeadStatus.CONVERTED.value:
            raise Refused("A converted lead's contacts are on the account now.")
        _add_contact(session, lead, contact)
        audit.record(
            session, actor, "add_contact", "lead", lead.id, after={"name": contact.name}
        )
        session.flush()
        return _view(session, actor, lead, local_today(session, actor, at))


# --------------------------------------------------------------------------
# Activities and follow-up
# --------------------------------------------------------------------------


def refresh_next_contact(session: Session, lead: Lead) -> None:
    session.flush()
    lead.next_contact_on = session.scalar(
        select(func.min(LeadActivity.due_on)).where(
            LeadActivity.lead_id == lead.id, LeadActivity.done.is_(False)
        )
    )


def _plan(
    session: Session, lead: Lead, kind: ActivityKind, due_on: date, notes: str
) -> LeadActivity:
    activity = LeadActivity(
        lead_id=lead.id,
        kind=kind.value,
        due_on=due_on,
        owner_id=lead.owner_id,
        notes=notes,
    )
    session.add(activity)
    refresh_next_contact(session, lead)
    return activity


def _close_open_activities(
    session: Session, actor: Actor, lead: Lead, outcome: str
) -> None:
    session.execute(
        update(LeadActivity)
        .where(LeadActivity.lead_id == lead.id, LeadActivity.done.is_(False))
        .values(
            done=True,
            done_at=utc_now(),
            done_by_id=actor.user_id,
            outcome=outcome,
            version=LeadActivity.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    lead.next_contact_on = None


def plan_activity(
    db: Database,
    actor: Actor,
    lead_id: int,
    values: Mapping[str, str],
    at: datetime | None = None,
) -> LeadView:
    """Plan a call, visit, meeting or e-mail on a date, for an open lead."""
    actor.require(Permission.WORK_LEADS)
    errors = FieldErrors()
    kind = read_choice(errors, "kind", values.get("kind", ""), ActivityKind, None)
    due_on = errors.day("due_on", values.get("due_on"), required=True)
    notes = errors.optional("notes", values.get("notes"), 4000)
    with db.write() as session:
        today = local_today(session, actor, at)
        if due_on and due_on < today:
            errors.add("due_on", "cannot be in the past")
        if errors:
            raise ValidationFailed(errors.problems)
        lead = load(session, Lead, lead_id, "lead")
        _ensure_may_change(session, actor, lead)
        if not LeadStatus(lead.status).is_open:
            raise Refused(f"A {lead.status} lead has no follow-ups to plan.")
        assert kind is not None and due_on is not None
        activity = _plan(session, lead, kind, due_on, notes)
        session.flush()
        audit.record(
            session,
            actor,
            "plan",
            "lead_activity",
            activity.id,
            after={
                "lead": lead.number,
                "kind": kind.value,
                "due_on": audit.plain(due_on),
            },
        )
        return _view(session, actor, lead, today)


def complete_activity(
    db: Database,
    actor: Actor,
    activity_id: int,
    expected_version: int,
    values: Mapping[str, str],
    at: datetime | None = None,
) -> LeadView:
    """Record how an activity went and, for an open lead, the next contact.

    The next contact becomes a planned activity of the kind given (a call
    unless said otherwise), so the follow-up is never lost.
    """
    actor.require(Permission.WORK_LEADS)
    errors = FieldErrors()
    next_on = errors.day("next_contact_on", values.get("next_contact_on"))
    next_kind = read_choice(
        errors,
        "next_kind",
        values.get("next_kind", ""),
        ActivityKind,
        ActivityKind.CALL,
    )
    notes = errors.optional("notes", values.get("notes"), 4000)
    with db.write() as session:
        zone = _zone(session, actor)
        today = clock.local_today(zone, at)
        activity = load_for_change(
            session, LeadActivity, activity_id, expected_version, "activity", zone
        )
        lead = load(session, Lead, activity.lead_id, "lead")
        _ensure_may_change(session, actor, lead)
        if activity.done:
            raise Refused("This activity is already done.")
        lead_open = LeadStatus(lead.status).is_open
        completion = Completion(values.get("outcome", ""), next_on, next_kind)
        for problem in check_completion(completion, lead_open, today):
            errors.add(problem.field, problem.message)
        if errors:
            raise ValidationFailed(errors.problems)
        activity.done = True
        activity.done_at = utc_now()
        activity.done_by_id = actor.user_id
        activity.outcome = completion.outcome.strip()
        if notes:
            activity.notes = "\n".join(n for n in (activity.notes, notes) if n)
        activity.updated_by_id = actor.user_id
        audit.record(
            session,
            actor,
            "complete",
            "lead_activity",
            activity.id,
            after={
                "outcome": activity.outcome,
                "next_contact_on": audit.plain(next_on),
            },
        )
        if next_on is not None and next_kind is not None:
            _plan(session, lead, next_kind, next_on, "")
        else:
            refresh_next_contact(session, lead)
        session.flush()
        return _view(session, actor, lead, today)


# --------------------------------------------------------------------------
# Prospect distribution
# --------------------------------------------------------------------------


def _rep_named(session: Session, username: str) -> User:
    user = session.scalars(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).one_or_none()
    if user is None or not user.active:
        raise ValidationFailed(
            [Problem("owner", f"there is no active user '{username}'")]
        )
    if Role(user.role) not in (Role.SALES_REP, Role.SALES_MANAGER):
        raise ValidationFailed(
            [Problem("owner", f"{user.display_name} does not work leads")]
        )
    return user


def _assign(session: Session, actor: Actor, lead: Lead, owner_id: int) -> None:
    if lead.owner_id == owner_id:
        return
    before = lead.owner_id
    lead.owner_id = owner_id
    lead.updated_by_id = actor.user_id
    session.execute(
        update(LeadActivity)
        .where(LeadActivity.lead_id == lead.id, LeadActivity.done.is_(False))
        .values(owner_id=owner_id)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        actor,
        "assign",
        "lead",
        lead.id,
        before={"owner_id": before},
        after={"owner_id": owner_id},
    )


def assign_lead(
    db: Database,
    actor: Actor,
    lead_id: int,
    expected_version: int,
    username: str,
    at: datetime | None = None,
) -> LeadView:
    """Give one open lead to a sales representative by hand."""
    actor.require(Permission.ASSIGN_LEADS)
    with db.write() as session:
        zone = _zone(session, actor)
        user = _rep_named(session, username)
        lead = load_for_change(session, Lead, lead_id, expected_version, "lead", zone)
        if not LeadStatus(lead.status).is_open:
            raise Refused(f"A {lead.status} lead is no longer assigned.")
        _assign(session, actor, lead, user.id)
        session.flush()
        return _view(session, actor, lead, clock.local_today(zone, at))


BY_REGION = "region"


@dataclass
class DistributionReport:
    """How many leads went to whom, and how many found nobody."""

    matched: int = 0
    assigned: dict[str, int] = field(default_factory=dict)
    no_rep: int = 0

    def summary(self) -> str:
        given = sum(self.assigned.values())
        text = f"Assigned {given} of {self.matched} open leads"
        if self.assigned:
            text += ": " + ", ".join(f"{n} to {u}" for u, n in self.assigned.items())
        text += "."
        if self.no_rep:
            text += f" {self.no_rep} have a region no representative covers."
        return text


def distribute_leads(
    db: Database,
    actor: Actor,
    filter_text: str,
    to: str,
    at: datetime | None = None,
) -> DistributionReport:
    """Assign every open lead the filter matches, to one user or by region.

    By region, each lead goes to the sales representative of a branch in
    the lead's region who has the fewest open leads, counting the ones
    given out in this run; ties go to the user name first in order.
    """
    actor.require(Permission.ASSIGN_LEADS)
    target = (to or "").strip().lower()
    if not target:
        raise ValidationFailed([Problem("owner", "name a user or 'region'")])
    report = DistributionReport()
    with db.write() as session:
        today = local_today(session, actor, at)
        stmt = _filtered(select(Lead), parse_filter(filter_text), actor, today).where(
            Lead.status.in_(OPEN_STATUSES)
        )
        leads = session.scalars(stmt.order_by(Lead.id)).all()
        report.matched = len(leads)
        if target == BY_REGION:
            load_of, reps = _reps_by_region(session)
            for lead in leads:
                choices = reps.get(lead.region.upper(), [])
                if not choices:
                    report.no_rep += 1
                    continue
                rep = min(choices, key=lambda u: (load_of[u.id], u.username))
                if lead.owner_id != rep.id:
                    if lead.owner_id in load_of:
                        load_of[lead.owner_id] -= 1
                    load_of[rep.id] += 1
                _assign(session, actor, lead, rep.id)
                report.assigned[rep.username] = report.assigned.get(rep.username, 0) + 1
        else:
            user = _rep_named(session, target)
            for lead in leads:
                _assign(session, actor, lead, user.id)
            if leads:
                report.assigned[user.username] = len(leads)
    return report


def _reps_by_region(
    session: Session,
) -> tuple[dict[int, int], dict[str, list[User]]]:
    reps = session.execute(
        select(User, Branch.region)
        .join(Branch, Branch.id == User.branch_id)
        .where(User.role == Role.SALES_REP.value, User.active.is_(True))
        .order_by(User.username)
    ).all()
    by_region: dict[str, list[User]] = {}
    for user, region in reps:
        by_region.setdefault(region.upper(), []).append(user)
    counts = dict(
        session.execute(
            select(Lead.owner_id, func.count())
            .where(Lead.status.in_(OPEN_STATUSES), Lead.owner_id.is_not(None))
            .group_by(Lead.owner_id)
        ).all()
    )
    load_of = {user.id: counts.get(user.id, 0) for user, _ in reps}
    return load_of, by_region


# --------------------------------------------------------------------------
# Ranking weights
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeLine:
    """A segment's weights; version is None while it has the defaults."""

    segment: Segment
    version: int | None
    weights: dict[RankingParameter, Decimal]
    leads: int


def ranking_schemes(db: Database, actor: Actor) -> list[SchemeLine]:
    """Every segment's ranking weights, stored or default, with its lead count."""
    actor.require(Permission.VIEW_LEADS)
    with db.read() as session:
        stored = {r.segment: r for r in session.scalars(select(RankingWeights))}
        counts = dict(
            session.execute(
                select(Lead.segment, func.count()).group_by(Lead.segment)
            ).all()
        )
        lines = []
        for segment in Segment:
            row = stored.get(segment.value)
            scheme = (
                RankingScheme(
                    segment, {p: getattr(row, p.value) for p in RankingParameter}
                )
                if row
                else default_scheme(segment)
            )
            lines.append(
                SchemeLine(
                    segment=segment,
                    version=row.version if row else None,
                    weights={p: scheme.weight(p) for p in RankingParameter},
                    leads=counts.get(segment.value, 0),
                )
            )
        return lines


@dataclass(frozen=True)
class WeightsSaved:
    scheme: SchemeLine
    rescored: int


def set_ranking_weights(
    db: Database,
    actor: Actor,
    segment: Segment | str,
    expected_version: int | None,
    values: Mapping[str, str],
) -> WeightsSaved:
    """Change a segment's weights and score every lead of the segment again.

    All in one transaction: the list never shows a mix of old and new
    scores. expected_version is None when the defaults were on screen.
    """
    actor.require(Permission.SET_RANKING)
    chosen = Segment(segment)
    errors = FieldErrors()
    weights: dict[RankingParameter, Decimal] = {}
    for parameter in RankingParameter:
        text = values.get(parameter.value, "")
        weights[parameter] = errors.money(parameter.value, text)
    if not errors:
        for problem in check_scheme(RankingScheme(chosen, weights)):
            name = problem.field.removeprefix("weights.")
            errors.add(name, problem.message)
    if errors:
        raise ValidationFailed(errors.problems)
    try:
        with db.write() as session:
            zone = _zone(session, actor)
            row = session.scalars(
                select(RankingWeights).where(RankingWeights.segment == chosen.value)
            ).one_or_none()
            if row is None and expected_version is not None:
                raise NotFound("The segment's weights no longer exist.")
            if row is not None:
                if expected_version is None:
                    raise StaleRecord(
                        "Someone set this segment's weights after you opened "
                        "them. Nothing was saved: reload and try again."
                    )
                row = load_for_change(
                    session, RankingWeights, row.id, expected_version, "weights", zone
                )
                before = audit.snapshot(row, [p.value for p in RankingParameter])
            else:
                row = RankingWeights(segment=chosen.value)
                session.add(row)
                before = {
                    p.value: str(w) for p, w in default_scheme(chosen).weights.items()
                }
            for parameter, weight in weights.items():
                setattr(row, parameter.value, weight)
            row.updated_by_id = actor.user_id
            session.flush()
            rescored = _rescore_segment(session, chosen, RankingScheme(chosen, weights))
            audit.record(
                session,
                actor,
                "set_weights",
                "ranking_weights",
                chosen.value,
                before=before,
                after=audit.snapshot(row, [p.value for p in RankingParameter]),
                note=f"{rescored} leads scored again",
            )
            line = SchemeLine(chosen, row.version, dict(weights), 0)
    except IntegrityError:
        raise StaleRecord(
            "Someone set this segment's weights at the same moment. Nothing "
            "was saved: reload and try again."
        ) from None
    return WeightsSaved(line, rescored)


def _rescore_segment(session: Session, segment: Segment, scheme: RankingScheme) -> int:
    rows = session.execute(
        select(
            Lead.id,
            Lead.score,
            Lead.fleet_size,
            Lead.after_sales_penetration,
            Lead.finance_openness,
            Lead.brand_values_fit,
        ).where(Lead.segment == segment.value)
    ).all()
    changes = []
    for row in rows:
        answers = RankingAnswers(
            fleet_size=row.fleet_size,
            after_sales_penetration=row.after_sales_penetration,
            finance_openness=row.finance_openness,
            brand_values_fit=row.brand_values_fit,
        )
        total = score_lead(answers, scheme).total
        if total != row.score:
            changes.append({"lead_id": row.id, "new_score": total})
    table = Lead.__table__
    statement = (
        table.update()
        .where(table.c.id == bindparam("lead_id"))
        .values(score=bindparam("new_score", type_=table.c.score.type))
    )
    for start in range(0, len(changes), 1000):
        session.connection().execute(statement, changes[start : start + 1000])
    return len(changes)


# --------------------------------------------------------------------------
# Conversion and opportunities
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversionForm:
    """The opportunity a qualified prospect is converted with, as typed."""

    title: str
    expected_trucks: str
    value: str
    close_on: str
    stage: str = ""


def convert_lead(
    db: Database,
    actor: Actor,
    lead_id: int,
    expected_version: int,
    form: ConversionForm,
    at: datetime | None = None,
) -> LeadView:
    """Turn a qualified prospect into an account, its contacts and an opportunity.

    A lead linked to an account is converted into that account; any other
    gets a new account numbered in the customer series. Contacts already
    on the account by name are not copied twice.
    """
    actor.require(Permission.WORK_LEADS)
    errors = FieldErrors()
    title = errors.optional("title", form.title, 200)
    trucks = errors.integer("expected_trucks", form.expected_trucks, maximum=10000)
    value = errors.money("value", form.value)
    close_on = errors.day("close_on", form.close_on, required=True)
    stage = read_choice(errors, "stage", form.stage, Stage, Stage.NEEDS_ANALYSIS)
    with db.write() as session:
        zone = _zone(session, actor)
        today = clock.local_today(zone, at)
        if close_on is not None and stage is not None and not errors:
            terms = OpportunityTerms(title, trucks, value, close_on, stage)
            for problem in check_terms(terms, today):
                errors.add(problem.field, problem.message)
        if errors:
            raise ValidationFailed(errors.problems)
        assert close_on is not None and stage is not None
        lead = load_for_change(session, Lead, lead_id, expected_version, "lead", zone)
        _ensure_may_change(session, actor, lead)
        ensure_transition(LeadStatus(lead.status), LeadStatus.CONVERTED, _answers(lead))
        account = (
            load(session, Account, lead.account_id, "customer")
            if lead.account_id
            else _new_account(session, actor, lead, today)
        )
        copied = _copy_contacts(session, lead, account)
        owner_id = lead.owner_id or actor.user_id
        opportunity = Opportunity(
            number=next_number(
                session, OPPORTUNITY_SERIES, today.year, OPPORTUNITY_PREFIX
            ),
            account_id=account.id,
            lead_id=lead.id,
            owner_id=owner_id,
            title=title,
            expected_trucks=trucks,
            value=value,
            close_on=close_on,
            stage=stage.value,
            updated_by_id=actor.user_id,
        )
        session.add(opportunity)
        session.flush()
        lead.account_id = account.id
        _move(session, actor, lead, LeadStatus.CONVERTED)
        audit.record(
            session,
            actor,
            "create",
            "opportunity",
            opportunity.id,
            after={
                "number": opportunity.number,
                "account": account.number,
                "lead": lead.number,
                "expected_trucks": trucks,
                "value": audit.plain(value),
                "close_on": audit.plain(close_on),
                "stage": stage.value,
            },
            note=f"{copied} contacts copied to the account",
        )
        session.flush()
        return _view(session, actor, lead, today)


def _new_account(session: Session, actor: Actor, lead: Lead, today: date) -> Account:
    owner = session.get(User, lead.owner_id) if lead.owner_id else None
    account = Account(
        number=next_number(session, CUSTOMER_SERIES, today.year, CUSTOMER_PREFIX),
        name=lead.company,
        name_key=search_key(lead.company),
        match_name=lead.match_name,
        kind="company",
        tax_id=lead.abn,
        phone=lead.phone,
        email=lead.email,
        state=lead.region if lead.region in STATES else "",
        branch_id=(owner.branch_id if owner else None) or actor.branch_id,
        sales_rep_id=lead.owner_id,
        notes=f"Converted from lead {lead.number}.",
        updated_by_id=actor.user_id,
    )
    session.add(account)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "account",
        account.id,
        after={"number": account.number, "name": account.name, "lead": lead.number},
    )
    return account


def _copy_contacts(session: Session, lead: Lead, account: Account) -> int:
    there = {
        n.casefold()
        for n in session.scalars(
            select(Contact.name).where(Contact.account_id == account.id)
        )
    }
    has_primary = any(
        session.scalars(
            select(Contact.primary).where(
                Contact.account_id == account.id, Contact.primary.is_(True)
            )
        )
    )
    copied = 0
    people = session.scalars(
        select(LeadContact)
        .where(LeadContact.lead_id == lead.id)
        .order_by(LeadContact.primary.desc(), LeadContact.id)
    )
    for person in people:
        if person.name.casefold() in there:
            continue
        session.add(
            Contact(
                account_id=account.id,
                name=person.name,
                position=person.position,
                phone=person.phone,
                email=person.email,
                primary=person.primary and not has_primary,
            )
        )
        there.add(person.name.casefold())
        copied += 1
    return copied


def move_opportunity(
    db: Database,
    actor: Actor,
    opportunity_id: int,
    expected_version: int,
    values: Mapping[str, str],
    at: datetime | None = None,
) -> LeadView:
    """Move an opportunity to another stage; losing it needs reason and competitor."""
    actor.require(Permission.WORK_LEADS)
    errors = FieldErrors()
    stage = read_choice(errors, "stage", values.get("stage", ""), Stage, None)
    lost_reason = (values.get("lost_reason") or "").strip()
    competitor = (values.get("competitor") or "").strip()
    if stage is Stage.LOST:
        for problem in check_loss(lost_reason, competitor):
            errors.add(problem.field, problem.message)
    if errors:
        raise ValidationFailed(errors.problems)
    assert stage is not None
    with db.write() as session:
        zone = _zone(session, actor)
        opportunity = load_for_change(
            session, Opportunity, opportunity_id, expected_version, "opportunity", zone
        )
        lead = (
            load(session, Lead, opportunity.lead_id, "lead")
            if opportunity.lead_id
            else None
        )
        if lead is not None:
            _ensure_may_change(session, actor, lead)
        ensure_stage_move(Stage(opportunity.stage), stage)
        before = audit.snapshot(opportunity, ("stage", "lost_reason", "competitor"))
        opportunity.stage = stage.value
        if stage is Stage.LOST:
            opportunity.lost_reason = lost_reason
            opportunity.competitor = competitor
        if not stage.is_open:
            opportunity.closed_at = utc_now()
        opportunity.updated_by_id = actor.user_id
        audit.record(
            session,
            actor,
            "stage",
            "opportunity",
            opportunity.id,
            before=before,
            after=audit.snapshot(opportunity, ("stage", "lost_reason", "competitor")),
        )
        session.flush()
        if lead is None:
            raise NotFound("The opportunity has no lead to show.")
        return _view(session, actor, lead, clock.local_today(zone, at))


# --------------------------------------------------------------------------
# The lead list and the priority list
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadLine:
    """A row of the lead list."""

    id: int
    number: str
    company: str
    status: LeadStatus
    segment: Segment
    owner: str
    score: Decimal
    next_contact_on: date | None
    follow_up: FollowUp


class LeadSort(StrEnum):
    """The orders the lead list can be shown in."""

    SCORE = "score"
    COMPANY = "company"

    @property
    def label(self) -> str:
        return "highest score first" if self is LeadSort.SCORE else "company A to Z"


Owner = aliased(User)


def _filtered(stmt: Any, wanted: LeadFilter, actor: Actor, today: date) -> Any:
    """The statement narrowed by every part of the typed filter."""
    if wanted.statuses:
        stmt = stmt.where(Lead.status.in_([s.value for s in wanted.statuses]))
    if wanted.segments:
        stmt = stmt.where(Lead.segment.in_([s.value for s in wanted.segments]))
    if wanted.owner == ME:
        stmt = stmt.where(Lead.owner_id == actor.user_id)
    elif wanted.owner == NOBODY:
        stmt = stmt.where(Lead.owner_id.is_(None))
    elif wanted.owner:
        pattern = like_escape(wanted.owner.lower())
        stmt = stmt.where(
            Lead.owner_id.in_(
                select(User.id).where(
                    func.lower(User.username).like(f"{pattern}%", escape="\\")
                )
            )
        )
    if wanted.region:
        stmt = stmt.where(func.upper(Lead.region) == wanted.region)
    if wanted.overdue:
        stmt = stmt.where(Lead.status.in_(OPEN_STATUSES), Lead.next_contact_on < today)
    for bound in wanted.scores:
        compare = {
            ">": Lead.score > bound.value,
            ">=": Lead.score >= bound.value,
            "<": Lead.score < bound.value,
            "<=": Lead.score <= bound.value,
            "=": Lead.score == bound.value,
        }[bound.comparison]
        stmt = stmt.where(compare)
    key = search_key(wanted.words)
    if _LEAD_NUMBER.match(wanted.words.strip()):
        # A lead number, whole or its start: a range on the number's index.
        start = wanted.words.strip().upper()
        stmt = stmt.where(Lead.number >= start, Lead.number < start + "\uffff")
    elif key:
        pattern = like_escape(key)
        by_name = Lead.company_key.like(f"{pattern}%", escape="\\")
        if len(key) >= 3:
            by_name = Lead.company_key.like(f"%{pattern}%", escape="\\")
        stmt = stmt.where(by_name)
    return stmt


# "L2026-000012", or its start from the series letter and year on.
_LEAD_NUMBER = re.compile(r"^[A-Za-z]\d{4}(-\d*)?$")

_MIRROR = {
    From.START: From.END,
    From.END: From.START,
    From.AFTER: From.BEFORE,
    From.BEFORE: From.AFTER,
}


def lead_page(
    db: Database,
    actor: Actor,
    text: str,
    request: PageRequest,
    *,
    sort: LeadSort | str = LeadSort.SCORE,
    at: datetime | None = None,
) -> tuple[list[LeadLine], list[tuple[object, ...]], bool]:
    """A page of the lead list, filtered by the typed filter, in either order.

    By score the list runs highest first, the newest lead first among
    equal scores; by company it runs A to Z. Either way it is read on an
    index a page at a time.
    """
    actor.require(Permission.VIEW_LEADS)
    order_by = LeadSort(sort)
    with db.read() as session:
        today = local_today(session, actor, at)
        if order_by is LeadSort.SCORE:
            order = (Lead.score, Lead.id)
        else:
            order = (Lead.company_key, Lead.id)
        stmt = select(
            Lead.id,
            Lead.number,
            Lead.company,
            Lead.status,
            Lead.segment,
            Owner.username,
            Lead.score,
            Lead.next_contact_on,
            *order,
        ).outerjoin(Owner, Owner.id == Lead.owner_id)
        stmt = _filtered(stmt, parse_filter(text), actor, today)
        if order_by is LeadSort.SCORE:
            # The score's key travels as its exact type, as the column stores
            # it (whole cents on SQLite).
            key = request.key
            if key is not None:
                key = (literal(key[0], Lead.score.type), key[1])
            # Highest first is the index read backwards: ask for the
            # mirrored page and turn it round.
            mirrored = PageRequest(_MIRROR[request.start], key, request.limit)
            page = fetch_page(session, stmt, order, mirrored)
            rows, keys = list(reversed(page.rows)), list(reversed(page.keys))
        else:
            page = fetch_page(session, stmt, order, request)
            rows, keys = page.rows, page.keys
    lines = [
        LeadLine(
            id=row.id,
            number=row.number,
            company=row.company,
            status=LeadStatus(row.status),
            segment=Segment(row.segment),
            owner=row.username or "",
            score=row.score,
            next_contact_on=row.next_contact_on,
            follow_up=follow_up(LeadStatus(row.status), row.next_contact_on, today),
        )
        for row in rows
    ]
    return lines, keys, page.has_more


@dataclass(frozen=True)
class PriorityLine:
    """A qualified prospect in the ranked priority list."""

    rank: int
    lead_id: int
    number: str
    company: str
    segment: Segment
    region: str
    owner: str
    score: Decimal
    unanswered: int
    fleet_size: int | None
    next_contact_on: date | None


def priority(
    db: Database,
    actor: Actor,
    segment: str | None = None,
    owner: str | None = None,
) -> list[PriorityLine]:
    """The qualified prospects ranked by score, optionally of one segment or owner.

    Equal scores put the prospect with fewer unanswered ranking parameters
    first, then the older lead.
    """
    actor.require(Permission.VIEW_LEADS)
    errors = FieldErrors()
    chosen = (
        read_choice(errors, "segment", segment or "", Segment, None)
        if segment
        else None
    )
    with db.read() as session:
        stmt = (
            select(Lead, Owner.username)
            .outerjoin(Owner, Owner.id == Lead.owner_id)
            .where(Lead.status == LeadStatus.QUALIFIED.value)
        )
        if chosen is not None:
            stmt = stmt.where(Lead.segment == chosen.value)
        if owner:
            name = owner.strip().lower()
            if name == NOBODY:
                stmt = stmt.where(Lead.owner_id.is_(None))
            else:
                user = session.scalars(
                    select(User).where(func.lower(User.username) == name)
                ).one_or_none()
                if user is None:
                    errors.add("owner", f"there is no user '{owner}'")
                else:
                    stmt = stmt.where(Lead.owner_id == user.id)
        if errors:
            raise ValidationFailed(errors.problems)
        found = session.execute(stmt).all()
        schemes = {
            s: _scheme(session, s) for s in {Segment(r[0].segment) for r in found}
        }
    by_id = {lead.id: (lead, username) for lead, username in found}
    ranked = rank_prospects(
        RankedLead(
            lead.id,
            LeadStatus(lead.status),
            score_lead(_ranking(lead), schemes[Segment(lead.segment)]),
        )
        for lead, _ in found
    )
    lines = []
    for rank, item in enumerate(ranked, start=1):
        lead, username = by_id[item.lead_id]
        lines.append(
            PriorityLine(
                rank=rank,
                lead_id=lead.id,
                number=lead.number,
                company=lead.company,
                segment=Segment(lead.segment),
                region=lead.region,
                owner=username or "",
                score=item.score.total,
                unanswered=len(item.score.unanswered),
                fleet_size=lead.fleet_size,
                next_contact_on=lead.next_contact_on,
            )
        )
    return lines
