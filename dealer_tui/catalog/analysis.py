"""Checking a catalogue before salespeople use it.

For each model of a range on a given date the check finds the options no
valid truck can have, the options every valid truck must have, rules that
contradict each other, and how many valid complete trucks there are.

Counting is bounded: an exact count that splits the catalogue into
independent parts is tried first within a work limit; if the rules tie too
much together, valid trucks are listed one by one up to a number limit and
the answer is "more than N" when the limit is reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pysat.solvers import Solver

from dealer_tui.catalog.configurator import (
    Configuration,
    ConfiguratorEngine,
    Explanation,
    OptionState,
    chain_order,
)
from dealer_tui.catalog.rules import (
    Cardinality,
    Catalogue,
    FamilyCount,
    Rule,
    TruckModel,
    Unavailable,
)

# Clause visits the exact count may spend before it gives up on exactness;
# about two seconds on an ordinary workstation.
DEFAULT_WORK_LIMIT = 500_000
# Valid trucks listed one by one before the answer becomes "more than".
DEFAULT_COUNT_LIMIT = 1_000


@dataclass(frozen=True)
class Finding:
    """An option that is always out (or always in), with the rules that say so."""

    option: str
    rules: tuple[Rule, ...]
    sentences: tuple[str, ...]

    @property
    def by_unavailable_rule(self) -> bool:
        """Whether the rules include a plain "not available" rule."""
        return any(isinstance(rule, Unavailable) for rule in self.rules)


@dataclass(frozen=True)
class Contradiction:
    """Rules that together leave no valid truck, or forbid an option that
    no rule declares unavailable."""

    option: str | None
    rules: tuple[Rule, ...]
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class ConfigurationCount:
    """How many valid complete trucks a model has, exactly or at least."""

    count: int
    exact: bool

    def __str__(self) -> str:
        if self.exact:
            return f"{self.count:,}"
        return f"more than {self.count:,}"


@dataclass(frozen=True)
class ModelCheck:
    """What the check found for one model on one date."""

    model: TruckModel
    on: date
    consistent: bool
    dead_options: tuple[Finding, ...]
    mandatory_options: tuple[Finding, ...]
    contradictions: tuple[Contradiction, ...]
    configurations: ConfigurationCount

    @property
    def ok(self) -> bool:
        """Whether the model has valid trucks and no contradiction."""
        return self.consistent and not self.contradictions


@dataclass(frozen=True)
class CatalogueCheck:
    """The check of every model of a range on one date."""

    range_code: str
    on: date
    models: tuple[ModelCheck, ...]

    @property
    def ok(self) -> bool:
        """Whether every model passed."""
        return all(model.ok for model in self.models)


def check_catalogue(
    catalogue: Catalogue,
    on: date,
    count_limit: int = DEFAULT_COUNT_LIMIT,
    work_limit: int = DEFAULT_WORK_LIMIT,
) -> CatalogueCheck:
    """Check every model of the range with the rules in force on the date."""
    return CatalogueCheck(
        catalogue.range_code,
        on,
        tuple(
            check_model(catalogue, model.code, on, count_limit, work_limit)
            for model in catalogue.models
        ),
    )


def check_model(
    catalogue: Catalogue,
    model_code: str,
    on: date,
    count_limit: int = DEFAULT_COUNT_LIMIT,
    work_limit: int = DEFAULT_WORK_LIMIT,
) -> ModelCheck:
    """Check one model of the range with the rules in force on the date."""
    engine = ConfiguratorEngine(catalogue, model_code, on)
    try:
        if not engine.consistent:
            rules = no_valid_truck(engine)
            return ModelCheck(
                engine.model,
                on,
                False,
                (),
                (),
                (Contradiction(None, rules, _sentences(engine, rules)),),
                ConfigurationCount(0, True),
            )
        start = Configuration.start(engine)
        reasons = start.explain_many(start.statuses)
        dead = tuple(
            _finding(reasons[code])
            for code, status in start.statuses.items()
            if status.state is OptionState.BLOCKED
        )
        mandatory = tuple(
            _finding(reasons[code])
            for code, status in start.statuses.items()
            if status.state is OptionState.FORCED
        )
        contradictions = tuple(
            Contradiction(finding.option, finding.rules, finding.sentences)
            for finding in dead
            if not finding.by_unavailable_rule
        )
        count = count_configurations(engine, count_limit, work_limit)
        return ModelCheck(
            engine.model, on, True, dead, mandatory, contradictions, count
        )
    finally:
        engine.close()


def _finding(explanation: Explanation) -> Finding:
    return Finding(explanation.option, explanation.rules, explanation.sentences)


def _sentences(engine: ConfiguratorEngine, rules: tuple[Rule, ...]) -> tuple[str, ...]:
    names = engine.names
    return (
        *(rule.sentence(names) for rule in rules),
        f"So no {engine.model.name} can be built",
    )


def no_valid_truck(engine: ConfiguratorEngine) -> tuple[Rule, ...]:
    """A smallest-by-deletion set of rules that leaves no valid truck.

    Every rule named is needed: without any one of them the others allow
    at least one valid truck.
    """
    rules, _ = engine.explain([], None)
    return chain_order(rules, "", engine.catalogue)


@dataclass(frozen=True)
class _Slot:
    """One decision of a truck: a one-option family, or one optional extra."""

    options: tuple[int, ...]
    may_be_empty: bool


class _OutOfWork(Exception):
    pass


def count_configurations(
    engine: ConfiguratorEngine,
    limit: int = DEFAULT_COUNT_LIMIT,
    work_limit: int = DEFAULT_WORK_LIMIT,
) -> ConfigurationCount:
    """The number of valid complete trucks of the engine's model.

    A complete truck settles every option; two trucks differ when some
    option is in one and not the other.
    """
    if not engine.consistent:
        return ConfigurationCount(0, True)
    try:
        return ConfigurationCount(_ExactCounter(engine, work_limit).count(), True)
    except _OutOfWork:
        return _enumerate(engine, limit)


def _enumerate(engine: ConfiguratorEngine, limit: int) -> ConfigurationCount:
    count = engine.option_count
    found = 0
    with Solver(name="glucose4", bootstrap_with=engine.hard_clauses()) as solver:
        while found <= limit and solver.solve():
            found += 1
            values = solver.get_model()[:count]
            solver.add_clause([-value for value in values])
    if found > limit:
        return ConfigurationCount(limit, False)
    return ConfigurationCount(found, True)


class _ExactCounter:
    """Counts valid trucks by splitting them into independent parts.

    Each one-option family is one slot whose values are its options (and
    "none" when the family may stay empty); each other option is a slot of
    its own. After each value tried, the remaining slots fall apart into
    groups that share no rule, counted separately and multiplied; counts
    of groups already met are remembered.
    """

    def __init__(self, engine: ConfiguratorEngine, work_limit: int) -> None:
        self.work_left = work_limit
        self.slot_of: dict[int, int] = {}
        self.slots: list[_Slot] = []
        for family in engine.catalogue.families:
            variables = tuple(engine.variable[code] for code in family.options)
            cardinality = engine.cardinality[family.code]
            if cardinality.single_choice:
                self._add(variables, cardinality is Cardinality.AT_MOST_ONE)
            else:
                for variable in variables:
                    self._add((variable,), True)
        self.clauses = [
            frozenset(clause)
            for rule, clauses in zip(engine.rules, engine.rule_clauses, strict=True)
            if not isinstance(rule, FamilyCount)
            for clause in clauses
        ]
        self.memo: dict[tuple[object, ...], int] = {}

    def _add(self, variables: tuple[int, ...], may_be_empty: bool) -> None:
        for variable in variables:
            self.slot_of[variable] = len(self.slots)
        self.slots.append(_Slot(variables, may_be_empty))

    def count(self) -> int:
        """The exact number of valid trucks; raises _OutOfWork past the limit."""
        domains = {
            index: (*slot.options, *((0,) if slot.may_be_empty else ()))
            for index, slot in enumerate(self.slots)
        }
        return self._count(domains, frozenset(self.clauses))

    def _count(
        self, domains: Mapping[int, tuple[int, ...]], clauses: frozenset[frozenset[int]]
    ) -> int:
        domains, clauses = self._narrow(dict(domains), clauses)
        if any(not values for values in domains.values()):
            return 0
        total = 1
        for part_slots, part_clauses in self._parts(domains, clauses):
            if not part_clauses:
                for slot in part_slots:
                    total *= len(domains[slot])
                continue
            part_domains = {slot: domains[slot] for slot in part_slots}
            key = (tuple(sorted(part_domains.items())), part_clauses)
            if key not in self.memo:
                self.memo[key] = self._branch(part_domains, part_clauses)
            total *= self.memo[key]
            if total == 0:
                return 0
        return total

    def _branch(
        self, domains: dict[int, tuple[int, ...]], clauses: frozenset[frozenset[int]]
    ) -> int:
        weight: dict[int, int] = {}
        for clause in clauses:
            for literal in clause:
                slot = self.slot_of[abs(literal)]
                weight[slot] = weight.get(slot, 0) + 1
        slot = max(weight, key=lambda s: (weight[s], -s))
        total = 0
        for value in domains[slot]:
            narrowed = dict(domains)
            narrowed[slot] = (value,)
            total += self._count(narrowed, clauses)
        return total

    @staticmethod
    def _holds(literal: int, value: int) -> bool:
        """Whether a literal on a slot's option holds with the slot's value."""
        return (abs(literal) == value) == (literal > 0)

    @staticmethod
    def _truth(literal: int, values: tuple[int, ...]) -> bool | None:
        """True or False when every value left to the slot agrees, else None."""
        if abs(literal) not in values:
            return literal < 0
        if len(values) == 1:
            return literal > 0
        return None

    def _narrow(
        self, domains: dict[int, tuple[int, ...]], clauses: frozenset[frozenset[int]]
    ) -> tuple[dict[int, tuple[int, ...]], frozenset[frozenset[int]]]:
        """Drop settled clauses and apply those left on one slot, until stable.

        A clause left with no open literal empties a slot's values, which
        the caller reads as no valid truck.
        """
        changed = True
        while changed:
            self.work_left -= len(clauses) + 1
            if self.work_left < 0:
                raise _OutOfWork
            changed = False
            kept = set()
            for clause in clauses:
                truths = {
                    literal: self._truth(literal, domains[self.slot_of[abs(literal)]])
                    for literal in clause
                }
                if any(truths.values()):
                    changed = True
                    continue
                open_literals = frozenset(
                    literal for literal, truth in truths.items() if truth is None
                )
                if not open_literals:
                    domains[self.slot_of[abs(next(iter(clause)))]] = ()
                    return domains, frozenset()
                slots = {self.slot_of[abs(literal)] for literal in open_literals}
                if len(slots) == 1:
                    slot = slots.pop()
                    domains[slot] = tuple(
                        value
                        for value in domains[slot]
                        if any(self._holds(lit, value) for lit in open_literals)
                    )
                    changed = True
                    continue
                changed = changed or open_literals != clause
                kept.add(open_literals)
            clauses = frozenset(kept)
        return domains, clauses

    def _parts(
        self, domains: Mapping[int, tuple[int, ...]], clauses: frozenset[frozenset[int]]
    ) -> list[tuple[tuple[int, ...], frozenset[frozenset[int]]]]:
        """The slots split into groups joined by clauses, each with its clauses."""
        parent = {slot: slot for slot in domains}

        def root(slot: int) -> int:
            while parent[slot] != slot:
                parent[slot] = parent[parent[slot]]
                slot = parent[slot]
            return slot

        for clause in clauses:
            slots = [self.slot_of[abs(literal)] for literal in clause]
            first = root(slots[0])
            for slot in slots[1:]:
                parent[root(slot)] = first
        groups: dict[int, list[int]] = {}
        for slot in domains:
            groups.setdefault(root(slot), []).append(slot)
        by_root: dict[int, set[frozenset[int]]] = {}
        for clause in clauses:
            by_root.setdefault(root(self.slot_of[abs(next(iter(clause)))]), set()).add(
                clause
            )
        return [
            (tuple(sorted(members)), frozenset(by_root.get(key, ())))
            for key, members in groups.items()
        ]


def describe(check: ModelCheck, catalogue: Catalogue) -> list[str]:
    """The check of one model as lines of plain text for a report."""
    names = catalogue.names
    lines = [f"{check.model.code} {check.model.name}, rules in force on {check.on}:"]
    if not check.consistent:
        lines.append("  no valid truck can be built:")
        lines += [f"    {s}." for c in check.contradictions for s in c.sentences]
        return lines
    lines.append(f"  valid complete trucks: {check.configurations}")
    for title, findings in (
        ("options no valid truck can have", check.dead_options),
        ("options every valid truck must have", check.mandatory_options),
    ):
        lines.append(f"  {title}: {len(findings)}")
        for finding in findings:
            reason = " ".join(f"{s}." for s in finding.sentences[:-1])
            lines.append(f"    {names.option(finding.option)}: {reason}")
    lines.append(f"  contradictory rules: {len(check.contradictions)}")
    for contradiction in check.contradictions:
        lines += [f"    {s}." for s in contradiction.sentences]
    return lines
