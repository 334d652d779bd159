"""indexes the home screen's panels count on

Revision ID: 0008
Revises: 0003, 0004

At a dealer group's size the panels counted through whole tables: the
overdue invoices among a million, the services due among half a million
vehicles, a representative's accounts, the credit holds and the jobs on
the floor.  Each now reads one stretch of an index.
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
    ("ix_accounts_sales_rep", "accounts", ["sales_rep_id", "name_key"]),
    ("ix_accounts_credit_hold", "accounts", ["credit_hold", "name_key"]),
    ("ix_vehicles_service_due", "vehicles", ["branch_id", "next_service_due"]),
    ("ix_workshop_jobs_status_branch", "workshop_jobs", ["status", "branch_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
