"""Synthetic customers, contacts and vehicles for an Australian truck dealer.

The dealer is Southern Cross Trucks, an authorised Volvo, Mack and UD dealer
with a branch in Laverton North (Melbourne) and one in Larapinta (Brisbane).
Everything here is invented but shaped like the real thing: company names of
hauliers, concrete pumpers, councils and farmers; real suburbs with their
postcodes; Australian Business Numbers with correct check digits; VINs whose
ninth character is a correct ISO 3779 check digit; plates in each state's
format; odometers that fit the truck's age and work.

The same seed always gives the same dealership. Rows are produced by
generators, one at a time, so a dealership of a few hundred rows (the demo
fixtures) and one of hundreds of thousands (for load tests) come from the
same code. Numbers that must be unique (ABNs, VIN serials, plates) are drawn
from scattered permutations instead of being retried until unused.

Email addresses use the reserved ``example`` domains so that a demo database
can never send a message to a real business.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from math import gcd
from typing import Generic, TypeVar

from dealer_tui.vehicles.vin import check_digit

DEALER_NAME = "Southern Cross Trucks"
FRANCHISES = ("Volvo", "Mack", "UD")
DEMO_SEED = 2026
DEMO_AS_OF = date(2026, 12, 4)
# The demo fixtures' size: the dealership that `dealer demo` loads.
DEMO_CUSTOMERS = 300
DEMO_VEHICLES = 600

FIRST_MODEL_YEAR = 2012
LAST_MODEL_YEAR = 2026
COASTAL_FREIGHT = "Coastal Freight Lines Pty Ltd"
COASTAL_FREIGHT_LIMIT = Decimal("20000.00")
MAX_FLEET = 30
STOCK_PERCENT = 10

CUSTOMER_COLUMNS = (
    "number",
    "name",
    "kind",
    "abn",
    "phone",
    "email",
    "street",
    "suburb",
    "state",
    "postcode",
    "branch",
    "sales_rep",
    "credit_limit",
    "payment_terms_days",
)
CONTACT_COLUMNS = ("customer_number", "name", "position", "phone", "email", "primary")
VEHICLE_COLUMNS = (
    "vin",
    "make",
    "model",
    "model_year",
    "registration",
    "registration_state",
    "odometer_km",
    "owner",
    "branch",
    "next_service_due",
    "next_service_km",
)

_CENT = Decimal("0.01")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Branch:
    """One of the dealer's sites, with the zone its workshop calendar uses."""

    code: str
    name: str
    suburb: str
    state: str
    postcode: str
    time_zone: str
    sales_rep: str


BRANCHES = (
    Branch(
        "MEL",
        "Melbourne West",
        "Laverton North",
        "VIC",
        "3026",
        "Australia/Melbourne",
        "sam.rep",
    ),
    Branch(
        "BNE",
        "Brisbane",
        "Larapinta",
        "QLD",
        "4110",
        "Australia/Brisbane",
        "priya.rep",
    ),
)
_SALES_REP = {branch.code: branch.sales_rep for branch in BRANCHES}


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer account as the demo fixtures describe it."""

    number: str
    name: str
    kind: str
    abn: str
    phone: str
    email: str
    street: str
    suburb: str
    state: str
    postcode: str
    branch: str
    sales_rep: str
    credit_limit: Decimal
    payment_terms_days: int
    # The line of work the account is in; not a fixture column.
    segment: str

    def as_row(self) -> dict[str, str]:
        """The customer as text, keyed by the fixture's column names."""
        return {
            "number": self.number,
            "name": self.name,
            "kind": self.kind,
            "abn": self.abn,
            "phone": self.phone,
            "email": self.email,
            "street": self.street,
            "suburb": self.suburb,
            "state": self.state,
            "postcode": self.postcode,
            "branch": self.branch,
            "sales_rep": self.sales_rep,
            "credit_limit": f"{self.credit_limit:.2f}",
            "payment_terms_days": str(self.payment_terms_days),
        }


@dataclass(frozen=True, slots=True)
class Contact:
    """A person the dealer deals with at a company customer."""

    customer_number: str
    name: str
    position: str
    phone: str
    email: str
    primary: bool

    def as_row(self) -> dict[str, str]:
        """The contact as text, keyed by the fixture's column names."""
        return {
            "customer_number": self.customer_number,
            "name": self.name,
            "position": self.position,
            "phone": self.phone,
            "email": self.email,
            "primary": "yes" if self.primary else "no",
        }


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A truck the dealer knows: a customer's, or a unit in stock (no owner)."""

    vin: str
    make: str
    model: str
    model_year: int
    registration: str
    registration_state: str
    odometer_km: int
    owner: str
    branch: str
    next_service_due: date | None
    next_service_km: int | None

    def as_row(self) -> dict[str, str]:
        """The vehicle as text, keyed by the fixture's column names."""
        due = self.next_service_due
        km = self.next_service_km
        return {
            "vin": self.vin,
            "make": self.make,
            "model": self.model,
            "model_year": str(self.model_year),
            "registration": self.registration,
            "registration_state": self.registration_state,
            "odometer_km": str(self.odometer_km),
            "owner": self.owner,
            "branch": self.branch,
            "next_service_due": due.isoformat() if due else "",
            "next_service_km": "" if km is None else str(km),
        }


# --- check digits and codes -------------------------------------------------

_ABN_WEIGHTS = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)
_VIN_CHARACTERS = frozenset("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")
# Model-year characters repeat every 30 years; 2010 restarted the cycle at A.
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"


def abn_with_check_digits(body: str) -> str:
    """The 11-digit ABN whose last nine digits are ``body``.

    An ABN is valid when, after subtracting one from its first digit, the
    weighted sum of its digits is a multiple of 89. For any body exactly
    one pair of leading digits from 11 to 99 makes it so; 10 would too, but
    the register never issues it.
    """
    if len(body) != 9 or not body.isdigit():
        raise ValueError(f"an ABN body has nine digits, not {body!r}")
    partial = sum(int(d) * w for d, w in zip(body, _ABN_WEIGHTS[2:], strict=True))
    # The leading pair 10 + k adds k to the weighted sum, k from 1 to 89.
    lead = 10 + (-partial - 1) % 89 + 1
    return f"{lead}{body}"


def model_year_code(year: int) -> str:
    """The VIN's tenth character for a model year (2012 is C, 2026 is T)."""
    if not 1980 <= year <= 2039:
        raise ValueError(f"no model-year character for {year}")
    return _YEAR_CODES[(year - 1980) % 30]


