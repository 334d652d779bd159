"""indexes that answer the global search and the lists' typed filters

Revision ID: 0009
Revises: 0008

A fragment from the middle of a customer's name is found on an index of
the name's trigrams instead of by reading every name: on SQLite a
full-text table with the trigram tokenizer, kept in step with the
accounts by triggers; on PostgreSQL a pg_trgm index (pg_trgm is a
trusted extension: the database's owner may create it).  The models do
not describe these (dealer_tui.search.names.modelled leaves them out of
schema comparisons).  A later migration that rebuilds the accounts table
on SQLite drops the triggers with it and must create them again.

The vehicle list finds the makes on file, and a make's trucks in VIN
order, on an index of the make and the VIN.
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SEARCH = "accounts_name_search"
TRIGRAMS = "ix_accounts_name_trigrams"

SQLITE_TRIGGERS = {
    f"{SEARCH}_insert": f"""
        AFTER INSERT ON accounts BEGIN
            INSERT INTO {SEARCH} (rowid, name_key) VALUES (new.id, new.name_key);
        END""",
    f"{SEARCH}_delete": f"""
        AFTER DELETE ON accounts BEGIN
            INSERT INTO {SEARCH} ({SEARCH}, rowid, name_key)
            VALUES ('delete', old.id, old.name_key);
        END""",
    f"{SEARCH}_update": f"""
        AFTER UPDATE OF name_key ON accounts BEGIN
            INSERT INTO {SEARCH} ({SEARCH}, rowid, name_key)
            VALUES ('delete', old.id, old.name_key);
            INSERT INTO {SEARCH} (rowid, name_key) VALUES (new.id, new.name_key);
        END""",
}


def upgrade() -> None:
    op.create_index("ix_vehicles_make", "vehicles", ["make", "vin"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE {SEARCH} USING fts5(name_key, "
            "content='accounts', content_rowid='id', tokenize='trigram')"
        )
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        op.execute(f"INSERT INTO {SEARCH} ({SEARCH}) VALUES ('rebuild')")
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            f"CREATE INDEX {TRIGRAMS} ON accounts USING gin (name_key gin_trgm_ops)"
        )


def downgrade() -> None:
    # The pg_trgm extension stays: other objects may have come to use it.
    if op.get_bind().dialect.name == "sqlite":
        for name in reversed(SQLITE_TRIGGERS):
            op.execute(f"DROP TRIGGER {name}")
        op.execute(f"DROP TABLE {SEARCH}")
    else:
        op.execute(f"DROP INDEX {TRIGRAMS}")
    op.drop_index("ix_vehicles_make", table_name="vehicles")
