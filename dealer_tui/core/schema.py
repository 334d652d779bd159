"""The database schema's version against this workstation's migrations."""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from dealer_tui.core.config import migrations_dir
from dealer_tui.core.db import Database
from dealer_tui.core.errors import SchemaMismatch


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    config.attributes["engine"] = database.engine
    return config


@dataclass(frozen=True)
class SchemaStatus:
    """The revisions the database is at against the heads of the migrations.

    Each business area may keep its own line of migrations, so both sides
    are sets of revisions.
    """

    current: tuple[str, ...]
    heads: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def up_to_date(self) -> bool:
        return set(self.current) == set(self.heads)

    @property
    def newer_than_code(self) -> bool:
        return bool(self.unknown)

    @property
    def head(self) -> str:
        return ", ".join(self.heads)

    @property
    def current_text(self) -> str:
        return ", ".join(self.current) if self.current else "none"

    def explain(self) -> str:
        if self.up_to_date:
            return f"The database schema is up to date (revision {self.head})."
        if not self.current:
            return "The database is empty: run `dealer db upgrade` to create it."
        if self.newer_than_code:
            return (
                f"The database schema (revision {self.current_text}) is newer "
                "than this workstation: install the newer version of the "
                "workstation."
            )
        return (
            f"The database schema (revision {self.current_text}) is older than "
            f"this workstation (revision {self.head}): run `dealer db upgrade`."
        )


def status(database: Database) -> SchemaStatus:
    script = ScriptDirectory.from_config(alembic_config(database))
    heads = tuple(sorted(script.get_heads()))
    with database.engine.connect() as connection:
        current = tuple(
            sorted(MigrationContext.configure(connection).get_current_heads())
        )
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = tuple(r for r in current if r not in known)
    return SchemaStatus(current=current, heads=heads, unknown=unknown)


def check(database: Database) -> None:
    """Refuse to work on a database whose schema does not match the code."""
    found = status(database)
    if not found.up_to_date:
        raise SchemaMismatch(found.explain())


def upgrade(database: Database) -> SchemaStatus:
    """Apply every migration the database lacks, on every line of migrations."""
    found = status(database)
    if found.newer_than_code:
        raise SchemaMismatch(found.explain())
    command.upgrade(alembic_config(database), "heads")
    return status(database)
