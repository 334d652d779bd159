"""Showing amounts of money; exact Decimal in, text out."""

from __future__ import annotations

from decimal import Decimal

SYMBOLS = {"AUD": "$", "NZD": "$", "SGD": "S$"}


def show_money(amount: Decimal | None, currency: str = "AUD") -> str:
    """'$12,345.60'; negative amounts as '-$12.50'."""
    if amount is None:
        return ""
    symbol = SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"
