"""One order: its lines, state, credit status, truck, delivery and history.

Every step of a vehicle order or a parts sale is a key here.  What the
signed-in user's role may never do is hidden; what cannot be done to the
order now is dimmed in the footer, and the reason is written on the
screen.  The credit status is spelt out ("ON HOLD: ..."), never shown by
colour alone.
"""

from __future__ import annotations

from typing import Any

from rich.align import Align
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from dealer_tui.core.auth import Permission
from dealer_tui.core.clock import show_instant
from dealer_tui.core.money import show_money
from dealer_tui.orders import delivery, services
from dealer_tui.orders.counter import sell
from dealer_tui.orders.delivery import units_to_allocate
from dealer_tui.orders.states import OrderKind
from dealer_tui.orders.views import OrderView, UnitView, order_view
from dealer_tui.parts.services import show_quantity
from dealer_tui.ui.screens import order_entry
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.screens.unit_picker import UnitPicker
from dealer_tui.ui.widgets.form import Field, FormScreen
from dealer_tui.ui.work import run_service

# Who may ever take each step; the order itself decides whether it can now.
NEEDS = {
    "confirm": None,
    "release_hold": Permission.RELEASE_CREDIT_HOLD,
    "amend": None,
    "add_line": None,
    "remove_line": None,
    "factory_order": Permission.MANAGE_STOCK,
    "arrived": Permission.MANAGE_STOCK,
    "allocate": Permission.MANAGE_STOCK,
    "unallocate": Permission.MANAGE_STOCK,
    "plan_delivery": Permission.PLAN_DELIVERIES,
    "book_pdi": Permission.BOOK_WORKSHOP,
    "ready": Permission.PLAN_DELIVERIES,
    "not_ready": Permission.PLAN_DELIVERIES,
    "deliver": Permission.PLAN_DELIVERIES,
    "sell": Permission.SELL_PARTS,
    "cancel": None,
}
VEHICLE_ONLY = {
    "factory_order",
    "arrived",
    "allocate",
    "unallocate",
    "plan_delivery",
    "book_pdi",
    "ready",
    "not_ready",
    "deliver",
}
PARTS_ONLY = {"sell"}
TITLES = {
    "confirm": "Confirm",
    "release_hold": "Release hold",
    "amend": "Amend",
    "add_line": "Add line",
    "remove_line": "Remove line",
    "factory_order": "Factory order",
    "arrived": "Arrived",
    "allocate": "Allocate",
    "unallocate": "Take unit back",
    "plan_delivery": "Plan delivery",
    "book_pdi": "Book inspection",
    "ready": "Ready",
    "not_ready": "Not ready",
    "deliver": "Deliver",
    "sell": "Sell",
    "cancel": "Cancel order",
}


def _editor(kind: OrderKind) -> Permission:
    return Permission.SELL_PARTS if kind is OrderKind.PARTS else Permission.ENTER_ORDERS


