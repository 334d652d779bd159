"""invoicing: invoices, credit notes, their lines and taxes, payments

Revision ID: 0004
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import dealer_tui.core.types

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_type", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("series", sa.String(length=8), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("buyer_reference", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=True),
        sa.Column("source_ref", sa.String(length=40), nullable=True),
        sa.Column("source_payer", sa.String(length=10), nullable=True),
        sa.Column("credited_invoice_id", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("prices_include_tax", sa.Boolean(), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("seller_abn", sa.String(length=20), nullable=False),
        sa.Column("seller_address", sa.String(length=300), nullable=False),
        sa.Column("seller_phone", sa.String(length=32), nullable=False),
        sa.Column("buyer_number", sa.String(length=20), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_key", sa.String(length=200), nullable=False),
        sa.Column("buyer_abn", sa.String(length=20), nullable=False),
        sa.Column("buyer_street", sa.String(length=200), nullable=False),
        sa.Column("buyer_suburb", sa.String(length=100), nullable=False),
        sa.Column("buyer_state", sa.String(length=8), nullable=False),
        sa.Column("buyer_postcode", sa.String(length=10), nullable=False),
        sa.Column("buyer_country", sa.String(length=2), nullable=False),
        sa.Column(
            "line_extension_total",
            dealer_tui.core.types.ExactDecimal(18, 2),
            nullable=False,
        ),
        sa.Column(
            "allowance_total", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column(
            "charge_total", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column(
            "tax_exclusive_total",
            dealer_tui.core.types.ExactDecimal(18, 2),
            nullable=False,
        ),
        sa.Column(
            "tax_total", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column("total", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False),
        sa.Column(
            "open_amount", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column(
            "credited_amount",
            dealer_tui.core.types.ExactDecimal(18, 2),
            nullable=False,
        ),
        sa.Column("created_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("posted_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.Column("posted_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "document_type IN ('invoice', 'credit_note')",
            name=op.f("ck_invoices_document_type"),
        ),
        sa.CheckConstraint(
            "status = 'draft' OR number IS NOT NULL",
            name=op.f("ck_invoices_posted_has_number"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'posted')", name=op.f("ck_invoices_status")
        ),
        sa.CheckConstraint(
            "(source_kind IS NULL AND source_ref IS NULL AND source_payer IS NULL)"
            " OR (source_kind IS NOT NULL AND source_ref IS NOT NULL"
            " AND source_payer IS NOT NULL)",
            name=op.f("ck_invoices_source_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_invoices_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_invoices_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["credited_invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoices_credited_invoice_id_invoices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint(
            "source_kind", "source_ref", "source_payer", name="uq_invoices_source"
        ),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoices_account",
            ["account_id", "document_type", "status"],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_buyer_key",
            ["buyer_key"],
            unique=False,
            postgresql_ops={"buyer_key": "varchar_pattern_ops"},
        )
        batch_op.create_index(
            batch_op.f("ix_invoices_credited_invoice_id"),
            ["credited_invoice_id"],
            unique=False,
        )
        batch_op.create_index("ix_invoices_date", ["invoice_date", "id"], unique=False)
        batch_op.create_index("ix_invoices_due", ["due_date"], unique=False)
        batch_op.create_index(
            "ix_invoices_number",
            ["number"],
            unique=True,
            postgresql_ops={"number": "varchar_pattern_ops"},
        )
        batch_op.create_index(
            "ix_invoices_status", ["status", "invoice_date", "id"], unique=False
        )

    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line_kind", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column(
            "quantity", dealer_tui.core.types.ExactDecimal(14, 3), nullable=False
        ),
        sa.Column("unit_code", sa.String(length=3), nullable=False),
        sa.Column(
            "unit_price", dealer_tui.core.types.ExactDecimal(18, 4), nullable=False
        ),
        sa.Column(
            "discount", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column("category", sa.String(length=1), nullable=False),
        sa.Column("rate", dealer_tui.core.types.ExactDecimal(9, 4), nullable=False),
        sa.Column(
            "net_amount", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column("credited_line_id", sa.Integer(), nullable=True),
        sa.Column("price_adjustment", sa.Boolean(), nullable=False),
        sa.Column("source_line_ref", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "category IN ('S', 'Z', 'E')", name=op.f("ck_invoice_lines_category")
        ),
        sa.CheckConstraint(
            "line_kind IN ('item', 'allowance', 'charge')",
            name=op.f("ck_invoice_lines_line_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["credited_line_id"],
            ["invoice_lines.id"],
            name=op.f("fk_invoice_lines_credited_line_id_invoice_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
        sa.UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_position"),
    )
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "invoice_taxes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=1), nullable=False),
        sa.Column("rate", dealer_tui.core.types.ExactDecimal(9, 4), nullable=False),
        sa.Column(
            "taxable_amount", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column(
            "tax_amount", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_taxes_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_taxes")),
    )
    with op.batch_alter_table("invoice_taxes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_taxes_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_positive")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_payments_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_payments_invoice_id_invoices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payments_invoice_id"), ["invoice_id"], unique=False
        )

    _create_guards()


def downgrade() -> None:
    _drop_guards()
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_payments_account_id"))

    op.drop_table("payments")
    with op.batch_alter_table("invoice_taxes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_taxes_invoice_id"))

    op.drop_table("invoice_taxes")
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_lines_invoice_id"))

    op.drop_table("invoice_lines")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_status")
        batch_op.drop_index(
            "ix_invoices_number", postgresql_ops={"number": "varchar_pattern_ops"}
        )
        batch_op.drop_index("ix_invoices_due")
        batch_op.drop_index("ix_invoices_date")
        batch_op.drop_index(batch_op.f("ix_invoices_credited_invoice_id"))
        batch_op.drop_index(
            "ix_invoices_buyer_key", postgresql_ops={"buyer_key": "varchar_pattern_ops"}
        )
        batch_op.drop_index("ix_invoices_account")

    op.drop_table("invoices")


# A posted invoice is a legal document: the services never change one, and
# the database refuses it too, so that no script, import or slip in a later
# version can alter an issued invoice behind the services' back.  Only the
# open amount (payments and credits applied) and the record's version
# stamp may still move.
FROZEN_COLUMNS = (
    "document_type",
    "kind",
    "status",
    "number",
    "series",
    "invoice_date",
    "due_date",
    "branch_id",
    "account_id",
    "buyer_reference",
    "note",
    "source_kind",
    "source_ref",
    "source_payer",
    "credited_invoice_id",
    "country",
    "currency",
    "prices_include_tax",
    "payment_terms_days",
    "seller_name",
    "seller_abn",
    "seller_address",
    "seller_phone",
    "buyer_number",
    "buyer_name",
    "buyer_abn",
    "buyer_street",
    "buyer_suburb",
    "buyer_state",
    "buyer_postcode",
    "buyer_country",
    "line_extension_total",
    "allowance_total",
    "charge_total",
    "tax_exclusive_total",
    "tax_total",
    "total",
)
REFUSAL = "a posted invoice never changes: correct it with a credit note"


def _create_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _create_postgresql_guards()
    else:
        _create_sqlite_guards()


def _create_sqlite_guards() -> None:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_COLUMNS)
    op.execute(
        "CREATE TRIGGER invoices_posted_update BEFORE UPDATE ON invoices "
        f"WHEN OLD.status = 'posted' AND ({changed}) "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )
    op.execute(
        "CREATE TRIGGER invoices_posted_delete BEFORE DELETE ON invoices "
        "WHEN OLD.status = 'posted' "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )
    for table in ("invoice_lines", "invoice_taxes"):
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_posted_{event.lower()} "
                f"BEFORE {event} ON {table} "
                "WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) "
                "= 'posted' "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )


def _create_postgresql_guards() -> None:
    old = ", ".join(f"OLD.{c}" for c in FROZEN_COLUMNS)
    new = ", ".join(f"NEW.{c}" for c in FROZEN_COLUMNS)
    op.execute(
        "CREATE FUNCTION invoices_posted_frozen() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF OLD.status = 'posted' AND (TG_OP = 'DELETE' "
        f"OR ROW({new}) IS DISTINCT FROM ROW({old})) THEN "
        f"RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation'; "
        "END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER invoices_posted_frozen BEFORE UPDATE OR DELETE "
        "ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_posted_frozen()"
    )
    op.execute(
        "CREATE FUNCTION invoice_parts_posted_frozen() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM invoices "
        "WHERE id = OLD.invoice_id AND status = 'posted') THEN "
        f"RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation'; "
        "END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
    )
    for table in ("invoice_lines", "invoice_taxes"):
        op.execute(
            f"CREATE TRIGGER {table}_posted_frozen BEFORE UPDATE OR DELETE "
            f"ON {table} FOR EACH ROW "
            "EXECUTE FUNCTION invoice_parts_posted_frozen()"
        )


def _drop_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("invoices", "invoice_lines", "invoice_taxes"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_posted_frozen ON {table}")
        op.execute("DROP FUNCTION IF EXISTS invoices_posted_frozen()")
        op.execute("DROP FUNCTION IF EXISTS invoice_parts_posted_frozen()")
        return
    for name in (
        "invoices_posted_update",
        "invoices_posted_delete",
        "invoice_lines_posted_update",
        "invoice_lines_posted_delete",
        "invoice_taxes_posted_update",
        "invoice_taxes_posted_delete",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
