"""The truck catalogue as plain data: models, option families, options, rules.

A catalogue covers one model range of one make. Each option belongs to one
family; a family says how many of its options a truck may carry. Rules tie
options together (one requires another, one excludes another, a table of
compatible pairs) and may be limited to some models of the range and to a
period of dates. Prices are list prices in the range's currency, kept as
exact decimals; dated price lists live elsewhere.

Nothing here solves anything: the configurator compiles these rules into a
solver for one model on one date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property


class Cardinality(StrEnum):
    """How many options of one family a truck carries."""

    EXACTLY_ONE = "exactly-one"
    AT_MOST_ONE = "at-most-one"
    ANY = "any"

    @property
    def single_choice(self) -> bool:
        """Whether choosing one option of the family replaces the others."""
        return self is not Cardinality.ANY


@dataclass(frozen=True, order=True)
class SourceLine:
    """Where an item was written: the catalogue file's name and line number."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file} line {self.line}"


@dataclass(frozen=True)
class Scope:
    """The models and the dates a rule holds for; empty means no limit."""

    models: frozenset[str] = frozenset()
    valid_from: date | None = None
    valid_to: date | None = None

    def applies(self, model_code: str, on: date) -> bool:
        """Whether the rule holds for this model on this date (ends included)."""
        if self.models and model_code not in self.models:
            return False
        if self.valid_from is not None and on < self.valid_from:
            return False
        return self.valid_to is None or on <= self.valid_to

    def describe(self) -> str:
        """A short phrase for the limits, empty when the rule always holds."""
        parts = []
        if self.models:
            parts.append("for " + ", ".join(sorted(self.models)))
        if self.valid_from and self.valid_to:
            parts.append(f"from {self.valid_from} to {self.valid_to}")
        elif self.valid_from:
            parts.append(f"from {self.valid_from}")
        elif self.valid_to:
            parts.append(f"until {self.valid_to}")
        return " ".join(parts)


@dataclass(frozen=True)
class Option:
    """One orderable option with its code, its family and its list price."""

    code: str
    name: str
    family: str
    price: Decimal
    default: bool = False
    source: SourceLine | None = None


@dataclass(frozen=True)
class Family:
    """A group of options, such as the engines, with how many a truck carries."""

    code: str
    name: str
    cardinality: Cardinality
    options: tuple[str, ...]
    source: SourceLine | None = None

    @property
    def noun(self) -> str:
        """The family name as it reads inside a sentence ("engine", "PTO")."""
        name = self.name
        if len(name) > 1 and name[1].islower():
            return name[0].lower() + name[1:]
        return name


@dataclass(frozen=True)
class TruckModel:
    """A model of the range with its base list price and its own defaults."""

    code: str
    name: str
    base_price: Decimal
    defaults: tuple[str, ...] = ()
    source: SourceLine | None = None


class Namer:
    """Turns option and family codes into the words used in rule sentences."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue

    def option(self, code: str) -> str:
        """An option code preceded by its family ("gearbox ATO3112F")."""
        option = self._catalogue.options_by_code.get(code)
        if option is None:
            return code
        family = self._catalogue.families_by_code.get(option.family)
        return f"{family.noun} {code}" if family else code

    def options(self, codes: Iterable[str], joiner: str) -> str:
        """Several options joined by "or"/"and", the family said once if shared."""
        codes = list(codes)
        families = {self.family_of(code) for code in codes}
        if len(families) == 1 and None not in families:
            family = self._catalogue.families_by_code[families.pop()]
            return f"{family.noun} {_join(codes, joiner)}"
        return _join([self.option(code) for code in codes], joiner)

    def family(self, code: str) -> str:
        """The family's name in a sentence, or its code if unknown."""
        family = self._catalogue.families_by_code.get(code)
        return family.noun if family else code

    def family_of(self, code: str) -> str | None:
        """The code of the option's family, None for an unknown option."""
        option = self._catalogue.options_by_code.get(code)
        return option.family if option else None


def _join(words: list[str], joiner: str) -> str:
    if len(words) <= 2:
        return f" {joiner} ".join(words)
    return ", ".join(words[:-1]) + f" {joiner} " + words[-1]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Rule:
    """What every rule has: where it holds and where it was written."""

    scope: Scope = field(default=Scope(), kw_only=True)
    source: SourceLine | None = field(default=None, kw_only=True)

    @property
    def options(self) -> tuple[str, ...]:
        """The option codes the rule speaks of."""
        raise NotImplementedError

    @property
    def families(self) -> tuple[str, ...]:
        """The family codes the rule speaks of by name."""
        return ()

    def statement(self, names: Namer) -> str:
        """The rule as a clause of a sentence, without its scope."""
        raise NotImplementedError

    def sentence(self, names: Namer) -> str:
        """The rule as a sentence a salesperson reads, scope included."""
        limits = self.scope.describe()
        text = self.statement(names)
        return _capitalised(f"{text} ({limits})" if limits else text)


