"""The workshop calendar and slot finder import only pure libraries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dealer_tui.workshop

WORKSHOP = Path(dealer_tui.workshop.__file__).parent
# Standard-library modules without input or output, the holidays tables,
# and the calendar that the slot finder builds on.
ALLOWED = {
    "__future__",
    "bisect",
    "collections",
    "dataclasses",
    "datetime",
    "decimal",
    "functools",
    "heapq",
    "holidays",
    "math",
    "re",
    "zoneinfo",
    "dealer_tui.workshop.calendar",
}


def top_level_imports(source: str) -> set[str]:
    """Every module a source file imports, with dotted names kept whole."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("module", ["calendar.py", "slots.py"])
def test_workshop_rules_import_only_pure_modules(module):
    """Neither module reaches a database, a screen, a file or a logger."""
    imports = top_level_imports((WORKSHOP / module).read_text(encoding="utf-8"))
    strays = sorted(
        name
        for name in imports
        if name not in ALLOWED and name.split(".")[0] not in ALLOWED
    )
    assert strays == []