def build_vin(wmi: str, descriptor: str, year: int, plant: str, serial: int) -> str:
    """A 17-character VIN with its check digit computed into position nine.

    ``wmi`` is the maker's three characters, ``descriptor`` the five that
    describe the vehicle, ``plant`` the assembly plant's character and
    ``serial`` the production number (six digits).
    """
    if len(wmi) != 3 or len(descriptor) != 5 or len(plant) != 1:
        raise ValueError("a VIN is built from 3 + 5 + 1 characters and a serial")
    if not 0 <= serial <= 999_999:
        raise ValueError(f"a VIN serial has six digits, not {serial}")
    draft = f"{wmi}{descriptor}0{model_year_code(year)}{plant}{serial:06d}"
    unusable = sorted(set(draft) - _VIN_CHARACTERS)
    if unusable:
        raise ValueError(f"a VIN cannot contain {', '.join(unusable)}")
    # Position nine weighs nothing in the sum, so the placeholder 0 above
    # leaves the check digit as it should be.
    return f"{draft[:8]}{check_digit(draft)}{draft[9:]}"


# --- tables -----------------------------------------------------------------


def _listed(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(","))


@dataclass(frozen=True, slots=True)
class _Suburb:
    name: str
    postcode: str
    state: str
    branch: str
    # Landline area code and the first digit of local numbers there.
    area: str
    lead: str
    # A country town rather than a city's industrial or outer suburb.
    country: bool


def _suburbs(state: str, branch: str, rows: str) -> tuple[_Suburb, ...]:
    suburbs = []
    for line in rows.strip().splitlines():
        name, postcode, area, lead, setting = _listed(line)
        suburbs.append(
            _Suburb(name, postcode, state, branch, area, lead, setting == "country")
        )
    return tuple(suburbs)


# Each row: suburb, postcode, landline area code, first digit of local
# numbers, and whether it is a city suburb or a country town.
_VIC = _suburbs(
    "VIC",
    "MEL",
    """
    Laverton North, 3026, 03, 9, city
    Truganina, 3029, 03, 8, city
    Altona North, 3025, 03, 9, city
    Brooklyn, 3012, 03, 9, city
    Deer Park, 3023, 03, 8, city
    Sunshine West, 3020, 03, 9, city
    Dandenong South, 3175, 03, 9, city
    Keysborough, 3173, 03, 9, city
    Braeside, 3195, 03, 9, city
    Campbellfield, 3061, 03, 9, city
    Somerton, 3062, 03, 9, city
    Thomastown, 3074, 03, 9, city
    Epping, 3076, 03, 9, city
    Tullamarine, 3043, 03, 9, city
    Port Melbourne, 3207, 03, 9, city
    Hallam, 3803, 03, 9, city
    Bayswater, 3153, 03, 9, city
    Pakenham, 3810, 03, 5, city
    Corio, 3214, 03, 5, city
    Geelong, 3220, 03, 5, city
    Ballarat, 3350, 03, 5, country
    Bendigo, 3550, 03, 5, country
    Shepparton, 3630, 03, 5, country
    Wodonga, 3690, 02, 6, country
    Mildura, 3500, 03, 5, country
    Traralgon, 3844, 03, 5, country
    Warrnambool, 3280, 03, 5, country
    Horsham, 3400, 03, 5, country
    Sale, 3850, 03, 5, country
    Echuca, 3564, 03, 5, country
    Swan Hill, 3585, 03, 5, country
    Colac, 3250, 03, 5, country
    Wangaratta, 3677, 03, 5, country
    """,
)
_QLD = _suburbs(
    "QLD",
    "BNE",
    """
    Larapinta, 4110, 07, 3, city
    Acacia Ridge, 4110, 07, 3, city
    Archerfield, 4108, 07, 3, city
    Rocklea, 4106, 07, 3, city
    Coopers Plains, 4108, 07, 3, city
    Wacol, 4076, 07, 3, city
    Darra, 4076, 07, 3, city
    Richlands, 4077, 07, 3, city
    Heathwood, 4110, 07, 3, city
    Crestmead, 4132, 07, 3, city
    Brendale, 4500, 07, 3, city
    Eagle Farm, 4009, 07, 3, city
    Pinkenba, 4008, 07, 3, city
    Murarrie, 4172, 07, 3, city
    Hemmant, 4174, 07, 3, city
    Yatala, 4207, 07, 3, city
    Stapylton, 4207, 07, 3, city
    Bundamba, 4304, 07, 3, city
    Ipswich, 4305, 07, 3, city
    Narangba, 4504, 07, 3, city
    Southport, 4215, 07, 5, city
    Caboolture, 4510, 07, 5, city
    Nambour, 4560, 07, 5, country
    Gatton, 4343, 07, 5, country
    Gympie, 4570, 07, 5, country
    Toowoomba, 4350, 07, 4, country
    Maryborough, 4650, 07, 4, country
    Bundaberg, 4670, 07, 4, country
    Rockhampton, 4700, 07, 4, country
    Gladstone, 4680, 07, 4, city
    Mackay, 4740, 07, 4, country
    Townsville, 4810, 07, 4, city
    Emerald, 4720, 07, 4, country
    Dalby, 4405, 07, 4, country
    Roma, 4455, 07, 4, country
    Kingaroy, 4610, 07, 4, country
    Warwick, 4370, 07, 4, country
    Goondiwindi, 4390, 07, 4, country
    Cairns, 4870, 07, 4, city
    """,
)
# Southern and western New South Wales is closer to Melbourne, the north
# and the far north coast to Brisbane.
_NSW = _suburbs(
    "NSW",
    "MEL",
    """
    Wetherill Park, 2164, 02, 9, city
    Eastern Creek, 2766, 02, 9, city
    Moorebank, 2170, 02, 9, city
    Minto, 2566, 02, 4, city
    Smeaton Grange, 2567, 02, 4, city
    Goulburn, 2580, 02, 4, country
    Albury, 2640, 02, 6, country
    Wagga Wagga, 2650, 02, 6, country
    Griffith, 2680, 02, 6, country
    Deniliquin, 2710, 03, 5, country
    Orange, 2800, 02, 6, country
    Dubbo, 2830, 02, 6, country
    """,
) + _suburbs(
    "NSW",
    "BNE",
    """
    Newcastle, 2300, 02, 4, city
    Beresfield, 2322, 02, 4, city
    Tamworth, 2340, 02, 6, country
    Armidale, 2350, 02, 6, country
    Moree, 2400, 02, 6, country
    Grafton, 2460, 02, 6, country
    Lismore, 2480, 02, 6, country
    Tweed Heads, 2485, 07, 5, city
    """,
)
_SUBURBS_BY_STATE = {"VIC": _VIC, "QLD": _QLD, "NSW": _NSW}
_SUBURB_BY_NAME = {s.name: s for s in (*_VIC, *_QLD, *_NSW)}
_COUNTRY_BY_STATE = {
    state: tuple(s for s in suburbs if s.country)
    for state, suburbs in _SUBURBS_BY_STATE.items()
}

