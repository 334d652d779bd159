"""Prospects on both databases: ranking, the list, distribution and conversion."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dealer_tui.accounts.models import Account, Contact
from dealer_tui.accounts.services import import_customers
from dealer_tui.core.auth import Actor
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import (
    PermissionDenied,
    Refused,
    StaleRecord,
    ValidationFailed,
)
from dealer_tui.core.models import AuditEntry, Branch, User
from dealer_tui.core.paging import From, PageRequest
from dealer_tui.leads.models import Lead, Opportunity
from dealer_tui.leads.panels import lead_hits, overdue_follow_ups
from dealer_tui.leads.pipeline import Stage
from dealer_tui.leads.qualification import LeadStatus, Segment
from dealer_tui.leads.services import (
    ConversionForm,
    DuplicateChoice,
    DuplicateDecision,
    LeadForm,
    LeadSort,
    LeadView,
    change_status,
    convert_lead,
    create_lead,
    distribute_leads,
    lead_page,
    move_opportunity,
    priority,
    ranking_schemes,
    record_answers,
    set_ranking_answers,
    set_ranking_weights,
)
from tests.services.helpers import small_dealer, user

AT = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)
TODAY = date(2026, 12, 4)
ALL_YES = dict.fromkeys(
    (
        "in_business",
        "financially_viable",
        "segment_applicable",
        "open_to_brand",
        "open_to_after_sales",
    ),
    "yes",
)
TERMS = ConversionForm(
    title="Four FH tippers",
    expected_trucks="4",
    value="1,250,000.00",
    close_on="2027-02-26",
)


def prospect(
    db: Database,
    actor: Actor,
    company: str,
    segment: str = "construction",
    ranking: dict[str, str] | None = None,
    **values: str,
) -> LeadView:
    """A qualified lead with the given ranking answers."""
    lead = create_lead(
        db,
        actor,
        LeadForm(company=company, segment=segment, **values),
        DuplicateDecision(DuplicateChoice.KEEP),
        at=AT,
    )
    lead = record_answers(db, actor, lead.id, lead.version, ALL_YES, AT)
    if ranking:
        lead = set_ranking_answers(db, actor, lead.id, lead.version, ranking, AT)
    return change_status(db, actor, lead.id, lead.version, LeadStatus.QUALIFIED, at=AT)


def test_converting_creates_account_contacts_and_opportunity(db: Database) -> None:
    """A prospect becomes account C2026-000001 with its contact and O2026-000001."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = prospect(
        db,
        rep,
        "Ironbark Earthworks Pty Ltd",
        abn="18 123 456 789",
        region="VIC",
        contact_name="Grace Walsh",
        contact_phone="0412 345 678",
    )
    lead = convert_lead(db, rep, lead.id, lead.version, TERMS, AT)
    assert lead.status is LeadStatus.CONVERTED
    assert lead.account == "C2026-000001 Ironbark Earthworks Pty Ltd"
    assert lead.opportunity is not None
    assert lead.opportunity.number == "O2026-000001"
    assert lead.opportunity.value == Decimal("1250000.00")
    assert lead.opportunity.stage is Stage.NEEDS_ANALYSIS
    with db.read() as session:
        account = session.scalars(select(Account)).one()
        contacts = session.scalars(select(Contact)).all()
        actions = set(
            session.execute(select(AuditEntry.entity, AuditEntry.action)).all()
        )
    assert (account.tax_id, account.state, account.match_name) == (
        "18123456789",
        "VIC",
        "IRONBARK EARTHWORKS",
    )
    assert account.sales_rep_id == rep.user_id
    assert [(c.name, c.primary) for c in contacts] == [("Grace Walsh", True)]
    assert {
        ("account", "create"),
        ("opportunity", "create"),
        ("lead", "status"),
    } <= actions


def test_a_linked_lead_converts_into_its_account(db: Database) -> None:
    """A lead linked to customer C000001 adds its opportunity there, no new account."""
    admin = small_dealer(db)
    import_customers(
        db,
        admin,
        text_stream("number,name,abn\nC000001,Westgate Pumping,99021146151\n"),
    )
    rep = user(db, "sales_rep")
    lead = create_lead(
        db,
        rep,
        LeadForm(company="Westgate Pumping Depot", segment="construction"),
        DuplicateDecision(DuplicateChoice.LINK, "account", 1),
        at=AT,
    )
    lead = record_answers(db, rep, lead.id, lead.version, ALL_YES, AT)
    lead = change_status(db, rep, lead.id, lead.version, "qualified", at=AT)
    lead = convert_lead(db, rep, lead.id, lead.version, TERMS, AT)
    assert lead.account == "C000001 Westgate Pumping"
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 1
        assert session.scalar(select(Opportunity.account_id)) == 1


