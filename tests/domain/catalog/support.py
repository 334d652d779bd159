"""Helpers for the catalogue tests: the demo files, small random catalogues,
and a brute-force judge that reads the rules without any solver."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from itertools import combinations, product
from pathlib import Path

from hypothesis import strategies as st

from dealer_tui.catalog.configurator import Choice
from dealer_tui.catalog.rules import (
    Cardinality,
    Catalogue,
    Compatible,
    Excludes,
    Family,
    FamilyCount,
    Option,
    Requires,
    Rule,
    Scope,
    SourceLine,
    TruckModel,
    Unavailable,
)
from dealer_tui.catalog.ruletext import parse_catalogue

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "catalog"
DEMO_FILES = ("volvo-fh.txt", "volvo-fm.txt", "mack-anthem.txt")
DAY = date(2026, 7, 15)


def load_demo(name: str) -> Catalogue:
    """A demo catalogue file, parsed; the file is expected to be clean."""
    parsed = parse_catalogue((FIXTURES / name).read_text(encoding="utf-8"), name)
    assert parsed.problems == ()
    return parsed.catalogue


def rule_holds(rule: Rule, truck: frozenset[str], catalogue: Catalogue) -> bool:
    """Whether a truck (the set of its option codes) keeps a rule."""
    if isinstance(rule, Requires):
        return rule.trigger not in truck or any(t in truck for t in rule.targets)
    if isinstance(rule, Compatible):
        return rule.option not in truck or any(p in truck for p in rule.partners)
    if isinstance(rule, Excludes):
        return rule.option not in truck or not any(o in truck for o in rule.others)
    if isinstance(rule, Unavailable):
        return not any(code in truck for code in rule.unavailable)
    if isinstance(rule, FamilyCount):
        carried = sum(
            code in truck for code in catalogue.families_by_code[rule.family].options
        )
        if rule.cardinality is Cardinality.EXACTLY_ONE:
            return carried == 1
        return carried <= 1
    raise TypeError(type(rule).__name__)


def every_truck(catalogue: Catalogue) -> Iterator[frozenset[str]]:
    """Every set of options, valid or not (small catalogues only)."""
    codes = [option.code for option in catalogue.options]
    for bits in product((False, True), repeat=len(codes)):
        yield frozenset(code for code, bit in zip(codes, bits, strict=True) if bit)


def valid_trucks(catalogue: Catalogue, rules: Iterable[Rule]) -> list[frozenset[str]]:
    """The trucks that keep every one of the rules, by trying them all."""
    rules = list(rules)
    return [
        truck
        for truck in every_truck(catalogue)
        if all(rule_holds(rule, truck, catalogue) for rule in rules)
    ]


def keeps(truck: frozenset[str], choices: Iterable[Choice]) -> bool:
    """Whether a truck agrees with every choice."""
    return all((c.option in truck) == c.include for c in choices)


def single_choice(catalogue: Catalogue, rules: Iterable[Rule], family: str) -> bool:
    """Whether a family takes one option under the rules in force."""
    return any(isinstance(r, FamilyCount) and r.family == family for r in rules)


def relevant(
    catalogue: Catalogue, rules: list[Rule], choices: Iterable[Choice], code: str
) -> list[Choice]:
    """The choices that stay when an option is chosen (the judge's own copy)."""
    family = catalogue.options_by_code[code].family
    single = single_choice(catalogue, rules, family)
    return [
        c
        for c in choices
        if c.option != code
        and not (
            single
            and c.include
            and catalogue.options_by_code[c.option].family == family
        )
    ]


def subsets_smaller_than(
    items: list[Choice], size: int
) -> Iterator[tuple[Choice, ...]]:
    """Every subset of the items with fewer than size members."""
    for count in range(size):
        yield from combinations(items, count)


MODELS = ("M1", "M2")
_DATES = (None, date(2026, 1, 1), date(2026, 7, 1), date(2027, 1, 1))


ALL_KINDS = ("requires", "excludes", "unavailable", "compat", "family")


@st.composite
def small_catalogues(
    draw: st.DrawFn,
    max_options: int = 10,
    kinds: tuple[str, ...] = ALL_KINDS,
    rule_counts: tuple[int, int] = (0, 12),
) -> Catalogue:
    """A random catalogue of a few families and rules of the kinds given."""
    families: list[Family] = []
    options: list[Option] = []
    for index in range(draw(st.integers(1, 4))):
        room = max_options - len(options)
        if room <= 0:
            break
        size = draw(st.integers(1, min(4, room)))
        cardinality = draw(st.sampled_from(list(Cardinality)))
        codes = tuple(f"F{index}-{n}" for n in range(size))
        if cardinality.single_choice:
            default_at = draw(st.one_of(st.none(), st.integers(0, size - 1)))
            defaults = {default_at}
        else:
            defaults = {n for n in range(size) if draw(st.booleans())}
        for n, code in enumerate(codes):
            options.append(
                Option(
                    code, f"Option {code}", f"F{index}", Decimal(100 * n), n in defaults
                )
            )
        families.append(
            Family(
                f"F{index}",
                f"Family {index}",
                cardinality,
                codes,
                SourceLine("t", index),
            )
        )
    codes = [option.code for option in options]
    rules: list[Rule] = []
    for number in range(draw(st.integers(*rule_counts))):
        scope = draw(_scopes())
        source = SourceLine("t", 100 + number)
        kind = draw(st.sampled_from(kinds))
        if kind == "requires" and len(codes) > 1:
            trigger = draw(st.sampled_from(codes))
            others = [c for c in codes if c != trigger]
            targets = draw(
                st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True)
            )
            rules.append(Requires(trigger, tuple(targets), scope=scope, source=source))
        elif kind == "excludes" and len(codes) > 1:
            first = draw(st.sampled_from(codes))
            others = [c for c in codes if c != first]
            excluded = draw(
                st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True)
            )
            rules.append(Excludes(first, tuple(excluded), scope=scope, source=source))
        elif kind == "unavailable":
            gone = draw(
                st.lists(st.sampled_from(codes), min_size=1, max_size=2, unique=True)
            )
            rules.append(Unavailable(tuple(gone), scope=scope, source=source))
        elif kind == "compat" and len(families) > 1:
            first, second = draw(st.permutations(families))[:2]
            option = draw(st.sampled_from(first.options))
            partners = draw(
                st.lists(st.sampled_from(second.options), max_size=3, unique=True)
            )
            rules.append(
                Compatible(
                    first.code,
                    second.code,
                    option,
                    tuple(partners),
                    scope=scope,
                    source=source,
                )
            )
        elif kind == "family":
            family = draw(st.sampled_from(families))
            count = draw(
                st.sampled_from([Cardinality.EXACTLY_ONE, Cardinality.AT_MOST_ONE])
            )
            rules.append(FamilyCount(family.code, count, scope=scope, source=source))
    models = (
        TruckModel("M1", "Model one", Decimal("100000")),
        TruckModel("M2", "Model two", Decimal("120000")),
    )
    return Catalogue(
        "T",
        "Test range",
        "Test make",
        "AUD",
        models,
        tuple(families),
        tuple(options),
        tuple(rules),
    )


@st.composite
def _scopes(draw: st.DrawFn) -> Scope:
    models = frozenset(draw(st.lists(st.sampled_from(MODELS), max_size=1)))
    start = draw(st.sampled_from(_DATES))
    end = draw(st.sampled_from(_DATES))
    if start and end and end < start:
        start, end = end, start
    return Scope(models, start, end)
