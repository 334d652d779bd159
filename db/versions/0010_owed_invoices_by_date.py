"""the invoice list's order over the invoices still owed

Revision ID: 0010
Revises: 0009

Typing "open" or "overdue" over the invoice list asked for a page of a few
tens of thousands of owed invoices in date order, which both databases
answered by reading them all and sorting.  A partial index over the owed
invoices, in the list's order, gives the page directly.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OWED = sa.text("open_amount > 0")


def upgrade() -> None:
    op.create_index(
        "ix_invoices_owed_by_date",
        "invoices",
        ["status", "document_type", "invoice_date", "id"],
        sqlite_where=OWED,
        postgresql_where=OWED,
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_owed_by_date", table_name="invoices")
