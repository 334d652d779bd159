"""Typed text found on indexes: customer numbers, name fragments, makes."""

from __future__ import annotations

from sqlalchemy import select

from dealer_tui.accounts.models import Account
from dealer_tui.accounts.services import (
    AccountForm,
    account_view,
    customer_page,
    import_customers,
    update_account,
)
from dealer_tui.core.csvimport import text_stream
from dealer_tui.core.db import Database
from dealer_tui.core.models import NumberSeries
from dealer_tui.core.paging import From, PageRequest
from dealer_tui.invoicing.listing import invoice_page
from dealer_tui.invoicing.services import DraftForm, LineForm, create_draft
from dealer_tui.search.pages import page_in_order
from dealer_tui.search.services import global_search
from dealer_tui.vehicles.services import import_vehicles, vehicle_page
from tests.services.helpers import small_dealer, user

CUSTOMERS = """number,name
C000400,Bayside Haulage Pty Ltd
C001400,Coastal Tippers
C2026-000400,Ridge Line Concrete
C000007,Northern Cold Chain
"""

VEHICLES = """vin,make,model,registration
YV2RT40A0GB000777,Volvo,FH 540,1AB2CD
YV2RT40A0GB000778,volvo,FM 460,XV12AB
1M1AN07Y7KM000123,Mack,Anthem,MK01
WDB9634031L000555,Mercedes-Benz,Actros,
"""


def _customers(db: Database, typed: str) -> list[str]:
    counter = user(db, "counter")
    return [h.title for h in global_search(db, counter, typed) if h.kind == "customer"]


def _dealer(db: Database):  # type: ignore[no-untyped-def]
    admin = small_dealer(db)
    assert import_customers(db, admin, text_stream(CUSTOMERS)).written
    with db.write() as session:
        session.add(
            NumberSeries(series="customer", year=2026, prefix="C", next_value=401)
        )
    return admin


def test_digits_find_the_customer_number_they_stand_for(db: Database) -> None:
    """'400' is C000400 and, numbered in 2026, C2026-000400; not C001400."""
    _dealer(db)
    assert _customers(db, "400") == ["Bayside Haulage Pty Ltd", "Ridge Line Concrete"]
    assert _customers(db, "000400") == [
        "Bayside Haulage Pty Ltd",
        "Ridge Line Concrete",
    ]
    assert _customers(db, "1400") == ["Coastal Tippers"]
    assert _customers(db, "007") == ["Northern Cold Chain"]


def test_a_fragment_from_the_middle_of_a_name_is_found(db: Database) -> None:
    """'aulag' and 'cold ch' find the names holding them, in the search and list."""
    admin = _dealer(db)
    assert _customers(db, "aulag") == ["Bayside Haulage Pty Ltd"]
    assert _customers(db, "cold ch") == ["Northern Cold Chain"]
    assert _customers(db, "e l") == ["Ridge Line Concrete"]
    assert _customers(db, "zzq") == []
    rows, _, more = customer_page(db, admin, "ONCRE", PageRequest())
    assert [r.name for r in rows] == ["Ridge Line Concrete"] and not more


def test_a_renamed_customer_is_found_by_the_new_name_only(db: Database) -> None:
    """The name index follows a rename: 'tipper' no longer finds it, 'gravel' does."""
    admin = _dealer(db)
    with db.read() as session:
        number = session.scalar(select(Account.id).where(Account.number == "C001400"))
    view = account_view(db, admin, number)
    form = AccountForm("Inland Gravel Co", "", "", "", "", "", "", "")
    update_account(db, admin, view.id, view.version, form)
    assert _customers(db, "tipper") == []
    assert _customers(db, "ravel") == ["Inland Gravel Co"]


def test_the_customer_list_pages_through_names_and_numbers(db: Database) -> None:
    """'c0' starts every number of the C000 form: two pages of two, name order."""
    admin = _dealer(db)
    first, keys, more = customer_page(db, admin, "c0", PageRequest(limit=2))
    assert [r.name for r in first] == ["Bayside Haulage Pty Ltd", "Coastal Tippers"]
    assert more
    rest, _, more = customer_page(db, admin, "c0", PageRequest(From.AFTER, keys[-1], 2))
    assert [r.name for r in rest] == ["Northern Cold Chain"] and not more
    last, _, more = customer_page(db, admin, "c0", PageRequest(From.END, None, 2))
    assert [r.name for r in last] == ["Coastal Tippers", "Northern Cold Chain"]
    assert more