# Real councils, each placed at a table suburb near its district.
_COUNCILS = tuple(
    (name.strip(), suburb.strip())
    for name, suburb in (
        line.split(",")
        for line in """
        Moorabool Shire Council, Ballarat
        Golden Plains Shire Council, Geelong
        Surf Coast Shire Council, Geelong
        Colac Otway Shire Council, Colac
        Corangamite Shire Council, Colac
        Moyne Shire Council, Warrnambool
        Southern Grampians Shire Council, Warrnambool
        Northern Grampians Shire Council, Horsham
        Yarriambiack Shire Council, Horsham
        West Wimmera Shire Council, Horsham
        Hindmarsh Shire Council, Horsham
        Buloke Shire Council, Swan Hill
        Gannawarra Shire Council, Swan Hill
        Loddon Shire Council, Bendigo
        Mount Alexander Shire Council, Bendigo
        Central Goldfields Shire Council, Ballarat
        Hepburn Shire Council, Ballarat
        Pyrenees Shire Council, Ballarat
        Campaspe Shire Council, Echuca
        Moira Shire Council, Shepparton
        Strathbogie Shire Council, Shepparton
        Indigo Shire Council, Wodonga
        Towong Shire Council, Wodonga
        Alpine Shire Council, Wangaratta
        Mansfield Shire Council, Wangaratta
        Baw Baw Shire Council, Traralgon
        Wellington Shire Council, Sale
        East Gippsland Shire Council, Sale
        Lockyer Valley Regional Council, Gatton
        Scenic Rim Regional Council, Ipswich
        Somerset Regional Council, Ipswich
        Western Downs Regional Council, Dalby
        Southern Downs Regional Council, Warwick
        Goondiwindi Regional Council, Goondiwindi
        Maranoa Regional Council, Roma
        South Burnett Regional Council, Kingaroy
        North Burnett Regional Council, Bundaberg
        Banana Shire Council, Gladstone
        Central Highlands Regional Council, Emerald
        Isaac Regional Council, Mackay
        Whitsunday Regional Council, Mackay
        Burdekin Shire Council, Townsville
        Livingstone Shire Council, Rockhampton
        Gympie Regional Council, Gympie
        Fraser Coast Regional Council, Maryborough
        Bundaberg Regional Council, Bundaberg
        Noosa Shire Council, Nambour
        Douglas Shire Council, Cairns
        Toowoomba Regional Council, Toowoomba
        Berrigan Shire Council, Deniliquin
        Edward River Council, Deniliquin
        Federation Council, Albury
        Coolamon Shire Council, Wagga Wagga
        Bland Shire Council, Wagga Wagga
        Leeton Shire Council, Griffith
        Carrathool Shire Council, Griffith
        Hay Shire Council, Griffith
        Forbes Shire Council, Orange
        Parkes Shire Council, Dubbo
        Lachlan Shire Council, Dubbo
        Warrumbungle Shire Council, Dubbo
        Upper Lachlan Shire Council, Goulburn
        Moree Plains Shire Council, Moree
        Gwydir Shire Council, Moree
        Narrabri Shire Council, Moree
        Gunnedah Shire Council, Tamworth
        Liverpool Plains Shire Council, Tamworth
        Upper Hunter Shire Council, Tamworth
        Tenterfield Shire Council, Armidale
        """.strip().splitlines()
    )
)

# Districts a business might be named after, by state. "Coastal" is left
# out on purpose: the demo's one Coastal Freight Lines must stay unique.
_REGIONS = {
    "VIC": _listed(
        "Goulburn Valley, Western District, Wimmera, Mallee, Gippsland, "
        "Bellarine, Westgate, Yarra Valley, Otway, Grampians, Loddon, "
        "Murray Valley, Kororoit, Maribyrnong, Werribee, Bayside"
    ),
    "QLD": _listed(
        "Darling Downs, Lockyer, Scenic Rim, Burnett, Capricorn, Wide Bay, "
        "Moreton Bay, Logan, Redlands, Sunshine Coast, Gold Coast, "
        "Brisbane Valley, Central Highlands, Maranoa, Whitsunday, Bremer, "
        "Granite Belt, Bowen Basin"
    ),
    "NSW": _listed(
        "Riverina, Hunter Valley, New England, Northern Rivers, Central West, "
        "Southern Highlands, Illawarra, Monaro, Western Sydney, Orana, "
        "Mid North Coast, Lachlan Valley, Namoi"
    ),
}
_NATIONAL = _listed(
    "Interstate, Ironbark, Redgum, Bluegum, Eastern, Pacific, Outback, "
    "Southern, Highway, Continental"
)

_SURNAMES = _listed(
    "Smith, Jones, Williams, Brown, Wilson, Taylor, Johnson, White, "
    "Martin, Anderson, Thompson, Walker, Harris, Ryan, Kelly, King, "
    "Robinson, Wright, Campbell, Mitchell, Hughes, Clarke, Baker, Cooper, "
    "Morris, Turner, Edwards, Evans, Murphy, Walsh, Stewart, Reid, Murray, "
    "Ross, Fraser, McDonald, MacKenzie, O'Brien, O'Connor, O'Neill, "
    "Sullivan, Doyle, Byrne, Gallagher, Nguyen, Tran, Pham, Le, Chen, "
    "Wang, Zhang, Singh, Sandhu, Gill, Dhillon, Grewal, Sidhu, Sharma, "
    "Patel, Rossi, Russo, Romano, Costa, Bianchi, Ferraro, Papadopoulos, "
    "Nikolaidis, Georgiou, Haddad, Khoury, Borg, Camilleri, Farrugia, "
    "Vella, Schmidt, Muller, Becker, De Jong, Van Dyk, Jansen, Kowalski, "
    "Novak, Petrovic, Jovanovic, Ali, Hussain, Rahman, Fitzgerald, Lawson, "
    "Pearce, Hayes, Dunn, Bennett, Fletcher, Gibson, Harvey, Lambert, "
    "Marshall, Nolan, Quinn, Sheridan, Tucker, Ward, Young, Lynch, Burke"
)
_FIRST_NAMES = _listed(
    "Jack, Liam, Noah, Oliver, James, William, Thomas, Daniel, Matthew, "
    "Michael, David, Andrew, Peter, Paul, Mark, Craig, Darren, Shane, "
    "Wayne, Brett, Glenn, Tony, Steve, Greg, Scott, Luke, Ben, Josh, Ryan, "
    "Nathan, Jason, Adam, Troy, Sarah, Emma, Olivia, Chloe, Jessica, "
    "Rebecca, Kylie, Michelle, Karen, Lisa, Melissa, Nicole, Amanda, "
    "Rachel, Leanne, Tracey, Natalie, Belinda, Kate, Harpreet, Gurpreet, "
    "Manpreet, Jaspreet, Amandeep, Priya, Rajesh, Vikram, Minh, Linh, "
    "Thanh, Wei, Jun, Mei, Giuseppe, Marco, Rosa, Nikos, Georgia, Ahmed, "
    "Fatima, Omar, Layla, Tama, Aroha, Sione, Malia, Hamish, Fiona"
)

