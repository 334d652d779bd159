"""Properties of the configurator on random small catalogues, judged by trying
every possible truck against the rules, with no solver involved."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pysat.solvers import Solver

from dealer_tui.catalog.configurator import (
    Choice,
    Configuration,
    ConfiguratorEngine,
    OptionState,
)
from dealer_tui.catalog.rules import Catalogue

from .support import (
    MODELS,
    keeps,
    relevant,
    small_catalogues,
    subsets_smaller_than,
    valid_trucks,
)

DATES = (date(2025, 6, 1), date(2026, 3, 1), date(2026, 9, 1), date(2027, 6, 1))
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def allowed_steps(config: Configuration) -> list[tuple[str, str]]:
    """Every step the configurator lets the salesperson take now."""
    steps: list[tuple[str, str]] = []
    for code, status in config.statuses.items():
        if status.state is OptionState.CHOSEN:
            steps.append(("withdraw", code))
        elif status.state is OptionState.DECLINED:
            steps.append(("withdraw", code))
            if status.available:
                steps.append(("choose", code))
        elif status.available:
            steps.append(("choose", code))
            if status.state is not OptionState.FORCED:
                steps.append(("decline", code))
    if config.can_undo:
        steps.append(("undo", ""))
    return steps


def take(config: Configuration, step: tuple[str, str]) -> Configuration:
    """The configuration after one allowed step."""
    action, code = step
    if action == "undo":
        return config.undo()
    return getattr(config, action)(code)


def walk(config: Configuration, data: st.DataObject, length: int) -> Configuration:
    """A configuration reached by a random run of allowed steps, mostly
    choices, so that runs pile up choices that can block one another."""
    for _ in range(length):
        steps = allowed_steps(config)
        choosing = [step for step in steps if step[0] == "choose"]
        if choosing and data.draw(st.integers(0, 3)) > 0:
            steps = choosing
        if not steps:
            break
        config = take(config, data.draw(st.sampled_from(steps)))
    return config


def judge(config: Configuration, trucks: list[frozenset[str]]) -> None:
    """Compare every state the configurator shows with the brute-force truth."""
    engine = config.engine
    catalogue = engine.catalogue
    rules = list(engine.rules)
    choices = config.choices
    fitting = [t for t in trucks if keeps(t, choices)]
    assert fitting, "the configuration reached a dead end"
    completed = frozenset(config.completed())
    assert completed in trucks
    assert keeps(completed, choices)
    included = frozenset(config.included())
    assert any(included <= t for t in fitting)
    assert config.is_complete == (included in fitting)
    defaults = set(catalogue.defaults_for(engine.model.code))
    for code, status in config.statuses.items():
        kept = relevant(catalogue, rules, choices, code)
        possible = any(code in t for t in trucks if keeps(t, kept))
        if status.state is OptionState.CHOSEN:
            assert Choice(code) in choices
            continue
        assert status.available == possible, code
        if status.state is OptionState.DECLINED:
            assert Choice(code, include=False) in choices
            continue
        forced = all(code in t for t in fitting)
        assert (status.state is OptionState.FORCED) == forced, code
        assert (status.state is OptionState.BLOCKED) == (not possible), code
        if status.state is OptionState.DEFAULT:
            assert code in defaults


@SETTINGS
@given(
    catalogue=small_catalogues(),
    model=st.sampled_from(MODELS),
    on=st.sampled_from(DATES),
    data=st.data(),
)
def test_any_run_of_allowed_choices_can_be_completed(
    catalogue: Catalogue, model: str, on: date, data: st.DataObject
) -> None:
    """After every allowed step each option's state matches the brute-force
    truth, and the configuration always completes to a valid truck."""
    engine = ConfiguratorEngine(catalogue, model, on)
    trucks = valid_trucks(catalogue, engine.rules)
    config = Configuration.start(engine)
    if not trucks:
        assert not engine.consistent
        assert all(s.state is OptionState.BLOCKED for s in config.statuses.values())
        return
    for _ in range(data.draw(st.integers(0, 6))):
        judge(config, trucks)
        steps = allowed_steps(config)
        if not steps:
            break
        config = take(config, data.draw(st.sampled_from(steps)))
    judge(config, trucks)


def _solver_agrees(
    engine: ConfiguratorEngine, explanation_rules: tuple, choices: tuple, target: int
) -> bool:
    """Whether a solver holding only the named rules finds the target false."""
    clauses = [
        list(clause)
        for rule, rule_clauses in zip(engine.rules, engine.rule_clauses, strict=True)
        if rule in explanation_rules
        for clause in rule_clauses
    ]
    literals = [engine.choice_literal(choice) for choice in choices]
    with Solver(name="glucose4", bootstrap_with=clauses) as solver:
        return not solver.solve(assumptions=[*literals, target])


@SETTINGS
@given(
    catalogue=st.one_of(
        small_catalogues(max_options=8),
        small_catalogues(
            max_options=8, kinds=("requires", "excludes", "compat"), rule_counts=(4, 12)
        ),
    ),
    model=st.sampled_from(MODELS),
    on=st.sampled_from(DATES),
    data=st.data(),
)
def test_every_why_names_a_real_and_minimal_cause(
    catalogue: Catalogue, model: str, on: date, data: st.DataObject
) -> None:
    """For each blocked or forced option, the named rules and choices on their
    own exclude (or force) it, by brute force and by a solver holding only
    them, and leaving out any one of them removes that effect."""
    engine = ConfiguratorEngine(catalogue, model, on)
    if not engine.consistent:
        return
    config = walk(Configuration.start(engine), data, data.draw(st.integers(0, 4)))
    for code, status in config.statuses.items():
        explanation = config.explain(code)
        unexplained = status.available or status.state is OptionState.CHOSEN
        if unexplained and status.state is not OptionState.FORCED:
            assert explanation is None
            continue
        assert explanation is not None
        blocked = explanation.state is OptionState.BLOCKED

        def holds(
            rules: tuple, choices: tuple, code: str = code, blocked: bool = blocked
        ) -> bool:
            trucks = [t for t in valid_trucks(catalogue, rules) if keeps(t, choices)]
            if blocked:
                return all(code not in t for t in trucks)
            return all(code in t for t in trucks)

        rules, choices = explanation.rules, explanation.choices
        assert holds(rules, choices)
        variable = engine.variable[code]
        target = variable if blocked else -variable
        assert _solver_agrees(engine, rules, choices, target)
        for index in range(len(rules)):
            assert not holds(rules[:index] + rules[index + 1 :], choices)
        for index in range(len(choices)):
            assert not holds(rules, choices[:index] + choices[index + 1 :])
        for choice in choices:
            assert choice in config.choices


# Catalogues dense in requirements and exclusions, where choices often block
# one another, so that changes of more than one choice come up.
TANGLED = small_catalogues(
    kinds=("requires", "excludes", "excludes", "compat"), rule_counts=(4, 14)
)


@SETTINGS
@given(
    catalogue=TANGLED,
    model=st.sampled_from(MODELS),
    on=st.sampled_from(DATES),
    data=st.data(),
)
def test_freeing_change_is_the_smallest_that_works(
    catalogue: Catalogue, model: str, on: date, data: st.DataObject
) -> None:
    """For each blocked option, giving up the offered choices frees it, no
    smaller set of choices would, and accepting the change fits it."""
    engine = ConfiguratorEngine(catalogue, model, on)
    trucks = valid_trucks(catalogue, engine.rules)
    if not trucks:
        return
    config = walk(Configuration.start(engine), data, data.draw(st.integers(0, 8)))
    rules = list(engine.rules)
    for code, status in config.statuses.items():
        if status.available or status.state is OptionState.CHOSEN:
            assert config.freeing_change(code) is None
            continue
        change = config.freeing_change(code)
        if change is None:
            assert not any(code in t for t in trucks)
            continue
        kept = relevant(catalogue, rules, config.choices, code)
        remaining = [c for c in kept if c not in change.give_up]
        assert any(code in t for t in trucks if keeps(t, remaining))
        for dropped in subsets_smaller_than(kept, len(change.give_up)):
            rest = [c for c in kept if c not in dropped]
            assert not any(code in t for t in trucks if keeps(t, rest))
        accepted = config.accept(change)
        assert accepted.status(code).state is OptionState.CHOSEN
        assert accepted.undo().choices == config.choices
