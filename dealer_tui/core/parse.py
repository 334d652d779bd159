"""Reading typed or imported text into exact values, naming what is wrong."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from dealer_tui.core.errors import Problem

CENT = Decimal("0.01")


class FieldErrors:
    """Collects every problem of one form or row instead of stopping at the first."""

    def __init__(self, line: int | None = None) -> None:
        self.line = line
        self.problems: list[Problem] = []

    def add(self, field: str, message: str) -> None:
        self.problems.append(Problem(field, message, self.line))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def required(self, field: str, text: str | None, max_length: int) -> str:
        value = (text or "").strip()
        if not value:
            self.add(field, "is required")
        elif len(value) > max_length:
            self.add(field, f"is longer than {max_length} characters")
        return value

    def optional(self, field: str, text: str | None, max_length: int) -> str:
        value = (text or "").strip()
        if len(value) > max_length:
            self.add(field, f"is longer than {max_length} characters")
        return value

    def money(
        self,
        field: str,
        text: str | None,
        *,
        default: Decimal | None = None,
        negative: bool = False,
    ) -> Decimal:
        """An amount in dollars and cents, e.g. '1,250.50' or '$1250.5'."""
        raw = (text or "").strip().replace(",", "").replace("$", "")
        if not raw:
            if default is None:
                self.add(field, "is required")
                return Decimal("0.00")
            return default
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            self.add(field, f"'{text}' is not an amount")
            return Decimal("0.00")
        if not amount.is_finite():
            self.add(field, f"'{text}' is not an amount")
            return Decimal("0.00")
        if amount != amount.quantize(CENT):
            self.add(field, f"'{text}' has more than two decimal places")
            return Decimal("0.00")
        if amount < 0 and not negative:
            self.add(field, "cannot be negative")
        if abs(amount) >= Decimal("1e15"):
            self.add(field, f"'{text}' is too large")
            return Decimal("0.00")
        return amount.quantize(CENT)

    def integer(
        self,
        field: str,
        text: str | None,
        *,
        default: int | None = None,
        minimum: int | None = 0,
        maximum: int | None = None,
    ) -> int:
        raw = (text or "").strip().replace(",", "")
        if not raw:
            if default is None:
                self.add(field, "is required")
                return 0
            return default
        try:
            value = int(raw)
        except ValueError:
            self.add(field, f"'{text}' is not a whole number")
            return 0
        if minimum is not None and value < minimum:
            self.add(field, f"cannot be less than {minimum}")
        if maximum is not None and value > maximum:
            self.add(field, f"cannot be more than {maximum}")
        return value

    def day(
        self, field: str, text: str | None, *, required: bool = False
    ) -> date | None:
        """A date as YYYY-MM-DD or DD/MM/YYYY (the Australian way)."""
        raw = (text or "").strip()
        if not raw:
            if required:
                self.add(field, "is required")
            return None
        try:
            if "/" in raw:
                d, m, y = raw.split("/")
                if len(y.strip()) != 4:
                    self.add(field, f"'{text}': write the year in full, e.g. 2026")
                    return None
                day = date(int(y), int(m), int(d))
            else:
                day = date.fromisoformat(raw)
        except ValueError:
            self.add(field, f"'{text}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
            return None
        if day.year < 1900:
            self.add(field, f"'{text}': write the year in full, e.g. 2026")
            return None
        return day

    def choice(
        self,
        field: str,
        text: str | None,
        choices: dict[str, str] | set[str],
        *,
        default: str | None = None,
    ) -> str:
        raw = (text or "").strip()
        if not raw and default is not None:
            return default
        options = choices if isinstance(choices, dict) else {c: c for c in choices}
        for key, value in options.items():
            if raw.lower() == key.lower():
                return value
        listed = ", ".join(sorted(options))
        self.add(field, f"'{raw}' is not one of {listed}")
        return default or ""

    def flag(self, field: str, text: str | None, *, default: bool = False) -> bool:
        raw = (text or "").strip().lower()
        if not raw:
            return default
        if raw in ("yes", "y", "true", "1"):
            return True
        if raw in ("no", "n", "false", "0"):
            return False
        self.add(field, f"'{text}' is not yes or no")
        return default