_STREETS = _listed(
    "Boundary, Fitzgerald, Industrial, Enterprise, Commercial, Export, "
    "Freight, Transport, Production, Quarry, Station, Railway, Factory, "
    "Princes, Western, Progress, Cherry, Stanley, Kensington, Bradman, "
    "Lavarack, Granite, Dunn, Palmer, Kingsford, Wallace, Ashford, "
    "Colebard, Jumbuck, Banksia, Acacia, Ironbark, Stockyard, Silo, Creek, "
    "Cemetery"
)
_STREET_TYPES = ("Road", "Street", "Drive", "Way", "Court", "Place", "Avenue")
_RURAL_TYPES = ("Road", "Lane", "Track")

_SEGMENTS = (
    "haulage",
    "logistics",
    "construction",
    "refuse",
    "farming",
    "municipal",
    "private",
)
_HAULAGE, _LOGISTICS, _CONSTRUCTION, _REFUSE, _FARMING, _MUNICIPAL, _PRIVATE = range(7)

# Name patterns by segment: {s} a surname, {p} a place.
_NAME_PATTERNS = {
    _HAULAGE: (
        "{s} Haulage Pty Ltd",
        "{s} Transport Pty Ltd",
        "{s} Bros Transport",
        "{s} & Sons Transport",
        "{s} Freight Pty Ltd",
        "{s} Heavy Haulage",
        "{s} Interstate Transport",
        "{p} Linehaul",
        "{p} Bulk Haulage",
        "{p} Tankers Pty Ltd",
        "{p} Refrigerated Transport",
        "{p} Express Freight",
        "{p} Livestock Carriers",
    ),
    _LOGISTICS: (
        "{s} Logistics Pty Ltd",
        "{s} Freight Solutions",
        "{p} Logistics",
        "{p} Distribution Pty Ltd",
        "{p} Container Services",
        "{p} Cold Chain",
        "{p} Warehousing & Transport",
    ),
    _CONSTRUCTION: (
        "{p} Concrete Pumping",
        "{p} Premix Concrete",
        "{p} Quarries Pty Ltd",
        "{p} Tipper Hire",
        "{p} Sand & Gravel",
        "{s} Earthmoving Pty Ltd",
        "{s} Civil Pty Ltd",
        "{s} Excavations",
        "{s} Crane Hire",
    ),
    _REFUSE: (
        "{p} Waste Services",
        "{p} Recycling Pty Ltd",
        "{p} Skip Bins",
        "{p} Environmental Services",
        "{s} Waste Management",
        "{s} Bin Hire",
    ),
    _FARMING: (
        "{s} Grain Carriers",
        "{s} Livestock Transport",
        "{s} Farming Pty Ltd",
        "{s} Ag Contracting",
        "{s} Family Farms",
        "{p} Pastoral Co",
        "{p} Hay & Grain",
        "{p} Cattle Co",
    ),
}

_POSITIONS_SMALL = ("Owner", "Director", "Office Manager", "Accounts Payable")
_POSITIONS_FLEET = (
    "Fleet Manager",
    "Transport Manager",
    "Operations Manager",
    "Workshop Manager",
    "Accounts Payable",
    "Fleet Coordinator",
)
_POSITIONS_COUNCIL = (
    "Fleet Coordinator",
    "Works Manager",
    "Procurement Officer",
    "Accounts Payable",
)
_MAILBOXES = ("accounts", "admin", "office", "fleet", "info", "enquiries")

# Work a truck does, with the kilometres a year it covers and how often it
# is serviced.
_DUTY_KM = {
    "long_haul": (80_000, 150_000, 80_000),
    "regional": (50_000, 100_000, 50_000),
    "vocational": (25_000, 60_000, 30_000),
    "urban": (20_000, 50_000, 25_000),
    "refuse": (15_000, 35_000, 20_000),
}
_DUTIES = tuple(_DUTY_KM)
_SEGMENT_DUTIES = {
    _HAULAGE: (("long_haul", 65), ("regional", 30), ("vocational", 5)),
    _LOGISTICS: (("urban", 50), ("regional", 40), ("long_haul", 10)),
    _CONSTRUCTION: (("vocational", 80), ("regional", 20)),
    _REFUSE: (("refuse", 85), ("urban", 15)),
    _FARMING: (("regional", 60), ("long_haul", 20), ("vocational", 20)),
    _MUNICIPAL: (("refuse", 30), ("vocational", 40), ("urban", 30)),
    _PRIVATE: (("long_haul", 60), ("regional", 30), ("vocational", 10)),
}


@dataclass(frozen=True, slots=True)
class _Model:
    make: str
    name: str
    duties: tuple[str, ...]
    first_year: int
    last_year: int
    weight: float
    # Four characters of the VIN's descriptor section; a fifth varies.
    code: str


@dataclass(frozen=True, slots=True)
class _Make:
    name: str
    wmi: str
    plants: str
    variants: str
    weight: float
    models: tuple[_Model, ...]


def _make(
    name: str,
    wmi: str,
    plants: str,
    weight: float,
    models: Sequence[tuple[str, str, int, int, float, str]],
) -> _Make:
    return _Make(
        name,
        wmi,
        plants,
        "2345678",
        weight,
        tuple(
            _Model(name, model, tuple(duties.split()), first, last, w, code)
            for model, duties, first, last, w, code in models
        ),
    )


