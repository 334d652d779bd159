"""Vehicle import, editing and search on both databases."""

from __future__ import annotations

import pytest

from dealer_tui.accounts.services import import_customers
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.errors import ValidationFailed
from dealer_tui.search.services import global_search
from dealer_tui.vehicles.services import (
    VehicleForm,
    import_vehicles,
    update_vehicle,
    vehicle_view,
)
from dealer_tui.vehicles.vin import check_digit
from tests.services.helpers import small_dealer, user

MACK = "1M1AN07Y" + "0" + "KM000123"
MACK = MACK[:8] + check_digit(MACK) + MACK[9:]

VEHICLES = f"""vin,make,model,model_year,registration,registration_state,\
odometer_km,owner
{MACK},Mack,Anthem,2019,XV12AB,VIC,412000,C000001
YV2RT40A0GB000777,Volvo,FH 540,2016,1AB2CD,VIC,880000,
"""


def _dealer_with_customer(db: Database):  # type: ignore[no-untyped-def]
    admin = small_dealer(db)
    import_customers(db, admin, text_stream("number,name\nC000001,Bayside Haulage\n"))
    return admin


def test_vehicles_import_with_owner(db: Database) -> None:
    """Two vehicles import; the Mack belongs to customer C000001."""
    admin = _dealer_with_customer(db)
    report = import_vehicles(db, admin, text_stream(VEHICLES))
    assert report.imported == 2
    hits = global_search(db, admin, MACK)
    assert [h.kind for h in hits] == ["vehicle"]
    view = vehicle_view(db, admin, hits[0].record_id)
    assert view.owner_name == "Bayside Haulage"


def test_bad_vins_and_owners_are_named_by_line(db: Database) -> None:
    """A wrong North-American check digit, an O and an unknown owner are each named."""
    admin = _dealer_with_customer(db)
    wrong = MACK[:8] + ("1" if MACK[8] != "1" else "2") + MACK[9:]
    text = (
        "vin,make,model,owner\n"
        f"{wrong},Mack,Granite,\n"
        "YV2RT40A0GB00O777,Volvo,FM,\n"
        "YV2RT40A0GB000778,Volvo,FM,C999999\n"
    )
    report = import_vehicles(db, admin, text_stream(text))
    assert not report.written
    assert [(p.line, p.field) for p in report.problems] == [
        (2, "vin"),
        (3, "vin"),
        (4, "owner"),
    ]
    assert "check digit" in report.problems[0].message


def test_search_finds_vehicles_by_tail_and_registration(db: Database) -> None:
    """The last six of the VIN and the start of the plate both find the truck."""
    admin = _dealer_with_customer(db)
    import_vehicles(db, admin, text_stream(VEHICLES))
    counter = user(db, "counter")
    assert [h.title.split()[0] for h in global_search(db, counter, "000777")] == [
        "YV2RT40A0GB000777"
    ]
    assert global_search(db, counter, "xv12")[0].title.startswith(MACK)
    assert global_search(db, counter, "bayside")[0].kind == "customer"


def test_odometer_cannot_go_backwards(db: Database) -> None:
    """412,000 km recorded; typing 400,000 is refused naming the odometer."""
    admin = _dealer_with_customer(db)
    import_vehicles(db, admin, text_stream(VEHICLES))
    view = vehicle_view(db, admin, global_search(db, admin, MACK)[0].record_id)
    form = VehicleForm("XV12AB", "VIC", "400000", "", "")
    with pytest.raises(ValidationFailed) as refused:
        update_vehicle(db, admin, view.id, view.version, form)
    assert refused.value.problems[0].field == "odometer_km"
    saved = update_vehicle(
        db, admin, view.id, view.version, VehicleForm("XV12AB", "VIC", "415000", "", "")
    )
    assert saved.odometer_km == 415000


def test_search_by_the_start_of_a_vin_and_part_of_a_number(db: Database) -> None:
    """'YV2RT' finds the Volvo; 'C0000' and '001' find customer C000001."""
    admin = _dealer_with_customer(db)
    import_vehicles(db, admin, text_stream(VEHICLES))
    assert [h.kind for h in global_search(db, admin, "YV2RT")] == ["vehicle"]
    for typed in ("C0000", "001"):
        assert [
            h.record_id for h in global_search(db, admin, typed) if h.kind == "customer"
        ] == [1]