def test_only_a_qualified_lead_converts(db: Database) -> None:
    """A new lead is refused with the whitelist's sentence; nothing is created."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(db, rep, LeadForm("Alpha Freight", "long_haul"), at=AT)
    with pytest.raises(Refused, match="Only a qualified lead can be converted"):
        convert_lead(db, rep, lead.id, lead.version, TERMS, AT)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0
        assert session.scalar(select(func.count()).select_from(Opportunity)) == 0


def test_bad_opportunity_terms_are_each_named(db: Database) -> None:
    """No trucks, a value of nothing, a close date in the past: three problems."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = prospect(db, rep, "Alpha Freight")
    with pytest.raises(ValidationFailed) as failed:
        convert_lead(
            db,
            rep,
            lead.id,
            lead.version,
            ConversionForm("Trucks", "0", "0.00", "01/12/2026"),
            AT,
        )
    assert {p.field for p in failed.value.problems} == {
        "expected_trucks",
        "value",
        "close_on",
    }


def test_a_lost_opportunity_names_reason_and_competitor(db: Database) -> None:
    """Lost without words is refused; with them it is closed and stays closed."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = prospect(db, rep, "Alpha Freight")
    lead = convert_lead(db, rep, lead.id, lead.version, TERMS, AT)
    assert lead.opportunity is not None
    opportunity = lead.opportunity
    with pytest.raises(ValidationFailed) as failed:
        move_opportunity(
            db, rep, opportunity.id, opportunity.version, {"stage": "lost"}, AT
        )
    assert {p.field for p in failed.value.problems} == {"lost_reason", "competitor"}
    lead = move_opportunity(
        db,
        rep,
        opportunity.id,
        opportunity.version,
        {"stage": "lost", "lost_reason": "Price", "competitor": "Kenworth"},
        AT,
    )
    assert lead.opportunity is not None
    closed = lead.opportunity
    assert (closed.stage, closed.lost_reason, closed.competitor) == (
        Stage.LOST,
        "Price",
        "Kenworth",
    )
    with pytest.raises(Refused, match="no longer moves"):
        move_opportunity(db, rep, closed.id, closed.version, {"stage": "won"}, AT)


def test_new_weights_rescore_the_segment_in_one_go(db: Database) -> None:
    """Weights 1/0/0/0 for construction make 30 trucks score 80.00, others unchanged."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    manager = user(db, "sales_manager")
    ranking = {"fleet_size": "30", "after_sales_penetration": "5"}
    built = prospect(db, rep, "Alpha Earthworks", "construction", ranking)
    hauler = prospect(db, rep, "Beta Linehaul", "long_haul", ranking)
    # Construction by default: 4/5 of 30 plus 5/5 of 30 = 54.00.
    assert built.score.total == Decimal("54.00")
    before = hauler.score.total
    [line] = [
        s for s in ranking_schemes(db, manager) if s.segment is Segment.CONSTRUCTION
    ]
    assert line.version is None and line.leads == 1
    weights = {
        "fleet_size": "1",
        "after_sales_penetration": "0",
        "finance_openness": "0",
        "brand_values_fit": "0",
    }
    saved = set_ranking_weights(db, manager, "construction", None, weights)
    assert saved.rescored == 1
    with db.read() as session:
        scores = dict(session.execute(select(Lead.company, Lead.score)).all())
    assert scores == {"Alpha Earthworks": Decimal("80.00"), "Beta Linehaul": before}
    with pytest.raises(StaleRecord):
        set_ranking_weights(
            db, manager, "construction", None, {**weights, "fleet_size": "2"}
        )


def test_weights_are_checked_and_kept_from_reps(db: Database) -> None:
    """All-zero weights and a negative one are named; a rep may not set weights."""
    small_dealer(db)
    manager = user(db, "sales_manager")
    with pytest.raises(ValidationFailed) as failed:
        set_ranking_weights(
            db,
            manager,
            "municipal",
            None,
            {
                "fleet_size": "-1",
                "after_sales_penetration": "0",
                "finance_openness": "0",
                "brand_values_fit": "0",
            },
        )
    assert [p.field for p in failed.value.problems] == ["fleet_size"]
    with pytest.raises(PermissionDenied):
        set_ranking_weights(db, user(db, "sales_rep"), "municipal", None, {})


