"""Where the workstation keeps its files and which database it opens."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "dealer-workstation"
DATABASE_URL_ENV = "DEALER_DATABASE_URL"

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The user's data directory for local databases, created on demand."""
    path = Path(
        os.environ.get("DEALER_DATA_DIR") or platformdirs.user_data_dir(APP_NAME)
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    """The user's log directory, created on demand."""
    path = Path(os.environ.get("DEALER_LOG_DIR") or platformdirs.user_log_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def local_database_url() -> str:
    """The default local database: a SQLite file in the data directory."""
    return f"sqlite:///{data_dir() / 'dealer.sqlite3'}"


def demo_database_path() -> Path:
    return data_dir() / "demo.sqlite3"


def resolve_database_url(explicit: str | None = None) -> str:
    """The URL given on the command line, else the environment, else local."""
    return explicit or os.environ.get(DATABASE_URL_ENV) or local_database_url()


def _resource_dir(name: str) -> Path:
    """A top-level folder of the source tree, or its copy inside a wheel."""
    source = _PACKAGE_DIR.parent / name
    if source.is_dir():
        return source
    return _PACKAGE_DIR / "_bundled" / name


def migrations_dir() -> Path:
    return _resource_dir("db")


def fixtures_dir() -> Path:
    return _resource_dir("fixtures")
