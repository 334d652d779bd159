"""`dealer invoice` as a sales administrator runs it, on the demo dealership.

The story of the issue: the demo's delivered order and finished job are
invoiced by `dealer invoice run`, a second run invoices nothing, a credit
note corrects one invoice, a payment closes another, and the e-invoice of
each passes the UBL 2.1 schema.  Order entry and the workshop are stood in
for by test sources until they offer their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select
from typer.testing import CliRunner

from dealer_tui.accounts.models import Account
from dealer_tui.cli.main import app
from dealer_tui.core.db import Database
from dealer_tui.invoicing import services
from dealer_tui.invoicing.sources import (
    SourceLine,
)
from tests.domain.invoicing.documents import arithmetic_problems, ubl_schema
from tests.services.helpers import user
from tests.services.invoicing_support import StandInSource, candidate, only_sources

runner = CliRunner()


def _account(db: Database, number: str) -> int:
    with db.read() as session:
        return session.scalar(select(Account.id).where(Account.number == number))


@pytest.fixture
def demo(demo_db: Database) -> Iterator[tuple[Database, StandInSource, StandInSource]]:
    """The demo with a delivered truck and a finished job split with warranty."""
    orders = StandInSource(kind="vehicle_order", title="Delivered order")
    jobs = StandInSource(kind="workshop_job", title="Finished job")
    orders.items = [
        candidate(
            "SO-2026-0042",
            _account(demo_db, "C000103"),
            kind="vehicle_order",
            lines=[
                SourceLine("Volvo FH 540 6x4 prime mover", D(1), D("265000.00")),
                SourceLine("Pre-delivery inspection", D(1), D("1250.00")),
            ],
        )
    ]
    jobs.items = [
        candidate("W-1181", _account(demo_db, "C000106"), kind="workshop_job"),
        candidate(
            "W-1181",
            _account(demo_db, "C000106"),
            kind="workshop_job",
            payer="warranty",
            lines=[SourceLine("EGR valve (warranty)", D(1), D("780.00"))],
        ),
    ]
    with only_sources(orders, jobs):
        yield demo_db, orders, jobs


def invoke(db: Database, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--database-url", db.url, "--user", "jo.admin", *args])


def test_the_issue_story_on_the_demo(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Dry run, run, second run, credit note, payment, e-invoices, PDF, ageing."""
    db, orders, jobs = demo
    dry = invoke(db, "invoice", "run", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.count("will invoice") == 3
    assert "3 will be invoiced, 0 skipped." in dry.output

    run = invoke(db, "invoice", "run")
    assert run.exit_code == 0, run.output
    assert "Invoiced 3" in run.output
    assert "skipped 0, failed 0" in run.output
    numbers = [number for _, number in orders.noted + jobs.noted]
    assert len(numbers) == 3 and len(set(numbers)) == 3

    again = invoke(db, "invoice", "run")
    assert again.exit_code == 0
    assert "Invoiced 0" in again.output
    assert "already invoiced" in again.output

    order_invoice = orders.noted[0][1]
    credit = invoke(
        db,
        "invoice",
        "credit",
        order_invoice,
        "--lines",
        "2",
        "--reason",
        "inspection included in the deal",
    )
    assert credit.exit_code == 0, credit.output
    # 1,250.00 and its 125.00 of GST come back.
    assert "$1,375.00 including $125.00 GST" in credit.output
    credit_number = re.search(r"Posted (CRN\d{4}-\d{6})", credit.output).group(1)

    job_invoice = jobs.noted[0][1]
    pay = invoke(db, "invoice", "pay", job_invoice, "--amount", "507.54")
    assert pay.exit_code == 0, pay.output
    assert "$0.00 open (paid)" in pay.output

    for number in [*numbers, credit_number]:
        target = tmp_path / f"{number}.xml"
        written = invoke(db, "invoice", "einvoice", number, "--out", str(target))
        assert written.exit_code == 0, written.output
        root = etree.parse(str(target)).getroot()
        schema = ubl_schema(etree.QName(root).localname)
        assert schema.validate(root), schema.error_log
        assert arithmetic_problems(target.read_bytes()) == []

    pdf = invoke(db, "invoice", "pdf", credit_number, "--out", str(tmp_path / "c.pdf"))
    assert pdf.exit_code == 0
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")

    ageing = invoke(db, "invoice", "ageing", "--as-of", "2026-12-04")
    assert ageing.exit_code == 0, ageing.output
    owed = services.ageing(db, user(db, "jo.admin"), date(2026, 12, 4)).total.total
    assert "Receivables at 04/12/2026" in ageing.output
    assert f"{owed:,.2f}" in ageing.output.splitlines()[-2]


def test_a_failed_candidate_makes_the_run_exit_non_zero(demo) -> None:  # type: ignore[no-untyped-def]
    """Both parts of a job its source refuses are named; the run exits 1."""
    db, _, jobs = demo
    jobs.refuse = {"W-1181"}
    result = invoke(db, "invoice", "run")
    assert result.exit_code == 1
    assert "Invoiced 1" in result.output
    for payer in ("customer", "warranty"):
        assert f"failed: Job W-1181 ({payer}): job W-1181 is locked" in result.output


def test_bad_options_are_named(demo) -> None:  # type: ignore[no-untyped-def]
    """A malformed --until and an unknown number exit 1 with a sentence."""
    db, _, _ = demo
    result = invoke(db, "invoice", "run", "--until", "31/12/2026")
    assert result.exit_code == 1
    assert "--until: '31/12/2026' is not a date" in result.output
    missing = invoke(db, "invoice", "post", "INV1999-000001")
    assert missing.exit_code == 1
    assert "There is no invoice or credit note INV1999-000001." in missing.output


def test_a_draft_is_posted_by_its_id(demo) -> None:  # type: ignore[no-untyped-def]
    """The demo's draft for Evans Bros is posted from the command line."""
    db, _, _ = demo
    from dealer_tui.invoicing.models import Invoice

    with db.read() as session:
        draft = session.scalar(select(Invoice.id).where(Invoice.status == "draft"))
    result = invoke(db, "invoice", "post", str(draft))
    assert result.exit_code == 0, result.output
    assert "for Evans Bros Transport: $351.45" in result.output


def test_until_limits_the_run(demo) -> None:  # type: ignore[no-untyped-def]
    """Nothing was ready before 2026: a run to 31/12/2025 finds nothing."""
    db, _, _ = demo
    result = invoke(db, "invoice", "run", "--until", "2025-12-31", "--dry-run")
    assert result.exit_code == 0
    assert "0 will be invoiced" in result.output
