"""Catalogue data: rule scopes, family wording, rule sentences and defaults."""

from __future__ import annotations

from datetime import date

from dealer_tui.catalog.rules import (
    Cardinality,
    Compatible,
    Excludes,
    FamilyCount,
    Requires,
    Scope,
    Unavailable,
)

from .support import load_demo


def test_scope_without_limits_holds_everywhere() -> None:
    """An empty scope holds for any model on any date."""
    assert Scope().applies("FH-PM", date(1999, 1, 1))


def test_scope_dates_include_both_ends() -> None:
    """A rule valid 2026-01-01..2026-12-31 holds on both end days and not a day
    outside them."""
    scope = Scope(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    assert scope.applies("X", date(2026, 1, 1))
    assert scope.applies("X", date(2026, 12, 31))
    assert not scope.applies("X", date(2025, 12, 31))
    assert not scope.applies("X", date(2027, 1, 1))


def test_scope_limited_to_models() -> None:
    """A rule for FH-PM and FH-RG does not hold for FH-EL."""
    scope = Scope(models=frozenset({"FH-PM", "FH-RG"}))
    assert scope.applies("FH-RG", date(2026, 7, 1))
    assert not scope.applies("FH-EL", date(2026, 7, 1))


def test_family_noun_keeps_abbreviations() -> None:
    """ "Engine" reads "engine" inside a sentence, but "PTO" stays "PTO"."""
    catalogue = load_demo("volvo-fh.txt")
    assert catalogue.families_by_code["ENGINE"].noun == "engine"
    assert catalogue.families_by_code["PTO"].noun == "power take-off"


def test_rule_sentences_name_families_and_scope() -> None:
    """Each kind of rule reads as a sentence with its options' families."""
    catalogue = load_demo("volvo-fh.txt")
    names = catalogue.names
    requires = Requires("AX-6X4", ("SUS-AIR", "SUS-AIRHD"))
    assert requires.sentence(names) == (
        "Axle configuration AX-6X4 requires rear suspension SUS-AIR or SUS-AIRHD"
    )
    excludes = Excludes("ATO3112D", ("PTO-GB1", "PTO-GB2"))
    assert excludes.sentence(names) == (
        "Gearbox ATO3112D excludes power take-off PTO-GB1 and PTO-GB2"
    )
    unavailable = Unavailable(
        ("FT-400",), scope=Scope(frozenset({"FH-EL"}), date(2026, 7, 1))
    )
    assert unavailable.sentence(names) == (
        "Fuel tanks FT-400 is not available (for FH-EL from 2026-07-01)"
    )
    row = Compatible("ENGINE", "GEARBOX", "D17A780", ("ATO3612F",))
    assert row.sentence(names) == "Engine D17A780 goes only with gearbox ATO3612F"
    count = FamilyCount("FUEL", Cardinality.EXACTLY_ONE)
    assert count.sentence(names) == "Fuel tanks: a truck has exactly one"


def test_model_default_replaces_family_default() -> None:
    """The FH rigid's own default AX-8X4 replaces the axle family's AX-6X4,
    while families it says nothing about keep theirs (cab: its own CAB-DAY)."""
    catalogue = load_demo("volvo-fh.txt")
    defaults = catalogue.defaults_for("FH-RG")
    assert "AX-8X4" in defaults
    assert "AX-6X4" not in defaults
    assert "CAB-DAY" in defaults
    assert "CAB-GT" not in defaults
    assert "COL-WHITE" in defaults


def test_rules_for_filters_by_model_and_date() -> None:
    """The rule making D13K460 unavailable on the FH rigid from 2027 is in force
    on 2027-01-01 but not on 2026-12-31, and never for the prime mover."""
    catalogue = load_demo("volvo-fh.txt")

    def dated(model: str, on: date) -> bool:
        return any(
            isinstance(rule, Unavailable) and rule.unavailable == ("D13K460",)
            for rule in catalogue.rules_for(model, on)
        )

    assert dated("FH-RG", date(2027, 1, 1))
    assert not dated("FH-RG", date(2026, 12, 31))
    assert not dated("FH-PM", date(2027, 1, 1))


def test_family_headings_become_count_rules() -> None:
    """Every exactly-one or at-most-one family heading gives a count rule, and
    an "any" family gives none."""
    catalogue = load_demo("volvo-fh.txt")
    counted = {rule.family for rule in catalogue.family_rules()}
    assert "ENGINE" in counted
    assert "FUEL" in counted
    assert "SAFETY" not in counted
