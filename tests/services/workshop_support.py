"""A small workshop for the service tests: one Melbourne branch, set up by import.

Three mechanics (Ann: engine and brakes; Ben: engine; Eve: HV and
electrical), four bays (standard, long, pit, HV-safe), a handful of
operations and parts, three customers with a truck each. The workshop is
open Monday to Friday, 07:00-12:00 and 12:30-16:30 (9 hours), closed on
Victoria's public holidays.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dealer_tui.accounts.services import import_customers
from dealer_tui.core.auth import Actor
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.parts.services import import_deliveries, import_parts, import_stock
from dealer_tui.vehicles.services import import_vehicles
from dealer_tui.workshop.imports import (
    import_operations,
    import_packages,
    import_workshop_setup,
)
from tests.services.helpers import small_dealer, user

MELBOURNE = ZoneInfo("Australia/Melbourne")

SETUP = """
[[workshops]]
branch = "MEL"
holidays = "AU-VIC"
labour_rate = "180.00"
opening_hours = { "mon-fri" = "07:00-12:00, 12:30-16:30" }

[[mechanics]]
branch = "MEL"
code = "ANN"
name = "Ann Roberts"
skills = ["engine", "brakes"]

[[mechanics]]
branch = "MEL"
code = "BEN"
name = "Ben Okafor"
skills = ["engine"]

[[mechanics]]
branch = "MEL"
code = "EVE"
name = "Eve Tran"
skills = ["hv_ev", "electrical"]

[[bays]]
branch = "MEL"
code = "S1"
name = "Standard bay"
type = "standard"
max_length_m = "12.5"

[[bays]]
branch = "MEL"
code = "L1"
name = "Long bay"
type = "long"
also_serves = ["standard"]
max_length_m = "26"

[[bays]]
branch = "MEL"
code = "P1"
name = "Pit"
type = "pit"

[[bays]]
branch = "MEL"
code = "H1"
name = "HV bay"
type = "hv_safe"
also_serves = ["standard"]
"""

OPERATIONS = """code,description,standard_hours,skill,bay_type
OIL100,Engine oil and filter change,1.50,engine,standard
BRK200,Reline drive axle brakes,3.00,brakes,pit
HV410,eTRU HV inspection (truck and trailer),2.00,hv_ev,long
ENG810,In-frame engine overhaul,16.00,engine,standard
ROAD900,Road test,0.50,,
"""

PACKAGES = """package,description,operation,part_number,quantity
SVC-A,A service,OIL100,,
SVC-A,,,OIL-FILTER,1
SVC-A,,,ENGINE-OIL,40
"""

PARTS = """part_number,description,unit_price
OIL-FILTER,Oil filter,45.60
ENGINE-OIL,Engine oil (litre),9.80
LINING,Brake lining kit,289.00
SEAL,HV seal kit,96.40
"""

STOCK = """part_number,branch,bin,on_hand
OIL-FILTER,MEL,A-01,5
ENGINE-OIL,MEL,BULK,500
LINING,MEL,C-04,3
SEAL,MEL,H-01,0
"""

DELIVERIES = """part_number,branch,quantity,expected_on,reference
LINING,MEL,4,2026-12-10,PO-1
"""

CUSTOMERS = """number,name,credit_limit,credit_hold
C1,Bayside Haulage Pty Ltd,50000.00,no
C2,Held Transport Pty Ltd,10000.00,yes
C3,Cash Buyer,0,no
"""

VEHICLES = """vin,make,model,registration,owner,branch,odometer_km,next_service_due
YV2RMT437SE558148,Volvo,FM 460,AAA111,C1,MEL,47237,2026-12-20
YV2RTY076FW996717,Volvo,FH 540,BBB222,C2,MEL,1121582,2026-12-01
6F5T36A52RB192211,Kenworth,T360,CCC333,C3,MEL,95265,
"""


WEEKDAY_HOURS = '{ "mon-fri" = "07:00-12:00, 12:30-16:30" }'


def workshop_dealer(db: Database, opening_hours: str = WEEKDAY_HOURS) -> Actor:
    """The small workshop set up; returns the service advisor."""
    admin = small_dealer(db)
    setup = SETUP.replace(WEEKDAY_HOURS, opening_hours)
    for importer, text in (
        (import_customers, CUSTOMERS),
        (import_vehicles, VEHICLES),
        (import_parts, PARTS),
        (import_stock, STOCK),
        (import_deliveries, DELIVERIES),
        (import_workshop_setup, setup),
        (import_operations, OPERATIONS),
        (import_packages, PACKAGES),
    ):
        report = importer(db, admin, text_stream(text))
        assert report.written, [str(p) for p in report.problems]
    return user(db, "service_advisor")


def mel(*parts: int) -> datetime:
    """An instant given as Melbourne wall-clock time."""
    return datetime(*parts, tzinfo=MELBOURNE)


def local(instant: datetime) -> str:
    """An instant as Melbourne wall-clock text, e.g. 'Mon 07/12 07:00'."""
    return instant.astimezone(MELBOURNE).strftime("%a %d/%m %H:%M")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)
