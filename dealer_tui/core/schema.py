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
    current: str | None
    head: str
    known: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def newer_than_code(self) -> bool:
        return self.current is not None and not self.known

    def explain(self) -> str:
        if self.up_to_date:
            return f"The database schema is up to date (revision {self.head})."
        if self.current is None:
            return "The database is empty: run `dealer db upgrade` to create it."
        if self.newer_than_code:
            return (
                f"The database schema (revision {self.current}) is newer than "
                "this workstation: install the newer version of the workstation."
            )
        return (
            f"The database schema (revision {self.current}) is older than this "
            f"workstation (revision {self.head}): run `dealer db upgrade`."
        )


def status(database: Database) -> SchemaStatus:
    script = ScriptDirectory.from_config(alembic_config(database))
    head = script.get_current_head()
    assert head is not None
    with database.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    known = current is None or script.get_revision(current) is not None
    return SchemaStatus(current=current, head=head, known=known)


def _safe_status(database: Database) -> SchemaStatus:
    from alembic.util.exc import CommandError

    try:
        return status(database)
    except CommandError:
        script = ScriptDirectory.from_config(alembic_config(database))
        with database.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        return SchemaStatus(
            current=current, head=script.get_current_head() or "", known=False
        )


def check(database: Database) -> None:
    """Refuse to work on a database whose schema does not match the code."""
    found = _safe_status(database)
    if not found.up_to_date:
        raise SchemaMismatch(found.explain())


def upgrade(database: Database, revision: str = "head") -> SchemaStatus:
    found = _safe_status(database)
    if found.newer_than_code:
        raise SchemaMismatch(found.explain())
    command.upgrade(alembic_config(database), revision)
    return status(database)
