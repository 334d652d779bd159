"""The lead list's filter language: what the user types above the list.

Words narrow the list by company name (its start, or any part of it from
three characters on) or by lead number. Tokens narrow it further:

    status:qualified      status by name or its start (status:qual is both
                          qualifying and qualified); several with commas
    status:open           new, qualifying and qualified together
    seg:construction      segment by name or its start (also segment:)
    owner:sam             the owner's user name or its start; owner:me,
                          owner:none for leads nobody works yet
    region:vic            the region, as the lead records it
    overdue               open leads whose next contact date has passed
    score>50              score above 50; also >=, <, <= and =

Everything is optional and the parts combine with "and". A token that
cannot be read is named in the problems, and the rest still filters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from dealer_tui.leads.qualification import LeadStatus, Segment

ME = "me"
NOBODY = "none"

_SCORE = re.compile(r"^score(>=|<=|>|<|=)(.*)$", re.IGNORECASE)
_OPEN = (LeadStatus.NEW, LeadStatus.QUALIFYING, LeadStatus.QUALIFIED)


@dataclass(frozen=True)
class ScoreBound:
    """One comparison of the score with a number, e.g. score >= 50."""

    comparison: str
    value: Decimal


@dataclass(frozen=True)
class LeadFilter:
    """What the typed filter asks for; empty fields do not narrow the list."""

    words: str = ""
    statuses: tuple[LeadStatus, ...] = ()
    segments: tuple[Segment, ...] = ()
    owner: str = ""
    region: str = ""
    overdue: bool = False
    scores: tuple[ScoreBound, ...] = ()
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_empty(self) -> bool:
        """True when nothing narrows the list."""
        return self == LeadFilter()


def parse_filter(text: str) -> LeadFilter:
    """Read the typed filter into its parts, naming each token not understood.

    'status:qual seg:con score>=50 Smith' gives qualified leads in construction
    scoring at least 50 whose company starts with Smith.
    """
    words: list[str] = []
    statuses: list[LeadStatus] = []
    segments: list[Segment] = []
    scores: list[ScoreBound] = []
    problems: list[str] = []
    owner = region = ""
    overdue = False
    for token in text.split():
        lowered = token.lower()
        name, colon, value = lowered.partition(":")
        score = _SCORE.match(token)
        if lowered == "overdue":
            overdue = True
        elif score:
            bound = _score_bound(score.group(1), score.group(2))
            if bound is None:
                problems.append(f"'{token}': a score is a number from 0 to 100")
            else:
                scores.append(bound)
        elif colon and name == "status":
            found = _statuses(value)
            if found:
                statuses.extend(s for s in found if s not in statuses)
            else:
                problems.append(f"'{token}': {_status_help()}")
        elif colon and name in ("seg", "segment"):
            found_segments = _segments(value)
            if found_segments:
                segments.extend(s for s in found_segments if s not in segments)
            else:
                problems.append(f"'{token}': no segment starts with '{value}'")
        elif colon and name == "owner":
            if value:
                owner = value
            else:
                problems.append(f"'{token}': name a user, 'me' or 'none'")
        elif colon and name == "region":
            region = value.upper()
        elif colon and name.isalpha():
            problems.append(
                f"'{token}': filters are status:, seg:, owner:, region:, "
                "overdue and score>N"
            )
        else:
            words.append(token)
    return LeadFilter(
        words=" ".join(words),
        statuses=tuple(statuses),
        segments=tuple(segments),
        owner=owner,
        region=region,
        overdue=overdue,
        scores=tuple(scores),
        problems=tuple(problems),
    )


def _score_bound(comparison: str, text: str) -> ScoreBound | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 <= value <= 100:
        return None
    return ScoreBound(comparison, value)


def _statuses(text: str) -> list[LeadStatus]:
    found: list[LeadStatus] = []
    for part in filter(None, text.split(",")):
        if part == "open":
            found.extend(_OPEN)
            continue
        matches = [s for s in LeadStatus if s.value.startswith(part)]
        if not matches:
            return []
        found.extend(matches)
    return found


def _status_help() -> str:
    names = ", ".join(s.value for s in LeadStatus)
    return f"a status is one of {names} or open"


def _segments(text: str) -> list[Segment]:
    found: list[Segment] = []
    for part in filter(None, text.split(",")):
        matches = [
            s
            for s in Segment
            if s.value.startswith(part) or s.label.lower().startswith(part)
        ]
        if not matches:
            return []
        found.extend(matches)
    return found


def describe(lead_filter: LeadFilter) -> str:
    """The filter in words, for the line under the filter box."""
    parts: list[str] = []
    if lead_filter.statuses:
        parts.append("status " + " or ".join(s.value for s in lead_filter.statuses))
    if lead_filter.segments:
        parts.append("segment " + " or ".join(s.label for s in lead_filter.segments))
    if lead_filter.owner == ME:
        parts.append("my leads")
    elif lead_filter.owner == NOBODY:
        parts.append("no owner")
    elif lead_filter.owner:
        parts.append(f"owner {lead_filter.owner}…")
    if lead_filter.region:
        parts.append(f"region {lead_filter.region}")
    if lead_filter.overdue:
        parts.append("follow-up overdue")
    parts.extend(f"score {b.comparison} {b.value}" for b in lead_filter.scores)
    if lead_filter.words:
        parts.append(f"company or number '{lead_filter.words}'")
    return "; ".join(parts) if parts else "all leads"