class OrderScreen(WorkScreen):
    """One order or parts sale; every step is a key, dimmed with its reason."""

    CSS_PATH = css("order")
    TITLE = "Order"
    BINDINGS = [
        Binding("f", "confirm", "Confirm", id="confirm"),
        Binding("h", "release_hold", "Release hold", id="release_hold"),
        Binding("e", "amend", "Amend", id="amend"),
        Binding("a", "add_line", "Add line", id="add_line"),
        Binding("d", "remove_line", "Remove line", id="remove_line"),
        Binding("g", "factory_order", "Factory order", id="factory_order"),
        Binding("n", "arrived", "Arrived", id="arrived"),
        Binding("u", "allocate", "Allocate", id="allocate"),
        Binding("ctrl+u", "unallocate", "Take unit back", id="unallocate"),
        Binding("p", "plan_delivery", "Plan delivery", id="plan_delivery"),
        Binding("b", "book_pdi", "Book inspection", id="book_pdi"),
        Binding("y", "ready", "Ready", id="ready"),
        Binding("ctrl+y", "not_ready", "Not ready", id="not_ready"),
        Binding("v", "deliver", "Deliver", id="deliver"),
        Binding("s", "sell", "Sell", id="sell"),
        Binding("x", "cancel", "Cancel order", id="cancel"),
        Binding("k", "customer", "Customer", id="customer", show=False),
        Binding("r", "reload", "Reload", id="reload", show=False),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.order: OrderView | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="order-body"):
            yield Static("Loading ...", id="order-head")
            yield Static("", id="order-credit")
            with Horizontal(id="order-columns"):
                yield Static("", id="order-parties")
                yield Static("", id="order-delivery")
            yield Static("", id="order-lines")
            yield Static("", id="order-totals")
            yield Static("", id="order-why")
            yield Static("History", id="order-history-title")
            yield Static("", id="order-history")

    @property
    def _app(self) -> Any:
        return self.app

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        run_service(
            self,
            order_view,
            self._app.db,
            self._app.actor,
            self.order_id,
            done=self.show,
        )

    # Showing the order

    def show(self, view: OrderView) -> None:
        self.order = view
        self.sub_title = f"{view.number} {view.customer_name}"
        kind = "Parts sale" if view.kind is OrderKind.PARTS else "Vehicle order"
        self.query_one("#order-head", Static).update(
            f"{view.number}  {kind} · {view.state_title.upper()} · "
            f"{view.customer_number} {view.customer_name}"
        )
        credit = self.query_one("#order-credit", Static)
        credit.update(f"Credit: {view.credit_status}")
        credit.set_class(view.credit_hold, "-hold")
        self.query_one("#order-parties", Static).update(self._parties(view))
        self.query_one("#order-delivery", Static).update(self._delivery(view))
        self.query_one("#order-lines", Static).update(self._lines(view))
        self.query_one("#order-totals", Static).update(self._totals(view))
        why = self._why(view)
        shown = self.query_one("#order-why", Static)
        shown.update(why)
        shown.set_class(not why, "-empty")
        self.query_one("#order-history", Static).update(self._history(view))
        self.refresh_bindings()

    def _parties(self, view: OrderView) -> str:
        rows = [
            f"Entered {view.ordered_on:%d/%m/%Y} · branch {view.branch_code}",
            f"Rep {view.rep_name or '—'}",
            f"Their ref {view.customer_reference or '—'}",
        ]
        if view.quote_label:
            rows.append(f"From quote {view.quote_label}")
        if view.description and view.kind is OrderKind.VEHICLE:
            rows.append(f"Truck {view.description}")
        if view.notes:
            rows.append(f"Notes {view.notes}")
        if view.cancel_reason:
            rows.append(f"CANCELLED: {view.cancel_reason}")
        if view.invoice_number:
            rows.append(f"Invoice {view.invoice_number}")
        return "\n".join(rows)

    def _delivery(self, view: OrderView) -> str:
        if view.kind is OrderKind.PARTS:
            sold = f"{view.delivered_on:%d/%m/%Y}" if view.delivered_on else "not yet"
            return f"Sold {sold}"
        unit = view.unit
        rows = [
            f"Unit {unit.vin}" if unit else "Unit: none allocated",
        ]
        if unit:
            rows.append(f"     {unit.name} · {unit.branch_code}")
        if view.factory_order_ref:
            arrival = (
                f"{view.expected_arrival:%d/%m/%Y}" if view.expected_arrival else "—"
            )
            rows.append(f"Factory {view.factory_order_ref}, due {arrival}")
        planned = (
            f"{view.planned_delivery:%a %d/%m/%Y}" if view.planned_delivery else "—"
        )
        rows.append(f"Delivery {planned}")
        rows.append(f"Inspection {view.pdi_text}")
        if view.delivered_on:
            rows.append(f"Delivered {view.delivered_on:%d/%m/%Y}")
        return "\n".join(rows)

    def _lines(self, view: OrderView) -> Table | str:
        if not view.lines:
            return "No lines yet: a adds one."
        table = Table(box=None, expand=True, header_style="bold", pad_edge=False)
        table.add_column("#", justify="right", width=2)
        table.add_column("Code", no_wrap=True)
        table.add_column("Description", ratio=1, overflow="fold")
        table.add_column("Qty", justify="right")
        table.add_column("Price", justify="right")
        table.add_column("Disc", justify="right")
        table.add_column("Net", justify="right")
        for line in view.lines:
            discount = line.discount + line.share
            description = line.description
            if line.part_text:
                description += "\n" + line.part_text.split(": ", 1)[-1]
            table.add_row(
                str(line.position),
                line.code,
                description,
                show_quantity(line.quantity),
                f"{line.unit_price:,.2f}",
                f"{discount:,.2f}" if discount else "",
                f"{line.net:,.2f}",
            )
        return table

    def _totals(self, view: OrderView) -> Align:
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(justify="right")
        table.add_column(justify="right", min_width=14)
        if view.total_discount:
            table.add_row("Discount on the total", show_money(-view.total_discount))
        table.add_row("Total excluding GST", show_money(view.net_total))
        table.add_row("GST", show_money(view.gst))
        table.add_row("[b]Total including GST[/b]", f"[b]{show_money(view.total)}[/b]")
        trade = view.trade_in
        if trade is not None:
            table.add_row(
                f"Trade-in: {trade.description}", show_money(-trade.allowance)
            )
            if trade.payout:
                table.add_row("Payout owed on the trade-in", show_money(trade.payout))
            table.add_row("[b]Payable[/b]", f"[b]{show_money(view.payable)}[/b]")
        return Align.right(table)

    def _history(self, view: OrderView) -> str:
        return "\n".join(
            f"{show_instant(entry.at, view.time_zone)[:16]}  {entry.who}: {entry.what}"
            for entry in reversed(view.history)
        )

    # What may be done now

    def _state_of(self, action: str) -> bool | None:
        """False: never for this role or kind of order; None: not now; True."""
        view = self.order
        actor = self._app.actor
        if view is None:
            return None
        if action in VEHICLE_ONLY and view.kind is not OrderKind.VEHICLE:
            return False
        if action in PARTS_ONLY and view.kind is not OrderKind.PARTS:
            return False
        needed = NEEDS.get(action) or _editor(view.kind)
        if not actor.can(needed):
            return False
        if action == "book_pdi" and not actor.can(Permission.PLAN_DELIVERIES):
            return False
        move = view.moves.get(action)
        if move is None or not move.allowed:
            return None
        return True

    def _why(self, view: OrderView) -> str:
        """The reason for each key dimmed now, the keys of one reason together."""
        by_reason: dict[str, list[str]] = {}
        for action, title in TITLES.items():
            if self._state_of(action) is None:
                move = view.moves.get(action)
                if move and move.reason and not move.by_state:
                    by_reason.setdefault(move.reason, []).append(title)
        return "\n".join(
            f"✗ {', '.join(titles)}: {reason}" for reason, titles in by_reason.items()
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NEEDS:
            return self._state_of(action)
        if action == "customer":
            return self.order is not None
        return True

    # The steps

    def _changed(self, view: OrderView | None, message: str = "Saved.") -> None:
        if view is not None:
            self.show(view)
            self.notify(message)

    def _step(self, service: Any, *args: Any, message: str) -> None:
        view = self.order
        if view is None:
            return
        run_service(
            self,
            service,
            self._app.db,
            self._app.actor,
            view.id,
            view.version,
            *args,
            done=lambda after: self._changed(after, message.format(view=after)),
        )

    def _form(self, title: str, fields: list[Field], save: Any, message: str) -> None:
        self.app.push_screen(
            FormScreen(title, fields, save),
            lambda after: (
                self._changed(after, message.format(view=after)) if after else None
            ),
        )

    def action_customer(self) -> None:
        if self.order is not None:
            self._app.open_record("customer", self.order.account_id)

    def action_confirm(self) -> None:
        self._step(
            services.confirm_order,
            self._app.frozen_clock,
            message="Confirmed. Credit: {view.credit_status}",
        )

    def action_release_hold(self) -> None:
        view = self.order
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> OrderView:
            return services.release_credit_hold(
                db, actor, view.id, view.version, values["note"]
            )

        self._form(
            f"Release the credit hold of {view.number}: {view.credit_reason}",
            [Field("note", "Why", "", "e.g. deposit received")],
            save,
            "Credit hold released.",
        )

    def action_amend(self) -> None:
        view = self.order
        if view is not None:
            self._form(*order_entry.amend_form(self._app, view), "Amended.")

    def action_add_line(self) -> None:
        view = self.order
        if view is None:
            return
        if view.kind is OrderKind.PARTS:
            self._form(*order_entry.add_part_form(self._app, view), "Part added.")
        else:
            self._form(*order_entry.add_line_form(self._app, view), "Line added.")

    def action_remove_line(self) -> None:
        view = self.order
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> OrderView:
            text = str(values["line"]).strip()
            position = int(text) if text.isdigit() else 0
            return services.remove_line(db, actor, view.id, view.version, position)

        self._form(
            f"Remove a line from {view.number}",
            [Field("line", "Line number", str(len(view.lines)))],
            save,
            "Line removed.",
        )

    def action_factory_order(self) -> None:
        view = self.order
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> OrderView:
            return delivery.order_from_factory(
                db,
                actor,
                view.id,
                view.version,
                values["factory_ref"],
                values["expected_arrival"],
            )

        self._form(
            f"Order the truck for {view.number} from the factory",
            [
                Field("factory_ref", "Factory order", "", "the maker's reference"),
                Field("expected_arrival", "Expected arrival", "", "DD/MM/YYYY"),
            ],
            save,
            "Ordered from the factory: due {view.expected_arrival:%d/%m/%Y}.",
        )

    def action_arrived(self) -> None:
        self._step(delivery.mark_in_stock, message="The truck is in stock.")

    def action_allocate(self) -> None:
        view = self.order
        if view is None:
            return
        run_service(
            self,
            units_to_allocate,
            self._app.db,
            self._app.actor,
            view.id,
            done=self._pick_unit,
        )

    def _pick_unit(self, units: list[UnitView]) -> None:
        view = self.order
        if view is None:
            return
        if not units:
            self.notify(
                "No truck is in stock: receive one or order from the factory.",
                severity="warning",
            )
            return
        self.app.push_screen(UnitPicker(view.number, units), self._picked)

    def _picked(self, unit: UnitView | None) -> None:
        if unit is not None:
            self._step(
                delivery.allocate_unit,
                unit.id,
                message=f"Allocated {unit.vin}.",
            )

    def action_unallocate(self) -> None:
        self._step(delivery.unallocate_unit, message="The truck is back in stock.")

    def action_plan_delivery(self) -> None:
        view = self.order
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> OrderView:
            return delivery.plan_delivery(
                db, actor, view.id, view.version, values["day"]
            )

        current = f"{view.planned_delivery:%d/%m/%Y}" if view.planned_delivery else ""
        self._form(
            f"Plan the delivery of {view.number}",
            [Field("day", "Delivery day", current, "DD/MM/YYYY")],
            save,
            "Delivery planned for {view.planned_delivery:%a %d/%m/%Y}.",
        )

    def action_book_pdi(self) -> None:
        self._step(
            delivery.book_pdi,
            self._app.frozen_clock,
            message="Inspection {view.pdi_text}.",
        )

    def action_ready(self) -> None:
        self._step(delivery.mark_ready, message="Ready for delivery.")

    def action_not_ready(self) -> None:
        view = self.order
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> OrderView:
            return delivery.not_ready(
                db, actor, view.id, view.version, values["reason"]
            )

        self._form(
            f"{view.number} is not ready after all",
            [Field("reason", "Why", "")],
            save,
            "Back to allocated.",
        )

    def action_deliver(self) -> None:
        self._step(
            delivery.deliver,
            self._app.frozen_clock,
            message="Delivered: the truck is the customer's.",
        )

    def action_sell(self) -> None:
        self._step(sell, self._app.frozen_clock, message="Sold.")

    def action_cancel(self) -> None:
        view = self.order
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> OrderView:
            return services.cancel_order(
                db, actor, view.id, view.version, values["reason"]
            )

        self._form(
            f"Cancel {view.number}",
            [Field("reason", "Reason", "", "e.g. customer lost the tender")],
            save,
            "Cancelled.",
        )
