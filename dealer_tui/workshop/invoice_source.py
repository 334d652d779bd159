"""The workshop's invoice source: finished jobs, one candidate per payer.

A finished job hands each payer's part to invoicing with its lines frozen
at finishing.  When the batch run posts the invoice, that part is marked
invoiced in the same transaction; once every part is, the job is too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dealer_tui.core import audit, clock
from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database
from dealer_tui.core.errors import Refused
from dealer_tui.invoicing.sources import Candidate, SourceLine, register_source
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

    def invoiced(
        self, session: Session, candidate: Candidate, invoice_id: int, number: str
    ) -> None:
        job = session.scalars(
            select(WorkshopJob)
            .where(WorkshopJob.number == candidate.source_ref)
            .with_for_update()
        ).one_or_none()
        state = (
            session.scalars(
                select(JobInvoicing).where(
                    JobInvoicing.job_id == job.id,
                    JobInvoicing.payer == candidate.payer,
                )
            ).one_or_none()
            if job
            else None
        )
        if job is None or state is None or state.status != INVOICE_READY:
            raise Refused(
                f"Job {candidate.source_ref} is no longer waiting for its "
                f"{candidate.payer} invoice."
            )
        state.status = INVOICE_DONE
        state.invoice_reference = number
        state.invoiced_at = clock.now()
        session.flush()
        left = session.scalar(
            select(func.count())
            .select_from(JobInvoicing)
            .where(JobInvoicing.job_id == job.id, JobInvoicing.status == INVOICE_READY)
        )
        if not left:
            job.status = JobStatus.INVOICED.value
            job.closed_at = state.invoiced_at
        audit.record(
            session,
            None,
            "invoiced",
            "workshop_job",
            job.id,
            after={"payer": candidate.payer, "invoice": number, "status": job.status},
            note="batch run",
        )


WORKSHOP_JOBS = WorkshopSource()


def register() -> None:
    """Put finished workshop jobs in the batch run."""
    register_source(WORKSHOP_JOBS)
