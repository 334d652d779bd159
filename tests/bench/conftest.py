"""A tiny generated dealership, built once and copied for each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.context import Bench
from dealer_tui.core.db import Database
from dealer_tui.demo.scale import Scale, build_scaled
from dealer_tui.demo.synth import DEMO_SEED

TINY = Scale.parse("tiny")


@pytest.fixture(scope="session")
def tiny_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.sqlite3"
    db = Database.open(f"sqlite:///{path}")
    build_scaled(db, TINY, DEMO_SEED)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture
def tiny_db(tiny_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the tiny generated dealership on SQLite."""
    path = tmp_path / "tiny.sqlite3"
    shutil.copy(tiny_template, path)
    db = Database.open(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def tiny_bench(tiny_db: Database, tmp_path: Path) -> Bench:
    """The tiny dealership as the scenarios take it, measured once."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return Bench(tiny_db, TINY, DEMO_SEED, 1, scratch)
