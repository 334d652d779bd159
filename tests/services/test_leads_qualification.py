"""Leads from suspect to prospect on both databases: create, qualify, follow up."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dealer_tui.accounts.services import import_customers
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import (
    PermissionDenied,
    Refused,
    StaleRecord,
    ValidationFailed,
)
from dealer_tui.core.models import AuditEntry
from dealer_tui.leads.models import Lead, LeadActivity, LeadContact
from dealer_tui.leads.qualification import Answer, FollowUp, LeadStatus
from dealer_tui.leads.services import (
    DuplicateChoice,
    DuplicateDecision,
    DuplicatesFound,
    LeadForm,
    add_contact,
    change_status,
    complete_activity,
    create_lead,
    lead_view,
    plan_activity,
    record_answers,
    set_ranking_answers,
)
from tests.services.helpers import small_dealer, user

# Friday 4 December 2026, 9:30 in Melbourne.
AT = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)
ALL_YES = {
    "in_business": "yes",
    "financially_viable": "y",
    "segment_applicable": "Yes",
    "open_to_brand": "yes",
    "open_to_after_sales": "yes",
}
CUSTOMERS = (
    "number,name,abn,phone,email\n"
    "C000001,Westgate Concrete Pumping Pty Ltd,99 021 146 151,(03) 9686 6538,"
    "office@westgate.example.com\n"
)


def suspect(company: str = "Ironbark Earthworks Pty Ltd", **values: str) -> LeadForm:
    return LeadForm(
        company=company, segment=values.pop("segment", "construction"), **values
    )


def audits(db: Database, action: str) -> int:
    with db.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == action, AuditEntry.entity == "lead")
            )
            or 0
        )


def test_a_rep_creates_a_numbered_suspect_they_own(db: Database) -> None:
    """The first lead of 2026 is L2026-000001, new, owned by the rep, scored."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(
        db,
        rep,
        suspect(
            abn="18 123 456 789",
            phone="(03) 9000 1234",
            contact_name="Grace Walsh",
            contact_email="grace@ironbark.example.com",
            fleet_size="30",
        ),
        at=AT,
    )
    assert lead.number == "L2026-000001"
    assert lead.status is LeadStatus.NEW
    assert lead.owner == "Sales Rep"
    assert lead.region == "VIC"
    assert lead.abn == "18123456789"
    # 30 trucks earn 4 of 5 points; construction weighs fleet 3 of 10: 24.00.
    assert lead.score.total == Decimal("24.00")
    assert [c.name for c in lead.contacts] == ["Grace Walsh"]
    assert lead.contacts[0].primary
    assert audits(db, "create") == 1


def test_every_bad_field_of_a_new_lead_is_named(db: Database) -> None:
    """No company, a wrong ABN, an unknown segment and a bad e-mail are all named."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    with pytest.raises(ValidationFailed) as failed:
        create_lead(
            db,
            rep,
            LeadForm(
                company=" ",
                segment="space freight",
                abn="18 123 456 788",
                email="nobody",
                fleet_size="many",
                contact_email="grace@x.example.com",
            ),
            at=AT,
        )
    named = {p.field for p in failed.value.problems}
    assert named == {
        "company",
        "segment",
        "abn",
        "email",
        "fleet_size",
        "contact_name",
    }
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == 0


def test_counter_staff_may_not_create_leads(db: Database) -> None:
    """A counter clerk is refused before anything is read or written."""
    small_dealer(db)
    with pytest.raises(PermissionDenied):
        create_lead(db, user(db, "counter"), suspect(), at=AT)


def test_a_known_customer_is_found_before_the_lead_is_created(db: Database) -> None:
    """The same ABN as customer C000001 stops the save and names the account."""
    admin = small_dealer(db)
    import_customers(db, admin, text_stream(CUSTOMERS))
    rep = user(db, "sales_rep")
    with pytest.raises(DuplicatesFound) as found:
        create_lead(db, rep, suspect("Westgate Pumping", abn="99021146151"), at=AT)
    [match] = found.value.matches
    assert (match.kind, match.number) == ("account", "C000001")
    assert match.reasons == "same ABN 99 021 146 151"
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == 0


def test_phone_email_and_name_of_a_customer_match_however_typed(db: Database) -> None:
    """+61 3 9686 6538, OFFICE@... and 'Westgate Concrete Pumping' all match."""
    admin = small_dealer(db)
    import_customers(db, admin, text_stream(CUSTOMERS))
    rep = user(db, "sales_rep")
    with pytest.raises(DuplicatesFound) as found:
        create_lead(
            db,
            rep,
            suspect(
                "Westgate Concrete Pumping",
                phone="+61 3 9686 6538",
                email="OFFICE@westgate.example.com",
            ),
            at=AT,
        )
    [match] = found.value.matches
    assert match.reasons == (
        "same e-mail office@westgate.example.com, same phone 0396866538, "
        "same name WESTGATE CONCRETE PUMPING"
    )


def test_link_keep_and_merge_decide_about_a_duplicate(db: Database) -> None:
    """Link points at the account, keep saves apart, merge folds into the lead."""
    admin = small_dealer(db)
    import_customers(db, admin, text_stream(CUSTOMERS))
    rep = user(db, "sales_rep")
    linked = create_lead(
        db,
        rep,
        suspect("Westgate Pumping", abn="99021146151"),
        DuplicateDecision(DuplicateChoice.LINK, "account", 1),
        at=AT,
    )
    assert linked.account == "C000001 Westgate Concrete Pumping Pty Ltd"
    kept = create_lead(
        db,
        rep,
        suspect("Westgate Pumping Pty Ltd", abn="99021146151"),
        DuplicateDecision(DuplicateChoice.KEEP),
        at=AT,
    )
    assert kept.id != linked.id and kept.account_id is None
    merged = create_lead(
        db,
        rep,
        suspect(
            "Westgate Pumping",
            phone="03 9111 2222",
            contact_name="Nick Farrell",
        ),
        DuplicateDecision(DuplicateChoice.MERGE, "lead", linked.id),
        at=AT,
    )
    assert merged.id == linked.id
    assert merged.phone == "03 9111 2222"
    assert [c.name for c in merged.contacts] == ["Nick Farrell"]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == 2
    assert audits(db, "merge") == 1


def test_merging_into_an_account_is_refused(db: Database) -> None:
    """An account cannot take a lead's details; the sentence says to link instead."""
    admin = small_dealer(db)
    import_customers(db, admin, text_stream(CUSTOMERS))
    with pytest.raises(Refused, match="link the lead to the account"):
        create_lead(
            db,
            user(db, "sales_rep"),
            suspect(abn="99021146151"),
            DuplicateDecision(DuplicateChoice.MERGE, "account", 1),
            at=AT,
        )


