"""Importing leads from CSV: every row checked, duplicates found, then written.

Each row is read like the lead form, plus its owner, status, checklist
answers, ranking answers and follow-ups. A row that may be a company the
dealer already has (a lead or an account) is handled as the user said:
named as a problem (the default), left out, kept apart, linked or merged.
Nothing is written when a row is bad, unless the good rows are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dealer_tui.core import audit
from dealer_tui.core.auth import Actor, Permission, Role
from dealer_tui.core.csvimport import ImportReport, parse_rows, reject_line
from dealer_tui.core.db import Database
from dealer_tui.core.models import User
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.types import utc_now
from dealer_tui.leads.duplicates import DuplicateLine, candidates
from dealer_tui.leads.matching import find_matches
from dealer_tui.leads.models import LeadActivity
from dealer_tui.leads.pipeline import ActivityKind
from dealer_tui.leads.qualification import (
    Answer,
    Criterion,
    LeadStatus,
    Outcome,
    QualificationAnswers,
    assess,
)
from dealer_tui.leads.services import (
    SCALE_FIELDS,
    DuplicateChoice,
    DuplicateDecision,
    LeadDetails,
    LeadForm,
    link_lead,
    local_today,
    merge_into_lead,
    new_lead,
    read_answer,
    read_choice,
    read_lead_form,
    read_optional_int,
    refresh_next_contact,
    score_of,
)

LEAD_COLUMNS = ("company", "segment")
LEAD_OPTIONAL = (
    "source",
    "abn",
    "phone",
    "email",
    "contact_name",
    "contact_position",
    "contact_phone",
    "contact_email",
    "fleet_size",
    "fleet_makes",
    "region",
    "owner",
    "status",
    "disqualification_reason",
    *(c.value for c in Criterion),
    *SCALE_FIELDS,
    "next_action",
    "next_contact",
    "last_action",
    "last_contact",
    "last_outcome",
    "notes",
)


class DuplicatePolicy(StrEnum):
    """What an import does with a row that may be a known company."""

    ASK = "ask"
    SKIP = "skip"
    KEEP = "keep"
    LINK = "link"
    MERGE = "merge"


@dataclass
class LeadImportReport(ImportReport):
    """An import report that also tells what happened to possible duplicates."""

    skipped: int = 0
    linked: int = 0
    merged: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = super().summary()
        extra = [
            f"{count} {what}"
            for count, what in (
                (self.skipped, "possible duplicates left out"),
                (self.linked, "linked to a known lead or customer"),
                (self.merged, "merged into a known lead"),
            )
            if count
        ]
        if extra:
            text += " " + "; ".join(extra).capitalize() + "."
        return text


@dataclass(frozen=True)
class LeadRow:
    """One good row of the file, in its types."""

    details: LeadDetails
    owner_id: int | None
    status: LeadStatus
    reason: str
    answers: QualificationAnswers
    scale: dict[str, int | None]
    next_kind: ActivityKind | None
    next_contact: date | None
    last_kind: ActivityKind | None
    last_contact: date | None
    last_outcome: str


def _read_row(
    row: dict[str, str], errors: FieldErrors, owners: dict[str, int]
) -> LeadRow:
    form = LeadForm(**{name: row.get(name, "") for name in _FORM_COLUMNS})
    details = read_lead_form(form, errors)
    owner_name = (row.get("owner") or "").strip().lower()
    if owner_name and owner_name not in owners:
        errors.add("owner", f"there is no sales representative '{owner_name}'")
    answers = QualificationAnswers(
        **{
            c.value: read_answer(errors, c.value, row.get(c.value, ""))
            for c in Criterion
        }
    )
    typed_status = (row.get("status") or "").strip()
    if typed_status:
        status = read_choice(errors, "status", typed_status, LeadStatus, None)
    else:
        known = any(a is not Answer.UNKNOWN for _, a in answers.items())
        status = LeadStatus.QUALIFYING if known else LeadStatus.NEW
    reason = errors.optional(
        "disqualification_reason", row.get("disqualification_reason"), 300
    )
    _check_status(errors, status, answers, reason)
    next_contact = errors.day("next_contact", row.get("next_contact"))
    last_contact = errors.day("last_contact", row.get("last_contact"))
    last_outcome = errors.optional("last_outcome", row.get("last_outcome"), 200)
    if next_contact and status and not status.is_open:
        errors.add("next_contact", f"a {status.value} lead has no next contact")
    if last_contact and not last_outcome:
        errors.add("last_outcome", "is required with a last contact date")
    if last_outcome and not last_contact:
        errors.add("last_contact", "is required with a last outcome")
    return LeadRow(
        details=details,
        owner_id=owners.get(owner_name),
        status=status or LeadStatus.NEW,
        reason=reason,
        answers=answers,
        scale={
            name: read_optional_int(errors, name, row.get(name, ""), maximum=5)
            for name in SCALE_FIELDS
        },
        next_kind=read_choice(
            errors,
            "next_action",
            row.get("next_action", ""),
            ActivityKind,
            ActivityKind.CALL,
        ),
        next_contact=next_contact,
        last_kind=read_choice(
            errors,
            "last_action",
            row.get("last_action", ""),
            ActivityKind,
            ActivityKind.CALL,
        ),
        last_contact=last_contact,
        last_outcome=last_outcome,
    )


_FORM_COLUMNS = (
    "company",
    "segment",
    "source",
    "abn",
    "phone",
    "email",
    "contact_name",
    "contact_position",
    "contact_phone",
    "contact_email",
    "fleet_size",
    "fleet_makes",
    "region",
    "notes",
)


def _check_status(
    errors: FieldErrors,
    status: LeadStatus | None,
    answers: QualificationAnswers,
    reason: str,
) -> None:
    if status is LeadStatus.CONVERTED:
        errors.add("status", "converted leads are imported as customers, not as leads")
    if status is LeadStatus.QUALIFIED and assess(answers).outcome is not (
        Outcome.QUALIFIES
    ):
        errors.add("status", "a qualified lead needs yes to all five questions")
    if status is LeadStatus.DISQUALIFIED and not reason:
        errors.add("disqualification_reason", "is required for a disqualified lead")
    if reason and status is not LeadStatus.DISQUALIFIED:
        errors.add("disqualification_reason", "is only kept for a disqualified lead")


def _owners(session: Session) -> dict[str, int]:
    users = session.execute(
        select(func.lower(User.username), User.id).where(
            User.role.in_([Role.SALES_REP.value, Role.SALES_MANAGER.value])
        )
    ).all()
    return dict(users)


def import_leads(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
    duplicates: DuplicatePolicy | str = DuplicatePolicy.ASK,
) -> LeadImportReport:
    """Import leads from CSV: every row checked and compared with known companies.

    Rows that may be the same company as each other are named as problems
    unless the policy is keep. A row that may be a known lead or account is
    a problem under ask, left out under skip, linked to the strongest match
    under link, and folded into a matched lead (or linked to a matched
    account) under merge.
    """
    actor.require(Permission.IMPORT_LEADS)
    policy = DuplicatePolicy(duplicates)
    report = LeadImportReport("leads")
    with db.write() as session:
        owners = _owners(session)
        today = local_today(session, actor, None)

        def parse(row: dict[str, str], errors: FieldErrors) -> LeadRow:
            return _read_row(row, errors, owners)

        good = parse_rows(report, source, LEAD_COLUMNS, LEAD_OPTIONAL, parse)
        if policy is not DuplicatePolicy.KEEP:
            _reject_repeats(report, good)
        good = [(line, row) for line, row in good if line not in report.bad_lines]
        known = candidates(session, [row.details.party() for _, row in good])
        decisions: dict[int, DuplicateDecision | None] = {}
        for line, row in good:
            matches = known.matches(row.details.party())
            decisions[line] = _decide(report, line, matches, policy)
        rows = [
            (line, row)
            for line, row in good
            if line not in report.bad_lines and decisions.get(line) != _LEAVE_OUT
        ]
        if dry_run or (report.bad_rows and not good_rows_only) or not rows:
            return report
        for line, row in rows:
            _write_row(session, actor, row, decisions.get(line), today, report)
        report.imported = len(rows)
        report.written = True
        audit.record(
            session,
            actor,
            "import",
            "lead",
            "*",
            after={
                "rows": report.imported,
                "left_out": report.bad_rows + report.skipped,
                "linked": report.linked,
                "merged": report.merged,
            },
        )
    return report


_LEAVE_OUT = DuplicateDecision(DuplicateChoice.KEEP, "skip", None)


def _reject_repeats(report: LeadImportReport, good: list[tuple[int, LeadRow]]) -> None:
    """Rows of the same file that may be the same company as an earlier row."""
    earlier = []
    for line, row in good:
        party = row.details.party()
        for match in find_matches(party, earlier):
            reasons = ", ".join(r.sentence for r in match.reasons)
            reject_line(
                report,
                line,
                "company",
                f"may be the same company as line {match.record.record_id} ({reasons})",
            )
            break
        else:
            earlier.append(row.details.party(line))


def _decide(
    report: LeadImportReport,
    line: int,
    matches: list[DuplicateLine],
    policy: DuplicatePolicy,
) -> DuplicateDecision | None:
    if not matches:
        return None
    strongest = matches[0]
    if policy is DuplicatePolicy.ASK:
        reject_line(
            report,
            line,
            "company",
            f"may be {strongest.sentence}; import with --duplicates skip, "
            "keep, link or merge",
        )
        return None
    if policy is DuplicatePolicy.SKIP:
        report.skipped += 1
        report.notes.append(f"line {line}: left out, may be {strongest.sentence}")
        return _LEAVE_OUT
    if policy is DuplicatePolicy.KEEP:
        return DuplicateDecision(DuplicateChoice.KEEP)
    choice = DuplicateChoice.LINK
    if policy is DuplicatePolicy.MERGE and strongest.kind == "lead":
        choice = DuplicateChoice.MERGE
    report.notes.append(f"line {line}: {choice.value}ed with {strongest.sentence}")
    return DuplicateDecision(choice, strongest.kind, strongest.record_id)


def _write_row(
    session: Session,
    actor: Actor,
    row: LeadRow,
    decision: DuplicateDecision | None,
    today: date,
    report: LeadImportReport,
) -> None:
    if decision is not None and decision.choice is DuplicateChoice.MERGE:
        merge_into_lead(session, actor, row.details, decision)
        report.merged += 1
        return
    lead = new_lead(session, actor, row.details, today, row.owner_id)
    if decision is not None and decision.choice is DuplicateChoice.LINK:
        link_lead(session, lead, decision)
        report.linked += 1
    lead.status = row.status.value
    lead.disqualification_reason = row.reason
    for criterion, answer in row.answers.items():
        setattr(lead, criterion.value, answer.value)
    for name, value in row.scale.items():
        setattr(lead, name, value)
    lead.score = score_of(session, lead).total
    if row.last_contact and row.last_kind:
        session.add(
            LeadActivity(
                lead_id=lead.id,
                kind=row.last_kind.value,
                due_on=row.last_contact,
                owner_id=lead.owner_id,
                done=True,
                done_at=utc_now(),
                done_by_id=actor.user_id,
                outcome=row.last_outcome,
            )
        )
    if row.next_contact and row.next_kind:
        session.add(
            LeadActivity(
                lead_id=lead.id,
                kind=row.next_kind.value,
                due_on=row.next_contact,
                owner_id=lead.owner_id,
            )
        )
    refresh_next_contact(session, lead)
