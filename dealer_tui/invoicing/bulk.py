"""Many rows written in one driver call, for the batch run and its sources.

A batch run writes thousands of invoices, lines, tax subtotals and audit
entries a chunk at a time.  Going through the driver's executemany with
each value made ready by its column's type, as SQLAlchemy would make it,
keeps the exact column types (money as whole cents on SQLite, instants in
UTC) without the per-row bookkeeping of a general-purpose insert.
"""

from __future__ import annotations

from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Insert, Table, bindparam, insert, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def insert_many(
    connection: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    once_per_source: bool = False,
) -> None:
    """Insert many rows in one driver call, each value through its column type.

    The values are made ready for the driver here, row by row, as
    SQLAlchemy would, without its per-row bookkeeping: a run spends its
    time on invoices, not on parameters.  `once_per_source` skips an
    invoice whose source is invoiced already.
    """
    if not rows:
        return
    # A column left out takes its default, as the model would give it.
    defaults = {
        column.key: column.default.arg
        if column.default.is_scalar
        else column.default.arg(None)
        for column in table.columns
        if column.key not in rows[0] and column.default is not None
    }
    if defaults:
        rows = [{**defaults, **row} for row in rows]
    sql, order, positional, converters = _prepared(
        connection.dialect, table, tuple(rows[0]), once_per_source
    )
    # A chunk repeats many values (its day, its instant, rates, 0.00), and a
    # column type converts equal values to equal driver values: each is
    # converted once.
    remembering = [(index, convert, {}) for index, convert in converters]
    pick = itemgetter(*order)
    single = len(order) == 1
    params: list[Any] = []
    for row in rows:
        values = [pick(row)] if single else list(pick(row))
        for index, convert, seen in remembering:
            value = values[index]
            try:
                values[index] = seen[value]
            except KeyError:
                values[index] = seen[value] = convert(value)
            except TypeError:  # a value that cannot be a key, such as a dict
                values[index] = convert(value)
        params.append(
            tuple(values) if positional else dict(zip(order, values, strict=True))
        )
    connection.exec_driver_sql(sql, params)


@lru_cache(maxsize=64)
def _prepared(
    dialect: Dialect, table: Table, names: tuple[str, ...], once_per_source: bool
) -> tuple[str, tuple[str, ...], bool, tuple[tuple[int, Any], ...]]:
    """An insert compiled for these columns, and how its values are made ready.

    Positional drivers take the values in the statement's order, the others
    by name; either way only the values whose type converts them go through
    a converter.  Compiled once per table and set of columns.
    """
    statement: Insert = insert(table)
    if once_per_source:
        make = postgresql_insert if dialect.name == "postgresql" else sqlite_insert
        statement = make(table).on_conflict_do_nothing(
            index_elements=["source_kind", "source_ref", "source_payer"]
        )
    compiled = statement.compile(dialect=dialect, column_keys=list(names))
    order = tuple(compiled.positiontup or ()) if compiled.positional else names
    converters = tuple(
        (index, convert)
        for index, name in enumerate(order)
        if (convert := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    )
    return compiled.string, order, compiled.positional, converters


def update_many(
    connection: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    **same: Any,
) -> None:
    """Update many rows, each found by its id, in one driver call.

    Each row gives its "id" and the values of its own; `same` holds the
    values every row takes.  Values go through their column types as in
    `insert_many`, those in `same` once.
    """
    if not rows:
        return
    names = tuple(name for name in rows[0] if name != "id") + tuple(same)
    sql, order, positional = _prepared_update(connection.dialect, table, names)
    converters = {
        name: convert
        for name in (*names, "id")
        if (
            convert := table.c[name]
            .type.dialect_impl(connection.dialect)
            .bind_processor(connection.dialect)
        )
    }
    fixed = {
        name: converters[name](value) if name in converters else value
        for name, value in same.items()
    }
    own = [(name, converters.get(name)) for name in order if name not in fixed]
    params: list[Any] = []
    for row in rows:
        values = dict(fixed)
        for name, convert in own:
            value = row[name]
            values[name] = convert(value) if convert else value
        params.append(tuple(values[name] for name in order) if positional else values)
    connection.exec_driver_sql(sql, params)


@lru_cache(maxsize=64)
def _prepared_update(
    dialect: Dialect, table: Table, names: tuple[str, ...]
) -> tuple[str, tuple[str, ...], bool]:
    """UPDATE ... SET the columns WHERE id = the row's, compiled once.

    The statement's parameters are named after their columns, the id last.
    """
    statement = (
        update(table)
        .where(table.c.id == bindparam("id_", type_=table.c.id.type))
        .values(
            {name: bindparam(f"{name}_", type_=table.c[name].type) for name in names}
        )
    )
    compiled = statement.compile(dialect=dialect)
    given = tuple(compiled.positiontup or ()) if compiled.positional else ()
    sql = compiled.string
    if not compiled.positional:
        # Named parameters: give them their columns' names.
        for name in (*names, "id"):
            sql = sql.replace(f"%({name}_)s", f"%({name})s")
        return sql, (*names, "id"), False
    return sql, tuple(name.removesuffix("_") for name in given), True
