"""Workshop jobs as the service advisor knows them: states, payers and money.

Pure rules with no input or output: the states a job moves through and
the whitelist of moves, the five ways a job comes in, who pays for a line,
how an estimate and the lines for invoicing are worked out, and how the
short texts an advisor types (work codes, parts, a week) are read.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
QUANTITY = Decimal("0.001")
ZERO_MONEY = Decimal("0.00")

SOURCE_KIND = "workshop_job"
"""How a parts reservation names a workshop job as the document it serves."""
PART_REMOVED = "removed"
"""The state of a part line taken off the job, its parts given back."""
INVOICE_READY = "ready"
INVOICE_DONE = "invoiced"


class JobStatus(enum.StrEnum):
    """Where a job stands, from booking to invoice."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def title(self) -> str:
        """The status in words, for screens and lists."""
        return _STATUS_TITLES[self]

    @property
    def mark(self) -> str:
        """A short word that carries the status without colour."""
        return _STATUS_MARKS[self]

    @property
    def is_open(self) -> bool:
        """Whether the job still holds its time and its parts."""
        return self in (JobStatus.BOOKED, JobStatus.CHECKED_IN, JobStatus.IN_PROGRESS)

    @property
    def holds_time(self) -> bool:
        """Whether the job's booked time stays taken (open, or done and kept)."""
        return self not in (JobStatus.CANCELLED, JobStatus.NO_SHOW)


_STATUS_TITLES = {
    JobStatus.BOOKED: "booked",
    JobStatus.CHECKED_IN: "checked in",
    JobStatus.IN_PROGRESS: "in progress",
    JobStatus.FINISHED: "finished, ready to invoice",
    JobStatus.INVOICED: "invoiced",
    JobStatus.CANCELLED: "cancelled",
    JobStatus.NO_SHOW: "no-show",
}

_STATUS_MARKS = {
    JobStatus.BOOKED: "BOOKED",
    JobStatus.CHECKED_IN: "IN",
    JobStatus.IN_PROGRESS: "WORK",
    JobStatus.FINISHED: "DONE",
    JobStatus.INVOICED: "INV",
    JobStatus.CANCELLED: "CANC",
    JobStatus.NO_SHOW: "NOSHOW",
}

TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.BOOKED: frozenset(
        {JobStatus.CHECKED_IN, JobStatus.CANCELLED, JobStatus.NO_SHOW}
    ),
    JobStatus.CHECKED_IN: frozenset({JobStatus.IN_PROGRESS, JobStatus.CANCELLED}),
    JobStatus.IN_PROGRESS: frozenset({JobStatus.FINISHED}),
    JobStatus.FINISHED: frozenset({JobStatus.INVOICED}),
    JobStatus.INVOICED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
    JobStatus.NO_SHOW: frozenset(),
}

_MOVE_WORDS = {
    JobStatus.CHECKED_IN: "checked in",
    JobStatus.IN_PROGRESS: "started",
    JobStatus.FINISHED: "finished",
    JobStatus.INVOICED: "invoiced",
    JobStatus.CANCELLED: "cancelled",
    JobStatus.NO_SHOW: "marked as a no-show",
}

RESCHEDULABLE = frozenset({JobStatus.BOOKED, JobStatus.CHECKED_IN})


def move_refusal(current: JobStatus, target: JobStatus) -> str | None:
    """Why a job in ``current`` cannot become ``target``; None if it can."""
    if target in TRANSITIONS[current]:
        return None
    return f"A job that is {current.title} cannot be {_MOVE_WORDS[target]}."


def reschedule_refusal(current: JobStatus) -> str | None:
    """Why a job cannot be moved to another time; None if it can."""
    if current in RESCHEDULABLE:
        return None
    return f"A job that is {current.title} cannot be moved to another time."


class JobSource(enum.StrEnum):
    """The five ways a job comes into the workshop."""

    PLANNED = "planned"
    CUSTOMER = "customer"
    WORKSHOP = "workshop"
    UNPLANNED = "unplanned"
    PARTS_REQUEST = "parts_request"

    @property
    def title(self) -> str:
        return _SOURCE_TITLES[self]


_SOURCE_TITLES = {
    JobSource.PLANNED: "planned vehicle (service plan due)",
    JobSource.CUSTOMER: "customer-initiated",
    JobSource.WORKSHOP: "workshop-initiated (invitation or campaign)",
    JobSource.UNPLANNED: "unplanned repair",
    JobSource.PARTS_REQUEST: "parts request",
}

SOURCE_CHOICES = {source.value: source.value for source in JobSource} | {
    "parts": JobSource.PARTS_REQUEST.value,
    "invitation": JobSource.WORKSHOP.value,
    "campaign": JobSource.WORKSHOP.value,
    "repair": JobSource.UNPLANNED.value,
}


class Payer(enum.StrEnum):
    """Who pays for a line of a job."""

    CUSTOMER = "customer"
    WARRANTY = "warranty"
    CONTRACT = "contract"
    INTERNAL = "internal"

    def tax_category(self, item_category: str) -> str:
        """The tax category a line carries when this payer pays it.

        Internal work is charged inside the dealership, not supplied to
        anyone, so it carries no GST (exempt, 'E'); other payers keep the
        item's own category.
        """
        return "E" if self is Payer.INTERNAL else item_category

    def following(self) -> Payer:
        """The next payer in the list, for a key that steps through them."""
        members = list(Payer)
        return members[(members.index(self) + 1) % len(members)]


PAYER_CHOICES = {payer.value: payer.value for payer in Payer}


class WorkStatus(enum.StrEnum):
    """Whether a labour line may be worked and charged."""

    AGREED = "agreed"
    REQUESTED = "requested"
    AUTHORISED = "authorised"
    DECLINED = "declined"

    @property
    def billable(self) -> bool:
        return self in (WorkStatus.AGREED, WorkStatus.AUTHORISED)


