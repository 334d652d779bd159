"""Opening the database: a local SQLite file or a shared PostgreSQL server.

Every difference between the two backends that the services must not see
is kept here: SQLite's pragmas (LIKE as case-sensitive as on PostgreSQL)
and its write lock taken at the start of a write transaction, so that two
writers never interleave.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from dealer_tui.core.errors import StaleRecord

_WRITE = "dealer_write"
BUSY_TIMEOUT_MS = 15_000


def normalise_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Transactions are begun by the "begin" hook below, not by the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # LIKE compares case as on PostgreSQL, which the services are written
        # for (they search upper-cased keys); only then can SQLite answer
        # "starts with" from an index instead of reading the whole table.
        cursor.execute("PRAGMA case_sensitive_like=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get(_WRITE):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


@dataclass
class Database:
    """One database and the sessions for reading from and writing to it."""

    url: str
    engine: Engine

    @classmethod
    def open(cls, url: str, *, echo: bool = False) -> Database:
        url = normalise_url(url)
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                url, echo=echo, connect_args={"check_same_thread": False}
            )
            _install_sqlite_hooks(engine)
        else:
            engine = create_engine(url, echo=echo, pool_pre_ping=True)
        return cls(url=url, engine=engine)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    def describe(self) -> str:
        """A short name for the status line: the local file or the server."""
        parsed = make_url(self.url)
        if self.is_sqlite:
            return f"local file {Path(parsed.database or '').name}"
        host = parsed.host or "localhost"
        return f"shared {parsed.database}@{host}"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; it sees one consistent snapshot on SQLite."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed at the end, rolled back on error.

        On SQLite the write lock is taken when the transaction begins, so
        every check a service makes inside it still holds when it commits.
        """
        engine = self.engine.execution_options(**{_WRITE: True})
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                yield session
        except StaleDataError as exc:
            raise StaleRecord(
                "Someone else saved this record at the same moment. "
                "Nothing was saved: reload it and try again."
            ) from exc

    def sessionmaker(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.engine.dispose()
