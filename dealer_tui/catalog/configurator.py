"""The truck configurator: what can still be fitted, and why not.

An engine compiles a catalogue's rules for one model on one date into a
satisfiability problem: each option is a yes/no variable, each family count
a cardinality constraint, each rule a few clauses. A configuration is the
list of choices a salesperson made; the solver answers, for every option,
whether a complete valid truck can still carry it alongside those choices.
Because only options that can still be completed are ever accepted, the
salesperson can never reach a dead end.

An option is, from the choices made so far:

- chosen: the salesperson chose it; declined: the salesperson left it out;
- forced: every valid truck with these choices carries it;
- blocked: no valid truck with these choices can carry it;
- default: the family's default, still possible, and nothing chosen there;
- selectable: anything else.

Choosing an option of a family that takes one option replaces the earlier
choice in that family, so its other options are judged without that choice.

For a blocked or forced option the configurator names the rules and the
earlier choices that, on their own, cause it, and for a blocked one the
fewest earlier choices to give up so that it can be fitted.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from itertools import combinations, islice
from types import MappingProxyType

from pysat.card import CardEnc, EncType
from pysat.formula import IDPool
from pysat.solvers import Solver

from dealer_tui.catalog.rules import (
    Cardinality,
    Catalogue,
    Compatible,
    Excludes,
    FamilyCount,
    Namer,
    Requires,
    Rule,
    Unavailable,
)
from dealer_tui.core.errors import NotFound, Refused

_SOLVER = "glucose4"
# Families up to this size take an at-most-one constraint as plain pairs;
# larger ones use a sequential counter, which grows linearly, not squared.
_PAIRWISE_LIMIT = 10
# The smallest-change search tries this many candidate sets before it falls
# back to giving up choices one core at a time, which is quick but may give
# up more than the fewest.
_CHANGE_SEARCH_LIMIT = 2000
# How many earlier sets of choices the engine remembers answers for; the
# set with no choice at all is always kept.
_MEMO_SIZE = 64
# How many valid trucks found earlier the engine keeps to prove options
# possible again without asking the solver.
_POOL_SIZE = 128
# How many valid trucks with every choice in place are tried for swapping
# an option in before the solver is asked.
_MODELS_KEPT = 24

Clause = list[int]


class OptionState(StrEnum):
    """Where an option stands after the choices made so far."""

    CHOSEN = "chosen"
    DECLINED = "declined"
    FORCED = "forced"
    DEFAULT = "default"
    SELECTABLE = "selectable"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Choice:
    """One decision of the salesperson: fit an option, or leave it out."""

    option: str
    include: bool = True

    def phrase(self, names: Namer) -> str:
        """The decision in a few words ("engine D13K540", "no PTO PTO-EG")."""
        option = names.option(self.option)
        return option if self.include else f"no {option}"

    def sentence(self, names: Namer) -> str:
        """The decision as a sentence ("You chose engine D13K540")."""
        option = names.option(self.option)
        return f"You chose {option}" if self.include else f"You left out {option}"


@dataclass(frozen=True)
class OptionStatus:
    """An option's state, and whether choosing it now is allowed."""

    option: str
    state: OptionState
    available: bool

    @property
    def included(self) -> bool:
        """Whether the truck as it stands carries the option."""
        return self.state in (
            OptionState.CHOSEN,
            OptionState.FORCED,
            OptionState.DEFAULT,
        )


@dataclass(frozen=True)
class FamilyState:
    """A family's options in the truck as it stands, and whether it is open."""

    family: str
    cardinality: Cardinality
    included: tuple[str, ...]

    @property
    def open(self) -> bool:
        """Whether a family that needs an option has none yet."""
        return self.cardinality is Cardinality.EXACTLY_ONE and not self.included


@dataclass(frozen=True)
class Explanation:
    """Why an option is blocked or forced: rules and earlier choices.

    The rules and choices named here are, on their own, enough to cause it:
    leave any one of them out and the cause is gone.
    """

    option: str
    state: OptionState
    rules: tuple[Rule, ...]
    choices: tuple[Choice, ...]
    sentences: tuple[str, ...]

    def text(self) -> str:
        """The whole explanation as one paragraph."""
        return " ".join(f"{sentence}." for sentence in self.sentences)


@dataclass(frozen=True)
class FreeingChange:
    """The fewest earlier choices to give up so that an option can be fitted.

    Fitting the option also replaces the choice named in replaces, the one
    made earlier in the same one-option family, if there is one. smallest
    is False only when the search for the fewest gave up early and offers
    a change that works but may give up more than needed.
    """

    option: str
    give_up: tuple[Choice, ...]
    replaces: Choice | None
    sentence: str
    smallest: bool = True


class OptionBlocked(Refused):
    """The option cannot be chosen (or left out) with the choices made so far."""

    def __init__(self, explanation: Explanation) -> None:
        super().__init__(explanation.text())
        self.explanation = explanation


