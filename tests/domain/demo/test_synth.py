"""The synthetic dealership: valid numbers, unique keys, believable rows."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.au import abn as stdnum_abn

from dealer_tui.demo.synth import (
    BRANCHES,
    COASTAL_FREIGHT,
    CONTACT_COLUMNS,
    CUSTOMER_COLUMNS,
    DEMO_AS_OF,
    VEHICLE_COLUMNS,
    Contact,
    Customer,
    SyntheticDealership,
    Vehicle,
    abn_with_check_digits,
    build_vin,
    demo_dealership,
    model_year_code,
)
from dealer_tui.vehicles.vin import check_digit, validate

WMI_OF_MAKE = {
    "Volvo": "YV2",
    "Mack": "1M1",
    "UD": "JNC",
    "Kenworth": "6F5",
    "Scania": "YS2",
    "Mercedes-Benz": "WDB",
    "Isuzu": "JAL",
    "Hino": "JHF",
}
PLATE_SHAPES = {
    "VIC": re.compile(r"1[A-Z]{2}\d[A-Z]{2}|X[A-Z]\d{2}[A-Z]{2}"),
    "QLD": re.compile(r"\d{3}[A-Z]{2}\d|\d{3}[A-Z]{3}"),
    "NSW": re.compile(r"[A-Z]{2}\d{2}[A-Z]{2}"),
}
LANDLINE = re.compile(r"\((0[2378])\) \d{4} \d{4}")
MOBILE = re.compile(r"04\d{2} \d{3} \d{3}")
POSTCODE_FIRST_DIGIT = {"VIC": "3", "QLD": "4", "NSW": "2"}

Rows = tuple[list[Customer], list[Contact], list[Vehicle]]


@cache
def demo_rows() -> Rows:
    dealership = demo_dealership()
    return (
        list(dealership.customers()),
        list(dealership.contacts()),
        list(dealership.vehicles()),
    )


@cache
def large_rows() -> Rows:
    dealership = SyntheticDealership(
        seed=11, customer_count=5_000, vehicle_count=12_000
    )
    return (
        list(dealership.customers()),
        list(dealership.contacts()),
        list(dealership.vehicles()),
    )


# --- check digits and codes -------------------------------------------------


def test_abn_check_digits_of_known_numbers() -> None:
    """The bodies 824753556 and 914571673 get the leading pairs 51 and 83."""
    assert abn_with_check_digits("824753556") == "51824753556"
    assert abn_with_check_digits("914571673") == "83914571673"


def test_abn_body_already_divisible_gets_99_not_10() -> None:
    """A body weighing 0 modulo 89, such as 000000000, is led by 99, never 10."""
    assert abn_with_check_digits("000000000") == "99000000000"
    assert stdnum_abn.is_valid("99000000000")


@given(st.integers(min_value=0, max_value=999_999_999))
def test_every_abn_body_gives_a_valid_abn(body: int) -> None:
    """Any nine-digit body becomes an ABN that python-stdnum accepts."""
    number = abn_with_check_digits(f"{body:09d}")
    assert len(number) == 11
    assert number.endswith(f"{body:09d}")
    assert stdnum_abn.is_valid(number)


@pytest.mark.parametrize("body", ["12345678", "1234567890", "12345678A"])
def test_abn_body_must_be_nine_digits(body: str) -> None:
    """A body of 8 or 10 characters, or with a letter, is refused."""
    with pytest.raises(ValueError, match="nine digits"):
        abn_with_check_digits(body)


@pytest.mark.parametrize(
    ("year", "code"),
    [(1989, "K"), (2001, "1"), (2010, "A"), (2012, "C"), (2018, "J"), (2024, "R")],
)
def test_model_year_codes(year: int, code: str) -> None:
    """Model years map to the VIN's tenth character, skipping I, O, Q, U and Z."""
    assert model_year_code(year) == code


def test_model_year_code_outside_the_table() -> None:
    """2040 has no model-year character of its own and is refused."""
    with pytest.raises(ValueError, match="2040"):
        model_year_code(2040)


def test_build_vin_rebuilds_the_textbook_example() -> None:
    """1M8 + GDM9A, 1989, plant P, serial 042788 gives 1M8GDM9AXKP042788."""
    assert build_vin("1M8", "GDM9A", 1989, "P", 42788) == "1M8GDM9AXKP042788"


