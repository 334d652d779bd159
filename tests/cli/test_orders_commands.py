"""`dealer stock receive` and `dealer orders delivery-schedule` as run by a user."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dealer_tui.cli.main import app
from dealer_tui.core import schema
from dealer_tui.core.db import Database
from dealer_tui.orders import delivery
from dealer_tui.orders.models import Order
from dealer_tui.orders.services import OrderForm, confirm_order, create_order
from dealer_tui.orders.views import order_view
from tests.services.helpers import user
from tests.services.orders_support import VOLVO_2, order_dealer, unit_id

runner = CliRunner()
HEAD = "vin,make,model,model_year,branch,cost\n"
GOOD = (
    HEAD
    + "YV2RT40A5TB300001,Volvo,FH 540,2026,MEL,241000\n"
    + "YS2R4X20005399999,Scania,R 620,2026,MEL,250000\n"
)
BAD = HEAD + "1M1AN07Y0TM200009,Mack,Anthem,2026,MEL,229500\n" + GOOD.split("\n", 1)[1]


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    db = Database.open(url)
    schema.upgrade(db)
    order_dealer(db)
    db.dispose()
    return url


def _file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "delivery.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_receiving_a_delivery_note(url: str, tmp_path: Path) -> None:
    """Two good trucks are received; the summary says so and exits 0."""
    result = runner.invoke(
        app, ["--database-url", url, "stock", "receive", _file(tmp_path, GOOD)]
    )
    assert result.exit_code == 0, result.output
    assert "Imported 2 trucks of 2 rows." in result.output


def test_a_bad_row_stops_the_delivery_and_is_named(url: str, tmp_path: Path) -> None:
    """The Mack's wrong check digit is named at line 2; nothing is received."""
    path = _file(tmp_path, BAD)
    result = runner.invoke(app, ["--database-url", url, "stock", "receive", path])
    assert result.exit_code == 1
    assert "line 2: vin: '1M1AN07Y0TM200009': the check digit" in result.output
    assert "Nothing imported: 1 of 3 rows have problems." in result.output
    dry = runner.invoke(
        app, ["--database-url", url, "stock", "receive", path, "--dry-run"]
    )
    assert dry.exit_code == 1
    good = runner.invoke(
        app, ["--database-url", url, "stock", "receive", path, "--good-rows"]
    )
    assert "Imported 2 trucks of 3 rows. Left out 1 bad rows." in good.output


def test_the_delivery_schedule_as_csv(url: str) -> None:
    """One truck planned for Tuesday 8 December is week 2026-W50's only row."""
    db = Database.open(url)
    admin = user(db, "sales_admin")
    order_id = create_order(db, admin, OrderForm("C1", "Volvo FH 540", "289500"))
    with db.write() as session:
        order = session.get(Order, order_id)
        assert order is not None
        order.ordered_on = date(2026, 11, 30)
    view = order_view(db, admin, order_id)
    view = confirm_order(db, admin, order_id, view.version)
    view = delivery.allocate_unit(
        db, admin, order_id, view.version, unit_id(db, VOLVO_2)
    )
    delivery.plan_delivery(db, admin, order_id, view.version, "2026-12-08")
    db.dispose()
    result = runner.invoke(
        app,
        [
            "--database-url",
            url,
            "orders",
            "delivery-schedule",
            "--week",
            "2026-W50",
            "--csv",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["day"], r["order"], r["vin"], r["state"]) for r in rows] == [
        ("2026-12-08", view.number, VOLVO_2, "allocated")
    ]
    assert rows[0]["customer"] == "Bayside Haulage Pty Ltd"
    table = runner.invoke(
        app,
        ["--database-url", url, "orders", "delivery-schedule", "--week", "2026-W50"],
    )
    assert "Deliveries in week 2026-W50 (Mon 07/12 to Sun 13/12/2026)" in table.output
    assert "1 delivery planned." in table.output
    empty = (date(2026, 12, 8) + timedelta(weeks=1)).isoformat()
    other = runner.invoke(
        app, ["--database-url", url, "orders", "delivery-schedule", "--week", empty]
    )
    assert "0 deliveries planned." in other.output


def test_a_week_that_does_not_exist_is_an_error(url: str) -> None:
    """--week 2026-W61 is refused on stderr with a non-zero exit."""
    result = runner.invoke(
        app,
        ["--database-url", url, "orders", "delivery-schedule", "--week", "2026-W61"],
    )
    assert result.exit_code == 1
    assert "week: '2026-W61': 2026 has no week 61" in result.output
