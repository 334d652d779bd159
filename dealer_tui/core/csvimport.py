"""Reading a CSV file row by row into records, with every problem named.

An import either writes every row or none, unless the user asks to import
the good rows and leave the bad ones out; the report says which is which.

Large files go through `check_rows`: each row first meets a lean check made
for the file's columns, which only says "good, these are the values" or
"not sure"; a row it is not sure of gets the full check, which names every
problem.  So a good row costs a few look-ups and a bad one is described
exactly as before.  `write_rows` then sends the good rows through the
driver in one statement, within the import's one transaction.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Select, Table, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from dealer_tui.core import audit
from dealer_tui.core.auth import Actor
from dealer_tui.core.errors import Problem
from dealer_tui.core.parse import FieldErrors


@dataclass
class ImportReport:
    """What an import found and what it did."""

    kind: str
    rows: int = 0
    imported: int = 0
    problems: list[Problem] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)
    written: bool = False

    @property
    def bad_rows(self) -> int:
        return len(self.bad_lines)

    @property
    def good_rows(self) -> int:
        return self.rows - self.bad_rows

    def summary(self) -> str:
        if self.written:
            text = f"Imported {self.imported} {self.kind} of {self.rows} rows."
            if self.bad_rows:
                text += f" Left out {self.bad_rows} bad rows."
            return text
        if self.bad_rows and not self.rows:
            return "Nothing imported: the file itself has problems."
        if self.bad_rows:
            return (
                f"Nothing imported: {self.bad_rows} of {self.rows} rows have "
                "problems. Fix them, or import the good rows only."
            )
        return f"Checked {self.rows} {self.kind}: all rows are good (dry run)."


class RowReader:
    """Rows of a CSV file as dicts keyed by lower-case header, with line numbers."""

    def __init__(
        self, stream: IO[str], required: Sequence[str], optional: Sequence[str]
    ) -> None:
        self._reader = csv.reader(stream)
        self.problems: list[Problem] = []
        try:
            header = next(self._reader)
        except StopIteration:
            header = []
        self.columns = [h.strip().lower().lstrip("\ufeff") for h in header]
        if not header:
            self.problems.append(Problem("header", "the file is empty", 1))
        known = set(required) | set(optional)
        for name in required:
            if name not in self.columns:
                self.problems.append(Problem(name, "column is missing", 1))
        for name in self.columns:
            if name and name not in known:
                self.problems.append(
                    Problem(name, "is not a known column for this import", 1)
                )

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        columns = self.columns
        for line, values in self.values():
            yield line, dict(zip(columns, values, strict=False)) if values else {}

    def values(self) -> Iterator[tuple[int, list[str]]]:
        """Each row's values in the header's order, with one "" after them.

        A row of the wrong width comes as an empty list, its problem noted.
        The "" stands for every optional column the file does not have.
        """
        if self.problems:
            return
        width = len(self.columns)
        reader = self._reader
        for values in reader:
            count = len(values)
            if count == width and values[0] and not values[0].isspace():
                values.append("")
                yield reader.line_num, values
                continue
            if not any(v.strip() for v in values):
                continue
            line = reader.line_num
            if count < width or any(v.strip() for v in values[width:]):
                # A row of the wrong width has lost or gained a comma, so its
                # values may sit under the wrong headings.
                self.problems.append(
                    Problem("row", f"has {count} fields, the header {width}", line)
                )
                yield line, []
                continue
            del values[width:]
            values.append("")
            yield line, values

    def position(self, name: str) -> int:
        """Where a column's value is in `values()` rows; absent ones read ""."""
        found = [i for i, column in enumerate(self.columns) if column == name]
        return found[-1] if found else len(self.columns)


def open_text(source: Path | str | IO[str]) -> IO[str]:
    if isinstance(source, Path | str):
        return open(source, encoding="utf-8-sig", newline="")
    return source


def text_stream(content: str) -> IO[str]:
    return io.StringIO(content, newline="")


RowParser = Callable[[dict[str, str], FieldErrors], Any]


def parse_rows(
    report: ImportReport,
    source: Path | str | IO[str],
    required: Sequence[str],
    optional: Sequence[str],
    parse: RowParser,
) -> list[tuple[int, Any]]:
    """Parse every row; problems go to the report, good rows are returned."""
    stream = open_text(source)
    try:
        reader = RowReader(stream, required, optional)
        good: list[tuple[int, Any]] = []
        for line, row in reader:
            report.rows += 1
            if not row:
                report.bad_lines.add(line)
                continue
            errors = FieldErrors(line)
            value = parse(row, errors)
            if errors:
                report.problems.extend(errors.problems)
                report.bad_lines.add(line)
            else:
                good.append((line, value))
        report.problems[:0] = reader.problems
        report.problems.sort(key=lambda p: p.line or 0)
        if reader.problems and not report.rows:
            report.bad_lines.add(1)
        return good
    except UnicodeDecodeError as exc:
        report.problems.append(
            Problem("file", f"is not UTF-8 text ({exc.reason}); save it as UTF-8")
        )
        report.bad_lines.add(0)
        return []
    finally:
        if stream is not source:
            stream.close()


