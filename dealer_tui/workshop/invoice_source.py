"""The workshop's invoice source: finished jobs, one candidate per payer.

A finished job hands each payer's part to invoicing with its lines frozen
at finishing.  When the batch run posts the invoices of a chunk, their
parts are marked invoiced in the same transaction, all together; a job
whose every part is then invoiced is invoiced too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database
from dealer_tui.core.models import AuditEntry
from dealer_tui.invoicing.bulk import insert_many, update_many
from dealer_tui.invoicing.sources import (
    Billed,
    Candidate,
    Refusals,
    SourceLine,
    register_source,
)
from dealer_tui.workshop.jobs import JobStatus, Payer
from dealer_tui.workshop.models import JobInvoicing, WorkshopJob
from dealer_tui.workshop.services import (
    INVOICE_DONE,
    INVOICE_READY,
    jobs_ready_to_invoice,
)

# Payers with an account on the books; the maker (warranty) and internal
# work are billed outside the customer ledger until they have one.
_ACCOUNT_PAYERS = {Payer.CUSTOMER.value, Payer.CONTRACT.value}
# Jobs named in one statement: well under what either database takes.
_IN_LIST = 500


@dataclass
class WorkshopSource:
    kind: str = "workshop_job"
    title: str = "Finished workshop job"

    def candidates(
        self, db: Database, actor: Actor, until: date, branch: str | None
    ) -> Iterable[Candidate]:
        end = datetime.combine(until, time.max, tzinfo=UTC)
        for ready in jobs_ready_to_invoice(db, actor, end, branch):
            skip = ""
            if ready.payer not in _ACCOUNT_PAYERS or ready.customer_id is None:
                skip = (
                    f"missing data: the {ready.payer} part has no account to "
                    "bill; it is claimed outside the customer ledger"
                )
            elif not ready.lines:
                skip = "missing data: the job has no lines for this payer"
            yield Candidate(
                source_kind=self.kind,
                source_ref=ready.number,
                payer=ready.payer,
                account_id=ready.customer_id,
                branch_code=ready.branch_code,
                ready_on=ready.finished_at.date(),
                title=f"{ready.number} {ready.vehicle}"[:120],
                lines=tuple(
                    SourceLine(
                        description=line.description,
                        quantity=line.quantity,
                        unit_price=line.unit_price,
                        category=line.tax_category,
                        line_ref=line.code,
                    )
                    for line in ready.lines
                ),
                skip_reason=skip,
                buyer_reference=ready.number,
            )

    def lines(self, candidate: Candidate) -> Sequence[SourceLine]:
        return candidate.lines

    def note_invoiced(
        self, session: Session, actor: Actor, billed: Sequence[Billed], at: datetime
    ) -> Refusals:
        """Mark the billed parts invoiced, and the jobs with no part left waiting.

        The jobs and their parts are locked first, in the order of the jobs,
        as marking one job by hand locks them.
        """
        if not billed:
            return {}
        numbers = sorted({b.candidate.source_ref for b in billed})
        parts: dict[tuple[str, str], tuple[int, int, str]] = {}
        job_status: dict[int, str] = {}
        waiting: dict[int, set[str]] = {}
        for start in range(0, len(numbers), _IN_LIST):
            for number, job_id, job_state, state_id, payer, status in session.execute(
                select(
                    WorkshopJob.number,
                    WorkshopJob.id,
                    WorkshopJob.status,
                    JobInvoicing.id,
                    JobInvoicing.payer,
                    JobInvoicing.status,
                )
                .join(JobInvoicing, JobInvoicing.job_id == WorkshopJob.id)
                .where(WorkshopJob.number.in_(numbers[start : start + _IN_LIST]))
                .order_by(WorkshopJob.id, JobInvoicing.id)
                .with_for_update()
            ):
                parts[number, payer] = (job_id, state_id, status)
                job_status[job_id] = job_state
                if status == INVOICE_READY:
                    waiting.setdefault(job_id, set()).add(payer)
        refused = {}
        for item in billed:
            ref, payer = item.candidate.source_ref, item.candidate.payer
            part = parts.get((ref, payer))
            if part is None or part[2] != INVOICE_READY:
                refused[item] = (
                    f"Job {ref} is no longer waiting for its {payer} invoice."
                )
            else:
                waiting[part[0]].discard(payer)
        if refused:
            return refused

        marked = [(parts[b.candidate.source_ref, b.candidate.payer], b) for b in billed]
        connection = session.connection()
        update_many(
            connection,
            JobInvoicing.__table__,
            [
                {"id": state_id, "invoice_reference": b.number}
                for (_, state_id, _), b in marked
            ],
            status=INVOICE_DONE,
            invoiced_at=at,
            invoiced_by_id=actor.user_id,
        )
        done = sorted(job_id for job_id, left in waiting.items() if not left)
        jobs = WorkshopJob.__table__
        for start in range(0, len(done), _IN_LIST):
            connection.execute(
                update(jobs)
                .where(jobs.c.id.in_(done[start : start + _IN_LIST]))
                .values(
                    status=JobStatus.INVOICED.value,
                    closed_at=at,
                    version=jobs.c.version + 1,
                    updated_at=at,
                    updated_by_id=actor.user_id,
                )
            )
        for job_id in done:
            job_status[job_id] = JobStatus.INVOICED.value
        insert_many(
            connection,
            AuditEntry.__table__,
            [
                {
                    "at": at,
                    "user_id": actor.user_id,
                    "action": "invoiced",
                    "entity": "workshop_job",
                    "entity_id": str(job_id),
                    "before": None,
                    "after": {
                        "payer": b.candidate.payer,
                        "invoice": b.number,
                        "status": job_status[job_id],
                    },
                    "note": "batch run",
                }
                for (job_id, _, _), b in marked
            ],
        )
        return {}


WORKSHOP_JOBS = WorkshopSource()


def register() -> None:
    """Put finished workshop jobs in the batch run."""
    register_source(WORKSHOP_JOBS)
