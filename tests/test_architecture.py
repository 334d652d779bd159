"""Layering: the business areas never import the UI; batch runs never load it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dealer_tui"
UI_FREE = [
    p for p in PACKAGE.iterdir() if p.is_dir() and p.name not in ("ui", "__pycache__")
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_business_area_imports_textual_or_the_ui() -> None:
    """No module outside the UI imports textual or dealer_tui.ui at module level."""
    offenders = []
    for folder in UI_FREE:
        if folder.name == "cli":
            continue
        for path in folder.rglob("*.py"):
            for name in _imports(path):
                if name.split(".")[0] == "textual" or name.startswith("dealer_tui.ui"):
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_batch_commands_do_not_load_textual(tmp_path: Path) -> None:
    """Running `dealer db status` leaves textual out of sys.modules."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from dealer_tui.cli.main import app\n"
        f"CliRunner().invoke(app, ['--database-url', 'sqlite:///{tmp_path}/x.db', "
        "'db', 'status'])\n"
        "print('textual' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
