"""Use cases of the catalogue: import ranges and products, check, configure.

A range is imported from its catalogue text: the text is checked line by
line, every problem named, and only a file without problems replaces the
range.  Its list prices become a price list valid from the given date, so
that quotes priced before keep their prices.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dealer_tui.catalog.analysis import CatalogueCheck, check_catalogue
from dealer_tui.catalog.models import (
    CatalogModel,
    CatalogOption,
    CatalogRange,
    Price,
    PriceList,
    Product,
)
from dealer_tui.catalog.rules import Catalogue
from dealer_tui.catalog.ruletext import parse_catalogue
from dealer_tui.core import audit
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.csvimport import ImportReport, parse_rows, reject_line
from dealer_tui.core.db import Database
from dealer_tui.core.errors import NotFound, Problem, ValidationFailed
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.types import utc_now

log = logging.getLogger(__name__)

PRODUCTS_SCOPE = "PRODUCTS"
PRODUCT_KINDS = {
    "accessory": "accessory",
    "contract": "contract",
    "warranty": "warranty",
}


@dataclass(frozen=True)
class RangeImport:
    range_code: str
    file_name: str
    revision: int
    models: int
    options: int
    rules: int
    prices: int
    valid_from: date


def _price_list(
    session: Session, scope: str, name: str, currency: str, valid_from: date
) -> PriceList:
    """The scope's price list from that date, emptied for new prices."""
    found = session.scalars(
        select(PriceList).where(
            PriceList.scope == scope, PriceList.valid_from == valid_from
        )
    ).one_or_none()
    if found is None:
        found = PriceList(
            scope=scope, name=name, currency=currency, valid_from=valid_from
        )
        session.add(found)
        session.flush()
    else:
        session.execute(delete(Price).where(Price.price_list_id == found.id))
    return found


def import_range(
    db: Database, actor: Actor, path: Path, valid_from: date
) -> RangeImport:
    """Import one range file; refuse it whole, naming every bad line, if any."""
    actor.require(Permission.MANAGE_CATALOG)
    text = path.read_text(encoding="utf-8")
    parsed = parse_catalogue(text, path.name)
    if not parsed.ok:
        raise ValidationFailed(
            [Problem(p.field, p.message, p.line) for p in parsed.problems]
        )
    catalogue = parsed.catalogue
    with db.write() as session:
        found = session.scalars(
            select(CatalogRange).where(CatalogRange.code == catalogue.range_code)
        ).one_or_none()
        if found is None:
            found = CatalogRange(code=catalogue.range_code, revision=0)
            session.add(found)
        found.name = catalogue.range_name
        found.make = catalogue.make
        found.currency = catalogue.currency
        found.rules_text = text
        found.file_name = path.name
        found.revision = (found.revision or 0) + 1
        found.imported_at = utc_now()
        found.imported_by_id = actor.user_id
        session.flush()
        _replace_rows(session, found.id, catalogue)
        prices = _price_list(
            session,
            catalogue.range_code,
            f"{catalogue.range_name} list prices",
            catalogue.currency,
            valid_from,
        )
        rows = [
            {"price_list_id": prices.id, "item_code": m.code, "amount": m.base_price}
            for m in catalogue.models
        ] + [
            {"price_list_id": prices.id, "item_code": o.code, "amount": o.price}
            for o in catalogue.options
        ]
        session.execute(Price.__table__.insert(), rows)
        audit.record(
            session,
            actor,
            "import",
            "catalog_range",
            catalogue.range_code,
            after={
                "revision": found.revision,
                "valid_from": valid_from.isoformat(),
                "options": len(catalogue.options),
                "rules": len(catalogue.rules),
            },
        )
        result = RangeImport(
            catalogue.range_code,
            path.name,
            found.revision,
            len(catalogue.models),
            len(catalogue.options),
            len(catalogue.rules),
            len(rows),
            valid_from,
        )
    _ENGINES.forget(catalogue.range_code)
    log.info("imported range %s revision %s", result.range_code, result.revision)
    return result


def _replace_rows(session: Session, range_id: int, catalogue: Catalogue) -> None:
    session.execute(delete(CatalogOption).where(CatalogOption.range_id == range_id))
    existing = {
        m.code: m
        for m in session.scalars(
            select(CatalogModel).where(CatalogModel.range_id == range_id)
        )
    }
    for model in catalogue.models:
        row = existing.pop(model.code, None)
        if row is None:
            session.add(
                CatalogModel(range_id=range_id, code=model.code, name=model.name)
            )
        else:
            row.name, row.active = model.name, True
    for gone in existing.values():
        # Old quotes still name the model, so it is retired, not deleted.
        gone.active = False
    families = catalogue.families_by_code
    session.execute(
        CatalogOption.__table__.insert(),
        [
            {
                "range_id": range_id,
                "family_code": o.family,
                "family_name": families[o.family].name,
                "code": o.code,
                "name": o.name,
                "is_default": o.default,
            }
            for o in catalogue.options
        ],
    )


PRODUCT_COLUMNS = ("code", "kind", "name", "price")


def import_products(
    db: Database,
    actor: Actor,
    source: Path | str | IO[str],
    valid_from: date,
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Accessories, contracts and warranties with their prices, from CSV."""
    actor.require(Permission.MANAGE_CATALOG)
    report = ImportReport("products")

    def parse(row: dict[str, str], errors: FieldErrors) -> dict[str, object]:
        return {
            "code": errors.required("code", row.get("code"), 30).upper(),
            "kind": errors.choice("kind", row.get("kind"), PRODUCT_KINDS),
            "name": errors.required("name", row.get("name"), 200),
            "description": errors.optional("description", row.get("description"), 4000),
            "price": errors.money("price", row.get("price")),
        }

    good = parse_rows(report, source, PRODUCT_COLUMNS, ("description",), parse)
    seen: dict[str, int] = {}
    for line, values in good:
        code = str(values["code"])
        if code in seen:
            reject_line(report, line, "code", f"{code} is also on line {seen[code]}")
        seen.setdefault(code, line)
    rows = [v for line, v in good if line not in report.bad_lines]
    if dry_run or (report.bad_rows and not good_rows_only) or not rows:
        return report
    with db.write() as session:
        existing = {p.code: p for p in session.scalars(select(Product))}
        prices = _price_list(
            session, PRODUCTS_SCOPE, "Accessories and contracts", "AUD", valid_from
        )
        for values in rows:
            product = existing.get(str(values["code"]))
            if product is None:
                product = Product(code=values["code"])
                session.add(product)
            product.kind = str(values["kind"])
            product.name = str(values["name"])
            product.description = str(values["description"])
            product.updated_by_id = actor.user_id
            session.add(
                Price(
                    price_list_id=prices.id,
                    item_code=values["code"],
                    amount=values["price"],
                )
            )
        audit.record(
            session,
            actor,
            "import",
            "product",
            "*",
            after={"rows": len(rows), "valid_from": valid_from.isoformat()},
        )
        report.imported = len(rows)
        report.written = True
    return report


def load_catalogue(session: Session, range_code: str) -> tuple[Catalogue, int]:
    """The range's catalogue as last imported, with its revision."""
    found = session.scalars(
        select(CatalogRange).where(CatalogRange.code == range_code)
    ).one_or_none()
    if found is None:
        raise NotFound(f"There is no range {range_code} in the catalogue.")
    parsed = parse_catalogue(found.rules_text, found.file_name)
    return parsed.catalogue, found.revision


def range_of_model(session: Session, model_code: str) -> str:
    row = session.execute(
        select(CatalogRange.code)
        .join(CatalogModel, CatalogModel.range_id == CatalogRange.id)
        .where(CatalogModel.code == model_code)
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no model {model_code} in the catalogue.")
    return row[0]


def price_map(
    session: Session, scope: str, on: date, codes: list[str] | None = None
) -> dict[str, Decimal]:
    """Prices in force on a date: each item from the latest list not after it."""
    lists = session.execute(
        select(PriceList.id, PriceList.valid_from)
        .where(PriceList.scope == scope, PriceList.valid_from <= on)
        .order_by(PriceList.valid_from)
    ).all()
    prices: dict[str, Decimal] = {}
    for list_id, _ in lists:
        stmt = select(Price.item_code, Price.amount).where(
            Price.price_list_id == list_id
        )
        if codes is not None:
            stmt = stmt.where(Price.item_code.in_(codes))
        prices.update(dict(session.execute(stmt).all()))
    return prices


@dataclass(frozen=True)
class RangeSummary:
    code: str
    name: str
    make: str
    revision: int
    models: list[tuple[str, str]]


def ranges(db: Database, actor: Actor) -> list[RangeSummary]:
    """The ranges and their active models, for choosing what to configure."""
    actor.require(Permission.VIEW_CATALOG)
    with db.read() as session:
        result = []
        for r in session.scalars(select(CatalogRange).order_by(CatalogRange.code)):
            models = session.execute(
                select(CatalogModel.code, CatalogModel.name)
                .where(CatalogModel.range_id == r.id, CatalogModel.active.is_(True))
                .order_by(CatalogModel.code)
            ).all()
            result.append(
                RangeSummary(
                    r.code,
                    r.name,
                    r.make,
                    r.revision,
                    [(m.code, m.name) for m in models],
                )
            )
        return result


def check_ranges(
    db: Database, actor: Actor, on: date, range_code: str | None = None
) -> list[CatalogueCheck]:
    """The catalogue check of each range (or one): dead, mandatory, conflicts."""
    actor.require(Permission.VIEW_CATALOG)
    with db.read() as session:
        codes = (
            [range_code]
            if range_code
            else list(
                session.scalars(select(CatalogRange.code).order_by(CatalogRange.code))
            )
        )
        catalogues = [load_catalogue(session, code)[0] for code in codes]
    return [check_catalogue(c, on) for c in catalogues]


class _EngineCache:
    """Parsed catalogues by range and revision, kept for the next choice.

    Parsing a large range takes longer than a choice may, so each process
    keeps the few ranges in use.  The configurator engines themselves hold
    solvers that are not shared between threads and are made per session.
    """

    def __init__(self, size: int = 8) -> None:
        self._items: OrderedDict[tuple[str, int], Catalogue] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, session: Session, range_code: str) -> Catalogue:
        revision = session.scalar(
            select(CatalogRange.revision).where(CatalogRange.code == range_code)
        )
        if revision is None:
            raise NotFound(f"There is no range {range_code} in the catalogue.")
        key = (range_code, revision)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        catalogue, _ = load_catalogue(session, range_code)
        with self._lock:
            self._items[key] = catalogue
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return catalogue

    def forget(self, range_code: str) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == range_code]:
                del self._items[key]


_ENGINES = _EngineCache()


def catalogue_for(db: Database, range_code: str) -> Catalogue:
    with db.read() as session:
        return _ENGINES.get(session, range_code)
