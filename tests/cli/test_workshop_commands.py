"""`dealer workshop` on the demo dealership: invitations and utilisation."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from dealer_tui.cli.main import app
from dealer_tui.core.db import Database

runner = CliRunner()


@pytest.fixture
def url(demo_db: Database) -> str:
    return f"sqlite:///{make_url(demo_db.url).database}"


def test_invitations_list_the_services_due_and_leave_booked_ones_out(
    url: str, tmp_path: Path
) -> None:
    """From 4/12/2026, 14 days at MEL; CR69ZZ is overdue but booked, so not listed."""
    out = tmp_path / "calls.csv"
    result = runner.invoke(
        app,
        [
            "--database-url",
            url,
            "workshop",
            "invitations",
            "--due-within",
            "14d",
            "--branch",
            "MEL",
            "--as-of",
            "2026-12-04",
            "--csv",
            str(out),
        ],
        env={"COLUMNS": "100"},
    )
    assert result.exit_code == 0, result.output
    assert "vehicles to invite: service due within 14 days" in result.output
    assert "OVERDUE" in result.output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("due,overdue,registration,vin")
    registrations = {row.split(",")[2] for row in rows[1:]}
    assert "CR69ZZ" not in registrations
    assert all(row.split(",")[0] <= "2026-12-18" for row in rows[1:])


def test_a_bad_span_is_named_on_stderr(url: str) -> None:
    """'--due-within soon' is refused with the option named and exit code 1."""
    result = runner.invoke(
        app, ["--database-url", url, "workshop", "invitations", "--due-within", "soon"]
    )
    assert result.exit_code == 1
    assert "--due-within: 'soon' is not a span like 30d or 4w" in result.output


def test_utilisation_of_a_week_per_mechanic_and_day(url: str) -> None:
    """Week 50 at MEL: Ann is fully booked on Monday, all mechanics 45.75 of 170 h."""
    result = runner.invoke(
        app,
        ["--database-url", url, "workshop", "utilisation", "--week", "2026-W50"],
        env={"COLUMNS": "100"},
    )
    assert result.exit_code == 0, result.output
    assert "Workshop utilisation MEL, week 2026-W50" in result.output
    ann = next(line for line in result.output.splitlines() if "Ann Roberts" in line)
    assert ann.split()[2] == "100%"
    assert "45.75 of 170.00 h" in result.output


def test_a_bad_week_is_named(url: str) -> None:
    """'--week 2026-13' is not a week and says what one looks like."""
    result = runner.invoke(
        app, ["--database-url", url, "workshop", "utilisation", "--week", "2026-13"]
    )
    assert result.exit_code == 1
    assert "--week: '2026-13' is not a week like 2026-W50" in result.output


def test_a_bad_workshop_setup_names_each_item_and_field(
    url: str, tmp_path: Path
) -> None:
    """A second MEL workshop and a mechanic with a bad skill are named; exit 1."""
    file = tmp_path / "setup.toml"
    file.write_text(
        '[[workshops]]\nbranch = "MEL"\nlabour_rate = "180.00"\n'
        'opening_hours = { "mon-fri" = "07:00-16:00" }\n\n'
        '[[mechanics]]\nbranch = "MEL"\ncode = "ZOE"\nname = "Zoe"\n'
        'skills = ["HV EV!"]\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["--database-url", url, "workshop", "import", "setup", str(file)]
    )
    assert result.exit_code == 1
    assert "workshops[1].branch: MEL is already set up" in result.output
    assert "mechanics[1].skills: 'HV EV!' is not a word like hv_ev" in result.output
    assert "Nothing imported: 2 of 2 rows have problems" in result.output


def test_receiving_a_delivery_fills_the_waiting_job(url: str) -> None:
    """The 4 linings due on 10/12 arrive; 2 go to the brake job waiting for them."""
    result = runner.invoke(app, ["--database-url", url, "parts", "receive", "1"])
    assert result.exit_code == 0, result.output
    assert "Received 4 of 23255443: 4 on hand, 2 went to waiting orders." in (
        result.output
    )
    again = runner.invoke(app, ["--database-url", url, "parts", "receive", "1"])
    assert again.exit_code == 1
    assert "already been received" in again.output