def to_cent(amount: Decimal) -> Decimal:
    """Half a cent rounds up, as on the dealer's documents."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def hours_for_minutes(minutes: int) -> Decimal:
    """Decimal hours to two places: 90 minutes are 1.50 h, 20 are 0.33 h."""
    return to_cent(Decimal(minutes) / 60)


def show_minutes(minutes: int) -> str:
    """'2 h 30 min', '3 h' or '45 min'."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


@dataclass(frozen=True)
class ChargeLine:
    """A line as invoicing receives it: who pays, what, how many, at what price."""

    payer: Payer
    kind: str
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_category: str

    @property
    def amount(self) -> Decimal:
        """Quantity times price, rounded to the cent (half up)."""
        return to_cent(self.quantity * self.unit_price)


@dataclass(frozen=True)
class Estimate:
    """The estimated cost of a job before tax, labour and parts apart."""

    labour: Decimal
    parts: Decimal

    @property
    def total(self) -> Decimal:
        return self.labour + self.parts


def estimate(
    labour: Iterable[tuple[Decimal, Decimal]], parts: Iterable[tuple[Decimal, Decimal]]
) -> Estimate:
    """Labour as (hours, rate) and parts as (quantity, price), each line to the cent.

    The total is the sum of the rounded lines, so it always equals the sum
    of what the customer sees.
    """
    labour_total = sum((to_cent(h * r) for h, r in labour), ZERO_MONEY)
    parts_total = sum((to_cent(q * p) for q, p in parts), ZERO_MONEY)
    return Estimate(labour_total, parts_total)


def split_by_payer(lines: Iterable[ChargeLine]) -> dict[Payer, list[ChargeLine]]:
    """The lines grouped by payer, payers in their fixed order, lines as given."""
    grouped: dict[Payer, list[ChargeLine]] = {}
    for line in lines:
        grouped.setdefault(line.payer, []).append(line)
    return {payer: grouped[payer] for payer in Payer if payer in grouped}


_SPLIT = re.compile(r"[\s,;]+")
_SPACED_TIMES = re.compile(r"\s*[X*:]\s*(?=[0-9])")
_PART_TOKEN = re.compile(r"^([A-Z0-9][A-Z0-9./-]*?)(?:[X*:]([0-9.]+))?$")


def parse_codes(text: str) -> list[str]:
    """Codes typed with spaces or commas, in upper case, each kept once."""
    seen: list[str] = []
    for token in _SPLIT.split(text.strip().upper()):
        if token and token not in seen:
            seen.append(token)
    return seen


def parse_parts(text: str) -> tuple[list[tuple[str, Decimal]], list[str]]:
    """Parts typed as 'NUMBER', 'NUMBERx2' or 'NUMBER x 2', separated by spaces.

    Returns the (part number, quantity) pairs and a sentence for each token
    that cannot be read; a part named twice has its quantities added.
    """
    found: dict[str, Decimal] = {}
    problems: list[str] = []
    # 'LINING x 2' and 'LINING*2' are the same as 'LINING x2'.
    joined = _SPACED_TIMES.sub("X", text.strip().upper())
    for token in _SPLIT.split(joined):
        if not token:
            continue
        match = _PART_TOKEN.match(token)
        if match is None:
            problems.append(f"'{token}' is not a part number like 2992241x2")
            continue
        number, amount = match[1], match[2]
        try:
            quantity = Decimal(amount) if amount else Decimal(1)
        except InvalidOperation:
            problems.append(f"'{token}': '{amount}' is not a quantity")
            continue
        if quantity <= 0 or quantity != quantity.quantize(QUANTITY):
            problems.append(f"'{token}': the quantity must be above zero, 3 decimals")
            continue
        found[number] = found.get(number, Decimal(0)) + quantity
    return [(n, q.quantize(QUANTITY)) for n, q in found.items()], problems


_DUE = re.compile(r"^(\d{1,4})\s*([dw]?)$")


def parse_due_within(text: str) -> int:
    """Days in '30d', '4w' or '30'; a ValueError names what is wrong."""
    match = _DUE.match(text.strip().lower())
    if match is None:
        raise ValueError(f"'{text}' is not a span like 30d or 4w")
    count = int(match[1])
    return count * 7 if match[2] == "w" else count


_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def parse_week(text: str) -> date:
    """The Monday of an ISO week given as '2026-W50', or of the week of a date."""
    raw = text.strip()
    match = _WEEK.match(raw)
    try:
        if match:
            return date.fromisocalendar(int(match[1]), int(match[2]), 1)
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"'{text}' is not a week like 2026-W50 or a date like 2026-12-07"
        ) from None
    return day - timedelta(days=day.weekday())


def parse_length(text: str) -> Decimal | None:
    """A vehicle length in metres, e.g. '19' or '25.5'; blank is unknown."""
    raw = text.strip().lower().removesuffix("m").strip()
    if not raw:
        return None
    try:
        length = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not a length in metres") from None
    if not length.is_finite() or length <= 0 or length > 60:
        raise ValueError(f"'{text}' is not a length between 0 and 60 m")
    if length != length.quantize(CENT):
        raise ValueError(f"'{text}' has more than two decimal places")
    return length


def financial_status(credit_hold: bool, credit_limit: Decimal, terms_days: int) -> str:
    """The customer's standing as the advisor records it at booking."""
    if credit_hold:
        return "ON CREDIT HOLD: payment before release of the vehicle"
    if credit_limit <= 0:
        return "no credit account: payment on collection"
    return f"account customer, limit ${credit_limit:,.2f}, {terms_days} days"