class _Remembered:
    """A valid truck found earlier, as the solver gave it (signed literals)."""

    __slots__ = ("_carried", "option_count", "values")

    def __init__(self, values: list[int], option_count: int) -> None:
        self.values = values
        self.option_count = option_count
        self._carried: bytes | None = None

    def carried(self) -> bytes:
        """One byte per option, 1 when the truck carries it (worked out once)."""
        if self._carried is None:
            options = islice(self.values, self.option_count)
            self._carried = bytes(map((0).__lt__, options))
        return self._carried


class _Knowledge:
    """What is known about the options under one set of assumptions.

    Valid trucks are kept as numbers holding one byte per option (1 when
    carried), so that combining many of them is a single integer operation.
    """

    def __init__(self, option_count: int) -> None:
        self.option_count = option_count
        self.every_option = int.from_bytes(b"\x01" * option_count, "little")
        self.carried = 0
        self.left_out = 0
        self.proved: set[int] = set()
        self.models: list[list[int]] = []
        self.blocked: set[int] = set()
        self.forced: set[int] = set()

    def add_model(self, carried: bytes, values: list[int]) -> None:
        """Count a valid truck's options possible and the others free."""
        if len(self.models) < _MODELS_KEPT:
            self.models.append(values)
        number = int.from_bytes(carried, "little")
        self.carried |= number
        self.left_out |= self.every_option ^ number

    def add_some(self, values: Sequence[int], candidates: Iterable[int]) -> None:
        """Count the candidates a valid truck carries as possible."""
        self.proved.update(v for v in candidates if values[v - 1] > 0)

    def pending(self, candidates: Iterable[int]) -> list[int]:
        """The candidates neither proved possible nor proved blocked."""
        carried = self.carried.to_bytes(self.option_count, "little")
        blocked, forced, proved = self.blocked, self.forced, self.proved
        return [
            v
            for v in candidates
            if not carried[v - 1]
            and v not in proved
            and v not in blocked
            and v not in forced
        ]

    def suspects(self, candidates: Iterable[int]) -> list[int]:
        """The candidates no known valid truck lacks and not proved forced."""
        left_out = self.left_out.to_bytes(self.option_count, "little")
        blocked, forced = self.blocked, self.forced
        return [
            v
            for v in candidates
            if not left_out[v - 1] and v not in forced and v not in blocked
        ]

    def possible(self, candidates: Iterable[int]) -> set[int]:
        """The candidates proved possible."""
        carried = self.carried.to_bytes(self.option_count, "little")
        forced, proved = self.forced, self.proved
        return {v for v in candidates if carried[v - 1] or v in forced or v in proved}