def _lines(db: Database, actor: Actor, text: str, **kwargs: object) -> list[str]:
    lines, _, _ = lead_page(db, actor, text, PageRequest(limit=50), at=AT, **kwargs)
    return [line.company for line in lines]


def test_the_list_sorts_by_score_or_company_and_filters_by_token(
    db: Database,
) -> None:
    """Highest score first or A to Z; status:, seg:, owner:, score> and words narrow."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    manager = user(db, "sales_manager")
    prospect(db, rep, "Alpha Earthworks", ranking={"fleet_size": "60"})
    prospect(db, rep, "Gamma Refuse", "refuse", ranking={"fleet_size": "5"})
    create_lead(db, manager, LeadForm("Beta Linehaul", "long_haul"), at=AT)
    assert _lines(db, rep, "") == ["Alpha Earthworks", "Gamma Refuse", "Beta Linehaul"]
    assert _lines(db, rep, "", sort=LeadSort.COMPANY) == [
        "Alpha Earthworks",
        "Beta Linehaul",
        "Gamma Refuse",
    ]
    assert _lines(db, rep, "status:qualified") == ["Alpha Earthworks", "Gamma Refuse"]
    assert _lines(db, rep, "status:new") == ["Beta Linehaul"]
    assert _lines(db, rep, "seg:refuse") == ["Gamma Refuse"]
    assert _lines(db, rep, "owner:none") == ["Beta Linehaul"]
    assert _lines(db, rep, "owner:me score>20") == ["Alpha Earthworks"]
    assert _lines(db, rep, "linehaul") == ["Beta Linehaul"]
    assert _lines(db, rep, "L2026-000003") == ["Beta Linehaul"]


def test_pages_of_the_list_follow_on_by_key(db: Database) -> None:
    """Five leads in pages of two by score: each page starts after the last key."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    for size in ("1", "5", "10", "25", "50"):
        lead = create_lead(
            db, rep, LeadForm(f"Fleet of {size}", "long_haul", fleet_size=size), at=AT
        )
    companies: list[str] = []
    request = PageRequest(From.START, None, 2)
    while True:
        lines, keys, more = lead_page(db, rep, "", request, at=AT)
        companies += [line.company for line in lines]
        if not more:
            break
        request = PageRequest(From.AFTER, keys[-1], 2)
    assert companies == [f"Fleet of {n}" for n in ("50", "25", "10", "5", "1")]
    lines, keys, _ = lead_page(db, rep, "", PageRequest(From.END, None, 2), at=AT)
    assert [line.company for line in lines] == ["Fleet of 5", "Fleet of 1"]
    lines, _, _ = lead_page(db, rep, "", PageRequest(From.BEFORE, keys[0], 2), at=AT)
    assert [line.company for line in lines] == ["Fleet of 25", "Fleet of 10"]
    assert lead.number == "L2026-000005"


def test_overdue_is_a_filter_and_a_home_panel(db: Database) -> None:
    """A call due 2 December is overdue on 4 December for its owner and the manager."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    manager = user(db, "sales_manager")
    early = datetime(2026, 11, 30, tzinfo=UTC)
    create_lead(
        db,
        rep,
        LeadForm("Late Call Pty Ltd", "long_haul", next_contact_on="2026-12-02"),
        at=early,
    )
    create_lead(
        db,
        rep,
        LeadForm("On Time Freight", "long_haul", next_contact_on="2026-12-09"),
        at=early,
    )
    assert _lines(db, rep, "overdue") == ["Late Call Pty Ltd"]
    with db.read() as session:
        mine = overdue_follow_ups(session, rep, TODAY)
        everyone = overdue_follow_ups(session, manager, TODAY)
        nobody = overdue_follow_ups(session, user(db, "counter"), TODAY)
    assert mine.total == 1
    assert mine.rows[0].text == "02/12/26 Call    L2026-000001 Late Call Pty Ltd"
    assert mine.rows[0].mark == "OVERDUE"
    assert everyone.rows[0].text.endswith("· sales_rep")
    assert nobody.total == 0


def test_the_palette_finds_a_lead_by_number_or_name(db: Database) -> None:
    """'L2026-000001' and 'earthw' both find Ironbark Earthworks."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    create_lead(db, rep, LeadForm("Ironbark Earthworks", "construction"), at=AT)
    with db.read() as session:
        by_number = lead_hits(session, "L2026-000001", 8)
        by_name = lead_hits(session, "earthw", 8)
    assert [h.title for h in by_number] == ["Ironbark Earthworks"]
    assert [(h.kind, h.title) for h in by_name] == [("lead", "Ironbark Earthworks")]


