"""The batch commands as a user runs them: output, stderr and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dealer_tui.cli.main import app
from dealer_tui.core.config import fixtures_dir

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def test_status_of_an_empty_database_says_what_to_run(url: str) -> None:
    """An empty database is reported with the command that creates it."""
    result = runner.invoke(app, ["--database-url", url, "db", "status"])
    assert result.exit_code == 1
    assert "run `dealer db upgrade`" in result.output


def test_upgrade_then_status_is_current(url: str) -> None:
    """After `db upgrade` the status is up to date and exits 0."""
    assert runner.invoke(app, ["--database-url", url, "db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["--database-url", url, "db", "status"])
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_a_command_on_an_old_schema_is_refused(url: str, tmp_path: Path) -> None:
    """Importing into an unmigrated database names the command to run."""
    file = tmp_path / "c.csv"
    file.write_text("number,name\nC1,A\n")
    result = runner.invoke(
        app, ["--database-url", url, "import", "customers", str(file)]
    )
    assert result.exit_code == 1
    assert "dealer db upgrade" in result.output


def test_setup_and_import_report_bad_rows(url: str, tmp_path: Path) -> None:
    """A file with one bad row imports nothing and names line 3's ABN."""
    setup = runner.invoke(
        app, ["--database-url", url, "setup", str(fixtures_dir() / "dealer.toml")]
    )
    assert setup.exit_code == 0, setup.output
    file = tmp_path / "c.csv"
    file.write_text(
        "number,name,abn\nC1,Good Pty Ltd,\nC2,Bad Pty Ltd,11 111 111 111\n"
    )
    result = runner.invoke(
        app, ["--database-url", url, "import", "customers", str(file)]
    )
    assert result.exit_code == 1
    assert "line 3: abn: '11 111 111 111' is not a valid ABN" in result.output
    assert "Nothing imported: 1 of 2 rows have problems" in result.output
    good = runner.invoke(
        app, ["--database-url", url, "import", "customers", str(file), "--good-rows"]
    )
    assert "Imported 1 customers of 2 rows. Left out 1 bad rows." in good.output


def test_demo_build_only_builds_and_exits(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`dealer demo --build-only` fills the demo database and returns 0."""
    monkeypatch.setenv("DEALER_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["demo", "--build-only"])
    assert result.exit_code == 0, result.output
    assert "Imported" in result.output
    assert (tmp_path / "demo.sqlite3").exists()
    again = runner.invoke(app, ["demo", "--build-only"])
    assert "The demo is already in" in again.output