class ConfiguratorEngine:
    """A catalogue's rules compiled for one model on one date.

    The engine holds incremental solvers and is not safe to share between
    threads; configurations made from one engine share its solvers.
    """

    def __init__(self, catalogue: Catalogue, model_code: str, on: date) -> None:
        """Compile the rules in force for the model on the date."""
        model = catalogue.models_by_code.get(model_code)
        if model is None:
            raise NotFound(f"range {catalogue.range_code} has no model {model_code}")
        self.catalogue = catalogue
        self.model = model
        self.on = on
        self.names = catalogue.names
        self.rules = catalogue.rules_for(model_code, on)
        self.codes = tuple(option.code for option in catalogue.options)
        self.variable = {code: index for index, code in enumerate(self.codes, 1)}
        self.family_of = {option.code: option.family for option in catalogue.options}
        self.option_count = len(self.codes)
        pool = IDPool(start_from=self.option_count + 1)
        self._rule_clauses = [self._encode(rule, pool) for rule in self.rules]
        self._top = pool.top
        self.cardinality = self._cardinalities()
        self._occurs: dict[int, list[Clause]] = defaultdict(list)
        for clauses in self._rule_clauses:
            for clause in clauses:
                for literal in clause:
                    self._occurs[literal].append(clause)
        self._rivals = {
            self.variable[code]: tuple(
                self.variable[other] for other in family.options if other != code
            )
            for family in catalogue.families
            if self.cardinality[family.code].single_choice
            for code in family.options
        }
        self.defaults = tuple(
            self.variable[code] for code in catalogue.defaults_for(model_code)
        )
        self._solver = Solver(
            name=_SOLVER,
            bootstrap_with=[c for clauses in self._rule_clauses for c in clauses],
        )
        self._facts: dict[frozenset[int], tuple[frozenset[int], frozenset[int]]] = {}
        self._pool: deque[_Remembered] = deque(maxlen=_POOL_SIZE)
        self.consistent = self.satisfiable([])
        self._statuses: dict[tuple[str, OptionState, bool], OptionStatus] = {}

    def status_value(
        self, code: str, state: OptionState, available: bool
    ) -> OptionStatus:
        """The one shared status value for an option in a state.

        Every configuration holds a status for every option; sharing the
        few distinct values keeps a long undo history light.
        """
        key = (code, state, available)
        status = self._statuses.get(key)
        if status is None:
            status = self._statuses[key] = OptionStatus(code, state, available)
        return status

    def close(self) -> None:
        """Free the solver; the engine cannot answer afterwards."""
        self._solver.delete()

    def _cardinalities(self) -> dict[str, Cardinality]:
        most: set[str] = set()
        least: set[str] = set()
        for rule in self.rules:
            if isinstance(rule, FamilyCount):
                most.add(rule.family)
                if rule.cardinality is Cardinality.EXACTLY_ONE:
                    least.add(rule.family)
        result = {}
        for family in self.catalogue.families:
            if family.code in least:
                result[family.code] = Cardinality.EXACTLY_ONE
            elif family.code in most:
                result[family.code] = Cardinality.AT_MOST_ONE
            else:
                result[family.code] = Cardinality.ANY
        return result

    def _literal(self, code: str) -> int:
        try:
            return self.variable[code]
        except KeyError:
            raise NotFound(f"there is no option {code}") from None

    def _encode(self, rule: Rule, pool: IDPool) -> list[Clause]:
        lit = self._literal
        if isinstance(rule, Requires):
            return [[-lit(rule.trigger), *(lit(t) for t in rule.targets)]]
        if isinstance(rule, Compatible):
            return [[-lit(rule.option), *(lit(p) for p in rule.partners)]]
        if isinstance(rule, Excludes):
            return [[-lit(rule.option), -lit(other)] for other in rule.others]
        if isinstance(rule, Unavailable):
            return [[-lit(code)] for code in rule.unavailable]
        if isinstance(rule, FamilyCount):
            family = self.catalogue.families_by_code.get(rule.family)
            if family is None:
                raise NotFound(f"there is no family {rule.family}")
            literals = [lit(code) for code in family.options]
            clauses: list[Clause] = []
            if rule.cardinality is Cardinality.EXACTLY_ONE:
                clauses.append(list(literals))
            if len(literals) <= _PAIRWISE_LIMIT:
                clauses += [[-a, -b] for a, b in combinations(literals, 2)]
            else:
                encoded = CardEnc.atmost(
                    literals, bound=1, vpool=pool, encoding=EncType.seqcounter
                )
                clauses += [list(c) for c in encoded.clauses]
            return clauses
        raise TypeError(f"the configurator cannot encode {type(rule).__name__}")

    def choice_literal(self, choice: Choice) -> int:
        """The solver literal that states a choice."""
        variable = self._literal(choice.option)
        return variable if choice.include else -variable

    def satisfiable(self, literals: Iterable[int]) -> bool:
        """Whether some valid truck makes all these literals true."""
        return bool(self._solver.solve(assumptions=list(literals)))

    def values(self, literals: Iterable[int]) -> list[int] | None:
        """A valid truck with these literals, as one signed literal per
        variable (options first), or None when there is none."""
        if not self._solver.solve(assumptions=list(literals)):
            return None
        return self._solver.get_model()

    def core(self, literals: Iterable[int]) -> list[int] | None:
        """None when the literals fit a valid truck; otherwise some of them
        that already cannot all hold together."""
        if self._solver.solve(assumptions=list(literals)):
            return None
        return list(self._solver.get_core() or [])

    def assess(
        self,
        assumptions: list[int],
        candidates: Sequence[int],
        groups: Mapping[frozenset[int], Sequence[int]],
    ) -> tuple[set[int], set[int], dict[frozenset[int], set[int]]]:
        """Which options are possible and which forced under the assumptions.

        Returns the possible and the forced candidates, and for each group
        (a set of assumption literals to drop, with its own candidates) the
        group's candidates that are possible once those literals are dropped.

        Every model the solver finds proves all the options it carries
        possible at once, and the solver is steered to decide the options
        not yet proved first, each towards true, so a handful of models
        settles most options. What earlier calls found is reused: an option
        blocked (or forced) with fewer choices stays so with more, and any
        remembered model that keeps the choices proves what it carries.
        """
        if not self.consistent:
            return set(), set(), {key: set() for key in groups}
        base = self._knowledge(assumptions, frozenset())
        known = {key: self._knowledge(assumptions, key) for key in groups}
        self._replay_pool(assumptions, base, known, groups)
        self._settle(assumptions, base, candidates, find_forced=True)
        possible = base.possible(candidates)
        forced = {v for v in candidates if v in base.forced}
        by_group = {}
        for key, members in groups.items():
            for variable in known[key].pending(members):
                if any(self._swap_fits(m, variable) for m in base.models):
                    known[key].proved.add(variable)
            kept = [lit for lit in assumptions if lit not in key]
            self._settle(kept, known[key], members, find_forced=False)
            by_group[key] = known[key].possible(members)
        return possible, forced, by_group

    def _swap_fits(self, values: list[int], variable: int) -> bool:
        """Whether the truck stays valid with the option swapped in.

        The option is fitted and, in a one-option family, the family's
        other options taken out; only the clauses of the changed options
        are looked at. A valid truck with every choice in place that
        survives the swap proves the option can replace its family's choice
        without asking the solver.
        """
        changed = {variable: True}
        for member in self._rivals.get(variable, ()):
            if values[member - 1] > 0:
                changed[member] = False
        for changed_variable, now in changed.items():
            falsified = -changed_variable if now else changed_variable
            for clause in self._occurs.get(falsified, ()):
                for literal in clause:
                    value = changed.get(abs(literal))
                    if value is None:
                        value = values[abs(literal) - 1] > 0
                    if value == (literal > 0):
                        break
                else:
                    return False
        return True

    def _settle(
        self,
        assumptions: list[int],
        known: _Knowledge,
        candidates: Sequence[int],
        find_forced: bool,
    ) -> None:
        pending = known.pending(candidates)
        suspects = known.suspects(candidates) if find_forced else []
        if pending or suspects:
            self._propagate(known, assumptions)
        pending = known.pending(pending)
        while pending:
            target = pending[0]
            self._steer(pending)
            values = self.values([*assumptions, target])
            if values is None:
                known.blocked.add(target)
            elif find_forced:
                known.add_model(self._learn(values).carried(), values)
            else:
                known.add_some(self._learn(values).values, pending)
            pending = known.pending(pending)
        suspects = known.suspects(suspects) if find_forced else []
        while suspects:
            target = suspects[0]
            self._steer([-v for v in suspects])
            values = self.values([*assumptions, -target])
            if values is None:
                known.forced.add(target)
            else:
                known.add_model(self._learn(values).carried(), values)
            suspects = known.suspects(suspects)
        self._remember(frozenset(assumptions), known)

    def _steer(self, literals: list[int]) -> None:
        # Deciding these variables first, each the wanted way, makes the
        # next model make as many of the literals true as the rules allow.
        self._solver.set_phases(literals)
        self._solver.set_activities(dict.fromkeys(map(abs, literals), 1.0))

    def extend(self, fixed: list[int], wanted: Sequence[int]) -> list[int]:
        """The wanted literals, in order, each kept if it fits with the fixed
        ones and the wanted ones kept before it."""
        wanted = list(wanted)
        if not wanted:
            return []
        self._steer(wanted)
        if self.values([*fixed, *wanted]) is not None:
            return wanted
        values = self.values(fixed)
        if values is None:
            raise ValueError("the fixed literals contradict the rules")
        kept: list[int] = []
        for index, literal in enumerate(wanted):
            if values[abs(literal) - 1] == literal:
                kept.append(literal)
                continue
            self._steer(wanted[index:])
            trial = self.values([*fixed, *kept, literal])
            if trial is not None:
                kept.append(literal)
                values = trial
        return kept

    def _propagate(self, known: _Knowledge, assumptions: list[int]) -> None:
        ready, implied = self._solver.propagate(assumptions=assumptions)
        if not ready:
            raise ValueError("the choices contradict the rules")
        count = self.option_count
        for literal in implied:
            if 0 < literal <= count:
                known.forced.add(literal)
            elif -count <= literal < 0:
                known.blocked.add(-literal)

    def _learn(self, values: list[int]) -> _Remembered:
        remembered = _Remembered(values, self.option_count)
        self._pool.append(remembered)
        return remembered

    def _knowledge(self, assumptions: list[int], dropped: frozenset[int]) -> _Knowledge:
        key = frozenset(assumptions) - dropped
        known = _Knowledge(self.option_count)
        for earlier, (blocked, forced) in self._facts.items():
            if earlier <= key:
                known.blocked |= blocked
                known.forced |= forced
        return known

    def _replay_pool(
        self,
        assumptions: list[int],
        base: _Knowledge,
        groups: Mapping[frozenset[int], _Knowledge],
        members: Mapping[frozenset[int], Sequence[int]],
    ) -> None:
        """Feed every remembered model to the assumption sets it satisfies."""
        for remembered in self._pool:
            values = remembered.values
            broken = frozenset(
                lit for lit in assumptions if values[abs(lit) - 1] * lit < 0
            )
            if not broken:
                base.add_model(remembered.carried(), values)
                continue
            for key, known in groups.items():
                if broken <= key:
                    known.add_some(values, members[key])

    def _remember(self, key: frozenset[int], known: _Knowledge) -> None:
        blocked, forced = self._facts.pop(key, (frozenset(), frozenset()))
        self._facts[key] = (
            frozenset(blocked | known.blocked),
            frozenset(forced | known.forced),
        )
        while len(self._facts) > _MEMO_SIZE:
            oldest = next(k for k in self._facts if k)
            del self._facts[oldest]

    @property
    def variable_count(self) -> int:
        """The highest solver variable the options and the rules use."""
        return self._top

    @property
    def rule_clauses(self) -> tuple[tuple[Clause, ...], ...]:
        """The clauses of each rule in force, in the order of the rules."""
        return tuple(tuple(clauses) for clauses in self._rule_clauses)

    def hard_clauses(self) -> list[Clause]:
        """Every clause of every rule in force, for a solver of one's own."""
        return [list(clause) for clauses in self._rule_clauses for clause in clauses]

    def explain(
        self, choices: Sequence[Choice], target: int | None
    ) -> tuple[tuple[Rule, ...], tuple[Choice, ...]]:
        """The rules and choices that, on their own, make the literal false.

        With no target literal, the rules and choices that on their own
        leave no valid truck at all. Leave out any one of those named and
        the rest no longer have that effect. A fresh solver is used so that
        the same question always gets the same answer, whatever was asked
        before.
        """
        with self.explainer() as explainer:
            return explainer.why(choices, target)

    def explainer(self) -> Explainer:
        """A solver for many explanations in a row, such as a report's."""
        return Explainer(self)


