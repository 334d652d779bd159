"""orders: vehicle orders, counter sales, stock units and their allocation

Revision ID: 0006
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import dealer_tui.core.types

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("ordered_on", sa.Date(), nullable=False),
        sa.Column("customer_reference", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("model_code", sa.String(length=30), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=True),
        sa.Column("quote_number", sa.String(length=20), nullable=False),
        sa.Column("quote_revision", sa.Integer(), nullable=True),
        sa.Column(
            "total_discount", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column("trade_in_description", sa.String(length=200), nullable=False),
        sa.Column(
            "trade_in_appraised",
            dealer_tui.core.types.ExactDecimal(18, 2),
            nullable=False,
        ),
        sa.Column(
            "trade_in_allowance",
            dealer_tui.core.types.ExactDecimal(18, 2),
            nullable=False,
        ),
        sa.Column(
            "trade_in_payout", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column(
            "list_total", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column(
            "net_total", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column("gst", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False),
        sa.Column("total", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False),
        sa.Column("payable", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False),
        sa.Column("credit_hold", sa.Boolean(), nullable=False),
        sa.Column("credit_reason", sa.String(length=400), nullable=False),
        sa.Column(
            "credit_checked_at", dealer_tui.core.types.UTCDateTime(), nullable=True
        ),
        sa.Column("credit_released_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "credit_released_at", dealer_tui.core.types.UTCDateTime(), nullable=True
        ),
        sa.Column("credit_release_note", sa.String(length=300), nullable=False),
        sa.Column("factory_order_ref", sa.String(length=40), nullable=False),
        sa.Column("expected_arrival", sa.Date(), nullable=True),
        sa.Column("planned_delivery", sa.Date(), nullable=True),
        sa.Column("pdi_status", sa.String(length=10), nullable=False),
        sa.Column("pdi_job_id", sa.Integer(), nullable=True),
        sa.Column("pdi_job_number", sa.String(length=20), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=300), nullable=False),
        sa.Column("invoice_number", sa.String(length=20), nullable=False),
        sa.Column("invoiced_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('vehicle', 'parts')", name=op.f("ck_orders_kind")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_orders_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_orders_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_orders_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["credit_released_by_id"],
            ["users.id"],
            name=op.f("fk_orders_credit_released_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["users.id"], name=op.f("fk_orders_rep_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
        sa.UniqueConstraint("quote_id", name="uq_orders_quote_id"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_account", ["account_id", "state"], unique=False
        )
        batch_op.create_index("ix_orders_delivery", ["planned_delivery"], unique=False)
        batch_op.create_index("ix_orders_hold", ["credit_hold", "state"], unique=False)
        batch_op.create_index(
            "ix_orders_day", ["kind", "ordered_on", "branch_id"], unique=False
        )
        batch_op.create_index("ix_orders_rep", ["rep_id"], unique=False)
        batch_op.create_index("ix_orders_state", ["state", "number"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("family", sa.String(length=120), nullable=False),
        sa.Column(
            "quantity", dealer_tui.core.types.ExactDecimal(14, 3), nullable=False
        ),
        sa.Column(
            "unit_price", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column(
            "discount", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column(
            "total_discount_share",
            dealer_tui.core.types.ExactDecimal(18, 2),
            nullable=False,
        ),
        sa.Column("net", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False),
        sa.Column("tax_category", sa.String(length=2), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "stock_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("vin_tail", sa.String(length=6), nullable=False),
        sa.Column("make", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("model_year", sa.Integer(), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("cost", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("factory_order_ref", sa.String(length=40), nullable=False),
        sa.Column("expected_arrival", sa.Date(), nullable=True),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('on_order', 'in_stock', 'allocated', 'delivered')",
            name=op.f("ck_stock_units_status"),
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_stock_units_branch_id_branches"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicles.id"],
            name=op.f("fk_stock_units_vehicle_id_vehicles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_units")),
        sa.UniqueConstraint("vin", name=op.f("uq_stock_units_vin")),
    )
    with op.batch_alter_table("stock_units", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stock_units_factory_ref", ["factory_order_ref"], unique=False
        )
        batch_op.create_index(
            "ix_stock_units_status", ["status", "branch_id"], unique=False
        )
        batch_op.create_index(
            "ix_stock_units_vin_tail",
            ["vin_tail"],
            unique=False,
            postgresql_ops={"vin_tail": "varchar_pattern_ops"},
        )

    op.create_table(
        "unit_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("allocated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("allocated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["allocated_by_id"],
            ["users.id"],
            name=op.f("fk_unit_allocations_allocated_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_unit_allocations_order_id_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["stock_units.id"],
            name=op.f("fk_unit_allocations_unit_id_stock_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_allocations")),
        sa.UniqueConstraint("order_id", name=op.f("uq_unit_allocations_order_id")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_unit_allocations_unit_id")),
    )


def downgrade() -> None:
    op.drop_table("unit_allocations")
    with op.batch_alter_table("stock_units", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_stock_units_vin_tail",
            postgresql_ops={"vin_tail": "varchar_pattern_ops"},
        )
        batch_op.drop_index("ix_stock_units_status")
        batch_op.drop_index("ix_stock_units_factory_ref")

    op.drop_table("stock_units")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))

    op.drop_table("order_lines")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_state")
        batch_op.drop_index("ix_orders_rep")
        batch_op.drop_index("ix_orders_delivery")
        batch_op.drop_index("ix_orders_hold")
        batch_op.drop_index("ix_orders_day")
        batch_op.drop_index("ix_orders_account")

    op.drop_table("orders")