def test_the_first_answer_starts_qualifying_and_is_audited(db: Database) -> None:
    """One yes moves a new lead to qualifying; the answers and the move are audited."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(db, rep, suspect(), at=AT)
    lead = record_answers(db, rep, lead.id, lead.version, {"in_business": "yes"}, AT)
    assert lead.status is LeadStatus.QUALIFYING
    assert lead.answers.in_business is Answer.YES
    assert audits(db, "answers") == 1
    assert audits(db, "status") == 1


def test_qualifying_needs_five_yes_answers(db: Database) -> None:
    """With one answer open the refusal names it; with five yes the lead qualifies."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(db, rep, suspect(), at=AT)
    four = {**ALL_YES, "open_to_after_sales": ""}
    lead = record_answers(db, rep, lead.id, lead.version, four, AT)
    with pytest.raises(Refused, match="not answered yet: open to after-sales"):
        change_status(db, rep, lead.id, lead.version, LeadStatus.QUALIFIED, at=AT)
    lead = record_answers(db, rep, lead.id, lead.version, ALL_YES, AT)
    lead = change_status(db, rep, lead.id, lead.version, LeadStatus.QUALIFIED, at=AT)
    assert lead.status is LeadStatus.QUALIFIED
    with pytest.raises(Refused, match="keeps five yes answers"):
        record_answers(
            db, rep, lead.id, lead.version, {**ALL_YES, "open_to_brand": "no"}, AT
        )


def test_an_answer_that_is_not_yes_or_no_is_named(db: Database) -> None:
    """'maybe' for in_business is refused at that field."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(db, rep, suspect(), at=AT)
    with pytest.raises(ValidationFailed) as failed:
        record_answers(db, rep, lead.id, lead.version, {"in_business": "maybe"}, AT)
    assert [p.field for p in failed.value.problems] == ["in_business"]


def test_a_stale_version_is_refused_with_the_other_users_name(db: Database) -> None:
    """Answering from an old copy of the lead is refused; nothing is saved."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(db, rep, suspect(), at=AT)
    record_answers(db, rep, lead.id, lead.version, {"in_business": "yes"}, AT)
    with pytest.raises(StaleRecord, match="Sales Rep changed this lead"):
        record_answers(db, rep, lead.id, lead.version, {"in_business": "no"}, AT)


