"""workshop and parts

Revision ID: 0003
Revises: 0001

On PostgreSQL the booking intervals get an exclusion constraint, so that
the database itself refuses two overlapping bookings of one mechanic or
bay. It needs the btree_gist extension, which this migration creates.
"""

import sqlalchemy as sa
from alembic import op

import dealer_tui.core.types

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "labour_operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column(
            "standard_hours", dealer_tui.core.types.ExactDecimal(7, 2), nullable=False
        ),
        sa.Column("skill", sa.String(length=20), nullable=True),
        sa.Column("bay_type", sa.String(length=20), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_operations")),
        sa.UniqueConstraint("code", name=op.f("uq_labour_operations_code")),
    )
    op.create_table(
        "parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_number", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column(
            "unit_price", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column("tax_category", sa.String(length=2), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parts")),
        sa.UniqueConstraint("part_number", name=op.f("uq_parts_part_number")),
    )
    op.create_table(
        "service_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_packages")),
        sa.UniqueConstraint("code", name=op.f("uq_service_packages_code")),
    )
    op.create_table(
        "service_package_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=True),
        sa.Column("part_id", sa.Integer(), nullable=True),
        sa.Column("quantity", dealer_tui.core.types.ExactDecimal(14, 3), nullable=True),
        sa.CheckConstraint(
            "(operation_id IS NULL AND part_id IS NOT NULL AND quantity > 0)"
            " OR (operation_id IS NOT NULL AND part_id IS NULL)",
            name=op.f("ck_service_package_items_operation_or_part"),
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["labour_operations.id"],
            name=op.f("fk_service_package_items_operation_id_labour_operations"),
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["service_packages.id"],
            name=op.f("fk_service_package_items_package_id_service_packages"),
        ),
        sa.ForeignKeyConstraint(
            ["part_id"],
            ["parts.id"],
            name=op.f("fk_service_package_items_part_id_parts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_package_items")),
    )
    with op.batch_alter_table("service_package_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_package_items_package_id"),
            ["package_id"],
            unique=False,
        )

    op.create_table(
        "bays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("bay_type", sa.String(length=20), nullable=False),
        sa.Column("also_serves", sa.String(length=100), nullable=False),
        sa.Column(
            "max_length_m", dealer_tui.core.types.ExactDecimal(6, 2), nullable=True
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_bays_branch_id_branches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bays")),
        sa.UniqueConstraint("branch_id", "code", name=op.f("uq_bays_branch_id")),
    )
    op.create_table(
        "mechanics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("skills", sa.String(length=200), nullable=False),
        sa.Column("working_hours", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_mechanics_branch_id_branches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mechanics")),
        sa.UniqueConstraint("branch_id", "code", name=op.f("uq_mechanics_branch_id")),
    )
    op.create_table(
        "part_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column(
            "quantity", dealer_tui.core.types.ExactDecimal(14, 3), nullable=False
        ),
        sa.Column("expected_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("received_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "quantity > 0", name=op.f("ck_part_deliveries_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_part_deliveries_branch_id_branches"),
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_part_deliveries_part_id_parts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_deliveries")),
    )
    with op.batch_alter_table("part_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_part_deliveries_open",
            ["part_id", "branch_id", "received_at"],
            unique=False,
        )

    op.create_table(
        "part_reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column(
            "quantity", dealer_tui.core.types.ExactDecimal(14, 3), nullable=False
        ),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("created_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("changed_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "quantity > 0", name=op.f("ck_part_reservations_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_part_reservations_branch_id_branches"),
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_part_reservations_part_id_parts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_reservations")),
    )
    with op.batch_alter_table("part_reservations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_part_reservations_source", ["source_kind", "source_id"], unique=False
        )
        batch_op.create_index(
            "ix_part_reservations_waiting",
            ["part_id", "branch_id", "status"],
            unique=False,
        )

    op.create_table(
        "part_stock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("bin", sa.String(length=20), nullable=False),
        sa.Column("on_hand", dealer_tui.core.types.ExactDecimal(14, 3), nullable=False),
        sa.Column(
            "reserved", dealer_tui.core.types.ExactDecimal(14, 3), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "on_hand >= 0", name=op.f("ck_part_stock_on_hand_not_negative")
        ),
        sa.CheckConstraint(
            "reserved <= on_hand", name=op.f("ck_part_stock_reserved_within_on_hand")
        ),
        sa.CheckConstraint(
            "reserved >= 0", name=op.f("ck_part_stock_reserved_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_part_stock_branch_id_branches"),
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_part_stock_part_id_parts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_stock")),
        sa.UniqueConstraint("part_id", "branch_id", name=op.f("uq_part_stock_part_id")),
    )
    op.create_table(
        "workshop_branches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("opening_hours", sa.JSON(), nullable=False),
        sa.Column("holiday_country", sa.String(length=2), nullable=True),
        sa.Column("holiday_subdivision", sa.String(length=8), nullable=True),
        sa.Column(
            "labour_rate", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column("granularity_minutes", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_workshop_branches_branch_id_branches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_branches")),
        sa.UniqueConstraint("branch_id", name=op.f("uq_workshop_branches_branch_id")),
    )
    op.create_table(
        "workshop_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_workshop_days_branch_id_branches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_days")),
        sa.UniqueConstraint(
            "branch_id", "day", name=op.f("uq_workshop_days_branch_id")
        ),
    )
    op.create_table(
        "mechanic_leave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mechanic_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=120), nullable=False),
        sa.CheckConstraint(
            "last_day >= first_day", name=op.f("ck_mechanic_leave_days_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["mechanic_id"],
            ["mechanics.id"],
            name=op.f("fk_mechanic_leave_mechanic_id_mechanics"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mechanic_leave")),
    )
    with op.batch_alter_table("mechanic_leave", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mechanic_leave_mechanic_id"), ["mechanic_id"], unique=False
        )

    op.create_table(
        "workshop_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("requested_work", sa.Text(), nullable=False),
        sa.Column(
            "vehicle_length_m", dealer_tui.core.types.ExactDecimal(6, 2), nullable=True
        ),
        sa.Column("vehicle_bay_types", sa.String(length=60), nullable=False),
        sa.Column("estimate_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "estimate_labour", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column(
            "estimate_parts", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column("financial_status", sa.String(length=200), nullable=False),
        sa.Column("credit_hold_at_booking", sa.Boolean(), nullable=False),
        sa.Column("mechanic_id", sa.Integer(), nullable=True),
        sa.Column("bay_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.Column("ends_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.Column("booked_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("booked_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("closed_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.Column("arrived_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.Column("odometer_km", sa.Integer(), nullable=True),
        sa.Column("agreed_work_confirmed", sa.Boolean(), nullable=False),
        sa.Column("other_issues", sa.Text(), nullable=False),
        sa.Column("inspection_notes", sa.Text(), nullable=False),
        sa.Column("finished_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("handover_notes", sa.Text(), nullable=False),
        sa.Column("next_service_due", sa.Date(), nullable=True),
        sa.Column("next_service_km", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bay_id"], ["bays.id"], name=op.f("fk_workshop_jobs_bay_id_bays")
        ),
        sa.ForeignKeyConstraint(
            ["booked_by_id"],
            ["users.id"],
            name=op.f("fk_workshop_jobs_booked_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_workshop_jobs_branch_id_branches"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["accounts.id"],
            name=op.f("fk_workshop_jobs_customer_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["mechanic_id"],
            ["mechanics.id"],
            name=op.f("fk_workshop_jobs_mechanic_id_mechanics"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicles.id"],
            name=op.f("fk_workshop_jobs_vehicle_id_vehicles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_jobs")),
        sa.UniqueConstraint("number", name=op.f("uq_workshop_jobs_number")),
    )
    with op.batch_alter_table("workshop_jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workshop_jobs_branch_start", ["branch_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workshop_jobs_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index("ix_workshop_jobs_status", ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_workshop_jobs_vehicle_id"), ["vehicle_id"], unique=False
        )

    op.create_table(
        "booking_intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("resource_key", sa.String(length=24), nullable=False),
        sa.Column("mechanic_id", sa.Integer(), nullable=True),
        sa.Column("bay_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("ends_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_booking_intervals_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["bay_id"], ["bays.id"], name=op.f("fk_booking_intervals_bay_id_bays")
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_booking_intervals_branch_id_branches"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["workshop_jobs.id"],
            name=op.f("fk_booking_intervals_job_id_workshop_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["mechanic_id"],
            ["mechanics.id"],
            name=op.f("fk_booking_intervals_mechanic_id_mechanics"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_intervals")),
        sa.UniqueConstraint(
            "job_id",
            "resource_key",
            "starts_at",
            name=op.f("uq_booking_intervals_job_id"),
        ),
    )
    with op.batch_alter_table("booking_intervals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_booking_intervals_branch", ["branch_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_booking_intervals_job_id"), ["job_id"], unique=False
        )
        batch_op.create_index(
            "ix_booking_intervals_resource", ["resource_key", "starts_at"], unique=False
        )

    op.create_table(
        "job_charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("payer", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column(
            "quantity", dealer_tui.core.types.ExactDecimal(14, 3), nullable=False
        ),
        sa.Column(
            "unit_price", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column("tax_category", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["workshop_jobs.id"],
            name=op.f("fk_job_charges_job_id_workshop_jobs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_charges")),
    )
    with op.batch_alter_table("job_charges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_charges_job_id"), ["job_id"], unique=False
        )

    op.create_table(
        "job_invoicing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("payer", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("ready_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("invoice_reference", sa.String(length=40), nullable=False),
        sa.Column("invoiced_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.Column("invoiced_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invoiced_by_id"],
            ["users.id"],
            name=op.f("fk_job_invoicing_invoiced_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["workshop_jobs.id"],
            name=op.f("fk_job_invoicing_job_id_workshop_jobs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_invoicing")),
        sa.UniqueConstraint("job_id", "payer", name=op.f("uq_job_invoicing_job_id")),
    )
    with op.batch_alter_table("job_invoicing", schema=None) as batch_op:
        batch_op.create_index("ix_job_invoicing_status", ["status"], unique=False)

    op.create_table(
        "job_operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("standard_minutes", sa.Integer(), nullable=False),
        sa.Column("hours", dealer_tui.core.types.ExactDecimal(7, 2), nullable=False),
        sa.Column(
            "labour_rate", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column("payer", sa.String(length=10), nullable=False),
        sa.Column("extra", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("authorised_by", sa.String(length=120), nullable=False),
        sa.Column("authorised_how", sa.String(length=40), nullable=False),
        sa.Column("authorised_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["workshop_jobs.id"],
            name=op.f("fk_job_operations_job_id_workshop_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["labour_operations.id"],
            name=op.f("fk_job_operations_operation_id_labour_operations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_operations")),
    )
    with op.batch_alter_table("job_operations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_operations_job_id"), ["job_id"], unique=False
        )

    op.create_table(
        "job_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column(
            "quantity", dealer_tui.core.types.ExactDecimal(14, 3), nullable=False
        ),
        sa.Column(
            "unit_price", dealer_tui.core.types.ExactDecimal(18, 2), nullable=False
        ),
        sa.Column("payer", sa.String(length=10), nullable=False),
        sa.Column("extra", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_job_parts_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["workshop_jobs.id"],
            name=op.f("fk_job_parts_job_id_workshop_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_job_parts_part_id_parts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_parts")),
    )
    with op.batch_alter_table("job_parts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_parts_job_id"), ["job_id"], unique=False
        )

    op.create_table(
        "job_time_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("mechanic_id", sa.Integer(), nullable=False),
        sa.Column("started_at", dealer_tui.core.types.UTCDateTime(), nullable=False),
        sa.Column("ended_at", dealer_tui.core.types.UTCDateTime(), nullable=True),
        sa.Column("logged_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["workshop_jobs.id"],
            name=op.f("fk_job_time_logs_job_id_workshop_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_id"],
            ["users.id"],
            name=op.f("fk_job_time_logs_logged_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["mechanic_id"],
            ["mechanics.id"],
            name=op.f("fk_job_time_logs_mechanic_id_mechanics"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_time_logs")),
    )
    with op.batch_alter_table("job_time_logs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_time_logs_job_id"), ["job_id"], unique=False
        )
        batch_op.create_index(
            "uq_job_time_logs_one_open",
            ["mechanic_id"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE booking_intervals ADD CONSTRAINT "
            "ex_booking_intervals_no_overlap EXCLUDE USING gist "
            "(resource_key WITH =, tstzrange(starts_at, ends_at) WITH &&)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE booking_intervals "
            "DROP CONSTRAINT ex_booking_intervals_no_overlap"
        )
    with op.batch_alter_table("job_time_logs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_job_time_logs_one_open",
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_job_time_logs_job_id"))

    op.drop_table("job_time_logs")
    with op.batch_alter_table("job_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_parts_job_id"))

    op.drop_table("job_parts")
    with op.batch_alter_table("job_operations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_operations_job_id"))

    op.drop_table("job_operations")
    with op.batch_alter_table("job_invoicing", schema=None) as batch_op:
        batch_op.drop_index("ix_job_invoicing_status")

    op.drop_table("job_invoicing")
    with op.batch_alter_table("job_charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_charges_job_id"))

    op.drop_table("job_charges")
    with op.batch_alter_table("booking_intervals", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_intervals_resource")
        batch_op.drop_index(batch_op.f("ix_booking_intervals_job_id"))
        batch_op.drop_index("ix_booking_intervals_branch")

    op.drop_table("booking_intervals")
    with op.batch_alter_table("workshop_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_jobs_vehicle_id"))
        batch_op.drop_index("ix_workshop_jobs_status")
        batch_op.drop_index(batch_op.f("ix_workshop_jobs_customer_id"))
        batch_op.drop_index("ix_workshop_jobs_branch_start")

    op.drop_table("workshop_jobs")
    with op.batch_alter_table("mechanic_leave", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mechanic_leave_mechanic_id"))

    op.drop_table("mechanic_leave")
    op.drop_table("workshop_days")
    op.drop_table("workshop_branches")
    op.drop_table("part_stock")
    with op.batch_alter_table("part_reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_part_reservations_waiting")
        batch_op.drop_index("ix_part_reservations_source")

    op.drop_table("part_reservations")
    with op.batch_alter_table("part_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_part_deliveries_open")

    op.drop_table("part_deliveries")
    op.drop_table("mechanics")
    op.drop_table("bays")
    with op.batch_alter_table("service_package_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_package_items_package_id"))

    op.drop_table("service_package_items")
    op.drop_table("service_packages")
    op.drop_table("parts")
    op.drop_table("labour_operations")
