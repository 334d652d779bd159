"""Suspect evaluation: the lead's vocabulary, its questions and its statuses.

A lead starts as a suspect. The sales rep asks five questions about it (is
the company still in business, financially viable, in a segment the dealer
serves, open to the brand, open to after-sales) and it becomes a qualified
prospect only when every answer is yes. A single no is enough to
disqualify it, with that no as the reason.

The status moves only along a whitelist of transitions. Every refusal is a
sentence a sales rep understands, so that a screen can show a disabled
action together with the reason instead of refusing it after a key press.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from dealer_tui.core.errors import Problem, Refused
from dealer_tui.leads.matching import Party, RecordKind, abn_problem, email_problem

COMPANY_MAX_LENGTH = 200
REASON_MAX_LENGTH = 300


class Segment(StrEnum):
    """The kind of transport work a customer's fleet does."""

    LONG_HAUL = "long_haul"
    REGIONAL = "regional"
    DISTRIBUTION = "distribution"
    LOGISTICS = "logistics"
    CONSTRUCTION = "construction"
    HEAVY_HAULAGE = "heavy_haulage"
    MUNICIPAL = "municipal"
    REFUSE = "refuse"
    AGRICULTURE = "agriculture"
    LIVESTOCK = "livestock"
    MINING = "mining"
    FORESTRY = "forestry"
    TANKER = "tanker"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The segment's name as screens and reports show it."""
        return _SEGMENT_LABELS[self]


_SEGMENT_LABELS = {
    Segment.LONG_HAUL: "Long haul",
    Segment.REGIONAL: "Regional and intrastate",
    Segment.DISTRIBUTION: "Distribution",
    Segment.LOGISTICS: "Logistics",
    Segment.CONSTRUCTION: "Construction",
    Segment.HEAVY_HAULAGE: "Heavy haulage",
    Segment.MUNICIPAL: "Municipal",
    Segment.REFUSE: "Refuse collection",
    Segment.AGRICULTURE: "Agriculture",
    Segment.LIVESTOCK: "Livestock",
    Segment.MINING: "Mining",
    Segment.FORESTRY: "Forestry and logging",
    Segment.TANKER: "Fuel and bulk liquids",
    Segment.OTHER: "Other",
}


class LeadSource(StrEnum):
    """Where the dealer first heard of the lead."""

    REFERRAL = "referral"
    WALK_IN = "walk_in"
    PHONE_IN = "phone_in"
    WEBSITE = "website"
    TRADE_SHOW = "trade_show"
    MAKER = "maker"
    COLD_CALL = "cold_call"
    SERVICE_CUSTOMER = "service_customer"
    PURCHASED_LIST = "purchased_list"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The source's name as screens and reports show it."""
        return _SOURCE_LABELS[self]


_SOURCE_LABELS = {
    LeadSource.REFERRAL: "Referral",
    LeadSource.WALK_IN: "Walk-in",
    LeadSource.PHONE_IN: "Phone enquiry",
    LeadSource.WEBSITE: "Website enquiry",
    LeadSource.TRADE_SHOW: "Trade show",
    LeadSource.MAKER: "Passed on by the maker",
    LeadSource.COLD_CALL: "Cold call",
    LeadSource.SERVICE_CUSTOMER: "Workshop or parts customer",
    LeadSource.PURCHASED_LIST: "Purchased list",
    LeadSource.OTHER: "Other",
}


class LeadStatus(StrEnum):
    """Where a lead stands between first contact and becoming an account."""

    NEW = "new"
    QUALIFYING = "qualifying"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"
    CONVERTED = "converted"

    @property
    def label(self) -> str:
        """The status as screens show it."""
        return self.value.capitalize()

    @property
    def is_open(self) -> bool:
        """Whether the lead still needs the sales rep's attention."""
        return self in _OPEN_STATUSES

    @property
    def is_prospect(self) -> bool:
        """A qualified lead is a prospect; new and qualifying ones are suspects."""
        return self is LeadStatus.QUALIFIED


_OPEN_STATUSES = frozenset(
    {LeadStatus.NEW, LeadStatus.QUALIFYING, LeadStatus.QUALIFIED}
)