def test_the_invoice_list_finds_a_customer_by_a_middle_word(db: Database) -> None:
    """A draft for Bayside Haulage is found by 'haul' and by its number 'C0004'."""
    _dealer(db)
    clerk = user(db, "sales_admin")
    draft = create_draft(
        db, clerk, DraftForm("C000400"), [LineForm("Oil filter", "1", "100.00")]
    )
    for typed in ("haul", "C0004", "bay"):
        rows, _, _ = invoice_page(db, clerk, typed, PageRequest())
        assert [r.id for r in rows] == [draft.id], typed
    rows, _, _ = invoice_page(db, clerk, "tippers", PageRequest())
    assert rows == []


def test_the_vehicle_list_finds_makes_in_any_case(db: Database) -> None:
    """'vol' finds both Volvos (one typed in lower case), 'me' the Mercedes."""
    admin = _dealer(db)
    assert import_vehicles(db, admin, text_stream(VEHICLES)).written
    rows, _, _ = vehicle_page(db, admin, "vol", PageRequest())
    assert [r.vin for r in rows] == ["YV2RT40A0GB000777", "YV2RT40A0GB000778"]
    rows, _, _ = vehicle_page(db, admin, "me", PageRequest())
    assert [r.vin for r in rows] == ["WDB9634031L000555"]
    rows, _, _ = vehicle_page(db, admin, "m", PageRequest())
    assert [r.vin for r in rows] == ["1M1AN07Y7KM000123", "WDB9634031L000555"]
    rows, _, _ = vehicle_page(db, admin, "000", PageRequest())
    assert [r.vin for r in rows] == [
        "1M1AN07Y7KM000123",
        "WDB9634031L000555",
        "YV2RT40A0GB000777",
        "YV2RT40A0GB000778",
    ]


def test_the_lists_find_the_same_read_by_id_or_in_order(
    db: Database, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """With every match taken as 'many', each list still shows the same rows."""
    from dealer_tui.invoicing import listing
    from dealer_tui.search import names
    from dealer_tui.vehicles import services as vehicles

    admin = _dealer(db)
    assert import_vehicles(db, admin, text_stream(VEHICLES)).written
    clerk = user(db, "sales_admin")
    for number in ("C000400", "C001400", "C000007"):
        create_draft(db, clerk, DraftForm(number), [LineForm("Filter", "1", "10.00")])

    def shown() -> list[list[object]]:
        found: list[list[object]] = []
        for typed in ("c0", "aulag", "b", "c2026", "e l"):
            rows, _, _ = customer_page(db, admin, typed, PageRequest())
            found.append([r.id for r in rows])
        for typed in ("vol", "000", "m", "1a", "x"):
            rows, _, _ = vehicle_page(db, admin, typed, PageRequest())
            found.append([r.id for r in rows])
        for typed in ("haul", "C0004", "co", "c0", "zz"):
            rows, _, _ = invoice_page(db, clerk, typed, PageRequest())
            found.append([r.id for r in rows])
        return found

    by_id = shown()
    assert by_id[0] and by_id[5] and by_id[10]
    monkeypatch.setattr(names, "FEW_ACCOUNTS", 0)
    monkeypatch.setattr(vehicles, "FEW_VEHICLES", 0)
    monkeypatch.setattr(listing, "FEW_BUYERS", 0)
    monkeypatch.setattr(listing, "FEW_NUMBERED", 0)
    assert shown() == by_id


def test_names_imported_in_bulk_or_a_few_at_a_time_are_found_inside(
    db: Database,
) -> None:
    """A first import rebuilds the name index at once; a small later one feeds it."""
    admin = _dealer(db)
    later = "number,name\nC000500,Outback Livestock Carriers\n"
    assert import_customers(db, admin, text_stream(later)).written
    assert _customers(db, "ivesto") == ["Outback Livestock Carriers"]
    assert _customers(db, "aulag") == ["Bayside Haulage Pty Ltd"]
    if db.is_sqlite:
        with db.engine.connect() as connection:
            triggers = connection.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'accounts'"
            ).scalar_one()
        assert triggers == 3


