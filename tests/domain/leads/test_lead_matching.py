"""Duplicate detection: matching keys and the matches found with their reasons."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealer_tui.leads.matching import (
    MatchBasis,
    MatchReason,
    Party,
    RecordKind,
    abn_problem,
    email_problem,
    find_matches,
    format_abn,
    match_keys,
    normalise_abn,
    normalise_company_name,
    normalise_email,
    normalise_phone,
)

ACCOUNT = RecordKind.ACCOUNT
LEAD = RecordKind.LEAD


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Smith & Sons Transport Pty Ltd", "SMITH SONS TRANSPORT"),
        ("SMITH AND SONS TRANSPORT P/L", "SMITH SONS TRANSPORT"),
        ("smith  and sons transport  pty. ltd.", "SMITH SONS TRANSPORT"),
        ("The Smith & Sons Transport Co. Pty Limited", "SMITH SONS TRANSPORT"),
        ("Smith and Sons Transport Proprietary Limited", "SMITH SONS TRANSPORT"),
        ("Red Dust Mining NL", "RED DUST MINING"),
        ("Outback Refuse Limited", "OUTBACK REFUSE"),
        ("Outback Refuse Ltd.", "OUTBACK REFUSE"),
        ("J.B. Hunt Haulage", "JB HUNT HAULAGE"),
        ("JB Hunt Haulage", "JB HUNT HAULAGE"),
        ("A & B Earthmoving", "AB EARTHMOVING"),
        ("O'Brien's Livestock Carriers", "OBRIENS LIVESTOCK CARRIERS"),
        ("Müller Bros. Agriculture", "MULLER BROS AGRICULTURE"),
        ("The Co", "CO"),
        ("Pty Ltd", "PTY LTD"),
        ("  ", ""),
    ],
)
def test_company_name_key(name: str, key: str) -> None:
    """Case, punctuation, & and 'and', legal forms and extra spaces do not count."""
    assert normalise_company_name(name) == key


names = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Po")),
    max_size=40,
)


@given(names)
def test_the_name_key_is_stable(name: str) -> None:
    """Normalising a key again gives the same key."""
    key = normalise_company_name(name)

    assert normalise_company_name(key) == key


@given(names)
def test_case_and_spacing_never_change_the_name_key(name: str) -> None:
    """The upper-cased name with doubled spaces gives the same key as the name."""
    shouted = "  " + "  ".join(name.upper().split()) + "  "

    assert normalise_company_name(shouted) == normalise_company_name(name)


@given(st.from_regex(r"[A-Z][a-z]{2,9}( [A-Z][a-z]{2,9}){0,3}", fullmatch=True))
def test_a_legal_suffix_never_changes_the_name_key(name: str) -> None:
    """'<name>' and '<name> Pty Ltd' have the same key."""
    assert normalise_company_name(f"{name} Pty Ltd") == normalise_company_name(name)


def test_a_valid_abn_is_reduced_to_its_digits() -> None:
    """'18 123 456 789' and '18-123-456-789' both give '18123456789'."""
    assert normalise_abn("18 123 456 789") == "18123456789"
    assert normalise_abn("18-123-456-789") == "18123456789"
    assert normalise_abn("ABN 18123456789") == "18123456789"


def test_an_abn_with_a_bad_check_sum_has_no_key() -> None:
    """'18 123 456 788' fails the check sum, so its key is empty and never matches."""
    assert normalise_abn("18 123 456 788") == ""
    assert normalise_abn("") == ""


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("18 123 456 789", None),
        ("", None),
        ("18 123 456", "an ABN has 11 digits, this has 8"),
        ("18 123 456 788", "is not a valid ABN: its check sum does not add up"),
    ],
)
def test_abn_problem(typed: str, problem: str | None) -> None:
    """A blank or valid ABN passes; a short one or a bad check sum is named."""
    assert abn_problem(typed) == problem


def test_a_valid_abn_is_shown_in_groups() -> None:
    """'18123456789' is shown as '18 123 456 789'; a bad one is shown as typed."""
    assert format_abn("18123456789") == "18 123 456 789"
    assert format_abn(" 18 123 456 788 ") == "18 123 456 788"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("(02) 6100-0000", "0261000000"),
        ("+61 2 6100 0000", "0261000000"),
        ("+61 (0)2 6100 0000", "0261000000"),
        ("61 261 000 000", "0261000000"),
        ("0011 61 2 6100 0000", "0261000000"),
        ("0412 345 678", "0412345678"),
        ("+61412345678", "0412345678"),
        ("0412 345 678 ext. 21", "0412345678"),
        ("02 6100 0000 x21", "0261000000"),
        ("1300 000 000", "1300000000"),
        ("13 00 00", "130000"),
        ("+64 9 000 0000", "6490000000"),
        ("", ""),
    ],
)
def test_phone_key(typed: str, key: str) -> None:
    """An Australian number is the digits dialled at home: +61 becomes 0."""
    assert normalise_phone(typed) == key


def test_email_key_is_trimmed_lower_case() -> None:
    """'  Fleet@Smith.Example.COM.au ' gives 'fleet@smith.example.com.au'."""
    assert normalise_email("  Fleet@Smith.Example.COM.au ") == (
        "fleet@smith.example.com.au"
    )


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("fleet@smith.example.com.au", None),
        ("", None),
        (
            "fleet.smith.example.com.au",
            "an e-mail address looks like name@example.com.au",
        ),
        ("fleet@localhost", "an e-mail address looks like name@example.com.au"),
        ("fleet manager@smith.example.com", "an e-mail address has no spaces"),
    ],
)
def test_email_problem(typed: str, problem: str | None) -> None:
    """Without an @ or a dotted domain, or with a space, an address is refused."""
    assert email_problem(typed) == problem


def test_match_keys_drop_what_cannot_match() -> None:
    """A bad ABN, a 4-digit phone and an address without @ give no key."""
    keys = match_keys(
        Party(
            "Smith Pty Ltd",
            abn="18 123 456 788",
            phones=("0412 345 678", "2134"),
            emails=("Jo@Smith.example.com", "n/a"),
        )
    )

    assert keys.name == "SMITH"
    assert keys.abn == ""
    assert keys.phones == {"0412345678"}
    assert keys.emails == {"jo@smith.example.com"}


CANDIDATE = Party(
    "Smith & Sons Transport Pty Ltd",
    abn="18 123 456 789",
    phones=("02 6100 0000", "0412 345 678"),
    emails=("Fleet@SmithSons.example.com.au",),
)


def test_each_shared_key_is_a_reason() -> None:
    """An account sharing ABN, e-mail, phone and name lists all four reasons."""
    account = Party(
        "SMITH AND SONS TRANSPORT P/L",
        abn="18123456789",
        phones=("+61 2 6100 0000",),
        emails=("fleet@smithsons.example.com.au",),
        kind=ACCOUNT,
        record_id=12,
    )

    [match] = find_matches(CANDIDATE, [account])

    assert match.record is account
    assert match.reasons == (
        MatchReason(MatchBasis.SAME_ABN, "18123456789"),
        MatchReason(MatchBasis.SAME_EMAIL, "fleet@smithsons.example.com.au"),
        MatchReason(MatchBasis.SAME_PHONE, "0261000000"),
        MatchReason(MatchBasis.SAME_NAME, "SMITH SONS TRANSPORT"),
    )
    assert match.sentence == (
        "Account 12 SMITH AND SONS TRANSPORT P/L: same ABN 18 123 456 789, "
        "same e-mail fleet@smithsons.example.com.au, same phone 0261000000, "
        "same name SMITH SONS TRANSPORT."
    )


def test_records_sharing_nothing_are_not_matches() -> None:
    """A different name, ABN, phone and e-mail give no match at all."""
    other = Party(
        "Brindabella Haulage",
        abn="80 987 654 321",
        phones=("02 6200 0000",),
        emails=("office@brindabella.example.com.au",),
        kind=LEAD,
        record_id=3,
    )

    assert find_matches(CANDIDATE, [other]) == []


def test_a_bad_abn_never_matches_the_same_bad_abn() -> None:
    """Two leads both typed with the invalid ABN 18 123 456 788 do not match on it."""
    typo = Party("Alpha Freight", abn="18 123 456 788")
    other = Party("Beta Freight", abn="18123456788", kind=LEAD, record_id=4)

    assert find_matches(typo, [other]) == []


def test_matches_come_strongest_first() -> None:
    """ABN before e-mail before phone before name; more reasons and accounts first."""
    by_name = Party("Smith and Sons Transport", kind=LEAD, record_id=1)
    by_phone = Party("Other Name", phones=("0412345678",), kind=LEAD, record_id=2)
    by_email_lead = Party(
        "Another Name",
        emails=("fleet@smithsons.example.com.au",),
        kind=LEAD,
        record_id=3,
    )
    by_email_account = Party(
        "Third Name",
        emails=("fleet@smithsons.example.com.au",),
        kind=ACCOUNT,
        record_id=9,
    )
    by_abn = Party("Renamed Pty Ltd", abn="18123456789", kind=LEAD, record_id=5)
    by_email_and_phone = Party(
        "Fourth Name",
        phones=("(02) 6100 0000",),
        emails=("FLEET@smithsons.example.com.au",),
        kind=LEAD,
        record_id=8,
    )

    matches = find_matches(
        CANDIDATE,
        [
            by_name,
            by_phone,
            by_email_lead,
            by_email_account,
            by_abn,
            by_email_and_phone,
        ],
    )

    assert [m.record.record_id for m in matches] == [5, 8, 9, 3, 2, 1]


def test_a_saved_lead_is_not_its_own_duplicate() -> None:
    """Lead 7 is skipped when checking lead 7, while account 7 is still reported."""
    saved = Party("Smith & Sons Transport", kind=LEAD, record_id=7)
    same_number_account = Party("Smith & Sons Transport", kind=ACCOUNT, record_id=7)

    matches = find_matches(saved, [saved, same_number_account])

    assert [m.record for m in matches] == [same_number_account]
