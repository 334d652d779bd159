"""VIN checks: length, forbidden letters and the North-American check digit."""

from dealer_tui.vehicles.vin import check_digit, requires_check_digit, validate


def test_check_digit_of_a_known_vin() -> None:
    """The weighted sum of 1M8GDM9AXKP042788 leaves remainder 10, written X."""
    assert check_digit("1M8GDM9AXKP042788") == "X"


def test_north_american_vin_with_wrong_check_digit_is_refused() -> None:
    """A Mack VIN (WMI 1M1) with 5 instead of its check digit names the right one."""
    vin = "1M1AN07Y5KM000001"
    right = check_digit(vin)
    assert right != "5"
    result = validate(vin)
    assert not result.ok
    assert f"should be {right}" in (result.problem or "")


def test_european_vin_is_not_refused_for_its_ninth_character() -> None:
    """A Volvo VIN (WMI YV2) needs no check digit: any ninth character passes."""
    assert not requires_check_digit("YV2RT40A5GB000001")
    assert validate("YV2RT40A0GB000001").ok
    assert validate("YV2RT40AZGB000001").ok


def test_letters_i_o_q_are_refused() -> None:
    """I, O and Q are never part of a VIN: they read as 1 and 0."""
    result = validate("YV2RT40A0GB00O001")
    assert result.problem == "a VIN never contains I, O or Q"


def test_length_and_spaces() -> None:
    """Spaces are dropped and case folded; a short VIN says how long it is."""
    assert validate(" yv2rt40a0gb000001 ").vin == "YV2RT40A0GB000001"
    assert validate("YV2RT40").problem == "a VIN has 17 characters, this has 7"