def test_disqualifying_needs_a_reason_and_closes_the_follow_ups(db: Database) -> None:
    """No reason is named at its field; with one, the planned call is closed too."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(db, rep, suspect(next_contact_on="2026-12-10"), at=AT)
    assert lead.next_contact_on == date(2026, 12, 10)
    with pytest.raises(ValidationFailed) as failed:
        change_status(db, rep, lead.id, lead.version, LeadStatus.DISQUALIFIED, " ", AT)
    assert [p.field for p in failed.value.problems] == ["disqualification_reason"]
    lead = change_status(
        db, rep, lead.id, lead.version, "disqualified", "Sold the business", AT
    )
    assert lead.disqualification_reason == "Sold the business"
    assert lead.next_contact_on is None
    assert lead.follow_up is FollowUp.NONE
    assert [a.outcome for a in lead.activities] == ["Not needed: lead disqualified"]
    lead = change_status(db, rep, lead.id, lead.version, LeadStatus.QUALIFYING, at=AT)
    assert lead.status is LeadStatus.QUALIFYING
    assert lead.disqualification_reason == ""


def test_ranking_answers_rescore_and_explain(db: Database) -> None:
    """30 trucks, after-sales 3, finance 5, values 2 in construction give 72.00."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(db, rep, suspect(), at=AT)
    lead = set_ranking_answers(
        db,
        rep,
        lead.id,
        lead.version,
        {
            "fleet_size": "30",
            "after_sales_penetration": "3",
            "finance_openness": "5",
            "brand_values_fit": "2",
        },
        AT,
    )
    # Weights 3/3/2/2 of 10: 4/5*30 + 3/5*30 + 5/5*20 + 2/5*20 = 24+18+20+8.
    assert [c.points for c in lead.score.contributions] == [
        Decimal("24.00"),
        Decimal("18.00"),
        Decimal("20.00"),
        Decimal("8.00"),
    ]
    assert lead.score.total == Decimal("70.00")
    with db.read() as session:
        assert session.scalar(select(Lead.score)) == Decimal("70.00")


def test_a_ranking_answer_above_five_is_named(db: Database) -> None:
    """finance_openness 6 is refused at its field, fleet_size -1 at its own."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(db, rep, suspect(), at=AT)
    with pytest.raises(ValidationFailed) as failed:
        set_ranking_answers(
            db,
            rep,
            lead.id,
            lead.version,
            {"fleet_size": "-1", "finance_openness": "6"},
            AT,
        )
    assert {p.field for p in failed.value.problems} == {
        "fleet_size",
        "finance_openness",
    }


def test_completing_an_activity_asks_for_the_next_contact(db: Database) -> None:
    """Without a next date it is refused; with one, a new call is planned then."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(db, rep, suspect(), at=AT)
    lead = plan_activity(
        db, rep, lead.id, {"kind": "visit", "due_on": "07/12/2026"}, AT
    )
    [visit] = lead.activities
    with pytest.raises(ValidationFailed) as failed:
        complete_activity(db, rep, visit.id, visit.version, {"outcome": "Met"}, AT)
    assert [p.field for p in failed.value.problems] == ["next_contact_on"]
    lead = complete_activity(
        db,
        rep,
        visit.id,
        visit.version,
        {"outcome": "Met the owner", "next_contact_on": "2026-12-21"},
        AT,
    )
    assert lead.next_contact_on == date(2026, 12, 21)
    planned = [a for a in lead.activities if not a.done]
    done = [a for a in lead.activities if a.done]
    assert [(a.kind.value, a.due_on) for a in planned] == [("call", date(2026, 12, 21))]
    assert [a.outcome for a in done] == ["Met the owner"]


def test_a_follow_up_in_the_past_is_refused(db: Database) -> None:
    """Planning a call for yesterday names the due date."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(db, rep, suspect(), at=AT)
    with pytest.raises(ValidationFailed) as failed:
        plan_activity(db, rep, lead.id, {"kind": "call", "due_on": "2026-12-03"}, AT)
    assert [p.field for p in failed.value.problems] == ["due_on"]


def test_a_rep_may_not_change_another_reps_lead(db: Database) -> None:
    """The sales manager's lead is refused to the rep, with the owner named."""
    small_dealer(db)
    manager = user(db, "sales_manager")
    lead = create_lead(db, manager, suspect(), at=AT)
    from dealer_tui.leads.services import assign_lead

    lead = assign_lead(db, manager, lead.id, lead.version, "sales_manager", AT)
    rep = user(db, "sales_rep")
    view = lead_view(db, rep, lead.id, AT)
    assert view.change_refusal == (
        "This lead belongs to Sales Manager; ask a sales manager to reassign it."
    )
    with pytest.raises(Refused, match="belongs to Sales Manager"):
        add_contact(db, rep, lead.id, {"name": "Jo"}, AT)


def test_contacts_keys_are_stored_for_duplicate_detection(db: Database) -> None:
    """A contact's phone and e-mail are kept as keys: 0412345678, jo@x.example.com."""
    small_dealer(db)
    rep = user(db, "sales_rep")
    lead = create_lead(db, rep, suspect(), at=AT)
    add_contact(
        db,
        rep,
        lead.id,
        {"name": "Jo", "phone": "+61 412 345 678", "email": " Jo@X.example.com"},
        AT,
    )
    with db.read() as session:
        keys = session.execute(
            select(LeadContact.phone_key, LeadContact.email_key)
        ).one()
        planned = session.scalar(select(func.count()).select_from(LeadActivity))
    assert tuple(keys) == ("0412345678", "jo@x.example.com")
    assert planned == 0