_LAST = LAST_MODEL_YEAR
# World manufacturer identifiers: YV2 Volvo trucks, 1M1 Mack, JNC UD Trucks,
# 6F5 Kenworth Australia, YS2 Scania trucks, WDB Mercedes-Benz, JAL Isuzu
# trucks, JHF Hino.
_MAKES = (
    _make(
        "Volvo",
        "YV2",
        "AEW",
        30,
        (
            ("FH 540", "long_haul regional", 2012, _LAST, 5, "RTY0"),
            ("FH 500", "long_haul regional", 2012, _LAST, 3, "RTY5"),
            ("FH16 700", "long_haul", 2012, _LAST, 2, "RTH6"),
            ("FM 460", "regional vocational", 2012, _LAST, 3, "RMT4"),
            ("FM 500", "regional", 2012, _LAST, 2, "RMT5"),
            ("FMX 500", "vocational", 2012, _LAST, 3, "RXT5"),
            ("FE 320", "urban refuse", 2012, 2022, 2, "REC3"),
            ("FL 250", "urban", 2012, 2022, 1, "RLC2"),
            ("FM Electric", "urban", 2024, _LAST, 0.3, "RME0"),
        ),
    ),
    _make(
        "Mack",
        "1M1",
        "WM",
        24,
        (
            ("Super-Liner", "long_haul", 2012, _LAST, 4, "SL6T"),
            ("Trident", "regional long_haul", 2012, _LAST, 4, "TR6T"),
            ("Granite", "vocational", 2012, _LAST, 4, "GR6T"),
            ("Metro-Liner", "urban refuse vocational", 2012, _LAST, 3, "MR6T"),
            ("Anthem", "long_haul", 2024, _LAST, 2, "AN6T"),
        ),
    ),
    _make(
        "UD",
        "JNC",
        "AK",
        14,
        (
            ("Quon GW 26 460", "long_haul regional", 2012, _LAST, 4, "GW26"),
            ("Quon CW 26 460", "vocational refuse", 2012, _LAST, 3, "CW26"),
            ("Croner PKE 250", "urban", 2019, _LAST, 3, "PKE2"),
            ("Croner LKE 280", "urban regional", 2019, _LAST, 2, "LKE2"),
            ("Condor PK 17 280", "urban", 2012, 2019, 2, "PK17"),
        ),
    ),
    _make(
        "Kenworth",
        "6F5",
        "B",
        8,
        (
            ("T410", "regional", 2018, _LAST, 2, "T41A"),
            ("T610", "long_haul", 2018, _LAST, 4, "T61A"),
            ("T610SAR", "long_haul", 2018, _LAST, 2, "T61S"),
            ("T659", "long_haul", 2012, 2018, 2, "T65A"),
            ("T909", "long_haul", 2012, _LAST, 3, "T90A"),
            ("K200", "long_haul", 2012, _LAST, 2, "K20A"),
            ("C509", "long_haul vocational", 2012, _LAST, 1, "C50A"),
            ("T360", "urban vocational", 2012, _LAST, 1, "T36A"),
        ),
    ),
    _make(
        "Isuzu",
        "JAL",
        "7F",
        8,
        (
            ("NPR 75-190", "urban", 2012, _LAST, 3, "NPR7"),
            ("NQR 87-190", "urban", 2012, _LAST, 2, "N87R"),
            ("FRR 107-210", "urban regional", 2012, _LAST, 2, "FRR1"),
            ("FVR 165-300", "regional vocational", 2012, _LAST, 2, "FVR1"),
            ("FVZ 260-300", "vocational regional refuse", 2012, _LAST, 3, "FVZ2"),
        ),
    ),
    _make(
        "Hino",
        "JHF",
        "HK",
        6,
        (
            ("300 Series 921", "urban", 2012, _LAST, 3, "XZU7"),
            ("500 Series FC 1022", "urban", 2012, _LAST, 2, "FC9J"),
            ("500 Series FD 1124", "urban regional", 2012, _LAST, 2, "FD8J"),
            ("500 Series FG 1628", "regional vocational", 2012, _LAST, 2, "FG8J"),
            ("500 Series FM 2630", "vocational refuse", 2012, _LAST, 2, "FM8J"),
            ("700 Series SS 2848", "long_haul", 2012, _LAST, 2, "SS1E"),
            ("700 Series FS 2848", "vocational", 2012, _LAST, 1, "FS1E"),
        ),
    ),
    _make(
        "Scania",
        "YS2",
        "SZ",
        5,
        (
            ("G 450", "regional", 2012, _LAST, 2, "G4X2"),
            ("R 500", "long_haul", 2012, _LAST, 2, "R4X2"),
            ("R 620", "long_haul", 2012, _LAST, 2, "R6X4"),
            ("P 320", "urban refuse", 2012, _LAST, 1, "P3X2"),
            ("S 650", "long_haul", 2018, _LAST, 1, "S6X4"),
            ("S 770", "long_haul", 2022, _LAST, 1, "S7X4"),
        ),
    ),
    _make(
        "Mercedes-Benz",
        "WDB",
        "1L",
        5,
        (
            ("Actros 2653", "long_haul", 2012, _LAST, 3, "9634"),
            ("Actros 2643", "regional", 2012, _LAST, 2, "9632"),
            ("Arocs 3246", "vocational", 2014, _LAST, 2, "9644"),
            ("Atego 1624", "urban", 2012, _LAST, 2, "9670"),
            ("Econic 2630", "refuse", 2012, _LAST, 2, "9560"),
        ),
    ),
)
_MAKE_INDEX = {make.name: i for i, make in enumerate(_MAKES)}
_FRANCHISE_MAKES = tuple(_MAKE_INDEX[name] for name in FRANCHISES)

# Plate patterns by state, one alphabet per character. Plates leave out I, O
# and Q, which read as 1 and 0.
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_DIGITS = "0123456789"
_PLATES = {
    "VIC": (
        (("1", _LETTERS, _LETTERS, _DIGITS, _LETTERS, _LETTERS), 50),
        (("X", "NPRSTUVW", _DIGITS, _DIGITS, _LETTERS, _LETTERS), 50),
    ),
    "QLD": (
        (("123456789", _DIGITS, _DIGITS, _LETTERS, _LETTERS, _DIGITS), 60),
        (("123456789", _DIGITS, _DIGITS, _LETTERS, _LETTERS, _LETTERS), 40),
    ),
    "NSW": ((("CDEF", _LETTERS, _DIGITS, _DIGITS, _LETTERS, _LETTERS), 100),),
}

# The share of accounts in each line of work, in per cent.
_SEGMENT_WEIGHTS = (
    (_HAULAGE, 27),
    (_LOGISTICS, 11),
    (_CONSTRUCTION, 16),
    (_REFUSE, 5),
    (_FARMING, 13),
    (_MUNICIPAL, 6),
    (_PRIVATE, 22),
)
_STATE_WEIGHTS = (("VIC", 45), ("QLD", 40), ("NSW", 15))
# Fleet sizes of a company that runs trucks known to the dealer, as
# (smallest, largest, weight).
_COMPANY_FLEETS = ((1, 1, 32), (2, 2, 22), (3, 6, 26), (7, 15, 14), (16, 30, 6))
_PRIVATE_FLEETS = ((1, 1, 85), (2, 2, 15))
_COASTAL_INDEX = 16
_COASTAL_FLEET = 6
_COASTAL_SUBURB = "Hemmant"


# --- helpers ----------------------------------------------------------------


class _Weighted(Generic[_T]):
    """Picks items in proportion to their weights in logarithmic time."""

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, pairs: Iterable[tuple[_T, float]]) -> None:
        items: list[_T] = []
        cumulative: list[float] = []
        total = 0.0
        for item, weight in pairs:
            if weight > 0:
                total += weight
                items.append(item)
                cumulative.append(total)
        self._items = items
        self._cumulative = cumulative
        self._total = total

    def pick(self, rng: random.Random) -> _T:
        index = bisect_right(self._cumulative, rng.random() * self._total)
        return self._items[min(index, len(self._items) - 1)]


