"""The lead rules stay pure: no database, no screens, no input or output."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dealer_tui.leads

LEADS = Path(dealer_tui.leads.__file__).parent
PURE_MODULES = [
    "qualification.py",
    "scoring.py",
    "matching.py",
    "filtering.py",
    "pipeline.py",
]
FORBIDDEN = ("sqlalchemy", "textual", "typer", "rich", "os", "pathlib", "logging")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", PURE_MODULES)
def test_lead_rules_import_nothing_with_input_or_output(module: str) -> None:
    """A pure lead module imports no database, UI, CLI, logging or file library."""
    offenders = sorted(
        name
        for name in imported_modules(LEADS / module)
        if name.split(".")[0] in FORBIDDEN
        or name.startswith(("dealer_tui.ui", "dealer_tui.cli"))
        or name.endswith(".models")
    )

    assert offenders == []