def _second_branch(db: Database) -> None:
    """A Brisbane branch (QLD) with its own sales rep, qld.rep."""
    from dealer_tui.core.auth import hash_password

    with db.write() as session:
        branch = Branch(
            dealer_id=1,
            code="BNE",
            name="Brisbane",
            country="AU",
            region="QLD",
            currency="AUD",
            time_zone="Australia/Brisbane",
            tax_registration="91526018159",
        )
        session.add(branch)
        session.flush()
        session.add(
            User(
                username="qld.rep",
                display_name="Queensland Rep",
                role="sales_rep",
                branch_id=branch.id,
                password_hash=hash_password("x" * 12),
            )
        )


def test_distribution_by_region_and_by_hand(db: Database) -> None:
    """VIC leads go to the Melbourne rep, QLD to the Brisbane rep, NSW to nobody."""
    small_dealer(db)
    _second_branch(db)
    manager = user(db, "sales_manager")
    for company, region in (
        ("Vic One", "VIC"),
        ("Qld One", "QLD"),
        ("Qld Two", "QLD"),
        ("Nsw One", "NSW"),
    ):
        create_lead(db, manager, LeadForm(company, "long_haul", region=region), at=AT)
    report = distribute_leads(db, manager, "owner:none", "region", AT)
    assert report.assigned == {"sales_rep": 1, "qld.rep": 2}
    assert report.no_rep == 1
    assert report.summary() == (
        "Assigned 3 of 4 open leads: 1 to sales_rep, 2 to qld.rep. "
        "1 have a region no representative covers."
    )
    by_hand = distribute_leads(db, manager, "region:nsw", "sales_rep", AT)
    assert by_hand.assigned == {"sales_rep": 1}
    with pytest.raises(PermissionDenied):
        distribute_leads(db, user(db, "sales_rep"), "", "region", AT)
    with pytest.raises(ValidationFailed, match="no active user 'nobody'"):
        distribute_leads(db, manager, "", "nobody", AT)


def test_the_priority_list_ranks_qualified_prospects(db: Database) -> None:
    """Only qualified leads, highest score first; equal scores keep lead order."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    prospect(db, rep, "Small Fleet", ranking={"fleet_size": "5"})
    prospect(db, rep, "Big Fleet", ranking={"fleet_size": "60"})
    prospect(db, rep, "Also Small", ranking={"fleet_size": "5"})
    prospect(db, rep, "Refuse Co", "refuse", ranking={"fleet_size": "60"})
    create_lead(db, rep, LeadForm("Just A Suspect", "construction"), at=AT)
    lines = priority(db, rep)
    assert [(line.rank, line.company) for line in lines] == [
        (1, "Big Fleet"),
        (2, "Refuse Co"),
        (3, "Small Fleet"),
        (4, "Also Small"),
    ]
    assert [line.company for line in priority(db, rep, "refuse")] == ["Refuse Co"]
    assert priority(db, rep, owner="none") == []
    with pytest.raises(ValidationFailed) as failed:
        priority(db, rep, "space", "ghost")
    assert {p.field for p in failed.value.problems} == {"segment", "owner"}


def test_two_workstations_number_leads_without_a_gap(db: Database) -> None:
    """Eight leads saved at once from eight connections get numbers 1 to 8."""
    if db.is_sqlite:
        pytest.skip("several connections writing at once is a PostgreSQL test")
    small_dealer(db)
    rep = user(db, "sales_rep")
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def save(index: int) -> None:
        start.wait()
        try:
            create_lead(db, rep, LeadForm(f"Parallel {index}", "other"), at=AT)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with db.read() as session:
        numbers = sorted(session.scalars(select(Lead.number)))
    assert numbers == [f"L2026-{n:06d}" for n in range(1, 9)]


def test_two_managers_setting_new_weights_at_once_save_one(db: Database) -> None:
    """Both insert the segment's first weights; one saves, the other is told."""
    if db.is_sqlite:
        pytest.skip("several connections writing at once is a PostgreSQL test")
    small_dealer(db)
    manager = user(db, "sales_manager")
    start = threading.Barrier(2)
    outcomes: list[str] = []
    weights = {
        "fleet_size": "1",
        "after_sales_penetration": "1",
        "finance_openness": "1",
        "brand_values_fit": "1",
    }

    def save() -> None:
        start.wait()
        try:
            set_ranking_weights(db, manager, "mining", None, weights)
            outcomes.append("saved")
        except StaleRecord:
            outcomes.append("stale")

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", "stale"]
