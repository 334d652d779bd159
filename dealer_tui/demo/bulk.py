"""Writing many generated rows at once, straight through the database driver.

A dealer group's dealership has millions of rows; the ORM would take an
hour over them.  `BulkLoad` sends each table's rows through the driver in
large batches instead: executemany on SQLite, COPY on PostgreSQL.  Every
value still passes through its column type's conversion, so money is
stored exactly as ExactDecimal stores it (whole cents on SQLite, NUMERIC
on PostgreSQL) and instants as UTCDateTime does.  Conversions are
remembered, since generated amounts and days repeat a great deal.

While a table fills, its plain indexes are set aside and rebuilt after,
which is several times faster than keeping them up to date row by row.
Keys, unique columns and checks are enforced by the database as the rows
arrive; foreign keys too on SQLite, while PostgreSQL checks them for the
whole table once the rows are in, as restoring a backup does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import make_url

from dealer_tui.core.db import BUSY_TIMEOUT_MS, Database

BATCH = 20_000
# A remembered conversion table is emptied when it grows past this, so
# that columns of all-different values (instants) cost no more than a dict.
_REMEMBERED = 200_000

Convert = Callable[[Any], Any]


def _remembering(convert: Convert) -> Convert:
    known: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return known[value]
        except KeyError:
            if len(known) >= _REMEMBERED:
                known.clear()
            stored = known[value] = convert(value)
            return stored
        except TypeError:
            return convert(value)

    return remembered


class BulkLoad:
    """One transaction of bulk writes on a database, by its own driver connection.

    Use it as a context manager: the rows are committed when the block
    ends normally and rolled back if it raises.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.dialect = db.engine.dialect
        self.is_sqlite = db.is_sqlite
        self._converters: dict[tuple[str, str], Convert | None] = {}
        self._written: dict[str, int] = {}
        self._connection: Any = None

    # --- the connection ---------------------------------------------------

    def __enter__(self) -> BulkLoad:
        url = make_url(self.db.url)
        if self.is_sqlite:
            connection = sqlite3.connect(url.database or "", isolation_level=None)
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # A crash during a build loses the build, which is rebuilt
            # anyway; nobody else's commits depend on this connection.
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("PRAGMA cache_size=-262144")
            connection.execute("BEGIN IMMEDIATE")
        else:
            import psycopg

            plain = url.set(drivername="postgresql")
            connection = psycopg.connect(plain.render_as_string(hide_password=False))
            connection.execute("SET synchronous_commit = off")
            connection.execute("SET maintenance_work_mem = '256MB'")
        self._connection = connection
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        connection, self._connection = self._connection, None
        try:
            if self.is_sqlite:
                connection.execute("ROLLBACK" if kind else "COMMIT")
            elif kind:
                connection.rollback()
            else:
                connection.commit()
        finally:
            connection.close()

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """Run one statement on the load's connection; its rows, if any."""
        if self.is_sqlite:
            cursor = self._connection.execute(sql, parameters)
        else:
            cursor = self._connection.execute(sql, parameters or None)
        return list(cursor.fetchall()) if cursor.description else []

    def placeholder(self) -> str:
        return "?" if self.is_sqlite else "%s"

    # --- rows -------------------------------------------------------------

    def next_id(self, table: Table) -> int:
        """The first free id of the table."""
        rows = self.execute(f"SELECT max(id) FROM {table.name}")
        return (rows[0][0] or 0) + 1

    def written(self, table: Table) -> int:
        """How many rows this load has written into the table."""
        return self._written.get(table.name, 0)

    def stored(
        self, table: Table, columns: Sequence[str], values: Sequence[Any]
    ) -> tuple[Any, ...]:
        """Values as the database stores them, for rows written `as_stored`."""
        converters = self._converters_of(table, columns)
        return tuple(self._stored(values, converters))

    def write(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        as_stored: bool = False,
    ) -> int:
        """Write the rows (values in the order of `columns`); how many there were.

        With `as_stored` the values are already as `stored` gives them; ids
        and other whole numbers and texts are the same either way.
        """
        converters = [] if as_stored else self._converters_of(table, columns)
        stored = (self._stored(row, converters) for row in rows)
        quote = self.dialect.identifier_preparer.quote
        names = ", ".join(quote(name) for name in columns)
        count = 0
        if self.is_sqlite:
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
            for batch in _batches(stored, BATCH):
                self._connection.executemany(sql, batch)
                count += len(batch)
        else:
            cursor = self._connection.cursor()
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in stored:
                    copy.write_row(row)
                    count += 1
        self._written[table.name] = self._written.get(table.name, 0) + count
        return count

    def _converters_of(
        self, table: Table, columns: Sequence[str]
    ) -> list[tuple[int, Convert]]:
        """The conversion of each column that has one, by its position."""
        found = []
        for index, name in enumerate(columns):
            key = (table.name, name)
            if key not in self._converters:
                convert = table.c[name].type.bind_processor(self.dialect)
                self._converters[key] = convert and _remembering(convert)
            convert = self._converters[key]
            if convert is not None:
                found.append((index, convert))
        return found

    @staticmethod
    def _stored(
        row: Sequence[Any], converters: list[tuple[int, Convert]]
    ) -> Sequence[Any]:
        if not converters:
            return row
        values = list(row)
        for index, convert in converters:
            value = values[index]
            if value is not None:
                values[index] = convert(value)
        return values

    # --- indexes and statistics ---------------------------------------------

    @contextmanager
    def indexes_set_aside(self, tables: Sequence[Table]) -> Iterator[None]:
        """Drop the tables' plain indexes for the block, then build them again.

        Indexes that carry a constraint (primary keys, unique constraints,
        exclusion constraints) stay, so the database keeps enforcing them.
        On PostgreSQL the tables' foreign keys are also put back after the
        block, which checks every row written in one pass instead of one
        row at a time; a row that refers to nothing fails the load.
        """
        indexes = [found for table in tables for found in self._plain_indexes(table)]
        keys = [found for table in tables for found in self._foreign_keys(table)]
        for table_name, name, _ in keys:
            self.execute(f"ALTER TABLE {table_name} DROP CONSTRAINT {name}")
        for name, _ in indexes:
            self.execute(f"DROP INDEX {name}")
        yield
        for _, definition in indexes:
            self.execute(definition)
        for table_name, name, definition in keys:
            self.execute(f"ALTER TABLE {table_name} ADD CONSTRAINT {name} {definition}")

    def _plain_indexes(self, table: Table) -> list[tuple[str, str]]:
        if self.is_sqlite:
            rows = self.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = ? AND sql IS NOT NULL",
                (table.name,),
            )
        else:
            rows = self.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = (quote_ident(i.schemaname) || '.' "
                "|| quote_ident(i.indexname))::regclass)",
                (table.name,),
            )
        return [(name, definition) for name, definition in rows]

    def _foreign_keys(self, table: Table) -> list[tuple[str, str, str]]:
        if self.is_sqlite:
            return []
        rows = self.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = %s::regclass",
            (table.name,),
        )
        return [(table.name, name, definition) for name, definition in rows]

    def restart_ids(self, tables: Sequence[Table]) -> None:
        """Move each table's id sequence past the ids written (PostgreSQL)."""
        if self.is_sqlite:
            return
        for table in tables:
            self.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
            )


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch
