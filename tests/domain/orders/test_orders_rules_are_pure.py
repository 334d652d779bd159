"""Order entry's domain modules import no database, screen or file."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dealer_tui.orders

ORDERS = Path(dealer_tui.orders.__file__).parent
ALLOWED = {
    "__future__",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "re",
    "collections",
    "dealer_tui.core.errors",
    "dealer_tui.core.money",
    "dealer_tui.catalog.pricing",
    "dealer_tui.invoicing.tax",
    "dealer_tui.invoicing.totals",
    "dealer_tui.orders.schedule",
    "dealer_tui.orders.states",
}


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize(
    "module",
    ["states.py", "credit.py", "schedule.py", "filtering.py", "totals.py"],
)
def test_order_rules_import_only_pure_modules(module: str) -> None:
    """States, credit, weeks, the filter and totals are plain calculations."""
    strays = sorted(
        name
        for name in imports_of(ORDERS / module)
        if name not in ALLOWED and name.split(".")[0] not in ALLOWED
    )
    assert strays == []