class _Distinct:
    """Hands out each number below ``size`` once, in a scattered order.

    The i-th number is (a * i + b) mod size with a coprime to size, which
    visits every number exactly once, so no draw ever needs repeating.
    """

    __slots__ = ("_multiplier", "_offset", "_size", "_taken", "_what")

    def __init__(self, rng: random.Random, size: int, what: str) -> None:
        multiplier = rng.randrange(size // 3, size)
        while gcd(multiplier, size) != 1:
            multiplier += 1
        self._multiplier = multiplier
        self._offset = rng.randrange(size)
        self._size = size
        self._taken = 0
        self._what = what

    def take(self) -> int:
        if self._taken >= self._size:
            raise ValueError(f"all {self._size} distinct {self._what} are used")
        value = (self._multiplier * self._taken + self._offset) % self._size
        self._taken += 1
        return value


class _Plates:
    """Distinct plates of one pattern."""

    __slots__ = ("_alphabets", "_distinct")

    def __init__(self, rng: random.Random, alphabets: tuple[str, ...]) -> None:
        size = 1
        for alphabet in alphabets:
            size *= len(alphabet)
        self._alphabets = alphabets[::-1]
        self._distinct = _Distinct(rng, size, "plates of one pattern")

    def take(self) -> str:
        index = self._distinct.take()
        chars = []
        for alphabet in self._alphabets:
            index, position = divmod(index, len(alphabet))
            chars.append(alphabet[position])
        return "".join(reversed(chars))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _digits(rng: random.Random, count: int) -> str:
    return f"{rng.randrange(10**count):0{count}d}"


def _mobile(rng: random.Random) -> str:
    rest = _digits(rng, 8)
    return f"04{rest[:2]} {rest[2:5]} {rest[5:]}"


def _landline(rng: random.Random, suburb: _Suburb) -> str:
    rest = _digits(rng, 7)
    return f"({suburb.area}) {suburb.lead}{rest[:3]} {rest[3:]}"


def _fleet_size(rng: random.Random, bands: tuple[tuple[int, int, int], ...]) -> int:
    total = sum(weight for _, _, weight in bands)
    draw = rng.randrange(total)
    for smallest, largest, weight in bands:
        if draw < weight:
            return rng.randint(smallest, largest)
        draw -= weight
    raise AssertionError("the bands' weights add up to the total")


def _mean_fleet(bands: tuple[tuple[int, int, int], ...]) -> float:
    total = sum(weight for _, _, weight in bands)
    return sum((lo + hi) / 2 * w for lo, hi, w in bands) / total


# --- the dealership ---------------------------------------------------------


class SyntheticDealership:
    """A made-up customer base of the dealer, reproducible from its seed.

    ``customers()``, ``contacts()`` and ``vehicles()`` each stream their
    rows afresh and agree with one another: every contact and every owned
    vehicle belongs to a customer of ``customers()``. Exactly
    ``vehicle_count`` vehicles are produced, about a tenth of them stock
    units with no owner; owners run fleets of one to thirty trucks.
    Odometers and service plans are reckoned as of ``as_of``, which is meant
    to fall late in the last model year or after it.

    A ValueError says so when the customers cannot own that many trucks.
    """

    def __init__(
        self,
        seed: int = DEMO_SEED,
        customer_count: int = DEMO_CUSTOMERS,
        vehicle_count: int = DEMO_VEHICLES,
        as_of: date = DEMO_AS_OF,
    ) -> None:
        if customer_count < 0 or vehicle_count < 0:
            raise ValueError("counts of customers and vehicles cannot be negative")
        if customer_count > 999_899:
            raise ValueError("customer numbers run out after 999,899 customers")
        self.seed = seed
        self.customer_count = customer_count
        self.vehicle_count = vehicle_count
        self.as_of = as_of
        # Without customers every vehicle is a stock unit.
        stock = (vehicle_count * STOCK_PERCENT + 50) // 100
        if not customer_count:
            stock = vehicle_count
        self.stock_count = stock
        self._segments, self._fleets = self._plan(vehicle_count - stock)

    def _rng(self, stream: str) -> random.Random:
        # A stream of its own for each kind of row keeps them independent of
        # the order in which a caller asks for them.
        return random.Random(f"{self.seed}/{stream}")

    def _plan(self, owned: int) -> tuple[bytearray, bytearray]:
        """Decide each account's line of work and the size of its fleet."""
        rng = self._rng("plan")
        count = self.customer_count
        segments = bytearray(count)
        fleets = bytearray(count)
        coastal = min(_COASTAL_INDEX, count - 1)
        pick_segment = _Weighted(_SEGMENT_WEIGHTS)
        councils = 0
        for index in range(count):
            segment = pick_segment.pick(rng)
            if segment == _MUNICIPAL:
                councils += 1
                # Each council exists once; later picks become contractors.
                if councils > len(_COUNCILS):
                    segment = _CONSTRUCTION
            segments[index] = _HAULAGE if index == coastal else segment

        private_share = dict(_SEGMENT_WEIGHTS)[_PRIVATE] / 100
        expected = (1 - private_share) * _mean_fleet(_COMPANY_FLEETS)
        expected += private_share * _mean_fleet(_PRIVATE_FLEETS)
        # The chance an account runs trucks at all is what makes the fleets
        # add up to about the number wanted; the rest is trimmed below.
        runs_trucks = min(1.0, owned / count / expected) if count else 0.0
        limits = bytearray(count)
        for index in range(count):
            private = segments[index] == _PRIVATE
            limits[index] = 2 if private else MAX_FLEET
            if rng.random() < runs_trucks:
                bands = _PRIVATE_FLEETS if private else _COMPANY_FLEETS
                fleets[index] = _fleet_size(rng, bands)
        if count > 1:
            # Coastal Freight's fleet stays as the demo tells it.
            fleets[coastal] = limits[coastal] = min(_COASTAL_FLEET, owned)
        if owned > sum(limits):
            raise ValueError(
                f"{count} customers cannot own {owned} vehicles: a fleet has "
                f"at most {MAX_FLEET}, a private buyer's 2, Coastal Freight's "
                f"{_COASTAL_FLEET}"
            )

        shortfall = owned - sum(fleets)
        while shortfall:
            index = rng.randrange(count)
            if index == coastal and count > 1:
                continue
            if shortfall > 0 and fleets[index] < limits[index]:
                fleets[index] += 1
                shortfall -= 1
            elif shortfall < 0 and fleets[index] > 0:
                fleets[index] -= 1
                shortfall += 1
        return segments, fleets

    # --- customers ----------------------------------------------------------

    def customers(self) -> Iterator[Customer]:
        """Stream the customer accounts, numbered from C000101 upwards."""
        rng = self._rng("customers")
        abn_bodies = _Distinct(rng, 10**9, "ABNs")
        pick_state = _Weighted(_STATE_WEIGHTS)
        councils = list(_COUNCILS)
        rng.shuffle(councils)
        next_council = iter(councils)
        taken_names: set[str] = set()
        coastal = min(_COASTAL_INDEX, self.customer_count - 1)
        for index in range(self.customer_count):
            number = f"C{index + 101:06d}"
            segment = self._segments[index]
            fleet = self._fleets[index]
            abn = abn_with_check_digits(f"{abn_bodies.take():09d}")
            if index == coastal:
                yield self._coastal_freight(rng, number, abn)
            elif segment == _PRIVATE:
                yield self._private_buyer(rng, number, abn, pick_state)
            else:
                if segment == _MUNICIPAL:
                    name, suburb_name = next(next_council)
                    suburb = _SUBURB_BY_NAME[suburb_name]
                else:
                    state = pick_state.pick(rng)
                    suburbs = _SUBURBS_BY_STATE[state]
                    if segment == _FARMING:
                        suburbs = _COUNTRY_BY_STATE[state]
                    suburb = rng.choice(suburbs)
                    name = self._company_name(rng, segment, suburb, taken_names)
                yield self._company(rng, number, abn, name, segment, suburb, fleet)

    def _company_name(
        self,
        rng: random.Random,
        segment: int,
        suburb: _Suburb,
        taken: set[str],
    ) -> str:
        patterns = _NAME_PATTERNS[segment]
        regions = _REGIONS[suburb.state]
        name = ""
        for attempt in range(6):
            place_draw = rng.random()
            if place_draw < 0.45:
                place = suburb.name
            elif place_draw < 0.9:
                place = rng.choice(regions)
            else:
                place = rng.choice(_NATIONAL)
            name = rng.choice(patterns).format(s=rng.choice(_SURNAMES), p=place)
            if attempt >= 3:
                # Initials make a name distinct when the plain ones run out.
                first, second = rng.choice(_LETTERS), rng.choice(_LETTERS)
                name = f"{first} & {second} {name}"
            if name not in taken:
                break
        taken.add(name)
        return name

    def _company(
        self,
        rng: random.Random,
        number: str,
        abn: str,
        name: str,
        segment: int,
        suburb: _Suburb,
        fleet: int,
    ) -> Customer:
        phone = _landline(rng, suburb) if rng.random() < 0.85 else _mobile(rng)
        domain = _slug(name.removesuffix(" Pty Ltd")) + ".example"
        if segment == _MUNICIPAL:
            limit = rng.randrange(100_000, 400_001, 10_000)
            terms = rng.choice((30, 30, 45))
        else:
            limit = self._credit_limit(rng, fleet)
            terms = self._terms(rng, fleet)
        return Customer(
            number=number,
            name=name,
            kind="company",
            abn=abn,
            phone=phone,
            email=f"{rng.choice(_MAILBOXES)}@{domain}",
            street=self._street(rng, segment),
            suburb=suburb.name,
            state=suburb.state,
            postcode=suburb.postcode,
            branch=suburb.branch,
            sales_rep=_SALES_REP[suburb.branch] if rng.random() < 0.85 else "",
            credit_limit=Decimal(limit).quantize(_CENT),
            payment_terms_days=terms,
            segment=_SEGMENTS[segment],
        )

    def _coastal_freight(self, rng: random.Random, number: str, abn: str) -> Customer:
        """The haulier the demo shows trading beyond its small credit limit."""
        suburb = _SUBURB_BY_NAME[_COASTAL_SUBURB]
        return Customer(
            number=number,
            name=COASTAL_FREIGHT,
            kind="company",
            abn=abn,
            phone=_landline(rng, suburb),
            email="accounts@coastalfreightlines.example",
            street="27 Lavarack Road",
            suburb=suburb.name,
            state=suburb.state,
            postcode=suburb.postcode,
            branch=suburb.branch,
            sales_rep=_SALES_REP[suburb.branch],
            credit_limit=COASTAL_FREIGHT_LIMIT,
            payment_terms_days=30,
            segment=_SEGMENTS[_HAULAGE],
        )

    def _private_buyer(
        self,
        rng: random.Random,
        number: str,
        abn: str,
        pick_state: _Weighted[str],
    ) -> Customer:
        suburb = rng.choice(_SUBURBS_BY_STATE[pick_state.pick(rng)])
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_SURNAMES)
        suffix = str(rng.randrange(10, 100)) if rng.random() < 0.5 else ""
        # Most owner-drivers trade under an ABN; a few buy as individuals.
        return Customer(
            number=number,
            name=f"{first} {last}",
            kind="private",
            abn=abn if rng.random() < 0.8 else "",
            phone=_mobile(rng),
            email=f"{_slug(first)}.{_slug(last)}{suffix}@example.com",
            street=self._street(rng, _PRIVATE),
            suburb=suburb.name,
            state=suburb.state,
            postcode=suburb.postcode,
            branch=suburb.branch,
            sales_rep=_SALES_REP[suburb.branch] if rng.random() < 0.4 else "",
            credit_limit=Decimal(0).quantize(_CENT),
            payment_terms_days=7,
            segment=_SEGMENTS[_PRIVATE],
        )

    @staticmethod
    def _street(rng: random.Random, segment: int) -> str:
        if segment == _FARMING:
            name = rng.choice((*_SURNAMES, "Back Creek", "Old Station", "Bore"))
            return f"{rng.randint(120, 3999)} {name} {rng.choice(_RURAL_TYPES)}"
        street = rng.choice(_STREETS)
        return f"{rng.randint(1, 280)} {street} {rng.choice(_STREET_TYPES)}"

    @staticmethod
    def _credit_limit(rng: random.Random, fleet: int) -> int:
        # Whole dollars on round steps, the way a credit controller sets them.
        if fleet == 0:
            return rng.randrange(5_000, 30_001, 1_000)
        if fleet <= 2:
            return rng.randrange(10_000, 60_001, 5_000)
        if fleet <= 6:
            return rng.randrange(50_000, 200_001, 5_000)
        if fleet <= 15:
            return rng.randrange(150_000, 600_001, 10_000)
        return rng.randrange(1_000_000, 2_000_001, 50_000)

    @staticmethod
    def _terms(rng: random.Random, fleet: int) -> int:
        if fleet >= 16:
            return rng.choice((30, 45, 45))
        draw = rng.random()
        if draw < 0.6:
            return 30
        if draw < 0.8:
            return 14
        if draw < 0.95:
            return 45
        return 7

    # --- contacts -----------------------------------------------------------

    def contacts(self) -> Iterator[Contact]:
        """Stream one to three contacts per company customer, the first primary.

        Private buyers have none: the account is the person.
        """
        rng = self._rng("contacts")
        for index, customer in enumerate(self.customers()):
            if customer.kind != "company":
                continue
            fleet = self._fleets[index]
            if customer.segment == "municipal":
                positions = _POSITIONS_COUNCIL
                count = rng.choice((2, 3))
            elif fleet <= 2:
                positions = _POSITIONS_SMALL
                count = rng.choice((1, 2, 2, 3, 3))
            else:
                positions = _POSITIONS_FLEET
                count = rng.choice((2, 3, 3, 3))
            domain = customer.email.partition("@")[2]
            # The first listed is the primary contact, in one of the first two
            # jobs of the list; nobody holds two jobs.
            primary = rng.choice(positions[:2])
            others = [title for title in positions if title != primary]
            titles = (primary, *rng.sample(others, count - 1))
            names: set[str] = set()
            for order, position in enumerate(titles):
                first, last = rng.choice(_FIRST_NAMES), rng.choice(_SURNAMES)
                while f"{first} {last}" in names:
                    last = rng.choice(_SURNAMES)
                names.add(f"{first} {last}")
                if position == "Accounts Payable":
                    phone, mailbox = customer.phone, "accounts"
                else:
                    phone, mailbox = _mobile(rng), f"{_slug(first)}.{_slug(last)}"
                yield Contact(
                    customer_number=customer.number,
                    name=f"{first} {last}",
                    position=position,
                    phone=phone,
                    email=f"{mailbox}@{domain}",
                    primary=order == 0,
                )

    # --- vehicles -----------------------------------------------------------

    def vehicles(self) -> Iterator[Vehicle]:
        """Stream the vehicles: customers' fleets with stock units among them."""
        rng = self._rng("vehicles")
        draws = _VehicleDraws(rng)
        owned = self._owned_trucks(rng, draws)
        total, stock = self.vehicle_count, self.stock_count
        for position in range(total):
            # Spread stock units evenly: row j is stock when the running
            # count of stock units passes a whole number there.
            if (position + 1) * stock // total > position * stock // total:
                yield self._stock_unit(rng, draws)
                continue
            customer, segment, make = next(owned)
            duty = draws.duties[segment].pick(rng)
            model = draws.models[make][duty].pick(rng)
            yield self._in_service(
                rng,
                draws,
                model,
                duty,
                state=customer.state,
                owner=customer.number,
                branch=customer.branch,
            )

    def _owned_trucks(
        self, rng: random.Random, draws: _VehicleDraws
    ) -> Iterator[tuple[Customer, int, int]]:
        """Each owned truck's customer, line of work and make, fleet by fleet."""
        for index, customer in enumerate(self.customers()):
            fleet = self._fleets[index]
            if not fleet:
                continue
            # Fleets lean on one make, most often one the dealer sells new.
            favourite = draws.make.pick(rng)
            if favourite not in _FRANCHISE_MAKES and rng.random() < 0.5:
                favourite = draws.franchise.pick(rng)
            segment = self._segments[index]
            for _ in range(fleet):
                make = favourite if rng.random() < 0.75 else draws.make.pick(rng)
                yield customer, segment, make

    def _stock_unit(self, rng: random.Random, draws: _VehicleDraws) -> Vehicle:
        branch = "MEL" if rng.random() < 0.55 else "BNE"
        if rng.random() < 0.7:
            # A new unit of a franchise make, not registered until it is sold.
            model = draws.current[draws.franchise.pick(rng)].pick(rng)
            year = LAST_MODEL_YEAR if rng.random() < 0.8 else LAST_MODEL_YEAR - 1
            year = max(year, model.first_year)
            return Vehicle(
                vin=draws.vin(rng, model, year),
                make=model.make,
                model=model.name,
                model_year=year,
                registration="",
                registration_state="",
                odometer_km=rng.randint(0, 60),
                owner="",
                branch=branch,
                next_service_due=None,
                next_service_km=None,
            )
        # A used unit taken in trade, still carrying its plates.
        duty = rng.choice(_DUTIES)
        model = draws.models[draws.make.pick(rng)][duty].pick(rng)
        state = "VIC" if branch == "MEL" else "QLD"
        return self._in_service(
            rng, draws, model, duty, state=state, owner="", branch=branch
        )

    def _in_service(
        self,
        rng: random.Random,
        draws: _VehicleDraws,
        model: _Model,
        duty: str,
        *,
        state: str,
        owner: str,
        branch: str,
    ) -> Vehicle:
        """A registered truck with an odometer and a service plan to match."""
        if duty not in model.duties:
            duty = model.duties[0]
        year = _model_year(rng, model)
        low, high, interval_km = _DUTY_KM[duty]
        yearly_km = rng.randint(low, high)
        # Trucks of a model year go into service from the September before
        # to the end of that year, and none later than a fortnight ago.
        first_day = date(year - 1, 9, 1)
        last_day = min(date(year, 12, 31), self.as_of - timedelta(days=14))
        span = max((last_day - first_day).days, 0)
        in_service = first_day + timedelta(days=rng.randint(0, span))
        days_in_service = max((self.as_of - in_service).days, 1)
        odometer = days_in_service * yearly_km // 365

        draw = rng.random()
        if draw < 0.12:
            due_in = -rng.randint(1, 150)
        elif draw < 0.82:
            due_in = rng.randint(0, 182)
        else:
            due_in = rng.randint(183, 365)
        # A service falls due at least yearly and before the truck has run
        # one service interval further.
        due_in = min(due_in, interval_km * 365 // yearly_km)
        # The distance plan runs at the truck's own pace and is rounded up to
        # 500 km, the way service schedules read.
        due_km = odometer + due_in * yearly_km // 365
        due_km = max(-(-due_km // 500) * 500, 1_000)
        return Vehicle(
            vin=draws.vin(rng, model, year),
            make=model.make,
            model=model.name,
            model_year=year,
            registration=draws.plates[state].pick(rng).take(),
            registration_state=state,
            odometer_km=odometer,
            owner=owner,
            branch=branch,
            next_service_due=self.as_of + timedelta(days=due_in),
            next_service_km=due_km,
        )


class _VehicleDraws:
    """What one run of vehicles draws from: pickers and unused numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.serials = [_Distinct(rng, 10**6, f"{m.name} VIN serials") for m in _MAKES]
        self.plates = {
            state: _Weighted((_Plates(rng, chars), weight) for chars, weight in shapes)
            for state, shapes in _PLATES.items()
        }
        self.make = _Weighted((i, make.weight) for i, make in enumerate(_MAKES))
        self.franchise = _Weighted((i, _MAKES[i].weight) for i in _FRANCHISE_MAKES)
        self.duties = {
            segment: _Weighted(pairs) for segment, pairs in _SEGMENT_DUTIES.items()
        }
        # For each make, the models that suit each duty (all, if none do).
        self.models = [
            {
                duty: _Weighted(
                    (m, m.weight)
                    for m in (
                        [m for m in make.models if duty in m.duties] or make.models
                    )
                )
                for duty in _DUTIES
            }
            for make in _MAKES
        ]
        # Models still built, which are the only ones sold new.
        self.current = {
            i: _Weighted(
                (m, m.weight)
                for m in _MAKES[i].models
                if m.last_year == LAST_MODEL_YEAR
            )
            for i in _FRANCHISE_MAKES
        }

    def vin(self, rng: random.Random, model: _Model, year: int) -> str:
        make_index = _MAKE_INDEX[model.make]
        make = _MAKES[make_index]
        descriptor = model.code + rng.choice(make.variants)
        plant = rng.choice(make.plants)
        serial = self.serials[make_index].take()
        return build_vin(make.wmi, descriptor, year, plant, serial)


def _model_year(rng: random.Random, model: _Model) -> int:
    newest = min(model.last_year, LAST_MODEL_YEAR)
    oldest = max(model.first_year, FIRST_MODEL_YEAR)
    # Customers of an active dealer run young fleets: ages fall away roughly
    # exponentially, with a mean of about six years, and the rare older one
    # is spread over the model's whole run.
    span = newest - oldest
    age = int(rng.expovariate(1 / 6))
    if age > span:
        age = rng.randint(0, span)
    return newest - age


def demo_dealership() -> SyntheticDealership:
    """The dealership the demo fixtures are generated from."""
    return SyntheticDealership(DEMO_SEED, DEMO_CUSTOMERS, DEMO_VEHICLES, DEMO_AS_OF)
