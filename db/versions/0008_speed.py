"""indexes the home screen, the customer list and the search need

Revision ID: 0008
Revises: 0003, 0004

At a dealer group's size the panels counted through whole tables: the
overdue invoices among a million, the services due among half a million
vehicles, a representative's accounts, the credit holds and the jobs on
the floor.  Each now reads one stretch of an index.  The customer list
gets an index in its own order, which PostgreSQL needs to page it, and
the VIN and the customer number indexes for "starts with", which the
global search asks at every key.
"""

from alembic import op

revision = "0008"
down_revision = ("0003", "0004")
branch_labels = None
depends_on = None

INDEXES = (
    (
        "ix_invoices_open",
        "invoices",
        ["status", "document_type", "open_amount", "due_date", "branch_id"],
    ),
    # The customer list's order: PostgreSQL cannot sort by the name's
    # pattern index, which serves "starts with" only.
    ("ix_accounts_name_order", "accounts", ["name_key", "id"]),
    ("ix_accounts_sales_rep", "accounts", ["sales_rep_id", "name_key"]),
    ("ix_accounts_credit_hold", "accounts", ["credit_hold", "name_key"]),
    ("ix_vehicles_service_due", "vehicles", ["branch_id", "next_service_due"]),
    ("ix_workshop_jobs_status_branch", "workshop_jobs", ["status", "branch_id"]),
)


# "Starts with" on the VIN and on the customer number: PostgreSQL answers
# LIKE from an index only with pattern operators, unless the database
# sorts by plain bytes.
PATTERNS = (
    ("ix_vehicles_vin_pattern", "vehicles", "vin"),
    ("ix_accounts_number_pattern", "accounts", "number"),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for name, table, column in PATTERNS:
        op.create_index(
            name, table, [column], postgresql_ops={column: "varchar_pattern_ops"}
        )


def downgrade() -> None:
    for name, table, _ in reversed(PATTERNS):
        op.drop_index(name, table_name=table)
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
