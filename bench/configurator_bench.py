"""How fast the configurator answers on a large generated catalogue.

Generates a catalogue (2,500 options and 3,000 rules unless told otherwise)
from a seed, makes a run of random allowed choices, and prints the time each
choice took to answer: the new configuration plus the state of every
option. The budget is under 50 ms per choice. Also times reading the
catalogue file, building the engine, a "why", a smallest change and a
completed truck.

    python bench/configurator_bench.py --seed 7 --choices 40
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

from dealer_tui.catalog.analysis import check_model
from dealer_tui.catalog.configurator import (
    Configuration,
    ConfiguratorEngine,
    OptionState,
)
from dealer_tui.catalog.ruletext import format_catalogue, parse_catalogue
from dealer_tui.catalog.synthetic import SYNTHETIC_DAY, synthetic_catalogue

BUDGET_MS = 50.0
T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """The work's result and the milliseconds it took."""
    started = time.perf_counter()
    result = work()
    return result, (time.perf_counter() - started) * 1000


def answer(config: Configuration) -> Configuration:
    """Work out every option's state, as a screen would after a choice."""
    config.statuses  # noqa: B018 - the states are worked out on first access
    return config


def main() -> None:
    """Run the benchmark with the options given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--options", type=int, default=2500)
    parser.add_argument("--rules", type=int, default=3000)
    parser.add_argument("--choices", type=int, default=40)
    parser.add_argument("--model", default="SYN-A")
    parser.add_argument(
        "--check", action="store_true", help="also time the catalogue check"
    )
    arguments = parser.parse_args()

    catalogue, generate_ms = timed(
        lambda: synthetic_catalogue(arguments.seed, arguments.options, arguments.rules)
    )
    text = format_catalogue(catalogue)
    parsed, parse_ms = timed(lambda: parse_catalogue(text, "synthetic.txt"))
    assert parsed.ok, parsed.problems[:3]
    engine, engine_ms = timed(
        lambda: ConfiguratorEngine(catalogue, arguments.model, SYNTHETIC_DAY)
    )
    config, first_ms = timed(lambda: answer(Configuration.start(engine)))
    print(
        f"catalogue: {len(catalogue.options)} options, {len(catalogue.rules)} rules, "
        f"{len(catalogue.families)} families (seed {arguments.seed})"
    )
    print(
        f"generate {generate_ms:.1f} ms, parse {len(text):,} characters "
        f"{parse_ms:.1f} ms, build engine {engine_ms:.1f} ms, "
        f"first answer {first_ms:.1f} ms"
    )

    pick = random.Random(arguments.seed)
    per_choice: list[float] = []
    for _ in range(arguments.choices):
        open_codes = [
            code
            for code, status in config.statuses.items()
            if status.state in (OptionState.SELECTABLE, OptionState.DEFAULT)
        ]
        if not open_codes:
            break
        code = pick.choice(open_codes)
        config, elapsed = timed(
            lambda config=config, code=code: answer(config.choose(code))
        )
        per_choice.append(elapsed)
    ordered = sorted(per_choice)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    mean = statistics.mean(per_choice)
    median = statistics.median(per_choice)
    print(
        f"{len(per_choice)} choices, ms per choice: mean {mean:.1f}, "
        f"median {median:.1f}, 95th percentile {p95:.1f}, max {ordered[-1]:.1f} "
        f"(budget {BUDGET_MS:.0f})"
    )
    undone, undo_ms = timed(lambda: answer(config.undo()))
    print(f"undo {undo_ms:.1f} ms")

    states: dict[str, int] = {}
    for status in config.statuses.values():
        states[status.state.value] = states.get(status.state.value, 0) + 1
    print("states after the run:", ", ".join(f"{k} {v}" for k, v in states.items()))
    blocked = [
        code
        for code, status in config.statuses.items()
        if status.state is OptionState.BLOCKED
        and config.freeing_change(code) is not None
    ]
    if blocked:
        code = blocked[-1]
        explanation, why_ms = timed(lambda: config.explain(code))
        change, change_ms = timed(lambda: config.freeing_change(code))
        print(f"why {code}: {why_ms:.1f} ms; smallest change: {change_ms:.1f} ms")
        if explanation is not None:
            print("  ", explanation.text())
        if change is not None:
            print("  ", change.sentence)
    truck, complete_ms = timed(config.completed)
    print(f"completed truck of {len(truck)} options: {complete_ms:.1f} ms")
    del undone
    if arguments.check:
        report, check_ms = timed(
            lambda: check_model(catalogue, arguments.model, SYNTHETIC_DAY)
        )
        print(
            f"catalogue check: {check_ms / 1000:.1f} s; "
            f"{len(report.dead_options)} options never possible, "
            f"{len(report.mandatory_options)} always needed, "
            f"{len(report.contradictions)} contradictions, "
            f"valid trucks: {report.configurations}"
        )


if __name__ == "__main__":
    main()