class Answer(StrEnum):
    """The answer to one qualification question."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Criterion(StrEnum):
    """One qualification question asked about every suspect."""

    IN_BUSINESS = "in_business"
    FINANCIALLY_VIABLE = "financially_viable"
    SEGMENT_APPLICABLE = "segment_applicable"
    OPEN_TO_BRAND = "open_to_brand"
    OPEN_TO_AFTER_SALES = "open_to_after_sales"

    @property
    def question(self) -> str:
        """The question as the qualification screen asks it."""
        return _QUESTIONS[self]

    @property
    def short(self) -> str:
        """A few words naming the question, to list the unanswered ones."""
        return _SHORT_NAMES[self]

    @property
    def reason(self) -> str:
        """The disqualification reason when the answer is no."""
        return _REASONS[self]


_QUESTIONS = {
    Criterion.IN_BUSINESS: "Is the company still in business?",
    Criterion.FINANCIALLY_VIABLE: "Is the company financially viable?",
    Criterion.SEGMENT_APPLICABLE: "Is it in a segment the dealer serves?",
    Criterion.OPEN_TO_BRAND: "Is it open to the brand?",
    Criterion.OPEN_TO_AFTER_SALES: "Is it open to our after-sales service?",
}
_SHORT_NAMES = {
    Criterion.IN_BUSINESS: "still in business",
    Criterion.FINANCIALLY_VIABLE: "financially viable",
    Criterion.SEGMENT_APPLICABLE: "applicable segment",
    Criterion.OPEN_TO_BRAND: "open to the brand",
    Criterion.OPEN_TO_AFTER_SALES: "open to after-sales",
}
_REASONS = {
    Criterion.IN_BUSINESS: "No longer in business",
    Criterion.FINANCIALLY_VIABLE: "Not financially viable",
    Criterion.SEGMENT_APPLICABLE: "Not in a segment the dealer serves",
    Criterion.OPEN_TO_BRAND: "Not open to the brand",
    Criterion.OPEN_TO_AFTER_SALES: "Not open to after-sales",
}


@dataclass(frozen=True)
class QualificationAnswers:
    """The five answers recorded for one lead; each starts unknown."""

    in_business: Answer = Answer.UNKNOWN
    financially_viable: Answer = Answer.UNKNOWN
    segment_applicable: Answer = Answer.UNKNOWN
    open_to_brand: Answer = Answer.UNKNOWN
    open_to_after_sales: Answer = Answer.UNKNOWN

    @classmethod
    def from_mapping(cls, answers: Mapping[Criterion, Answer]) -> QualificationAnswers:
        """Answers keyed by criterion; a criterion left out stays unknown."""
        return cls(**{str(c): Answer(a) for c, a in answers.items()})

    def answer(self, criterion: Criterion) -> Answer:
        """The answer given to one criterion."""
        return getattr(self, criterion.value)

    def items(self) -> tuple[tuple[Criterion, Answer], ...]:
        """Every criterion with its answer, in the order the screen asks them."""
        return tuple((c, self.answer(c)) for c in Criterion)


class Outcome(StrEnum):
    """What the answers so far say about the lead."""

    QUALIFIES = "qualifies"
    DISQUALIFIABLE = "disqualifiable"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Verdict:
    """The outcome of the answers, with the no's and the open questions."""

    outcome: Outcome
    failed: tuple[Criterion, ...] = ()
    unanswered: tuple[Criterion, ...] = ()

    @property
    def reason(self) -> str:
        """The disqualification reason drawn from every no, or empty."""
        return "; ".join(c.reason for c in self.failed)


def assess(answers: QualificationAnswers) -> Verdict:
    """Qualifies only when all five are yes; any no makes it disqualifiable."""
    failed = tuple(c for c, a in answers.items() if a is Answer.NO)
    unanswered = tuple(c for c, a in answers.items() if a is Answer.UNKNOWN)
    if failed:
        outcome = Outcome.DISQUALIFIABLE
    elif unanswered:
        outcome = Outcome.UNDECIDED
    else:
        outcome = Outcome.QUALIFIES
    return Verdict(outcome, failed, unanswered)


TRANSITIONS: Mapping[LeadStatus, frozenset[LeadStatus]] = {
    LeadStatus.NEW: frozenset({LeadStatus.QUALIFYING, LeadStatus.DISQUALIFIED}),
    LeadStatus.QUALIFYING: frozenset({LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED}),
    LeadStatus.QUALIFIED: frozenset({LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED}),
    LeadStatus.DISQUALIFIED: frozenset({LeadStatus.QUALIFYING}),
    LeadStatus.CONVERTED: frozenset(),
}
"""Every status a lead may move to from each status; nothing else is allowed."""