def test_build_vin_refuses_letters_vins_never_use() -> None:
    """A descriptor holding an O (here NOR87) cannot make a VIN."""
    with pytest.raises(ValueError, match="O"):
        build_vin("JAL", "NOR87", 2020, "7", 1)


VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


@given(
    wmi=st.text(VIN_CHARS, min_size=3, max_size=3),
    descriptor=st.text(VIN_CHARS, min_size=5, max_size=5),
    year=st.integers(min_value=1980, max_value=2039),
    plant=st.sampled_from(VIN_CHARS),
    serial=st.integers(min_value=0, max_value=999_999),
)
def test_built_vins_carry_their_check_digit(
    wmi: str, descriptor: str, year: int, plant: str, serial: int
) -> None:
    """Whatever the parts, the built VIN validates and position 9 is its check."""
    vin = build_vin(wmi, descriptor, year, plant, serial)
    assert validate(vin).ok
    assert vin[8] == check_digit(vin)
    assert vin[9] == model_year_code(year)
    assert vin[11:] == f"{serial:06d}"


# --- the demo dealership's customers ----------------------------------------


def test_demo_sizes() -> None:
    """The demo has 300 customers, 600 vehicles of which 60 stock, ~500 contacts."""
    customers, contacts, vehicles = demo_rows()
    assert len(customers) == 300
    assert len(vehicles) == 600
    assert sum(1 for v in vehicles if not v.owner) == 60
    assert 400 <= len(contacts) <= 650


def test_rows_have_exactly_the_fixture_columns() -> None:
    """Each row's text form has the fixture's columns in the fixture's order."""
    customers, contacts, vehicles = demo_rows()
    assert tuple(customers[0].as_row()) == CUSTOMER_COLUMNS
    assert tuple(contacts[0].as_row()) == CONTACT_COLUMNS
    assert tuple(vehicles[0].as_row()) == VEHICLE_COLUMNS


def test_customer_numbers_run_from_c000101() -> None:
    """Numbers are C followed by six digits, C000101 up to C000400, no gap."""
    customers, _, _ = demo_rows()
    numbers = [c.number for c in customers]
    assert numbers == [f"C{n:06d}" for n in range(101, 401)]


def test_every_abn_is_valid_and_companies_all_have_one() -> None:
    """All ABNs pass the checksum; companies all carry one, privates mostly."""
    customers, _, _ = demo_rows()
    assert all(stdnum_abn.is_valid(c.abn) for c in customers if c.abn)
    assert all(c.abn for c in customers if c.kind == "company")
    private = [c for c in customers if c.kind == "private"]
    assert private
    assert sum(1 for c in private if c.abn) > len(private) / 2
    assert any(not c.abn for c in private)


def test_abns_are_unique() -> None:
    """No two customers share an ABN."""
    customers, _, _ = demo_rows()
    abns = [c.abn for c in customers if c.abn]
    assert len(abns) == len(set(abns))


def test_exactly_one_coastal_freight_with_a_low_limit() -> None:
    """One customer is Coastal Freight Lines Pty Ltd, with a 20,000.00 limit."""
    customers, _, _ = demo_rows()
    coastal = [c for c in customers if c.name == COASTAL_FREIGHT]
    assert len(coastal) == 1
    assert coastal[0].credit_limit == Decimal("20000.00")
    assert coastal[0].as_row()["credit_limit"] == "20000.00"
    assert coastal[0].kind == "company"


def test_company_names_are_unique_and_businesslike() -> None:
    """Company names never repeat and include hauliers, councils and the like."""
    customers, _, _ = demo_rows()
    names = [c.name for c in customers if c.kind == "company"]
    assert len(names) == len(set(names))
    text = " | ".join(names)
    for word in ("Pty Ltd", "Council", "Haulage", "Transport", "Concrete"):
        assert word in text


def test_credit_limits_are_exact_money() -> None:
    """Limits are Decimals with two places; privates 0.00; a few fleets 1-2 million."""
    customers, _, _ = demo_rows()
    for customer in customers:
        assert isinstance(customer.credit_limit, Decimal)
        assert re.fullmatch(r"\d+\.\d\d", customer.as_row()["credit_limit"])
        if customer.kind == "private":
            assert customer.credit_limit == Decimal("0.00")
    large = [
        c
        for c in customers
        if Decimal("1000000") <= c.credit_limit <= Decimal("2000000")
    ]
    assert 2 <= len(large) <= 15


