"""Large made-up catalogues for measuring the configurator.

The same seed always gives the same catalogue. A hidden reference truck
is drawn first and every rule is drawn so that this truck keeps it, so each
model of a generated catalogue has at least one valid truck, however many
rules are asked for. Rules mostly tie families that sit near each other in
the catalogue, as engines, gearboxes and axles do in a real one, so chains
of rules form as they would there.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

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

SYNTHETIC_FILE = "synthetic"
# A day inside the generated rules' validity periods, for building engines.
SYNTHETIC_DAY = date(2026, 6, 30)
_MODEL_CODES = ("SYN-A", "SYN-B", "SYN-C")
_NEIGHBOURHOOD = 12


def synthetic_catalogue(
    seed: int, option_count: int = 2500, rule_count: int = 3000
) -> Catalogue:
    """A catalogue of about option_count options and exactly rule_count rules.

    Rows of compatibility tables count as one rule each; family headings
    are not counted as rules.
    """
    rng = random.Random(seed)
    families, options = _families(rng, option_count)
    witness = _witness(rng, families)
    options = [
        Option(o.code, o.name, o.family, o.price, False, o.source) for o in options
    ]
    options = _with_defaults(rng, families, options)
    rules = _rules(rng, families, witness, rule_count)
    models = tuple(
        TruckModel(
            code,
            f"Synthetic model {code[-1]}",
            Decimal(200000 + 15000 * index),
            source=SourceLine(SYNTHETIC_FILE, index + 1),
        )
        for index, code in enumerate(_MODEL_CODES)
    )
    return Catalogue(
        range_code="SYN",
        range_name=f"Synthetic range {seed}",
        make="Synthetic",
        currency="AUD",
        models=models,
        families=tuple(families),
        options=tuple(options),
        rules=tuple(rules),
    )


def _families(
    rng: random.Random, option_count: int
) -> tuple[list[Family], list[Option]]:
    families: list[Family] = []
    options: list[Option] = []
    while len(options) < option_count:
        index = len(families)
        size = min(rng.randint(2, 10), option_count - len(options))
        size = max(size, 1)
        cardinality = rng.choices(
            [Cardinality.EXACTLY_ONE, Cardinality.AT_MOST_ONE, Cardinality.ANY],
            weights=[70, 15, 15],
        )[0]
        if size == 1 and cardinality is Cardinality.EXACTLY_ONE:
            cardinality = Cardinality.AT_MOST_ONE
        code = f"F{index:04d}"
        members = []
        for number in range(size):
            option_code = f"{code}-{number:02d}"
            price = Decimal(rng.randrange(0, 400)) * 50
            options.append(
                Option(
                    option_code,
                    f"Option {number} of family {index}",
                    code,
                    price,
                    source=SourceLine(SYNTHETIC_FILE, len(options) + 1),
                )
            )
            members.append(option_code)
        families.append(
            Family(
                code,
                f"Family {index}",
                cardinality,
                tuple(members),
                SourceLine(SYNTHETIC_FILE, index + 1),
            )
        )
    return families, options


def _witness(rng: random.Random, families: list[Family]) -> frozenset[str]:
    carried: set[str] = set()
    for family in families:
        if family.cardinality is Cardinality.EXACTLY_ONE:
            carried.add(rng.choice(family.options))
        elif family.cardinality is Cardinality.AT_MOST_ONE:
            if rng.random() < 0.5:
                carried.add(rng.choice(family.options))
        else:
            carried.update(o for o in family.options if rng.random() < 0.3)
    return frozenset(carried)


def _with_defaults(
    rng: random.Random, families: list[Family], options: list[Option]
) -> list[Option]:
    chosen: set[str] = set()
    for family in families:
        if rng.random() < 0.6:
            chosen.add(rng.choice(family.options))
    return [
        Option(o.code, o.name, o.family, o.price, o.code in chosen, o.source)
        for o in options
    ]


def _rules(
    rng: random.Random,
    families: list[Family],
    witness: frozenset[str],
    rule_count: int,
) -> list[Rule]:
    rules: list[Rule] = []

    def source() -> SourceLine:
        return SourceLine(SYNTHETIC_FILE, 100000 + len(rules))

    def near(index: int) -> Family:
        low = max(0, index - _NEIGHBOURHOOD)
        high = min(len(families) - 1, index + _NEIGHBOURHOOD)
        while True:
            other = rng.randint(low, high)
            if other != index or low == high:
                return families[other]

    while len(rules) < rule_count:
        index = rng.randrange(len(families))
        family = families[index]
        other = near(index)
        if other.code == family.code:
            continue
        scope = _scope(rng)
        kind = rng.random()
        if kind < 0.40:
            trigger = rng.choice(family.options)
            targets = tuple(
                sorted(rng.sample(other.options, rng.randint(1, len(other.options))))
            )
            if trigger in witness and witness.isdisjoint(targets):
                continue
            rules.append(Requires(trigger, targets, scope=scope, source=source()))
        elif kind < 0.75:
            first = rng.choice(family.options)
            second = rng.choice(other.options)
            if first in witness and second in witness:
                continue
            rules.append(Excludes(first, (second,), scope=scope, source=source()))
        elif kind < 0.92:
            for code in family.options:
                if len(rules) >= rule_count:
                    break
                partners = tuple(
                    sorted(
                        rng.sample(other.options, rng.randint(1, len(other.options)))
                    )
                )
                if code in witness and witness.isdisjoint(partners):
                    partners = tuple(
                        sorted({*partners, *(witness & set(other.options))})
                    )
                if code in witness and witness.isdisjoint(partners):
                    continue
                rules.append(
                    Compatible(
                        family.code,
                        other.code,
                        code,
                        partners,
                        scope=scope,
                        source=source(),
                    )
                )
        elif kind < 0.97:
            code = rng.choice(family.options)
            if code in witness:
                continue
            rules.append(Unavailable((code,), scope=scope, source=source()))
        else:
            if family.cardinality is not Cardinality.ANY:
                continue
            if len(witness & set(family.options)) > 1:
                continue
            rules.append(
                FamilyCount(
                    family.code,
                    Cardinality.AT_MOST_ONE,
                    scope=scope,
                    source=source(),
                )
            )
    return rules


def _scope(rng: random.Random) -> Scope:
    roll = rng.random()
    if roll < 0.08:
        return Scope(models=frozenset({rng.choice(_MODEL_CODES)}))
    if roll < 0.14:
        return Scope(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    if roll < 0.17:
        return Scope(valid_from=date(2027, 1, 1))
    return Scope()
