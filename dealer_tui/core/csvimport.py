"""Reading a CSV file row by row into records, with every problem named.

An import either writes every row or none, unless the user asks to import
the good rows and leave the bad ones out; the report says which is which.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

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
        if self.problems:
            return
        width = len(self.columns)
        for values in self._reader:
            line = self._reader.line_num
            if not any(v.strip() for v in values):
                continue
            short = len(values) < width
            if short or any(v.strip() for v in values[width:]):
                # A row of the wrong width has lost or gained a comma, so its
                # values may sit under the wrong headings.
                self.problems.append(
                    Problem(
                        "row", f"has {len(values)} fields, the header {width}", line
                    )
                )
                yield line, {}
                continue
            row = dict(zip(self.columns, values, strict=False))
            yield line, row


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


def reject_line(report: ImportReport, line: int, field_name: str, message: str) -> None:
    report.problems.append(Problem(field_name, message, line))
    report.bad_lines.add(line)


def taken(
    session: Session, column: InstrumentedAttribute[str], values: Sequence[str]
) -> set[str]:
    """Which of the values the column already holds, asked in batches."""
    found: set[str] = set()
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found
