"""leads: suspects, prospects, activities, ranking weights, opportunities

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import dealer_tui.core.types
from dealer_tui.leads.matching import normalise_company_name

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ranking_weights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=20), nullable=False),
        sa.Column(
            "fleet_size", dealer_tui.core.types.ExactDecimal(7, 2), nullable=False
        ),
        sa.Column(
            "after_sales_penetration",
            dealer_tui.core.types.ExactDecimal(7, 2),
            nullable=False,
        ),
        sa.Column(
            "finance_openness", dealer_tui.core.types.ExactDecimal(7, 2), nullable=False
        ),
        sa.Column(
            "brand_values_fit", dealer_tui.core.types.ExactDecimal(7, 2), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ranking_weights")),
        sa.UniqueConstraint("segment", name=op.f("uq_ranking_weights_segment")),
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("company_key", sa.String(length=200), nullable=False),
        sa.Column("match_name", sa.String(length=200), nullable=False),
        sa.Column("abn", sa.String(length=11), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("phone_key", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("email_key", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("segment", sa.String(length=20), nullable=False),
        sa.Column("fleet_size", sa.Integer(), nullable=True),
        sa.Column("fleet_makes", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("disqualification_reason", sa.String(length=300), nullable=False),
        sa.Column("in_business", sa.String(length=8), nullable=False),
        sa.Column("financially_viable", sa.String(length=8), nullable=False),
        sa.Column("segment_applicable", sa.String(length=8), nullable=False),
        sa.Column("open_to_brand", sa.String(length=8), nullable=False),
        sa.Column("open_to_after_sales", sa.String(length=8), nullable=False),
        sa.Column("after_sales_penetration", sa.Integer(), nullable=True),
        sa.Column("finance_openness", sa.Integer(), nullable=True),
        sa.Column("brand_values_fit", sa.Integer(), nullable=True),
        sa.Column("score", dealer_tui.core.types.ExactDecimal(5, 2), nullable=False),
        sa.Column("next_contact_on", sa.Date(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("linked_lead_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_leads_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["linked_lead_id"], ["leads.id"], name=op.f("fk_leads_linked_lead_id_leads")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_leads_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("number", name=op.f("uq_leads_number")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index("ix_leads_abn", ["abn"], unique=False)
        batch_op.create_index(
            "ix_leads_company_key",
            ["company_key"],
            unique=False,
            postgresql_ops={"company_key": "varchar_pattern_ops"},
        )
        batch_op.create_index(
            "ix_leads_company_order", ["company_key", "id"], unique=False
        )
        batch_op.create_index("ix_leads_email_key", ["email_key"], unique=False)
        batch_op.create_index("ix_leads_match_name", ["match_name"], unique=False)
        batch_op.create_index(
            "ix_leads_next_contact_on", ["next_contact_on"], unique=False
        )
        batch_op.create_index(
            "ix_leads_owner", ["owner_id", "next_contact_on"], unique=False
        )
        batch_op.create_index("ix_leads_phone_key", ["phone_key"], unique=False)
        batch_op.create_index("ix_leads_score", ["score", "id"], unique=False)
        batch_op.create_index("ix_leads_segment", ["segment"], unique=False)
        batch_op.create_index("ix_leads_status", ["status"], unique=False)

    op.create_table(
        "lead_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_activities_lead_id_leads")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_lead_activities_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_activities")),
    )
    with op.batch_alter_table("lead_activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lead_activities_lead", ["lead_id", "due_on"], unique=False
        )
        batch_op.create_index(
            "ix_lead_activities_open", ["done", "due_on"], unique=False
        )

    op.create_table(
        "lead_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.String(length=80), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("phone_key", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("email_key", sa.String(length=200), nullable=False),
        sa.Column("primary", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_contacts_lead_id_leads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_contacts")),
    )
    with op.batch_alter_table("lead_contacts", schema=None) as batch_op:
        batch_op.create_index("ix_lead_contacts_email_key", ["email_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_lead_contacts_lead_id"), ["lead_id"], unique=False
        )
        batch_op.create_index("ix_lead_contacts_phone_key", ["phone_key"], unique=False)

    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("expected_trucks", sa.Integer(), nullable=False),
        sa.Column("value", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False),
        sa.Column("close_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("lost_reason", sa.String(length=300), nullable=False),
        sa.Column("competitor", sa.String(length=120), nullable=False),
        sa.Column("created_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("closed_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_opportunities_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_opportunities_lead_id_leads")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_opportunities_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunities")),
        sa.UniqueConstraint("number", name=op.f("uq_opportunities_number")),
    )
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opportunities_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_opportunities_lead_id"), ["lead_id"], unique=False
        )
        batch_op.create_index(
            "ix_opportunities_stage", ["stage", "close_on"], unique=False
        )

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "match_name", sa.String(length=200), server_default="", nullable=False
            )
        )
        batch_op.create_index("ix_accounts_match_name", ["match_name"], unique=False)

    _backfill_account_match_names()


def _backfill_account_match_names() -> None:
    """Give every existing account its duplicate-detection name key."""
    accounts = sa.table(
        "accounts", sa.column("id", sa.Integer), sa.column("name", sa.String)
    )
    keys = sa.table(
        "accounts", sa.column("id", sa.Integer), sa.column("match_name", sa.String)
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(accounts.c.id, accounts.c.name)).all()
    update = (
        keys.update()
        .where(keys.c.id == sa.bindparam("account_id"))
        .values(match_name=sa.bindparam("key"))
    )
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        connection.execute(
            update,
            [
                {"account_id": row.id, "key": normalise_company_name(row.name)}
                for row in chunk
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_match_name")
        batch_op.drop_column("match_name")

    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_stage")
        batch_op.drop_index(batch_op.f("ix_opportunities_lead_id"))
        batch_op.drop_index(batch_op.f("ix_opportunities_account_id"))

    op.drop_table("opportunities")
    with op.batch_alter_table("lead_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_contacts_phone_key")
        batch_op.drop_index(batch_op.f("ix_lead_contacts_lead_id"))
        batch_op.drop_index("ix_lead_contacts_email_key")

    op.drop_table("lead_contacts")
    with op.batch_alter_table("lead_activities", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_activities_open")
        batch_op.drop_index("ix_lead_activities_lead")

    op.drop_table("lead_activities")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_status")
        batch_op.drop_index("ix_leads_segment")
        batch_op.drop_index("ix_leads_score")
        batch_op.drop_index("ix_leads_phone_key")
        batch_op.drop_index("ix_leads_owner")
        batch_op.drop_index("ix_leads_next_contact_on")
        batch_op.drop_index("ix_leads_match_name")
        batch_op.drop_index("ix_leads_email_key")
        batch_op.drop_index("ix_leads_company_order")
        batch_op.drop_index(
            "ix_leads_company_key",
            postgresql_ops={"company_key": "varchar_pattern_ops"},
        )
        batch_op.drop_index("ix_leads_abn")

    op.drop_table("leads")
    op.drop_table("ranking_weights")
