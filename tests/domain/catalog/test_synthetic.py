"""Generated catalogues: repeatable, of the size asked, and always buildable."""

from __future__ import annotations

import random

from pysat.solvers import Solver

from dealer_tui.catalog.configurator import (
    Configuration,
    ConfiguratorEngine,
    OptionState,
)
from dealer_tui.catalog.synthetic import SYNTHETIC_DAY, synthetic_catalogue

from .support import rule_holds


def test_same_seed_same_catalogue() -> None:
    """Seed 11 gives equal catalogues twice, and seed 12 a different one."""
    first = synthetic_catalogue(11, option_count=200, rule_count=250)
    assert first == synthetic_catalogue(11, option_count=200, rule_count=250)
    assert first != synthetic_catalogue(12, option_count=200, rule_count=250)


def test_sizes_are_as_asked() -> None:
    """2,500 options and 3,000 rules are asked for and delivered."""
    catalogue = synthetic_catalogue(1)
    assert len(catalogue.options) == 2500
    assert len(catalogue.rules) == 3000


def test_every_model_has_a_valid_truck() -> None:
    """Each of the three generated models has at least one valid truck."""
    catalogue = synthetic_catalogue(4, option_count=600, rule_count=720)
    for model in catalogue.models:
        assert ConfiguratorEngine(catalogue, model.code, SYNTHETIC_DAY).consistent


def test_random_choices_on_a_large_catalogue_stay_completable() -> None:
    """Twenty random allowed choices on 800 options and 960 rules always leave
    a completed truck that keeps every rule, and each blocked option's reason
    is confirmed by a solver that holds only the named rules and choices."""
    catalogue = synthetic_catalogue(9, option_count=800, rule_count=960)
    engine = ConfiguratorEngine(catalogue, "SYN-B", SYNTHETIC_DAY)
    config = Configuration.start(engine)
    pick = random.Random(3)
    for _ in range(20):
        open_codes = [
            code
            for code, status in config.statuses.items()
            if status.state in (OptionState.SELECTABLE, OptionState.DEFAULT)
        ]
        config = config.choose(pick.choice(open_codes))
    truck = frozenset(config.completed())
    assert all(rule_holds(rule, truck, catalogue) for rule in engine.rules)
    blocked = [c for c, s in config.statuses.items() if s.state is OptionState.BLOCKED]
    for code in pick.sample(blocked, min(10, len(blocked))):
        explanation = config.explain(code)
        assert explanation is not None
        clauses = [
            list(clause)
            for rule, rule_clauses in zip(
                engine.rules, engine.rule_clauses, strict=True
            )
            if rule in explanation.rules
            for clause in rule_clauses
        ]
        literals = [engine.choice_literal(c) for c in explanation.choices]
        with Solver(name="glucose4", bootstrap_with=clauses) as solver:
            assert not solver.solve(assumptions=[*literals, engine.variable[code]])