LeanCheck = Callable[[list[str]], Any]


@dataclass
class CheckedRows:
    """The good rows of a file, in file order, and the line each came from."""

    lines: list[int] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)

    def keep(self, bad_lines: set[int]) -> list[Any]:
        """The rows whose line is not among the bad ones."""
        if not bad_lines:
            return self.rows
        return [
            row
            for line, row in zip(self.lines, self.rows, strict=True)
            if line not in bad_lines
        ]


def check_rows(
    report: ImportReport,
    source: Path | str | IO[str],
    required: Sequence[str],
    optional: Sequence[str],
    parse: RowParser,
    lean: Callable[[RowReader], LeanCheck],
) -> CheckedRows:
    """Check every row, as `parse_rows` does, the common case quickly.

    `lean` is given the file's reader and returns a check for one row's
    values (see `RowReader.values`): the row's values when the row is good
    for certain, else None.  `parse` then checks that row in full and
    names each problem; its values are used if it finds none.  Both must
    give the same values for a good row.
    """
    with without_collector_walks():
        return _check_rows(report, source, required, optional, parse, lean)


def _check_rows(
    report: ImportReport,
    source: Path | str | IO[str],
    required: Sequence[str],
    optional: Sequence[str],
    parse: RowParser,
    lean: Callable[[RowReader], LeanCheck],
) -> CheckedRows:
    checked = CheckedRows()
    stream = open_text(source)
    count = 0
    try:
        reader = RowReader(stream, required, optional)
        quick = lean(reader)
        columns = reader.columns
        lines, rows = checked.lines, checked.rows
        for line, values in reader.values():
            count += 1
            row = quick(values) if values else None
            if row is None:
                if not values:
                    report.bad_lines.add(line)
                    continue
                errors = FieldErrors(line)
                row = parse(dict(zip(columns, values, strict=False)), errors)
                if errors:
                    report.problems.extend(errors.problems)
                    report.bad_lines.add(line)
                    continue
            lines.append(line)
            rows.append(row)
        report.rows += count
        report.problems[:0] = reader.problems
        report.problems.sort(key=lambda p: p.line or 0)
        if reader.problems and not report.rows:
            report.bad_lines.add(1)
        return checked
    except UnicodeDecodeError as exc:
        report.rows += count
        report.problems.append(
            Problem("file", f"is not UTF-8 text ({exc.reason}); save it as UTF-8")
        )
        report.bad_lines.add(0)
        return CheckedRows()
    finally:
        if stream is not source:
            stream.close()


class Remembered(dict[Any, Any]):
    """A field's check, its answer remembered for each text it has seen.

    For columns whose values repeat (states, branches, makes, dates,
    amounts): a good row then costs a dictionary look-up per field.
    """

    LIMIT = 20_000

    def __init__(self, check: Callable[[str], Any]) -> None:
        super().__init__()
        self._check = check

    def __missing__(self, key: Any) -> Any:
        value = self._check(key)
        if len(self) < self.LIMIT:
            self[key] = value
        return value