class Explainer:
    """A solver in which every rule can be switched off, to find the causes.

    Each rule's clauses carry a switch of their own; asking the solver with
    every switch on and the choices as assumptions, a failure names the
    switches and choices involved, which are then pared down one by one
    until each is needed.
    """

    def __init__(self, engine: ConfiguratorEngine) -> None:
        """Load the engine's rules, each behind its own switch."""
        self.engine = engine
        base = engine.variable_count + 1
        self._rule_of = {base + index: index for index in range(len(engine.rules))}
        self._solver = Solver(
            name=_SOLVER,
            bootstrap_with=[
                [*clause, -(base + index)]
                for index, clauses in enumerate(engine.rule_clauses)
                for clause in clauses
            ],
        )

    def __enter__(self) -> Explainer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Free the solver."""
        self._solver.delete()

    def why(
        self, choices: Sequence[Choice], target: int | None
    ) -> tuple[tuple[Rule, ...], tuple[Choice, ...]]:
        """The rules and choices that on their own make the target false,
        or, with no target, leave no valid truck; each one is needed."""
        solver = self._solver
        choice_of = {self.engine.choice_literal(c): c for c in choices}
        # Choices are tried for removal first, so a cause that needs no
        # choice at all is preferred to one that blames the salesperson.
        candidates = [*choice_of, *self._rule_of]
        goal = [] if target is None else [target]
        if solver.solve(assumptions=[*candidates, *goal]):
            raise ValueError("the literal is not excluded; nothing to explain")
        core = set(solver.get_core() or ())
        kept = [lit for lit in candidates if lit in core]
        index = 0
        while index < len(kept):
            trial = kept[:index] + kept[index + 1 :]
            if solver.solve(assumptions=[*trial, *goal]):
                index += 1
                continue
            core = set(solver.get_core() or ())
            kept = [lit for lit in trial if lit in core]
        rules = tuple(
            self.engine.rules[self._rule_of[lit]]
            for lit in kept
            if lit in self._rule_of
        )
        return rules, tuple(choice_of[lit] for lit in kept if lit in choice_of)


def chain_order(
    rules: Iterable[Rule], target: str, catalogue: Catalogue
) -> tuple[Rule, ...]:
    """Order rules as a chain that starts at the target option.

    The rule that names the target comes first, then the rules that share
    an option with it, and so on; ties keep the catalogue's order.
    """
    rules = list(rules)
    touched = [_touched_options(rule, catalogue) for rule in rules]
    distance = {}
    queue = deque()
    for index, options in enumerate(touched):
        if target in options:
            distance[index] = 0
            queue.append(index)
    while queue:
        current = queue.popleft()
        for index, options in enumerate(touched):
            if index not in distance and options & touched[current]:
                distance[index] = distance[current] + 1
                queue.append(index)
    far = len(rules) + 1
    order = sorted(
        range(len(rules)),
        key=lambda i: (distance.get(i, far), _source_key(rules[i])),
    )
    return tuple(rules[i] for i in order)


def _touched_options(rule: Rule, catalogue: Catalogue) -> frozenset[str]:
    options = set(rule.options)
    if isinstance(rule, FamilyCount):
        family = catalogue.families_by_code.get(rule.family)
        if family:
            options.update(family.options)
    return frozenset(options)


def _source_key(rule: Rule) -> tuple[str, int]:
    return (rule.source.file, rule.source.line) if rule.source else ("", 0)


@dataclass(frozen=True)
class Configuration:
    """The choices made for one truck, with the way back to undo them.

    A configuration never changes: every step returns a new one that keeps
    the one before it, so undo hands back that earlier configuration with
    its states already worked out. The states are worked out once, when
    first asked for. Two configurations are equal when they have the same
    engine and the same choices, however they were reached.
    """

    engine: ConfiguratorEngine
    choices: tuple[Choice, ...] = ()
    previous: Configuration | None = field(default=None, compare=False, repr=False)

    @classmethod
    def start(cls, engine: ConfiguratorEngine) -> Configuration:
        """A configuration with no choice made yet."""
        return cls(engine)

    @property
    def can_undo(self) -> bool:
        """Whether there is an earlier step to go back to."""
        return self.previous is not None

    @property
    def history(self) -> tuple[tuple[Choice, ...], ...]:
        """The choices of every earlier step, the oldest first."""
        steps = []
        earlier = self.previous
        while earlier is not None:
            steps.append(earlier.choices)
            earlier = earlier.previous
        return tuple(reversed(steps))

    def undo(self) -> Configuration:
        """The configuration as it was before the last step."""
        if self.previous is None:
            raise Refused("there is no earlier choice to undo")
        return self.previous

    @classmethod
    def restore(
        cls, engine: ConfiguratorEngine, choices: Iterable[Choice]
    ) -> tuple[Configuration, tuple[Choice, ...]]:
        """Make saved choices again, in their order, on a possibly newer engine.

        Returns the configuration and the choices that could not be made
        again (an option gone, or blocked by the earlier choices), so that a
        quote saved under older rules reopens without a dead end.
        """
        config = cls.start(engine)
        refused: list[Choice] = []
        for choice in choices:
            try:
                if choice.include:
                    config = config.choose(choice.option)
                else:
                    config = config.decline(choice.option)
            except (OptionBlocked, NotFound):
                refused.append(choice)
        return config, tuple(refused)

    def _step(self, choices: tuple[Choice, ...]) -> Configuration:
        return Configuration(self.engine, choices, self)

    def choice_for(self, code: str) -> Choice | None:
        """The salesperson's own choice about an option, if there is one."""
        return next((c for c in self.choices if c.option == code), None)

    def _relevant(self, code: str) -> list[Choice]:
        """The choices that stay when the option is chosen or left out."""
        family = self.engine.family_of[code]
        single = self.engine.cardinality[family].single_choice
        return [
            choice
            for choice in self.choices
            if choice.option != code
            and not (
                single
                and choice.include
                and self.engine.family_of[choice.option] == family
            )
        ]

    def _variable(self, code: str) -> int:
        variable = self.engine.variable.get(code)
        if variable is None:
            raise NotFound(f"there is no option {code}")
        return variable

    def _literals(self, choices: Iterable[Choice]) -> list[int]:
        return [self.engine.choice_literal(choice) for choice in choices]

    def choose(self, code: str) -> Configuration:
        """Fit the option, replacing an earlier choice in a one-option family.

        Raises OptionBlocked, with the reason, when no valid truck could
        carry the option together with the other choices.
        """
        variable = self._variable(code)
        current = self.choice_for(code)
        if current is not None and current.include:
            return self
        kept = self._relevant(code)
        if not self.engine.satisfiable([*self._literals(kept), variable]):
            raise OptionBlocked(self._explanation(code, kept, include=True))
        return self._step((*kept, Choice(code)))

    def decline(self, code: str) -> Configuration:
        """Leave the option out; refused when every valid truck needs it."""
        variable = self._variable(code)
        current = self.choice_for(code)
        if current is not None and not current.include:
            return self
        kept = [choice for choice in self.choices if choice.option != code]
        if not self.engine.satisfiable([*self._literals(kept), -variable]):
            raise OptionBlocked(self._explanation(code, kept, include=False))
        return self._step((*kept, Choice(code, include=False)))

    def withdraw(self, code: str) -> Configuration:
        """Take back the salesperson's choice about the option, if any."""
        self._variable(code)
        if self.choice_for(code) is None:
            return self
        return self._step(tuple(c for c in self.choices if c.option != code))

    @cached_property
    def _statuses(self) -> dict[str, OptionStatus]:
        engine = self.engine
        base = self._literals(self.choices)
        if engine.consistent and not engine.satisfiable(base):
            raise Refused(
                "these choices no longer make a valid truck; restore them one "
                "by one to see which are refused"
            )
        chosen = {c.option for c in self.choices if c.include}
        declined = {c.option for c in self.choices if not c.include}
        own = {c.option: engine.choice_literal(c) for c in self.choices}
        selected = {
            engine.family_of[c.option]: engine.choice_literal(c)
            for c in self.choices
            if c.include
            and engine.cardinality[engine.family_of[c.option]].single_choice
        }
        # Most options are judged with every choice in place. An option
        # that would replace a choice (its own "left out", or the choice in
        # its one-option family) is judged without that choice, together
        # with the other options that would replace the same choices.
        everyday: list[int] = []
        groups: dict[frozenset[int], list[int]] = defaultdict(list)
        for code in engine.codes:
            if code in chosen:
                continue
            variable = engine.variable[code]
            dropped = set()
            if code in own:
                dropped.add(own[code])
            family_choice = selected.get(engine.family_of[code])
            if family_choice is not None:
                dropped.add(family_choice)
            if dropped:
                groups[frozenset(dropped)].append(variable)
            else:
                everyday.append(variable)
        possible, forced, by_group = engine.assess(base, everyday, groups)
        for members in by_group.values():
            possible |= members
        statuses: dict[str, OptionStatus] = {}
        for code in engine.codes:
            variable = engine.variable[code]
            if code in chosen:
                statuses[code] = engine.status_value(code, OptionState.CHOSEN, True)
                continue
            if code in declined:
                state = OptionState.DECLINED
            elif variable in forced:
                state = OptionState.FORCED
            elif variable in possible:
                state = OptionState.SELECTABLE
            else:
                state = OptionState.BLOCKED
            statuses[code] = engine.status_value(code, state, variable in possible)
        for code in self._defaults(statuses, base):
            statuses[code] = engine.status_value(code, OptionState.DEFAULT, True)
        return statuses

    def _defaults(
        self, statuses: Mapping[str, OptionStatus], base: list[int]
    ) -> tuple[str, ...]:
        engine = self.engine
        settled = {
            engine.family_of[code]
            for code, status in statuses.items()
            if status.state in (OptionState.CHOSEN, OptionState.FORCED)
            and engine.cardinality[engine.family_of[code]].single_choice
        }
        candidates = [
            variable
            for variable in engine.defaults
            if statuses[engine.codes[variable - 1]].state is OptionState.SELECTABLE
            and engine.family_of[engine.codes[variable - 1]] not in settled
        ]
        # Defaults are taken in catalogue order, each only if it still fits
        # with the choices and the defaults taken before it.
        accepted = engine.extend(base, candidates)
        return tuple(engine.codes[v - 1] for v in accepted)

    @property
    def statuses(self) -> Mapping[str, OptionStatus]:
        """Every option's status, by option code, in catalogue order."""
        return MappingProxyType(self._statuses)

    def status(self, code: str) -> OptionStatus:
        """One option's status."""
        try:
            return self._statuses[code]
        except KeyError:
            raise NotFound(f"there is no option {code}") from None

    def family_state(self, family_code: str) -> FamilyState:
        """What a family holds in the truck as it stands."""
        family = self.engine.catalogue.families_by_code.get(family_code)
        if family is None:
            raise NotFound(f"there is no family {family_code}")
        statuses = self._statuses
        return FamilyState(
            family_code,
            self.engine.cardinality[family_code],
            tuple(code for code in family.options if statuses[code].included),
        )

    def open_families(self) -> tuple[str, ...]:
        """The families that need an option and have none yet."""
        return tuple(
            family.code
            for family in self.engine.catalogue.families
            if self.family_state(family.code).open
        )

    def included(self) -> tuple[str, ...]:
        """The options the truck carries as it stands, in catalogue order."""
        return tuple(code for code, status in self._statuses.items() if status.included)

    @property
    def is_complete(self) -> bool:
        """Whether the options carried now, and no others, make a valid truck."""
        if not self.engine.consistent:
            return False
        included = set(self.included())
        literals = [
            variable if code in included else -variable
            for code, variable in self.engine.variable.items()
        ]
        return self.engine.satisfiable(literals)

    def completed(self) -> tuple[str, ...]:
        """A complete valid truck that keeps every choice and default.

        Open families take their first option that fits, in catalogue
        order, and optional extras nobody asked for are left out. Refused
        when the rules in force leave no valid truck of the model at all.
        """
        engine = self.engine
        if not engine.consistent:
            raise Refused(
                f"no valid {engine.model.name} can be built: the rules contradict"
            )
        fixed = [engine.variable[code] for code in self.included()]
        fixed += [-engine.variable[c.option] for c in self.choices if not c.include]
        values = self._model(fixed)
        for family_code in self.open_families():
            family = engine.catalogue.families_by_code[family_code]
            for code in family.options:
                variable = engine.variable[code]
                if values[variable - 1] > 0:
                    fixed.append(variable)
                    break
                if engine.satisfiable([*fixed, variable]):
                    fixed.append(variable)
                    values = self._model(fixed)
                    break
        decided = {abs(v) for v in fixed}
        for variable in range(1, engine.option_count + 1):
            if variable in decided:
                continue
            if values[variable - 1] < 0:
                fixed.append(-variable)
            elif engine.satisfiable([*fixed, -variable]):
                fixed.append(-variable)
                values = self._model(fixed)
            else:
                fixed.append(variable)
        carried = set(fixed)
        return tuple(code for code in engine.codes if engine.variable[code] in carried)

    def _model(self, literals: list[int]) -> list[int]:
        values = self.engine.values(literals)
        if values is None:
            raise AssertionError("the configuration has reached a dead end")
        return values

    def explain_many(self, codes: Iterable[str]) -> dict[str, Explanation]:
        """Why each of the options is blocked or forced, skipping the others.

        One solver serves them all, which is much quicker for a report than
        asking one by one; each answer is a true and minimal cause, though
        not always the same one that asking alone would name.
        """
        found = {}
        with self.engine.explainer() as explainer:
            for code in codes:
                explanation = self._explain_with(code, explainer)
                if explanation is not None:
                    found[code] = explanation
        return found

    def explain(self, code: str) -> Explanation | None:
        """Why the option is blocked or forced; None for any other state."""
        with self.engine.explainer() as explainer:
            return self._explain_with(code, explainer)

    def _explain_with(self, code: str, explainer: Explainer) -> Explanation | None:
        status = self.status(code)
        if status.state is OptionState.FORCED:
            return self._explanation(code, self.choices, False, explainer)
        if status.state is OptionState.BLOCKED or (
            status.state is OptionState.DECLINED and not status.available
        ):
            return self._explanation(code, self._relevant(code), True, explainer)
        return None

    def _explanation(
        self,
        code: str,
        choices: Sequence[Choice],
        include: bool,
        explainer: Explainer | None = None,
    ) -> Explanation:
        engine = self.engine
        variable = engine.variable[code]
        target = variable if include else -variable
        if explainer is None:
            rules, blamed = engine.explain(choices, target)
        else:
            rules, blamed = explainer.why(choices, target)
        names = engine.names
        rules = chain_order(rules, code, engine.catalogue)
        sentences = [rule.sentence(names) for rule in rules]
        sentences += [choice.sentence(names) for choice in blamed]
        subject = names.option(code)
        if include:
            state = OptionState.BLOCKED
            if blamed:
                sentences.append(f"So {subject} cannot be fitted")
            else:
                sentences.append(f"So {subject} can never be fitted on this model")
        else:
            state = OptionState.FORCED
            sentences.append(f"So {subject} must be fitted")
        return Explanation(code, state, rules, blamed, tuple(sentences))

    def freeing_change(self, code: str) -> FreeingChange | None:
        """The fewest earlier choices to give up so that the option fits.

        None when the option is not blocked, or when no change of choices
        can free it because the rules alone exclude it.
        """
        status = self.status(code)
        if status.available or status.state is OptionState.CHOSEN:
            return None
        engine = self.engine
        variable = engine.variable[code]
        if not engine.satisfiable([variable]):
            return None
        relevant = self._relevant(code)
        give_up, smallest = _smallest_release(
            engine, self._literals(relevant), variable
        )
        dropped = tuple(relevant[i] for i in sorted(give_up))
        replaces = next(
            (c for c in self.choices if c not in relevant and c.option != code),
            None,
        )
        names = engine.names
        what = "; ".join(choice.phrase(names) for choice in dropped)
        noun = "choice" if len(dropped) == 1 else "choices"
        sentence = f"To fit {names.option(code)}, give up your {noun}: {what}"
        if replaces is not None:
            sentence += f" ({names.option(code)} replaces {replaces.phrase(names)})"
        return FreeingChange(code, dropped, replaces, sentence, smallest)

    def accept(self, change: FreeingChange) -> Configuration:
        """Give up the named choices and fit the option, as one undoable step."""
        missing = [c for c in change.give_up if c not in self.choices]
        if missing:
            raise Refused("the choices have changed since this change was offered")
        kept = tuple(c for c in self.choices if c not in change.give_up)
        relieved = Configuration(self.engine, kept)
        chosen = relieved.choose(change.option)
        return Configuration(self.engine, chosen.choices, self)


