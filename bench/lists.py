"""List screens at the largest size: first page, last page, filter as typed.

Each measure calls the list service a screen's table calls, for a page of
100 rows (what the table asks for at 80x24): the first page, the last
page (End), the page after one in the middle, and the first page of the
filter after every key as a user types it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from bench.context import Bench
from bench.measure import Budget, Result, quiet_collector, timed
from bench.search import middle_row, typed
from dealer_tui.accounts.models import Account
from dealer_tui.accounts.services import customer_page
from dealer_tui.core.paging import From, PageRequest
from dealer_tui.invoicing.listing import invoice_page
from dealer_tui.invoicing.models import Invoice
from dealer_tui.vehicles.models import Vehicle
from dealer_tui.vehicles.services import vehicle_page

PAGE_MS = Budget(50)
PAGE = 100
LIST_USER = "jo.admin"

Page = Callable[[str, PageRequest], tuple[list[Any], list[tuple[Any, ...]], bool]]


def _lists(
    bench: Bench,
) -> list[tuple[str, Page, list[list[str]], tuple[Any, ...] | None]]:
    """Each list, its service, the filters typed over it and a key deep inside."""
    actor = bench.actor(LIST_USER)
    invoice = middle_row(bench, Invoice)
    customer = middle_row(bench, Account, Account.kind == "company")
    vehicle = middle_row(bench, Vehicle, Vehicle.registration != "")
    invoice_filters = [typed("overdue", 3), typed("INV2025-0001", 4)]
    if invoice is not None:
        invoice_filters.append(typed(invoice.buyer_name.split()[0].lower(), 1))
    return [
        (
            "invoices",
            partial(invoice_page, bench.db, actor),
            invoice_filters,
            (invoice.invoice_date, invoice.id) if invoice else None,
        ),
        (
            "customers",
            partial(customer_page, bench.db, actor),
            [typed(customer.name[:10], 1)] if customer else [],
            (customer.name_key, customer.id) if customer else None,
        ),
        (
            "vehicles",
            partial(vehicle_page, bench.db, actor),
            [typed(vehicle.registration, 1)] if vehicle else [],
            (vehicle.vin,) if vehicle else None,
        ),
    ]


def measure(bench: Bench) -> list[Result]:
    results = []
    for name, page, filters, middle in _lists(bench):
        results += _one_list(bench, name, page, filters, middle)
    return results


def _one_list(
    bench: Bench,
    name: str,
    page: Page,
    filters: list[list[str]],
    middle: tuple[Any, ...] | None,
) -> list[Result]:
    first = Result("lists", f"{name}: first page", "ms", budget=PAGE_MS)
    last = Result("lists", f"{name}: last page (End)", "ms", budget=PAGE_MS)
    after = Result("lists", f"{name}: next page from the middle", "ms", budget=PAGE_MS)
    typing = Result(
        "lists",
        f"{name}: filter typed, first page per key",
        "ms",
        budget=PAGE_MS,
        note="; ".join(f"'{keys[-1]}'" for keys in filters),
    )
    rows, _, _ = page("", PageRequest(From.START, None, PAGE))
    shown = len(rows)
    for keys_typed in filters:
        for text in keys_typed:
            page(text, PageRequest(From.START, None, PAGE))
    with quiet_collector():
        for _ in range(bench.runs):
            first.samples.append(
                timed(lambda: page("", PageRequest(From.START, None, PAGE)))[1]
            )
            last.samples.append(
                timed(lambda: page("", PageRequest(From.END, None, PAGE)))[1]
            )
            if middle is not None:
                after.samples.append(
                    timed(lambda: page("", PageRequest(From.AFTER, middle, PAGE)))[1]
                )
            for keys_typed in filters:
                for text in keys_typed:
                    typing.samples.append(
                        timed(
                            lambda text=text: page(
                                text, PageRequest(From.START, None, PAGE)
                            )
                        )[1]
                    )
    first.note = f"{shown} rows a page"
    return [first, last, after, typing]