def test_payment_terms() -> None:
    """Payment terms are 7, 14, 30 or 45 days, and each of them occurs."""
    customers, _, _ = demo_rows()
    assert {c.payment_terms_days for c in customers} == {7, 14, 30, 45}


def test_addresses_agree_with_their_state() -> None:
    """VIC postcodes start with 3, QLD with 4 and NSW with 2, and all three occur."""
    customers, _, _ = demo_rows()
    for customer in customers:
        assert customer.postcode[0] == POSTCODE_FIRST_DIGIT[customer.state]
        assert len(customer.postcode) == 4
        assert customer.street and customer.suburb
    states = Counter(c.state for c in customers)
    assert states["VIC"] > 0 and states["QLD"] > 0 and states["NSW"] > 0


def test_phone_formats() -> None:
    """Phones read (03) 9xxx xxxx style or 04xx xxx xxx; QLD lines are (07)."""
    customers, contacts, _ = demo_rows()
    for phone in [c.phone for c in customers] + [c.phone for c in contacts]:
        assert LANDLINE.fullmatch(phone) or MOBILE.fullmatch(phone), phone
    for customer in customers:
        landline = LANDLINE.fullmatch(customer.phone)
        if landline and customer.state == "QLD":
            assert landline.group(1) == "07"
        if landline and customer.suburb == "Laverton North":
            assert customer.phone.startswith("(03) 9")
    assert any(MOBILE.fullmatch(c.phone) for c in customers if c.kind == "private")


def test_branches_and_sales_reps() -> None:
    """VIC accounts go to MEL and sam.rep, QLD to BNE and priya.rep, some to nobody."""
    customers, _, _ = demo_rows()
    rep_of = {branch.code: branch.sales_rep for branch in BRANCHES}
    assert rep_of == {"MEL": "sam.rep", "BNE": "priya.rep"}
    for customer in customers:
        assert customer.branch in rep_of
        assert customer.sales_rep in ("", rep_of[customer.branch])
        if customer.state == "VIC":
            assert customer.branch == "MEL"
        if customer.state == "QLD":
            assert customer.branch == "BNE"
    assert any(c.sales_rep == "" for c in customers)
    assert {c.sales_rep for c in customers} == {"", "sam.rep", "priya.rep"}


def test_emails_use_reserved_domains() -> None:
    """Every address ends in .example or @example.com, so no real inbox is mailed."""
    customers, contacts, _ = demo_rows()
    for email in [c.email for c in customers] + [c.email for c in contacts]:
        local, _, domain = email.partition("@")
        assert local and re.fullmatch(r"[a-z0-9.]+", local), email
        assert domain.endswith(".example") or domain == "example.com", email


# --- contacts ---------------------------------------------------------------


def test_contacts_belong_to_companies_one_primary_each() -> None:
    """Each company has 1 to 3 contacts with exactly one primary; privates none."""
    customers, contacts, _ = demo_rows()
    kind_of = {c.number: c.kind for c in customers}
    per_customer = Counter(c.customer_number for c in contacts)
    primaries = Counter(c.customer_number for c in contacts if c.primary)
    for number, kind in kind_of.items():
        if kind == "company":
            assert 1 <= per_customer[number] <= 3
            assert primaries[number] == 1
        else:
            assert per_customer[number] == 0
    assert set(per_customer) <= set(kind_of)


def test_contacts_of_one_company_have_different_names_and_jobs() -> None:
    """Within a company no two contacts share a name or a position."""
    _, contacts, _ = demo_rows()
    names = Counter((c.customer_number, c.name) for c in contacts)
    jobs = Counter((c.customer_number, c.position) for c in contacts)
    assert max(names.values()) == 1
    assert max(jobs.values()) == 1


# --- vehicles ---------------------------------------------------------------


def test_every_vin_is_valid_with_its_check_digit() -> None:
    """All 600 VINs validate and carry the ISO 3779 check digit in position 9."""
    _, _, vehicles = demo_rows()
    for vehicle in vehicles:
        assert validate(vehicle.vin).ok, vehicle.vin
        assert vehicle.vin[8] == check_digit(vehicle.vin)
        assert not set("IOQ") & set(vehicle.vin)