@contextmanager
def without_collector_walks() -> Iterator[None]:
    """The cycle collector paused while many rows are read and kept.

    Each row is a new list; the collector would walk every row kept so
    far again and again, which costs more than reading the rows.  Rows
    hold no cycles, so nothing is left uncollected for long.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# What a lean check's field answers when the text needs the full check.
UNSURE = object()


def lenient(check: Callable[..., Any], *args: Any, **options: Any) -> Remembered:
    """A FieldErrors check as a remembered field check: UNSURE when it objects.

    `check` is the unbound method (FieldErrors.money, ...), given the text
    and then `args`: the values are exactly those of the full check.
    """

    def one(text: str) -> Any:
        errors = FieldErrors()
        value = check(errors, "field", text, *args, **options)
        return UNSURE if errors else value

    return Remembered(one)


def reject_line(report: ImportReport, line: int, field_name: str, message: str) -> None:
    report.problems.append(Problem(field_name, message, line))
    report.bad_lines.add(line)


def taken(
    session: Session, column: InstrumentedAttribute[str], values: Sequence[str]
) -> set[str]:
    """Which of the values the column already holds, asked in batches.

    A column holding no more values than asked about is read whole, in one
    statement: an import into a new dealership asks about every row.
    """
    found: set[str] = set()
    if len(values) > 500:
        held = _read_whole(session, select(column), len(values) + 1)
        if len(held) <= len(values):
            return set(values).intersection(value for (value,) in held)
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


def ids_by_key(
    session: Session,
    key: InstrumentedAttribute[str],
    id_column: InstrumentedAttribute[int],
    keys: Sequence[str],
) -> dict[str, int]:
    """The id of each of the keys that the key column holds, asked in batches.

    As in `taken`, a table holding no more rows than keys asked about is
    read whole, in one statement.
    """
    found: dict[str, int] = {}
    if len(keys) > 500:
        held = _read_whole(session, select(key, id_column), len(keys) + 1)
        if len(held) <= len(keys):
            wanted = set(keys)
            return {k: i for k, i in held if k in wanted}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(
            session.execute(select(key, id_column).where(key.in_(chunk))).all()
        )
    return found


def _read_whole(session: Session, query: Select[Any], limit: int) -> list[Any]:
    """Up to `limit` rows of plain columns (texts, ids), read by the driver.

    A whole key column of a table can be many rows; the driver hands them
    over as plain tuples, many times faster than as result rows.
    """
    sql = query.limit(limit).compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(str(sql))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def write_rows(
    session: Session,
    report: ImportReport,
    actor: Actor,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    entity: str,
    dry_run: bool,
    good_rows_only: bool,
) -> ImportReport:
    """The common end of an import: write the rows, or none, and audit it.

    Nothing is written on a dry run, or when a row is bad and the user did
    not ask for the good rows only.  The rows are values in the order of
    `columns`, as the model holds them.
    """
    if dry_run or (report.bad_rows and not good_rows_only) or not rows:
        return report
    insert_rows(session, table, columns, rows)
    record_import(session, actor, report, entity, len(rows))
    return report


def record_import(
    session: Session, actor: Actor, report: ImportReport, entity: str, imported: int
) -> None:
    """Count the rows written and audit the import: how many, how many left out."""
    report.imported = imported
    report.written = True
    audit.record(
        session,
        actor,
        "import",
        entity,
        "*",
        after={"rows": imported, "left_out": report.bad_rows},
    )


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Insert the rows in the session's transaction, in one statement.

    On SQLite they go straight to the driver, each value converted by its
    column's type as the ORM would (remembered, since values repeat), and
    a table that holds fewer rows than are coming has its plain indexes
    built afresh after the rows are in, which is several times faster
    than keeping them up to date row by row.  The transaction covers the
    indexes too: if anything fails, they are back as they were.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        session.execute(
            insert(table), [dict(zip(columns, row, strict=True)) for row in rows]
        )
        return
    with without_collector_walks():
        _insert_through_driver(session, table, columns, rows)


def _insert_through_driver(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    connection = session.connection()
    # Converted in place: the rows are the import's own, used once.
    rows = [row if type(row) is list else list(row) for row in rows]
    for index, name in enumerate(columns):
        convert = table.c[name].type.bind_processor(connection.dialect)
        if convert is not None:
            stored = Remembered(convert)
            for row in rows:
                row[index] = stored[row[index]]
    held = session.scalar(select(func.count()).select_from(table)) or 0
    driver = connection.connection.driver_connection
    assert driver is not None
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    marks = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"
    indexes: list[tuple[str, str]] = []
    feeds: list[tuple[str, str]] = []
    searches: list[str] = []
    # Building an index afresh costs about what keeping it up to date costs
    # for a third of the rows, so it pays once the new rows outnumber those
    # already there.  The same holds, four times over, for a full-text
    # table kept over this one by triggers: it is rebuilt from the table.
    if held < len(rows):
        indexes = driver.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = ? AND sql IS NOT NULL",
            (table.name,),
        ).fetchall()
        searches = _searches_over(driver, table.name)
        feeds = [
            (name, definition)
            for name, definition in driver.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = ?",
                (table.name,),
            ).fetchall()
            if any(search in definition for search in searches)
        ]
        for name, _ in indexes:
            driver.execute(f"DROP INDEX {quote(name)}")
        for name, _ in feeds:
            driver.execute(f"DROP TRIGGER {quote(name)}")
    driver.executemany(sql, rows)
    for _, definition in indexes:
        driver.execute(definition)
    for _, definition in feeds:
        driver.execute(definition)
    if feeds:
        for search in searches:
            driver.execute(
                f"INSERT INTO {quote(search)} ({quote(search)}) VALUES ('rebuild')"
            )


def _searches_over(driver: Any, table: str) -> list[str]:
    """The full-text tables whose content is the table's rows."""
    found = driver.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
        "AND sql LIKE 'CREATE VIRTUAL TABLE%'"
    ).fetchall()
    return [
        name
        for name, definition in found
        if re.search(rf"content\s*=\s*['\"]?{re.escape(table)}['\"]?[\s,)]", definition)
    ]
