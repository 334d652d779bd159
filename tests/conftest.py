"""Databases for the tests: SQLite always, PostgreSQL when a URL is given.

Service tests take the `db` fixture and so run once on each backend.  The
PostgreSQL run needs DEALER_TEST_DATABASE_URL; without it those tests skip
and say why.  Each test gets an empty, migrated database: on SQLite a copy
of a file migrated once, on PostgreSQL the same database emptied.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from dealer_tui.core import schema
from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database
from dealer_tui.core.services import batch_actor
from dealer_tui.demo.build import fill
from dealer_tui.models import metadata

PG_URL = os.environ.get("DEALER_TEST_DATABASE_URL")
PG_SKIP = "PostgreSQL tests need DEALER_TEST_DATABASE_URL (CI sets it)"


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Keep data and logs of the tests out of the user's own directories."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("DEALER_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("DEALER_LOG_DIR", str(base / "logs"))
    monkeypatch.delenv("DEALER_DATABASE_URL", raising=False)


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashing() -> Iterator[None]:
    """A cheap argon2 setting: the tests hash many passwords, none of them real."""
    from argon2 import PasswordHasher

    from dealer_tui.core import auth

    kept = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    auth._hasher = kept


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.sqlite3"
    db = Database.open(f"sqlite:///{path}")
    schema.upgrade(db)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = Database.open(f"sqlite:///{path}")
    fill(db)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[Database]:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    db = Database.open(PG_URL)
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    schema.upgrade(db)
    yield db
    db.dispose()


def _empty_pg(db: Database) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _copy_sqlite(template: Path, folder: Path) -> Database:
    path = folder / "test.sqlite3"
    shutil.copy(template, path)
    return Database.open(f"sqlite:///{path}")


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty migrated database on each backend in turn."""
    if request.param == "sqlite":
        database = _copy_sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
        yield database
        database.dispose()
    else:
        database = request.getfixturevalue("pg_database")
        _empty_pg(database)
        yield database


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo dealership on SQLite, for screen tests."""
    database = _copy_sqlite(demo_template, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def demo_on_db(db: Database) -> Database:
    """The demo dealership loaded into the backend under test."""
    fill_data(db)
    return db


def fill_data(db: Database) -> None:
    """Load the demo into a database that is already migrated."""
    fill(db)


def actor_named(db: Database, username: str) -> Actor:
    return batch_actor(db, username)
