"""`dealer quote pdf` and `dealer quote text` as a user runs them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dealer_tui.catalog.quotes import new_quote, revise
from dealer_tui.cli.main import app
from dealer_tui.core.db import Database
from dealer_tui.core.services import batch_actor

runner = CliRunner()


def _two_versions(db: Database) -> str:
    """A quote for Westgate Concrete Pumping revised once; returns its number."""
    rep = batch_actor(db, "sam.rep")
    quote = new_quote(db, rep, 3, "FH-PM")
    revise(db, rep, quote.id, quote.version)
    return quote.number


def test_text_prints_the_latest_version(demo_db: Database) -> None:
    """Without --revision the text is that of v2, with the dealer's name on top."""
    number = _two_versions(demo_db)
    result = runner.invoke(
        app, ["--database-url", demo_db.url, "quote", "text", number]
    )
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("Southern Cross Trucks")
    assert first.endswith(f"QUOTE {number} v2 (DRAFT)")
    assert "Westgate Concrete Pumping" in result.output


def test_pdf_of_a_chosen_version_goes_to_the_named_file(
    demo_db: Database, tmp_path: Path
) -> None:
    """--revision 1 --out q.pdf writes v1 there and says where."""
    number = _two_versions(demo_db)
    target = tmp_path / "q.pdf"
    result = runner.invoke(
        app,
        [
            "--database-url",
            demo_db.url,
            "quote",
            "pdf",
            number,
            "--revision",
            "1",
            "--out",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {target}" in result.output
    assert target.read_bytes().startswith(b"%PDF")


def test_an_unknown_number_is_an_error_on_stderr(demo_db: Database) -> None:
    """A number that does not exist exits 1 naming it."""
    result = runner.invoke(
        app, ["--database-url", demo_db.url, "quote", "text", "Q2026-999999"]
    )
    assert result.exit_code == 1
    assert "There is no quote Q2026-999999." in result.output


def test_an_unwritable_file_is_named(demo_db: Database, tmp_path: Path) -> None:
    """Writing into a folder that does not exist exits 1 and names the file."""
    number = _two_versions(demo_db)
    target = tmp_path / "missing" / "q.txt"
    result = runner.invoke(
        app,
        ["--database-url", demo_db.url, "quote", "text", number, "--out", str(target)],
    )
    assert result.exit_code == 1
    assert f"cannot write {target}" in " ".join(result.output.split())