def test_vins_match_make_and_model_year() -> None:
    """A VIN starts with its make's WMI and position 10 encodes its model year."""
    _, _, vehicles = demo_rows()
    for vehicle in vehicles:
        assert vehicle.vin[:3] == WMI_OF_MAKE[vehicle.make]
        assert vehicle.vin[9] == model_year_code(vehicle.model_year)
        assert 2012 <= vehicle.model_year <= 2026


def test_the_franchise_makes_lead() -> None:
    """Volvo, Mack and UD, the dealer's own makes, are most of the trucks."""
    _, _, vehicles = demo_rows()
    makes = Counter(v.make for v in vehicles)
    franchise = makes["Volvo"] + makes["Mack"] + makes["UD"]
    assert franchise > len(vehicles) / 2
    assert len(makes) >= 6


def test_vins_and_plates_are_unique() -> None:
    """No VIN repeats, and no registration repeats across all states."""
    _, _, vehicles = demo_rows()
    vins = [v.vin for v in vehicles]
    plates = [v.registration for v in vehicles if v.registration]
    assert len(vins) == len(set(vins))
    assert len(plates) == len(set(plates))


def test_plates_have_their_state_shape() -> None:
    """VIC plates read 1AB2CD or XV12AB, QLD 123AB4 or 123ABC, NSW AB12CD."""
    _, _, vehicles = demo_rows()
    for vehicle in vehicles:
        if vehicle.registration:
            shape = PLATE_SHAPES[vehicle.registration_state]
            assert shape.fullmatch(vehicle.registration), vehicle.registration
        else:
            assert vehicle.registration_state == ""


def test_owners_are_customers_with_fleets_of_one_to_thirty() -> None:
    """Owned trucks belong to existing customers, mostly companies, 1-30 each."""
    customers, _, vehicles = demo_rows()
    kind_of = {c.number: c.kind for c in customers}
    fleets = Counter(v.owner for v in vehicles if v.owner)
    assert set(fleets) <= set(kind_of)
    assert max(fleets.values()) <= 30
    assert max(fleets.values()) >= 10
    company_trucks = sum(
        n for owner, n in fleets.items() if kind_of[owner] == "company"
    )
    assert company_trucks > 0.8 * sum(fleets.values())


def test_owned_trucks_follow_their_customer() -> None:
    """An owned truck is registered in its owner's state and kept at its branch."""
    customers, _, vehicles = demo_rows()
    by_number = {c.number: c for c in customers}
    for vehicle in vehicles:
        if vehicle.owner:
            owner = by_number[vehicle.owner]
            assert vehicle.registration_state == owner.state
            assert vehicle.branch == owner.branch


def test_stock_units() -> None:
    """Stock has no owner; new units show at most 60 km and no service yet."""
    _, _, vehicles = demo_rows()
    stock = [v for v in vehicles if not v.owner]
    new = [v for v in stock if not v.registration]
    assert new
    for vehicle in new:
        assert vehicle.odometer_km <= 60
        assert vehicle.model_year >= 2025
        assert vehicle.next_service_due is None
        assert vehicle.make in ("Volvo", "Mack", "UD")
    assert all(v.branch in ("MEL", "BNE") for v in stock)


def test_odometers_fit_the_trucks_age() -> None:
    """No truck has run more than 150,000 km a year since its model year began."""
    _, _, vehicles = demo_rows()
    for vehicle in vehicles:
        earliest = date(vehicle.model_year - 1, 9, 1)
        years = (DEMO_AS_OF - earliest).days / 365
        assert 0 <= vehicle.odometer_km <= 150_000 * years + 1


def test_services_due() -> None:
    """Some services are overdue on 4 December 2026; most fall in the next 6 months."""
    _, _, vehicles = demo_rows()
    offsets = [
        (v.next_service_due - DEMO_AS_OF).days for v in vehicles if v.next_service_due
    ]
    overdue = [d for d in offsets if d < 0]
    soon = [d for d in offsets if 0 <= d <= 183]
    assert overdue
    assert len(soon) > len(offsets) / 2
    assert all(d <= 366 for d in offsets)


def test_service_kilometres_agree_with_the_due_date() -> None:
    """A service not yet due by date is due at or beyond today's odometer."""
    _, _, vehicles = demo_rows()
    for vehicle in vehicles:
        if vehicle.next_service_due is None:
            assert vehicle.next_service_km is None
            continue
        assert vehicle.next_service_km is not None
        assert vehicle.next_service_km % 500 == 0
        if vehicle.next_service_due >= DEMO_AS_OF:
            assert vehicle.next_service_km >= vehicle.odometer_km


