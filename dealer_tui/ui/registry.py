"""Which screen opens a kind of record or a list, named lazily.

Screens are imported only when first opened, so the workstation starts fast
however many business areas it has.  Each area adds its lines here.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# kind of record -> "module:Screen"; the screen takes the record id.
RECORD_SCREENS: dict[str, str] = {
    "customer": "dealer_tui.ui.screens.customer:CustomerScreen",
    "vehicle": "dealer_tui.ui.screens.vehicle:VehicleScreen",
    "lead": "dealer_tui.ui.screens.lead:LeadScreen",
    "invoice": "dealer_tui.ui.screens.invoice:InvoiceScreen",
    "quote": "dealer_tui.ui.screens.quote:QuoteScreen",
    "workshop_job": "dealer_tui.ui.screens.workshop_job:JobCardScreen",
    "order": "dealer_tui.ui.screens.order:OrderScreen",
}

# list name -> "module:Screen"; the screen takes no arguments.
LIST_SCREENS: dict[str, str] = {
    "customers": "dealer_tui.ui.screens.lists:CustomerListScreen",
    "vehicles": "dealer_tui.ui.screens.lists:VehicleListScreen",
    "leads": "dealer_tui.ui.screens.lead_list:LeadListScreen",
    "ranking": "dealer_tui.ui.screens.lead_ranking:RankingScreen",
    "invoices": "dealer_tui.ui.screens.invoices:InvoiceListScreen",
    "quotes": "dealer_tui.ui.screens.quote_list:QuoteListScreen",
    "workshop_jobs": "dealer_tui.ui.screens.workshop_jobs:JobListScreen",
    "workshop_planner": "dealer_tui.ui.screens.workshop_planner:PlannerScreen",
    "workshop_booking": "dealer_tui.ui.screens.workshop_booking:BookingScreen",
    "orders": "dealer_tui.ui.screens.order_list:OrderListScreen",
    "parts_counter": "dealer_tui.ui.screens.parts_counter:PartsCounterScreen",
    "stock_units": "dealer_tui.ui.screens.stock_units:StockListScreen",
}


def screen_class(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)