def _smallest_release(
    engine: ConfiguratorEngine, literals: list[int], target: int
) -> tuple[frozenset[int], bool]:
    """Indexes of the fewest literals to drop so that the target is possible.

    Candidate sets are tried smallest first, the latest choices first among
    equals. Every failed try yields a core, and a later set is only tried
    when it drops something from each core seen, which prunes most sets.
    """
    position = {literal: index for index, literal in enumerate(literals)}
    cores: list[frozenset[int]] = []
    newest_first = list(range(len(literals) - 1, -1, -1))
    tries = 0
    for size in range(len(literals) + 1):
        for dropped in combinations(newest_first, size):
            drop = frozenset(dropped)
            if any(core.isdisjoint(drop) for core in cores):
                continue
            tries += 1
            if tries > _CHANGE_SEARCH_LIMIT:
                return _greedy_release(engine, literals, target, drop), False
            kept = [lit for i, lit in enumerate(literals) if i not in drop]
            core = engine.core([*kept, target])
            if core is None:
                return drop, True
            cores.append(frozenset(position[lit] for lit in core if lit in position))
    raise AssertionError("the target is possible with no choice, yet never freed")


def _greedy_release(
    engine: ConfiguratorEngine, literals: list[int], target: int, start: frozenset[int]
) -> frozenset[int]:
    position = {literal: index for index, literal in enumerate(literals)}
    drop = set(start)
    while True:
        kept = [lit for i, lit in enumerate(literals) if i not in drop]
        core = engine.core([*kept, target])
        if core is None:
            return frozenset(drop)
        drop.add(max(position[lit] for lit in core if lit in position))
