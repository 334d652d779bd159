"""The configurator's domain modules stay pure: no database, screens or files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dealer_tui.catalog

CATALOG = Path(dealer_tui.catalog.__file__).parent
PURE_MODULES = [
    "rules.py",
    "ruletext.py",
    "configurator.py",
    "analysis.py",
    "synthetic.py",
]
FORBIDDEN = (
    "sqlalchemy",
    "textual",
    "typer",
    "rich",
    "os",
    "io",
    "pathlib",
    "logging",
    "time",
)


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, by its dotted name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", PURE_MODULES)
def test_catalogue_domain_imports_nothing_with_input_or_output(module: str) -> None:
    """A pure catalogue module imports no database, UI, CLI, file or clock library."""
    offenders = sorted(
        name
        for name in imported_modules(CATALOG / module)
        if name.split(".")[0] in FORBIDDEN
        or name.startswith(("dealer_tui.ui", "dealer_tui.cli"))
        or name.endswith(".models")
    )
    assert offenders == []


@pytest.mark.parametrize("module", PURE_MODULES)
def test_catalogue_domain_calls_no_open(module: str) -> None:
    """A pure catalogue module never calls open() or print()."""
    tree = ast.parse((CATALOG / module).read_text(encoding="utf-8"))
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & {"open", "print", "input"}
