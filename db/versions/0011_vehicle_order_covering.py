"""the VIN order holding the registration and the VIN's last six (PostgreSQL)

Revision ID: 0011
Revises: 0010

Typing a character or two over the vehicle list matches tens of thousands
of trucks by the start of their registration or of their VIN's last six.
The list reads VIN order and tests each truck; PostgreSQL tests the rows
of a plain index scan only after reading each from the table.  An index
of the VIN that carries both columns lets it test them on the index
alone.  SQLite answers these from its own indexes already.  The models
do not describe this index (dealer_tui.search.names.modelled leaves it
out of schema comparisons).
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

VIN_ORDER = "ix_vehicles_vin_order"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {VIN_ORDER} ON vehicles (vin) "
            "INCLUDE (registration, vin_tail)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {VIN_ORDER}")
