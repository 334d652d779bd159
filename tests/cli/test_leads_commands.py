"""`dealer leads import` and `dealer leads priority` as a user runs them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dealer_tui.cli.main import app
from dealer_tui.core.config import fixtures_dir

runner = CliRunner()

LEADS = (
    "company,segment,owner,status,in_business,financially_viable,"
    "segment_applicable,open_to_brand,open_to_after_sales,fleet_size\n"
    "Ironbark Earthworks,construction,sam.rep,qualified,yes,yes,yes,yes,yes,60\n"
    "Hume Linehaul,long_haul,priya.rep,qualified,yes,yes,yes,yes,yes,5\n"
    "Otway Logs,forestry,,new,,,,,,\n"
)
BAD = (
    "company,segment,abn,status\n"
    "Good Haulage,long_haul,,\n"
    ",long_haul,11 111 111 111,\n"
    "Half Done,other,,qualified\n"
)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    setup = runner.invoke(
        app, ["--database-url", url, "setup", str(fixtures_dir() / "dealer.toml")]
    )
    assert setup.exit_code == 0, setup.output
    return url


def test_a_file_with_bad_rows_is_refused_line_by_line(url: str, tmp_path: Path) -> None:
    """Lines 3 and 4 are named on stderr; nothing is imported; the exit code is 1."""
    file = tmp_path / "leads.csv"
    file.write_text(BAD)
    result = runner.invoke(app, ["--database-url", url, "leads", "import", str(file)])
    assert result.exit_code == 1
    assert "line 3: company: is required" in result.output
    assert "line 3: abn: an ABN has 11 digits" not in result.output
    assert "line 3: abn: is not a valid ABN" in result.output
    assert "line 4: status: a qualified lead needs yes to all five" in result.output
    assert "Nothing imported: 2 of 3 rows have problems" in result.output
    good = runner.invoke(
        app, ["--database-url", url, "leads", "import", str(file), "--good-rows"]
    )
    assert "Imported 1 leads of 3 rows. Left out 2 bad rows." in good.output


def test_priority_prints_the_ranked_prospects(url: str, tmp_path: Path) -> None:
    """After the import the 60-truck fleet ranks first; the suspect is left out."""
    file = tmp_path / "leads.csv"
    file.write_text(LEADS)
    imported = runner.invoke(app, ["--database-url", url, "leads", "import", str(file)])
    assert imported.exit_code == 0, imported.output
    assert "Imported 3 leads of 3 rows." in imported.output
    table = runner.invoke(app, ["--database-url", url, "leads", "priority"])
    assert table.exit_code == 0, table.output
    # Ironbark Earthworks is lead 1, Hume Linehaul lead 2, Otway Logs lead 3.
    assert table.output.index("L2026-000001") < table.output.index("L2026-000002")
    assert "L2026-000003" not in table.output
    as_csv = runner.invoke(
        app, ["--database-url", url, "leads", "priority", "--csv", "--owner", "sam.rep"]
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["rank"], r["company"], r["score"]) for r in rows] == [
        ("1", "Ironbark Earthworks", "30.00")
    ]


def test_priority_names_a_wrong_segment(url: str) -> None:
    """--segment space is refused on stderr with exit code 1."""
    result = runner.invoke(
        app, ["--database-url", url, "leads", "priority", "--segment", "space"]
    )
    assert result.exit_code == 1
    assert "segment: 'space' is not one of" in result.output


def test_the_demo_leads_import_with_their_duplicates_linked(url: str) -> None:
    """The demo file asks about four known customers, and links them when told."""
    customers = runner.invoke(
        app,
        [
            "--database-url",
            url,
            "import",
            "customers",
            str(fixtures_dir() / "customers.csv"),
        ],
    )
    assert customers.exit_code == 0, customers.output
    leads = str(fixtures_dir() / "leads.csv")
    asked = runner.invoke(app, ["--database-url", url, "leads", "import", leads])
    assert asked.exit_code == 1
    assert asked.output.count("may be Account C0") == 4
    linked = runner.invoke(
        app,
        ["--database-url", url, "leads", "import", leads, "--duplicates", "link"],
    )
    assert linked.exit_code == 0, linked.output
    assert "Imported 58 leads of 58 rows." in linked.output
    assert "4 linked to a known lead or customer." in linked.output
