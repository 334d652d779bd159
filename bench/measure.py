"""What a measurement is: samples, the figures drawn from them, and a budget.

A latency is judged on its 95th percentile, so that one slow keystroke in
twenty is enough to miss; a ratio, a rate or a size on its median.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

AT_MOST = "at most"
AT_LEAST = "at least"


@dataclass(frozen=True)
class Budget:
    """A limit the workstation keeps: at most (or at least) a value."""

    limit: float
    direction: str = AT_MOST
    on: str = "p95"

    def met_by(self, value: float) -> bool:
        if self.direction == AT_MOST:
            return value <= self.limit
        return value >= self.limit

    def gap(self, value: float) -> float:
        """How far the value is from the limit, as a share of the limit."""
        if not self.limit:
            return 0.0
        return abs(value - self.limit) / self.limit

    def describe(self, unit: str) -> str:
        sign = "<=" if self.direction == AT_MOST else ">="
        return f"{self.on} {sign} {_number(self.limit)} {unit}".strip()


@dataclass
class Result:
    """One measure of one scenario on one database, over several runs.

    `items` is how many things each sample handled (invoices, keystrokes,
    rows), from which a rate per second is worked out for timed samples.
    """

    scenario: str
    measure: str
    unit: str
    samples: list[float] = field(default_factory=list)
    items: int | None = None
    budget: Budget | None = None
    note: str = ""
    skipped: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else math.nan

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def minimum(self) -> float:
        return min(self.samples) if self.samples else math.nan

    @property
    def maximum(self) -> float:
        return max(self.samples) if self.samples else math.nan

    @property
    def per_second(self) -> float | None:
        """Items per second at the median, for timed samples."""
        seconds = {"ms": 1e-3, "s": 1.0}.get(self.unit)
        if not self.items or seconds is None or not self.median:
            return None
        return self.items / (self.median * seconds)

    def judged(self) -> float:
        return self.p95 if self.budget and self.budget.on == "p95" else self.median

    @property
    def verdict(self) -> str:
        """'met', 'MISSED by 40%', or '' when there is no budget."""
        if self.skipped or self.budget is None or not self.samples:
            return ""
        value = self.judged()
        if self.budget.met_by(value):
            return "met"
        return f"MISSED by {self.budget.gap(value):.0%}"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["budget"] = (
            {**asdict(self.budget), "text": self.budget.describe(self.unit)}
            if self.budget
            else None
        )
        if self.samples:
            data.update(
                median=self.median,
                p95=self.p95,
                min=self.minimum,
                max=self.maximum,
                per_second=self.per_second,
            )
        data["verdict"] = self.verdict
        return data


def percentile(samples: list[float], share: float) -> float:
    """The value below which `share` per cent of the samples lie (nearest rank)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """The work's result and the milliseconds it took."""
    started = time.perf_counter()
    result = work()
    return result, (time.perf_counter() - started) * 1000


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Collect garbage first and hold the collector off while timing.

    Otherwise a collection of earlier garbage is charged to whichever call
    happens to trigger it, as `timeit` also avoids.
    """
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _number(value: float) -> str:
    if math.isnan(value):
        return "-"
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def show(value: float | None) -> str:
    """A figure as the results table prints it."""
    if value is None:
        return "-"
    return _number(value)