SHORT_WORDS = """number,name
C000501,Y & V Blue Haulage
C000502,Murray Valley Tippers
C000503,Bay & V Logistics
C000504,Yarra Valley Transport
C000505,Y & W Freight
"""


def test_one_letter_words_find_the_names_holding_them_in_order(
    db: Database, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """'Y & V' is the text 'Y V' anywhere: three names, paged in name order.

    Found by reading the name order first, and the same when that read
    stops before the page is full.
    """
    from dealer_tui.search import names

    admin = _dealer(db)
    assert import_customers(db, admin, text_stream(SHORT_WORDS)).written

    def pages() -> list[object]:
        first, keys, more = customer_page(db, admin, "Y & V", PageRequest(limit=2))
        rest, _, rest_more = customer_page(
            db, admin, "Y & V", PageRequest(From.AFTER, keys[-1], 2)
        )
        last, _, last_more = customer_page(
            db, admin, "y&v", PageRequest(From.END, None, 2)
        )
        blue, _, _ = customer_page(db, admin, "Y & V B", PageRequest())
        return [
            [r.name for r in first],
            more,
            [r.name for r in rest],
            rest_more,
            [r.name for r in last],
            last_more,
            [r.name for r in blue],
        ]

    expected = [
        ["Bay & V Logistics", "Murray Valley Tippers"],
        True,
        ["Y & V Blue Haulage"],
        False,
        ["Murray Valley Tippers", "Y & V Blue Haulage"],
        True,
        ["Y & V Blue Haulage"],
    ]
    assert pages() == expected
    monkeypatch.setattr(names, "SHORT_WORDS_READ", 1)
    assert pages() == expected


def test_a_page_is_read_in_order_until_full_or_given_up(db: Database) -> None:
    """Reading the name order: the page's rows, or None when the read stops short."""
    admin = _dealer(db)
    assert import_customers(db, admin, text_stream(SHORT_WORDS)).written
    order = (Account.name_key, Account.id)
    holds = Account.name_key.like("%Y V%")
    with db.read() as session:
        ids = dict(session.execute(select(Account.name, Account.id)).all())
        page = page_in_order(session, order, holds, PageRequest(limit=2), 100)
        assert page is not None
        found = session.scalars(select(Account.name).where(page).order_by(*order))
        assert list(found) == [
            "Bay & V Logistics",
            "Murray Valley Tippers",
            "Y & V Blue Haulage",
        ]
        back = PageRequest(
            From.BEFORE, ("Y V BLUE HAULAGE", ids["Y & V Blue Haulage"]), 1
        )
        page = page_in_order(session, order, holds, back, 100)
        assert page is not None
        found = session.scalars(select(Account.name).where(page).order_by(*order))
        assert list(found) == ["Bay & V Logistics", "Murray Valley Tippers"]
        # The first two names read hold no 'Y V'.
        assert page_in_order(session, order, holds, PageRequest(limit=2), 2) is None
        assert page_in_order(session, order, holds, PageRequest(limit=3), 100) is None


def test_a_vehicle_key_of_one_or_two_characters_pages_in_vin_order(
    db: Database, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """'00' starts every VIN's last six: two pages of two; the same read any way."""
    from dealer_tui.vehicles import services as vehicles

    admin = _dealer(db)
    assert import_vehicles(db, admin, text_stream(VEHICLES)).written

    def pages() -> list[object]:
        first, keys, more = vehicle_page(db, admin, "00", PageRequest(limit=2))
        rest, _, rest_more = vehicle_page(
            db, admin, "00", PageRequest(From.AFTER, keys[-1], 2)
        )
        last, _, _ = vehicle_page(db, admin, "x", PageRequest(From.END, None, 2))
        one, _, _ = vehicle_page(db, admin, "1", PageRequest(limit=1))
        return [
            [r.vin for r in first],
            more,
            [r.vin for r in rest],
            rest_more,
            [r.vin for r in last],
            [r.vin for r in one],
        ]

    expected = [
        ["1M1AN07Y7KM000123", "WDB9634031L000555"],
        True,
        ["YV2RT40A0GB000777", "YV2RT40A0GB000778"],
        False,
        ["YV2RT40A0GB000778"],
        ["1M1AN07Y7KM000123"],
    ]
    assert pages() == expected
    monkeypatch.setattr(vehicles, "SHORT_KEY_READ", 1)
    assert pages() == expected
