"""Entering and amending orders by keyboard: the forms and what they save.

Each function gives a form's title, its fields and the save function that
calls the service; the order list, the order screen and the parts
counter open them in the form screen, which marks each problem at its
field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dealer_tui.orders import counter, services
from dealer_tui.orders.views import OrderView
from dealer_tui.ui.widgets.form import Field

Form = tuple[str, list[Field], Callable[[dict[str, Any]], Any]]


def new_order_form(app: Any) -> Form:
    """A vehicle order entered without a quote: the customer and the truck."""

    def save(values: dict[str, Any]) -> int:
        return services.create_order(
            app.db, app.actor, services.OrderForm(**values), app.frozen_clock
        )

    fields = [
        Field("customer", "Customer number", "", "e.g. C000342"),
        Field("description", "Truck", "", "e.g. Volvo FH 540 prime mover"),
        Field("model_code", "Model code", "", "optional, e.g. FH-PM"),
        Field("unit_price", "Price ($)", "", "excluding GST"),
        Field("discount", "Discount ($)", ""),
        Field("customer_reference", "Their reference", "", "their order number"),
        Field("rep", "Representative", "", "user name; blank for the account's"),
        Field("notes", "Notes", ""),
    ]
    return "New vehicle order (without a quote)", fields, save


def new_sale_form(app: Any) -> Form:
    """A parts sale over the counter: the customer and their reference."""

    def save(values: dict[str, Any]) -> int:
        return counter.new_counter_sale(
            app.db,
            app.actor,
            values["customer"],
            values["customer_reference"],
            app.frozen_clock,
        )

    fields = [
        Field("customer", "Customer number", "", "e.g. C000201"),
        Field("customer_reference", "Their reference", "", "optional"),
    ]
    return "New parts sale over the counter", fields, save


def amend_form(app: Any, view: OrderView) -> Form:
    """The reference, the notes and the discount on the total."""

    def save(values: dict[str, Any]) -> OrderView:
        return services.amend_order(
            app.db,
            app.actor,
            view.id,
            view.version,
            services.AmendForm(**values),
            app.frozen_clock,
        )

    fields = [
        Field("customer_reference", "Their reference", view.customer_reference),
        Field("notes", "Notes", view.notes),
    ]
    if view.kind.value == "vehicle":
        fields.append(
            Field("total_discount", "Discount on total ($)", f"{view.total_discount}")
        )
    title = f"Amend {view.number}"
    if view.state.value != "entered":
        title += " (the change is recorded in its history)"
    return title, fields, save


def add_line_form(app: Any, view: OrderView) -> Form:
    """An option, accessory or contract added to a vehicle order."""

    def save(values: dict[str, Any]) -> OrderView:
        return services.add_line(
            app.db,
            app.actor,
            view.id,
            view.version,
            services.LineForm(**values),
            app.frozen_clock,
        )

    fields = [
        Field("kind", "Kind", "accessory", "option, accessory or contract"),
        Field("code", "Code", "", "optional, e.g. ACC-UHF"),
        Field("description", "Description", ""),
        Field("quantity", "Quantity", "1"),
        Field("unit_price", "Price ($)", "", "excluding GST"),
        Field("discount", "Discount ($)", ""),
    ]
    return f"Add a line to {view.number}", fields, save


def add_part_form(app: Any, view: OrderView, part_number: str = "") -> Form:
    """A part and its quantity added to a parts sale."""

    def save(values: dict[str, Any]) -> OrderView:
        return counter.add_part(
            app.db,
            app.actor,
            view.id,
            view.version,
            values["part_number"],
            values["quantity"],
            app.frozen_clock,
        )

    fields = [
        Field("part_number", "Part number", part_number),
        Field("quantity", "Quantity", "1"),
    ]
    return f"Add a part to {view.number}", fields, save
