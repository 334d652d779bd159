"""What the order list's filter box means, read as the user types.

Plain words match the order number or the customer's name or number;
``state:`` (a state or its start, several with commas, or ``open``),
``rep:`` (a user name or ``me``), ``week:`` (2026-W50 or a day in it),
``kind:`` (vehicle or parts) and ``hold`` narrow the list further.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dealer_tui.orders.schedule import Week, parse_week
from dealer_tui.orders.states import OrderKind, OrderState

OPEN = frozenset(OrderState) - {OrderState.INVOICED, OrderState.CANCELLED}
_KEYS = ("state", "rep", "week", "kind")
# A few words a clerk types for a state, beside the state's own words.
_STATE_WORDS = {
    "factory": OrderState.ORDERED_FROM_FACTORY,
    "ready": OrderState.READY_FOR_DELIVERY,
    "stock": OrderState.IN_STOCK,
    "reserved": OrderState.CONFIRMED,
    "sold": OrderState.DELIVERED,
}


@dataclass(frozen=True)
class OrderFilter:
    words: tuple[str, ...] = ()
    states: frozenset[OrderState] = frozenset()
    rep: str = ""
    week: Week | None = None
    kind: OrderKind | None = None
    on_hold: bool = False
    problems: tuple[str, ...] = field(default=())


def _states(text: str) -> tuple[set[OrderState], list[str]]:
    found: set[OrderState] = set()
    problems = []
    for item in filter(None, (t.strip().lower() for t in text.split(","))):
        if item == "open":
            found |= OPEN
            continue
        if item in _STATE_WORDS:
            found.add(_STATE_WORDS[item])
            continue
        matches = {s for s in OrderState if s.value.startswith(item.replace(" ", "_"))}
        if not matches:
            problems.append(f"'{item}' is not an order state")
        found |= matches
    return found, problems


def parse_filter(text: str) -> OrderFilter:
    """The filter a typed text stands for, with a sentence for each bad part."""
    words: list[str] = []
    states: set[OrderState] = set()
    rep = ""
    week: Week | None = None
    kind: OrderKind | None = None
    on_hold = False
    problems: list[str] = []
    for token in text.split():
        key, colon, value = token.partition(":")
        key = key.lower()
        if colon and key in _KEYS:
            if not value:
                continue
            if key == "state":
                found, bad = _states(value)
                states |= found
                problems += bad
            elif key == "rep":
                rep = value.lower()
            elif key == "week":
                try:
                    week = parse_week(value)
                except ValueError as exc:
                    problems.append(str(exc))
            else:
                choice = [k for k in OrderKind if k.value.startswith(value.lower())]
                if choice:
                    kind = choice[0]
                else:
                    problems.append(f"'{value}' is not vehicle or parts")
        elif token.lower() in ("hold", "held"):
            on_hold = True
        else:
            words.append(token)
    return OrderFilter(
        tuple(words), frozenset(states), rep, week, kind, on_hold, tuple(problems)
    )


def describe(wanted: OrderFilter) -> str:
    """The filter in words, for the line under the filter box."""
    parts = []
    if wanted.states:
        parts.append(
            "state " + ", ".join(sorted(s.title for s in wanted.states))
            if wanted.states != OPEN
            else "open orders"
        )
    if wanted.kind:
        parts.append(f"{wanted.kind.title}s")
    if wanted.rep:
        parts.append(f"rep {wanted.rep}")
    if wanted.week:
        parts.append(
            f"delivery week {wanted.week.label} "
            f"({wanted.week.monday:%d/%m}-{wanted.week.sunday:%d/%m})"
        )
    if wanted.on_hold:
        parts.append("on credit hold")
    if wanted.words:
        parts.append("matching " + " ".join(wanted.words))
    return "; ".join(parts) if parts else "all orders"