@dataclass(frozen=True)
class TransitionCheck:
    """Whether a status change is allowed and, when it is not, why."""

    current: LeadStatus
    target: LeadStatus
    refusal: str | None = None

    @property
    def allowed(self) -> bool:
        """True when nothing stands in the way of the change."""
        return self.refusal is None


def check_transition(
    current: LeadStatus,
    target: LeadStatus,
    answers: QualificationAnswers,
    reason: str | None = None,
) -> TransitionCheck:
    """Say whether the lead may move from current to target, and why not.

    Qualifying and converting need every answer to be yes; disqualifying
    needs a reason in words. A reason of None means it has not been asked
    for yet: the move is judged on everything else, so that a screen can
    offer "disqualify" and then ask why. The refusal is one sentence.
    """
    refusal = _whitelist_refusal(current, target)
    if refusal is None:
        refusal = _guard_refusal(target, answers, reason)
    return TransitionCheck(current, target, refusal)


def _whitelist_refusal(current: LeadStatus, target: LeadStatus) -> str | None:
    if target is current:
        return f"The lead is already {current.value}."
    if target in TRANSITIONS[current]:
        return None
    if current is LeadStatus.CONVERTED:
        return "A converted lead is an account now; its status no longer changes."
    if target is LeadStatus.CONVERTED:
        return "Only a qualified lead can be converted into an account."
    if current is LeadStatus.DISQUALIFIED:
        return "A disqualified lead is reopened by moving it back to qualifying."
    if target is LeadStatus.QUALIFIED:
        return "A lead is qualified from qualifying; start qualifying it first."
    return f"A {current.value} lead cannot be moved back to {target.value}."


def _guard_refusal(
    target: LeadStatus, answers: QualificationAnswers, reason: str | None
) -> str | None:
    if target is LeadStatus.DISQUALIFIED:
        return _reason_refusal(reason)
    if target not in (LeadStatus.QUALIFIED, LeadStatus.CONVERTED):
        return None
    verdict = assess(answers)
    action = "qualified" if target is LeadStatus.QUALIFIED else "converted"
    if verdict.failed:
        because = _join_words([_lower_first(c.reason) for c in verdict.failed])
        return (
            f"The lead cannot be {action} because it is {because}; "
            "disqualify it instead."
        )
    if verdict.unanswered:
        still_open = _join_words([c.short for c in verdict.unanswered])
        return (
            f"The lead cannot be {action} until every question is answered "
            f"yes; not answered yet: {still_open}."
        )
    return None


