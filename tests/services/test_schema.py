"""The migrations build exactly the tables the models describe, on each backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dealer_tui.core.db import Database
from dealer_tui.models import metadata
from dealer_tui.search.names import modelled


def test_migrations_match_the_models(db: Database) -> None:
    """Autogenerate finds nothing to add, drop or retype after every migration."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": modelled}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []
