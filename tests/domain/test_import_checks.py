"""The quick checks of the CSV imports give the full checks' answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.au import abn

from dealer_tui.accounts.services import abn_checks_out, name_keys
from dealer_tui.core.text import search_key
from dealer_tui.leads.matching import normalise_company_name
from dealer_tui.vehicles import vin as vins

MANY = settings(max_examples=3000, deadline=None)

# Words that exercise every step of the name keys: legal forms, 'and',
# 'the', initials, punctuation, accents and odd spacing.
NAME_PARTS = st.sampled_from(
    [
        "Smith",
        "sons",
        "Haulage",
        "PTY",
        "Pty.",
        "Ltd",
        "LTD",
        "P/L",
        "Co",
        "Co.",
        "Inc",
        "Limited",
        "Proprietary",
        "and",
        "AND",
        "The",
        "A",
        "J.",
        "B",
        "&",
        "+",
        "'",
        "O'Brien",
        "`",
        "-",
        "Müller",
        "ß",
        "é",
        "1",
        "42",
        "",
        " ",
        "\t",
    ]
)


@MANY
@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_abn_check_accepts_what_stdnum_accepts(rest: str) -> None:
    """Every ABN made with stdnum's check digits passes, and one digit off fails."""
    number = abn.calc_check_digits(rest) + rest
    assert abn_checks_out(number)
    changed = number[:10] + str((int(number[10]) + 1) % 10)
    assert abn_checks_out(changed) == abn.is_valid(changed)


@MANY
@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_abn_check_agrees_with_stdnum_on_any_eleven_digits(digits: str) -> None:
    """Any eleven digits, a leading 0 or 10 included, get stdnum's answer."""
    assert abn_checks_out(digits) == abn.is_valid(digits)


@MANY
@given(st.lists(NAME_PARTS, max_size=7).map(" ".join) | st.text(max_size=24))
def test_name_keys_are_the_search_and_duplicate_keys(name: str) -> None:
    """Both keys are exactly those of search_key and normalise_company_name."""
    name = name.strip()
    assert name_keys(name) == (search_key(name), normalise_company_name(name))


def test_name_keys_of_common_names() -> None:
    """Legal forms, initials and 'and' are dealt with as duplicate detection does."""
    assert name_keys("M & X Tucker & Sons Transport Pty Ltd") == (
        "M X TUCKER SONS TRANSPORT PTY LTD",
        "MX TUCKER SONS TRANSPORT",
    )
    assert name_keys("Brett Grewal") == ("BRETT GREWAL", "BRETT GREWAL")
    assert name_keys("The Gatton Cattle Co") == (
        "THE GATTON CATTLE CO",
        "GATTON CATTLE",
    )


VIN_CHARACTERS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZIOQ"


@MANY
@given(
    st.text(alphabet=VIN_CHARACTERS, min_size=17, max_size=17)
    | st.text(min_size=15, max_size=19)
)
def test_quick_vin_check_agrees_with_validate(text: str) -> None:
    """A VIN in normal form is valid exactly when validate finds nothing wrong."""
    expected = vins.validate(text).ok and vins.normalise(text) == text
    assert vins.is_valid(text) == expected


@MANY
@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPRSTUVWXYZ", min_size=16, max_size=16))
def test_north_american_vins_with_their_check_digit_pass(body: str) -> None:
    """A North-American VIN given its right check digit passes; another fails."""
    vin = "1" + body[:7] + "0" + body[8:]
    vin = vin[:8] + vins.check_digit(vin) + vin[9:]
    assert vins.is_valid(vin)
    wrong = "0" if vin[8] != "0" else "1"
    assert not vins.is_valid(vin[:8] + wrong + vin[9:])
