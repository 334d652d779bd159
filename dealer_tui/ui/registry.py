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
}

# list name -> "module:Screen"; the screen takes no arguments.
LIST_SCREENS: dict[str, str] = {
    "customers": "dealer_tui.ui.screens.lists:CustomerListScreen",
    "vehicles": "dealer_tui.ui.screens.lists:VehicleListScreen",
}


def screen_class(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)
