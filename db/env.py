"""Alembic environment: the same migrations build SQLite and PostgreSQL."""

from alembic import context
from sqlalchemy import create_engine

from dealer_tui.models import metadata
from dealer_tui.search.names import modelled

config = context.config


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_name=modelled,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
