"""What the invoicing tests share: customers, a stand-in source, a killed run.

The stand-in source plays the part the workshop and order entry will play:
it hands the batch run candidates with their lines, and can be told to
refuse one candidate or to kill the process running it part way.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal as D

from sqlalchemy import select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.accounts.services import import_customers
from dealer_tui.core.auth import Actor
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.invoicing.sources import (
    Billed,
    Candidate,
    InvoiceSource,
    LinesGiven,
    Refusals,
    SourceLine,
    register_source,
    registered_sources,
    unregister_source,
)

CUSTOMERS = """\
number,name,abn,street,suburb,state,postcode,payment_terms_days,credit_hold
C1,Bayside Haulage Pty Ltd,52 083 016 613,1 Bay Street,Altona,VIC,3018,30,no
C2,Jan Novak,,,,,,14,no
C3,Held Up Transport Pty Ltd,91 525 655 657,2 Hold Road,Dalby,QLD,4405,30,yes
"""


def add_customers(db: Database, admin: Actor) -> dict[str, int]:
    """Three customers: C1 with an ABN, C2 a private buyer, C3 on credit hold."""
    report = import_customers(db, admin, text_stream(CUSTOMERS))
    assert report.written, report.problems
    with db.read() as session:
        return dict(session.execute(select(Account.number, Account.id)).all())


def job_lines(index: int = 0) -> tuple[SourceLine, ...]:
    """A workshop job: 2.5 hours at 165.00 and a filter at 48.90, GST 10%.

    Nets 412.50 and 48.90 make 461.40; GST 46.14; 507.54 due.
    """
    return (
        SourceLine("Workshop labour", D("2.5"), D("165.00"), unit_code="HUR"),
        SourceLine(f"Oil filter {index}", D(1), D("48.90")),
    )


JOB_TOTAL = D("507.54")


@dataclass
class StandInSource(LinesGiven):
    """A source whose candidates the test gives, like finished workshop jobs."""

    kind: str = "test_job"
    title: str = "Test job"
    items: list[Candidate] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    kill_after: int | None = None
    noted: list[tuple[str, str]] = field(default_factory=list)
    # How many times the run told the source of billed candidates.
    calls: int = 0

    def candidates(
        self, db: Database, actor: Actor, until: date, branch: str | None
    ) -> Iterable[Candidate]:
        return [
            c
            for c in self.items
            if c.ready_on <= until and (branch is None or c.branch_code == branch)
        ]

    def note_invoiced(
        self, session: Session, actor: Actor, billed: Sequence[Billed], at: datetime
    ) -> Refusals:
        refused = {
            b: f"job {b.candidate.source_ref} is locked by its mechanic"
            for b in billed
            if b.candidate.source_ref in self.refuse
        }
        if refused:
            return refused
        self.calls += 1
        self.noted += [(b.candidate.source_ref, b.number) for b in billed]
        if self.kill_after is not None and len(self.noted) >= self.kill_after:
            # Dies as a killed run would: no cleanup, the transaction open.
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return {}


def candidate(
    ref: str,
    account_id: int | None,
    *,
    payer: str = "customer",
    lines: Sequence[SourceLine] | None = None,
    kind: str = "test_job",
    ready_on: date = date(2026, 1, 5),
    branch: str = "MEL",
    skip: str = "",
) -> Candidate:
    return Candidate(
        source_kind=kind,
        source_ref=ref,
        payer=payer,
        account_id=account_id,
        branch_code=branch,
        ready_on=ready_on,
        title=f"Job {ref}",
        lines=tuple(job_lines() if lines is None else lines),
        skip_reason=skip,
    )


def many_jobs(account_id: int, count: int) -> list[Candidate]:
    return [
        candidate(f"J{n:05d}", account_id, lines=job_lines(n))
        for n in range(1, count + 1)
    ]


@contextmanager
def only_sources(*sources: InvoiceSource) -> Iterator[None]:
    """The batch run asks these sources alone while the block runs.

    The sources the business areas register (order entry's, the
    workshop's) are put back afterwards exactly as they were.
    """
    kept = registered_sources()
    for source in kept:
        unregister_source(source.kind)
    for source in sources:
        register_source(source)
    try:
        yield
    finally:
        for source in sources:
            unregister_source(source.kind)
        for source in kept:
            register_source(source)