@dataclass(frozen=True)
class Requires(Rule):
    """Choosing the trigger option needs at least one of the target options."""

    trigger: str
    targets: tuple[str, ...]

    @property
    def options(self) -> tuple[str, ...]:
        """The trigger first, then the targets."""
        return (self.trigger, *self.targets)

    def statement(self, names: Namer) -> str:
        """E.g. "engine D17A780 requires gearbox ATO3112F or ATO3112D"."""
        return (
            f"{names.option(self.trigger)} requires {names.options(self.targets, 'or')}"
        )


@dataclass(frozen=True)
class Excludes(Rule):
    """The option cannot be fitted together with any of the others."""

    option: str
    others: tuple[str, ...]

    @property
    def options(self) -> tuple[str, ...]:
        """The excluding option first, then the excluded ones."""
        return (self.option, *self.others)

    def statement(self, names: Namer) -> str:
        """E.g. "engine D17A780 excludes gearbox ATO2612F"."""
        return (
            f"{names.option(self.option)} excludes {names.options(self.others, 'and')}"
        )


@dataclass(frozen=True)
class Unavailable(Rule):
    """The options cannot be fitted at all where the rule holds."""

    unavailable: tuple[str, ...]

    @property
    def options(self) -> tuple[str, ...]:
        """The options that cannot be fitted."""
        return self.unavailable

    def statement(self, names: Namer) -> str:
        """E.g. "axle configuration AX-8X4 is not available"."""
        verb = "is" if len(self.unavailable) == 1 else "are"
        return f"{names.options(self.unavailable, 'and')} {verb} not available"


@dataclass(frozen=True)
class Compatible(Rule):
    """One row of a compatibility table: this option goes only with those."""

    first_family: str
    second_family: str
    option: str
    partners: tuple[str, ...]

    @property
    def options(self) -> tuple[str, ...]:
        """The row's option first, then its partners."""
        return (self.option, *self.partners)

    @property
    def families(self) -> tuple[str, ...]:
        """The two families the table pairs."""
        return (self.first_family, self.second_family)

    def statement(self, names: Namer) -> str:
        """E.g. "engine D13K460 goes only with gearbox ATO2612F or ATO3112F"."""
        if not self.partners:
            return (
                f"{names.option(self.option)} goes with no "
                f"{names.family(self.second_family)}"
            )
        return (
            f"{names.option(self.option)} goes only with "
            f"{names.options(self.partners, 'or')}"
        )


@dataclass(frozen=True)
class FamilyCount(Rule):
    """The family carries exactly one, or at most one, of its options."""

    family: str
    cardinality: Cardinality

    @property
    def options(self) -> tuple[str, ...]:
        """A family count speaks of families, not of single options."""
        return ()

    @property
    def families(self) -> tuple[str, ...]:
        """The family being counted."""
        return (self.family,)

    def statement(self, names: Namer) -> str:
        """E.g. "gearbox: a truck has exactly one"."""
        noun = names.family(self.family)
        if self.cardinality is Cardinality.EXACTLY_ONE:
            return f"{noun}: a truck has exactly one"
        if self.cardinality is Cardinality.AT_MOST_ONE:
            return f"{noun}: a truck has at most one"
        return f"{noun}: a truck may have any number"


@dataclass(frozen=True)
class Catalogue:
    """One model range: its models, option families, options and rules."""

    range_code: str
    range_name: str
    make: str
    currency: str
    models: tuple[TruckModel, ...]
    families: tuple[Family, ...]
    options: tuple[Option, ...]
    rules: tuple[Rule, ...]

    @cached_property
    def options_by_code(self) -> Mapping[str, Option]:
        """Every option by its code."""
        return {option.code: option for option in self.options}

    @cached_property
    def families_by_code(self) -> Mapping[str, Family]:
        """Every family by its code."""
        return {family.code: family for family in self.families}

    @cached_property
    def models_by_code(self) -> Mapping[str, TruckModel]:
        """Every model by its code."""
        return {model.code: model for model in self.models}

    @property
    def names(self) -> Namer:
        """The wording helper for this catalogue's rule sentences."""
        return Namer(self)

    def family_rules(self) -> tuple[FamilyCount, ...]:
        """The count rules that the family headings themselves state."""
        return tuple(
            FamilyCount(family.code, family.cardinality, source=family.source)
            for family in self.families
            if family.cardinality is not Cardinality.ANY
        )

    def rules_for(self, model_code: str, on: date) -> tuple[Rule, ...]:
        """The rules in force for a model on a date, family headings first."""
        scoped = tuple(r for r in self.rules if r.scope.applies(model_code, on))
        return self.family_rules() + scoped

    def defaults_for(self, model_code: str) -> tuple[str, ...]:
        """The default options of a model, in catalogue order.

        A model's own default replaces the defaults of that family.
        """
        model = self.models_by_code.get(model_code)
        own = model.defaults if model else ()
        own_families = {
            self.options_by_code[code].family
            for code in own
            if code in self.options_by_code
        }
        return tuple(
            option.code
            for option in self.options
            if option.code in own
            or (option.default and option.family not in own_families)
        )