def _reason_refusal(reason: str | None) -> str | None:
    if reason is None:
        return None
    if not reason.strip():
        return "Give a reason to disqualify the lead."
    if len(reason.strip()) > REASON_MAX_LENGTH:
        return (
            "The disqualification reason is longer than "
            f"{REASON_MAX_LENGTH} characters."
        )
    return None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _join_words(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def status_moves(
    current: LeadStatus, answers: QualificationAnswers
) -> tuple[TransitionCheck, ...]:
    """Every whitelisted move from current, each checked against its guard.

    A screen offers these as actions and shows the refused ones disabled
    with their sentence; the reason to disqualify is asked for afterwards.
    The order is fixed so that the actions keep their place.
    """
    targets = [s for s in LeadStatus if s in TRANSITIONS[current]]
    return tuple(check_transition(current, t, answers) for t in targets)


def ensure_transition(
    current: LeadStatus,
    target: LeadStatus,
    answers: QualificationAnswers,
    reason: str = "",
) -> None:
    """Raise Refused, with the sentence, when the move is not allowed.

    Unlike check_transition, a reason is always required here to disqualify.
    """
    check = check_transition(current, target, answers, reason)
    if check.refusal is not None:
        raise Refused(check.refusal)


@dataclass(frozen=True)
class LeadContact:
    """A person the sales rep talks to at the lead's company."""

    name: str
    position: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Lead:
    """A suspect or prospect as plain data, the way the domain rules see it."""

    company: str
    segment: Segment
    source: LeadSource = LeadSource.OTHER
    status: LeadStatus = LeadStatus.NEW
    abn: str = ""
    phone: str = ""
    email: str = ""
    contacts: tuple[LeadContact, ...] = ()
    fleet_size: int | None = None
    fleet_makes: tuple[str, ...] = ()
    region: str = ""
    owner_id: int | None = None
    disqualification_reason: str = ""
    next_contact_on: date | None = None
    answers: QualificationAnswers = field(default_factory=QualificationAnswers)


def check_lead(lead: Lead) -> list[Problem]:
    """Every problem with the lead's fields at once, each naming its field."""
    problems: list[Problem] = []
    company = lead.company.strip()
    if not company:
        problems.append(Problem("company", "is required"))
    elif len(company) > COMPANY_MAX_LENGTH:
        problems.append(
            Problem("company", f"is longer than {COMPANY_MAX_LENGTH} characters")
        )
    problem = abn_problem(lead.abn)
    if problem:
        problems.append(Problem("abn", problem))
    problem = email_problem(lead.email)
    if problem:
        problems.append(Problem("email", problem))
    if lead.fleet_size is not None and lead.fleet_size < 0:
        problems.append(Problem("fleet_size", "cannot be less than 0"))
    problems.extend(_fleet_make_problems(lead.fleet_makes))
    for index, contact in enumerate(lead.contacts, start=1):
        if not contact.name.strip():
            problems.append(Problem(f"contacts[{index}].name", "is required"))
        problem = email_problem(contact.email)
        if problem:
            problems.append(Problem(f"contacts[{index}].email", problem))
    problems.extend(_reason_problems(lead))
    if lead.status is LeadStatus.QUALIFIED and assess(lead.answers).failed:
        problems.append(
            Problem("status", "a lead with a no among its answers is not qualified")
        )
    return problems


def _fleet_make_problems(makes: tuple[str, ...]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, make in enumerate(makes, start=1):
        key = make.strip().casefold()
        if not key:
            problems.append(Problem(f"fleet_makes[{index}]", "is empty"))
        elif key in seen:
            problems.append(
                Problem(f"fleet_makes[{index}]", f"'{make.strip()}' is listed twice")
            )
        seen.add(key)
    return problems


def _reason_problems(lead: Lead) -> list[Problem]:
    reason = lead.disqualification_reason.strip()
    if lead.status is LeadStatus.DISQUALIFIED and not reason:
        return [Problem("disqualification_reason", "is required")]
    if lead.status is not LeadStatus.DISQUALIFIED and reason:
        return [
            Problem("disqualification_reason", "is only kept for a disqualified lead")
        ]
    if len(reason) > REASON_MAX_LENGTH:
        return [
            Problem(
                "disqualification_reason",
                f"is longer than {REASON_MAX_LENGTH} characters",
            )
        ]
    return []


class FollowUp(StrEnum):
    """Where a lead's next contact stands against today's date.

    The values are words, so that a list can show them beside any colour.
    """

    NONE = "none"
    UNPLANNED = "not planned"
    PLANNED = "planned"
    DUE_TODAY = "due today"
    OVERDUE = "overdue"


def follow_up(
    status: LeadStatus, next_contact_on: date | None, today: date
) -> FollowUp:
    """Whether the next contact is overdue, due today, planned or not needed.

    A closed lead (disqualified or converted) needs no follow-up, whatever
    date is left on it; an open one without a date is not planned. Today is
    the branch's local date.
    """
    if not status.is_open:
        return FollowUp.NONE
    if next_contact_on is None:
        return FollowUp.UNPLANNED
    if next_contact_on < today:
        return FollowUp.OVERDUE
    if next_contact_on == today:
        return FollowUp.DUE_TODAY
    return FollowUp.PLANNED


def lead_party(lead: Lead, record_id: int | None = None) -> Party:
    """The lead as duplicate detection sees it: the company's and contacts' details.

    record_id is the lead's number once saved, so that it is not reported
    as a duplicate of itself.
    """
    phones = (lead.phone, *(c.phone for c in lead.contacts))
    emails = (lead.email, *(c.email for c in lead.contacts))
    return Party(
        name=lead.company,
        abn=lead.abn,
        phones=tuple(p for p in phones if p.strip()),
        emails=tuple(e for e in emails if e.strip()),
        kind=RecordKind.LEAD,
        record_id=record_id,
    )