# --- determinism and scale --------------------------------------------------


def test_same_seed_same_dealership() -> None:
    """Two dealerships built from seed 2026 produce identical rows."""
    again = demo_dealership()
    assert (
        list(again.customers()),
        list(again.contacts()),
        list(again.vehicles()),
    ) == demo_rows()


def test_another_seed_another_dealership() -> None:
    """Seed 2027 gives different customers from seed 2026."""
    other = SyntheticDealership(seed=2027)
    assert list(other.customers()) != demo_rows()[0]


def test_streams_do_not_depend_on_the_order_they_are_read() -> None:
    """Reading vehicles before customers gives the same vehicles as after."""
    fresh = demo_dealership()
    vehicles = list(fresh.vehicles())
    list(fresh.customers())
    assert vehicles == demo_rows()[2] == list(fresh.vehicles())


def test_a_larger_dealership_stays_unique() -> None:
    """5,000 customers and 12,000 vehicles: unique keys, valid numbers, one Coastal."""
    customers, contacts, vehicles = large_rows()
    assert len(customers) == 5_000
    assert len(vehicles) == 12_000
    assert sum(1 for v in vehicles if not v.owner) == 1_200
    assert len({c.number for c in customers}) == 5_000
    abns = [c.abn for c in customers if c.abn]
    assert len(abns) == len(set(abns))
    assert all(stdnum_abn.is_valid(a) for a in abns)
    assert len({v.vin for v in vehicles}) == 12_000
    plates = [v.registration for v in vehicles if v.registration]
    assert len(plates) == len(set(plates))
    assert all(validate(v.vin).ok for v in vehicles)
    assert sum(1 for c in customers if c.name == COASTAL_FREIGHT) == 1
    assert {c.customer_number for c in contacts} <= {c.number for c in customers}


def test_councils_are_not_repeated() -> None:
    """Each council appears at most once, even among 5,000 customers."""
    customers, _, _ = large_rows()
    councils = Counter(c.name for c in customers if c.segment == "municipal")
    assert councils
    assert max(councils.values()) == 1


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    customer_count=st.integers(min_value=0, max_value=40),
    vehicle_count=st.integers(min_value=0, max_value=200),
)
def test_any_size_gives_exact_counts_or_a_clear_refusal(
    seed: int, customer_count: int, vehicle_count: int
) -> None:
    """Any size either yields exactly the vehicles asked for, or says it cannot."""
    try:
        dealership = SyntheticDealership(seed, customer_count, vehicle_count)
    except ValueError as problem:
        assert "cannot own" in str(problem)
        return
    customers = list(dealership.customers())
    vehicles = list(dealership.vehicles())
    assert len(customers) == customer_count
    assert len(vehicles) == vehicle_count
    numbers = {c.number for c in customers}
    assert {v.owner for v in vehicles if v.owner} <= numbers
    assert len({v.vin for v in vehicles}) == vehicle_count
    assert all(validate(v.vin).ok for v in vehicles)
    for contact in dealership.contacts():
        assert contact.customer_number in numbers


def test_too_many_vehicles_for_the_customers_is_refused() -> None:
    """Two customers cannot own the 90 owned trucks of a 100-vehicle dealership."""
    with pytest.raises(ValueError, match="cannot own 90 vehicles"):
        SyntheticDealership(seed=1, customer_count=2, vehicle_count=100)


def test_negative_sizes_are_refused() -> None:
    """A negative number of customers is refused."""
    with pytest.raises(ValueError, match="negative"):
        SyntheticDealership(seed=1, customer_count=-1, vehicle_count=0)


def test_without_customers_every_vehicle_is_stock() -> None:
    """With no customers, all 5 vehicles are stock units with no owner."""
    vehicles = list(SyntheticDealership(1, 0, 5).vehicles())
    assert len(vehicles) == 5
    assert all(v.owner == "" for v in vehicles)


def test_service_due_dates_are_dates_near_the_demo_day() -> None:
    """Due dates lie within 150 days before and a year after 4 December 2026."""
    _, _, vehicles = demo_rows()
    for vehicle in vehicles:
        due = vehicle.next_service_due
        if due is not None:
            assert DEMO_AS_OF - timedelta(days=150) <= due
            assert due <= DEMO_AS_OF + timedelta(days=365)
