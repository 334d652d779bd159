"""The configurator: time per choice on the demo ranges and the large one.

Each range is read from the database as a quote's configurator reads it,
an engine is built for its first model, and a run of choices is made, each
drawn at random (from a fixed seed) among the options still open.  One
choice is the new configuration together with the state of every option,
which is what the screen shows after a key.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from bench.context import Bench
from bench.measure import Budget, Result, quiet_collector, timed
from dealer_tui.catalog.configurator import (
    Configuration,
    ConfiguratorEngine,
    OptionState,
)
from dealer_tui.catalog.models import CatalogRange
from dealer_tui.catalog.services import catalogue_for
from dealer_tui.catalog.synthetic import SYNTHETIC_DAY
from dealer_tui.demo.scale import GENERATED_RANGE

CHOICE_MS = Budget(50)
CHOICES = 30
OPEN = (OptionState.SELECTABLE, OptionState.DEFAULT)


def answered(config: Configuration) -> Configuration:
    """Work out every option's state, as the screen does after a choice."""
    config.statuses  # noqa: B018 - the states are worked out on first access
    return config


def ranges(bench: Bench) -> list[str]:
    """The demo's ranges first, then the generated one."""
    with bench.db.read() as session:
        codes = list(session.scalars(select(CatalogRange.code).order_by("code")))
    return sorted(codes, key=lambda code: code == GENERATED_RANGE)


def measure(bench: Bench) -> list[Result]:
    results = []
    for code in ranges(bench):
        large = code == GENERATED_RANGE
        catalogue, read_ms = timed(lambda code=code: catalogue_for(bench.db, code))
        model = catalogue.models[0].code
        opening = Result(
            "configurator",
            f"{code}: build the engine for a quote",
            "ms",
            note=f"{len(catalogue.options):,} options, "
            f"{len(catalogue.rules):,} rules; range read in {read_ms:.0f} ms",
        )
        choice = Result(
            "configurator",
            f"{code}: one choice, every option's state"
            + (" (large catalogue)" if large else ""),
            "ms",
            budget=CHOICE_MS,
            note=f"model {model}",
        )
        for run in range(bench.runs):
            engine, build_ms = timed(
                lambda c=catalogue, m=model: ConfiguratorEngine(c, m, SYNTHETIC_DAY)
            )
            opening.samples.append(build_ms)
            try:
                choice.samples += _choices(engine, random.Random(f"{code}/{run}"))
            finally:
                engine.close()
        results += [opening, choice]
    return results


def _choices(engine: ConfiguratorEngine, pick: random.Random) -> list[float]:
    config = answered(Configuration.start(engine))
    taken = []
    with quiet_collector():
        for _ in range(CHOICES):
            open_codes = [
                code for code, status in config.statuses.items() if status.state in OPEN
            ]
            if not open_codes:
                break
            code = pick.choice(open_codes)
            config, elapsed = timed(
                lambda config=config, code=code: answered(config.choose(code))
            )
            taken.append(elapsed)
    return taken
