"""Customer and vehicle imports: every row checked, named by line and field,
and all written or none, on both databases."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, inspect, select

from dealer_tui.accounts.models import Account
from dealer_tui.accounts.services import import_customers
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.vehicles.services import import_vehicles
from tests.services.helpers import small_dealer

CUSTOMERS = """number,name,kind,abn,state,branch,sales_rep,credit_limit,credit_hold
c000001,Bayside Haulage Pty Ltd,company,52083016613,vic,MEL,sales_rep,"1,500.50",yes
C000002,  J & B O'Brien Transport  ,,52 083 016 613,,,,,
C000003,Müller Kühltransporte,private,,QLD,,,$20,no
"""


def _problems(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in report.problems]


def _accounts(db: Database) -> dict[str, tuple[object, ...]]:
    with db.read() as session:
        rows = session.execute(
            select(
                Account.number,
                Account.name,
                Account.name_key,
                Account.match_name,
                Account.kind,
                Account.tax_id,
                Account.state,
                Account.credit_limit,
                Account.credit_hold,
                Account.payment_terms_days,
                Account.branch_id.is_not(None),
                Account.sales_rep_id.is_not(None),
            )
        ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_quick_and_full_checks_store_the_same_values(db: Database) -> None:
    """Plain and unusual spellings are stored as the full check reads them."""
    admin = small_dealer(db)
    report = import_customers(db, admin, text_stream(CUSTOMERS))
    assert (report.rows, report.imported, report.problems) == (3, 3, [])
    assert _accounts(db) == {
        "C000001": (
            "Bayside Haulage Pty Ltd",
            "BAYSIDE HAULAGE PTY LTD",
            "BAYSIDE HAULAGE",
            "company",
            "52083016613",
            "VIC",
            Decimal("1500.50"),
            True,
            30,
            True,
            True,
        ),
        "C000002": (
            "J & B O'Brien Transport",
            "J B O BRIEN TRANSPORT",
            "JB OBRIEN TRANSPORT",
            "company",
            "52083016613",
            "",
            Decimal("0.00"),
            False,
            30,
            False,
            False,
        ),
        "C000003": (
            "Müller Kühltransporte",
            "M LLER K HLTRANSPORTE",
            "MULLER KUHLTRANSPORTE",
            "private",
            "",
            "QLD",
            Decimal("20.00"),
            False,
            30,
            False,
            False,
        ),
    }


def test_each_bad_field_is_named_by_its_line(db: Database) -> None:
    """Every problem of every bad row is listed, in line order; nothing is written."""
    admin = small_dealer(db)
    text = (
        "number,name,abn,state,branch,sales_rep,credit_limit,payment_terms_days\n"
        "C1,Good Row,,VIC,MEL,,0,30\n"
        "C2,Bad Abn,52083016614,NSW,,,,\n"
        "\n"
        "C3,,,XX,SYD,nobody,12.345,400\n"
        'C4,"Two\nLines",,,,,,\n'
        "C5,Good Again,,,,,,\n"
        "C6,Bad Limit,,,,,-5,\n"
    )
    report = import_customers(db, admin, text_stream(text))
    assert _problems(report) == [
        "line 3, abn: '52083016614' is not a valid ABN (wrong length or checksum)",
        "line 5, name: is required",
        "line 5, credit_limit: '12.345' has more than two decimal places",
        "line 5, payment_terms_days: cannot be more than 365",
        "line 5, state: 'XX' is not an Australian state",
        "line 5, branch: there is no branch 'SYD'",
        "line 5, sales_rep: there is no user 'nobody'",
        "line 9, credit_limit: cannot be negative",
    ]
    assert (report.rows, report.bad_rows, report.written) == (6, 3, False)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_a_number_twice_in_the_file_names_the_first_line(db: Database) -> None:
    """The second C1 is refused, naming line 2; good rows only takes the first."""
    admin = small_dealer(db)
    text = "number,name\nC1,First\nC2,Second\nc1,Again\n"
    refused = import_customers(db, admin, text_stream(text))
    assert _problems(refused) == ["line 4, number: customer C1 is also on line 2"]
    assert not refused.written
    report = import_customers(db, admin, text_stream(text), good_rows_only=True)
    assert (report.imported, report.bad_rows) == (2, 1)
    assert sorted(_accounts(db)) == ["C1", "C2"]
    assert _accounts(db)["C1"][0] == "First"


def test_a_number_already_on_file_is_refused(db: Database) -> None:
    """A customer number the dealership has is named, also when repeated in the file."""
    admin = small_dealer(db)
    import_customers(db, admin, text_stream("number,name\nC1,First\n"))
    text = "number,name\nC2,New\nC1,Again\nC1,Once more\n"
    report = import_customers(db, admin, text_stream(text))
    assert _problems(report) == [
        "line 3, number: customer C1 already exists",
        "line 4, number: customer C1 already exists",
    ]
    assert sorted(_accounts(db)) == ["C1"]


def test_a_dry_run_checks_and_writes_nothing(db: Database) -> None:
    """A dry run of good rows reports them all good and leaves the table empty."""
    admin = small_dealer(db)
    report = import_customers(
        db, admin, text_stream("number,name\nC1,One\nC2,Two\n"), dry_run=True
    )
    assert report.summary() == "Checked 2 customers: all rows are good (dry run)."
    assert _accounts(db) == {}


def _index_names(db: Database, table: str) -> list[str]:
    with db.engine.connect() as connection:
        return sorted(i["name"] or "" for i in inspect(connection).get_indexes(table))


def test_the_tables_keep_their_indexes(db: Database) -> None:
    """Importing into empty tables, and a refused import, leave every index there."""
    admin = small_dealer(db)
    accounts = _index_names(db, "accounts")
    vehicles = _index_names(db, "vehicles")
    rows = "".join(f"C{n:05},Customer {n}\n" for n in range(600))
    import_customers(db, admin, text_stream("number,name\n" + rows))
    vins = "".join(f"YV2RT40A0GB{n:06},Volvo,FH,C{n:05}\n" for n in range(600))
    import_vehicles(db, admin, text_stream("vin,make,model,owner\n" + vins))
    import_customers(db, admin, text_stream("number,name\nX1,New\nC00001,Old\n"))
    assert _index_names(db, "accounts") == accounts
    assert _index_names(db, "vehicles") == vehicles
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Vehicle)) == 600
        owner = session.scalar(
            select(Account.number)
            .join(Vehicle, Vehicle.owner_id == Account.id)
            .where(Vehicle.vin == "YV2RT40A0GB000599")
        )
    assert owner == "C00599"


def test_vehicle_rows_are_refused_for_repeats_existing_vins_and_owners(
    db: Database,
) -> None:
    """A VIN twice, a VIN on file and an unknown owner are each named by line."""
    admin = small_dealer(db)
    import_customers(db, admin, text_stream("number,name\nC1,Owner\n"))
    import_vehicles(
        db, admin, text_stream("vin,make,model\nYV2RT40A0GB000001,Volvo,FH\n")
    )
    text = (
        "vin,make,model,model_year,odometer_km,owner,next_service_due\n"
        'yv2rt40a0gb000002,Volvo,FM,2020,"12,000",c1,31/12/2026\n'
        "YV2RT40A0GB000001,Volvo,FM,,,,\n"
        "YV2RT40A0GB000002,Volvo,FM,,,,\n"
        "YV2RT40A0GB000003,Volvo,FM,,,C9,\n"
        "YV2RT40A0GB000004,Volvo,FM,1949,x,,2026-02-30\n"
    )
    report = import_vehicles(db, admin, text_stream(text), good_rows_only=True)
    assert _problems(report) == [
        "line 6, model_year: cannot be less than 1950",
        "line 6, odometer_km: 'x' is not a whole number",
        "line 6, next_service_due: '2026-02-30' is not a date "
        "(use YYYY-MM-DD or DD/MM/YYYY)",
        "line 3, vin: vehicle YV2RT40A0GB000001 already exists",
        "line 4, vin: VIN YV2RT40A0GB000002 is also on line 2",
        "line 5, owner: there is no customer C9",
    ]
    assert (report.imported, report.bad_rows) == (1, 4)
    with db.read() as session:
        vehicle = session.scalars(
            select(Vehicle).where(Vehicle.vin == "YV2RT40A0GB000002")
        ).one()
    assert (vehicle.odometer_km, vehicle.model_year, str(vehicle.next_service_due)) == (
        12000,
        2020,
        "2026-12-31",
    )
