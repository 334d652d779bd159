"""The catalogue check: dead and mandatory options, contradictions, counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealer_tui.catalog.analysis import (
    ConfigurationCount,
    check_catalogue,
    check_model,
    count_configurations,
    describe,
)
from dealer_tui.catalog.configurator import ConfiguratorEngine
from dealer_tui.catalog.rules import (
    Cardinality,
    Catalogue,
    Excludes,
    Family,
    Option,
    Requires,
    Rule,
    TruckModel,
    Unavailable,
)
from dealer_tui.catalog.synthetic import SYNTHETIC_DAY, synthetic_catalogue

from .support import DAY, DEMO_FILES, MODELS, load_demo, small_catalogues, valid_trucks


def tiny(*rules: Rule) -> Catalogue:
    """Extras A, B, C (any number) and a one-option family Q (Q1, Q2, Q3)."""
    families = (
        Family("X", "Extras", Cardinality.ANY, ("A", "B", "C")),
        Family("Q", "Quality", Cardinality.EXACTLY_ONE, ("Q1", "Q2", "Q3")),
    )
    options = tuple(
        Option(code, code, family.code, Decimal(0))
        for family in families
        for code in family.options
    )
    model = TruckModel("M", "Model", Decimal(1))
    return Catalogue("T", "Tiny", "Make", "AUD", (model,), families, options, rules)


@pytest.mark.parametrize("name", DEMO_FILES)
def test_demo_ranges_pass_the_check(name: str) -> None:
    """Every demo model has valid trucks, no contradiction and an exact count."""
    check = check_catalogue(load_demo(name), DAY)
    assert check.ok
    for model in check.models:
        assert model.consistent
        assert model.contradictions == ()
        assert model.configurations.exact
        assert model.configurations.count > 1000


def test_fh16_dead_and_mandatory_options_with_reasons() -> None:
    """The FH16 can never have a D13 engine (an unavailable rule) nor the engine
    PTO (a chain through the D17 engines), and must be 6x4."""
    check = check_model(load_demo("volvo-fh.txt"), "FH16-PM", DAY)
    dead = {finding.option: finding for finding in check.dead_options}
    assert {"D13K460", "PTO-EG", "SUS-LEAF", "AX-8X4"} <= set(dead)
    assert len(dead["D13K460"].rules) == 1
    assert dead["D13K460"].by_unavailable_rule
    assert any(isinstance(r, Excludes) for r in dead["PTO-EG"].rules)
    assert [finding.option for finding in check.mandatory_options] == ["AX-6X4"]


def test_contradictory_rules_are_named() -> None:
    """A requires B while A excludes B: A is dead with no unavailable rule, so
    both rules are reported as a contradiction."""
    requires = Requires("A", ("B",))
    excludes = Excludes("A", ("B",))
    check = check_model(tiny(requires, excludes), "M", DAY)
    assert check.consistent
    assert not check.ok
    (contradiction,) = check.contradictions
    assert contradiction.option == "A"
    assert set(contradiction.rules) == {requires, excludes}


def test_model_without_any_valid_truck() -> None:
    """Q1, Q2 and Q3 all unavailable leaves no truck; the report names the
    family rule and the unavailable rule and counts zero trucks."""
    gone = Unavailable(("Q1", "Q2", "Q3"))
    check = check_model(tiny(gone, Requires("A", ("B",))), "M", DAY)
    assert not check.consistent
    (contradiction,) = check.contradictions
    assert contradiction.option is None
    assert gone in contradiction.rules
    assert len(contradiction.rules) == 2
    assert check.configurations == ConfigurationCount(0, True)
    assert "no valid truck" in describe(check, tiny(gone))[1]


def test_count_of_a_tiny_catalogue_worked_out() -> None:
    """Three free extras (2 x 2 x 2 = 8) times three qualities is 24 trucks;
    A excludes B removes the 2 x 3 = 6 with both, leaving 18."""
    engine = ConfiguratorEngine(tiny(), "M", DAY)
    assert count_configurations(engine) == ConfigurationCount(24, True)
    engine = ConfiguratorEngine(tiny(Excludes("A", ("B",))), "M", DAY)
    assert count_configurations(engine) == ConfigurationCount(18, True)


def test_count_beyond_the_limits_says_more_than() -> None:
    """With the exact count given no room, 24 trucks listed up to 10 read as
    "more than 10", and up to 30 as exactly 24."""
    engine = ConfiguratorEngine(tiny(), "M", DAY)
    capped = count_configurations(engine, limit=10, work_limit=0)
    assert capped == ConfigurationCount(10, False)
    assert str(capped) == "more than 10"
    assert count_configurations(engine, limit=30, work_limit=0) == ConfigurationCount(
        24, True
    )


def test_large_catalogue_count_is_bounded() -> None:
    """A generated catalogue of 400 options gives an answer within the limits:
    exact, or "more than 50"."""
    catalogue = synthetic_catalogue(5, option_count=400, rule_count=480)
    engine = ConfiguratorEngine(catalogue, "SYN-A", SYNTHETIC_DAY)
    count = count_configurations(engine, limit=50, work_limit=2000)
    assert count.count >= 50 or count.exact


@settings(max_examples=80, deadline=None)
@given(
    small_catalogues(),
    st.sampled_from(MODELS),
    st.sampled_from([DAY, date(2027, 6, 1)]),
)
def test_count_matches_brute_force(catalogue: Catalogue, model: str, on: date) -> None:
    """The exact count equals the number of option sets that keep every rule."""
    engine = ConfiguratorEngine(catalogue, model, on)
    expected = len(valid_trucks(catalogue, engine.rules))
    assert count_configurations(engine) == ConfigurationCount(expected, True)


def test_report_lines_read_as_sentences() -> None:
    """The FH Electric report gives its count and explains a dead fuel tank."""
    catalogue = load_demo("volvo-fh.txt")
    lines = describe(check_model(catalogue, "FH-EL", DAY), catalogue)
    assert lines[0] == "FH-EL FH Electric prime mover, rules in force on 2026-07-15:"
    assert lines[1] == "  valid complete trucks: 768,000"
    assert any(line.startswith("    fuel tanks FT-600: Fuel tanks") for line in lines)
