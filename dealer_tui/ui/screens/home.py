"""Today: what is due now for the signed-in user's role, and the way to work."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dealer_tui.core.auth import Permission
from dealer_tui.today import Panel, today_panels
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.work import run_service


class PanelView(Vertical):
    """One home-screen panel: a title with the count, then rows to open."""

    def __init__(self, panel: Panel) -> None:
        super().__init__(classes="panel", id=f"panel-{panel.key}")
        self.panel = panel

    def compose(self) -> ComposeResult:
        more = (
            f" · showing {len(self.panel.rows)} of {self.panel.total}"
            if self.panel.total > len(self.panel.rows)
            else f" · {self.panel.total}"
        )
        yield Static(f"{self.panel.title}{more}", classes="panel-title", markup=False)
        if not self.panel.rows:
            yield Static(self.panel.empty, classes="panel-empty", markup=False)
            return
        options = []
        for row in self.panel.rows:
            prompt = Text()
            if row.mark:
                prompt.append(f"{row.mark} ", style="bold")
            prompt.append(row.text)
            options.append(Option(prompt, id=f"{row.kind}:{row.record_id}"))
        yield OptionList(*options, classes="panel-rows")


class HomeScreen(WorkScreen):
    """Today: what is due for your role; Enter opens the row under the cursor."""

    CSS_PATH = css("home")
    TITLE = "Today"
    BINDINGS = [
        Binding("c", "app.open_list('customers')", "Customers", id="customers"),
        Binding("v", "app.open_list('vehicles')", "Vehicles", id="vehicles"),
        Binding("l", "open_leads", "Leads", id="leads"),
        Binding("i", "open_invoices", "Invoices", id="invoices"),
        Binding("q", "open_quotes", "Quotes", id="quotes"),
        Binding("w", "open_workshop('workshop_planner')", "Planner", id="planner"),
        Binding("j", "open_workshop('workshop_jobs')", "Jobs", id="workshop_jobs"),
        Binding("b", "open_workshop('workshop_booking')", "Book job", id="book_job"),
        Binding("o", "open_orders('orders')", "Orders", id="orders"),
        Binding("p", "open_orders('parts_counter')", "Parts counter", id="parts"),
        Binding("s", "open_orders('stock_units')", "Stock trucks", id="stock"),
        Binding("slash", "app.command_palette", "Search", id="search"),
        Binding("r", "refresh", "Refresh", id="refresh", show=False),
        Binding("ctrl+o", "app.sign_out", "Sign out", id="sign_out", show=False),
    ]

    def compose_body(self) -> ComposeResult:
        actor = self.app.actor  # type: ignore[attr-defined]
        yield Static(
            f"Today for {actor.display_name}, {actor.role.title.lower()}",
            id="home-title",
            markup=False,
        )
        yield VerticalScroll(id="panels")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_leads":
            return self.app.actor.can(Permission.VIEW_LEADS)  # type: ignore[attr-defined]
        if action == "open_invoices":
            return self.app.actor.can(Permission.VIEW_INVOICES)  # type: ignore[attr-defined]
        if action == "open_quotes":
            return self.app.actor.can(Permission.VIEW_CATALOG)  # type: ignore[attr-defined]
        if action == "open_workshop":
            needed = (
                Permission.BOOK_WORKSHOP
                if parameters == ("workshop_booking",)
                else Permission.VIEW_WORKSHOP
            )
            return self.app.actor.can(needed)  # type: ignore[attr-defined]
        if action == "open_orders":
            needed = (
                Permission.VIEW_PARTS
                if parameters == ("parts_counter",)
                else Permission.VIEW_ORDERS
            )
            return self.app.actor.can(needed)  # type: ignore[attr-defined]
        # Home is the bottom of the stack: there is nothing to go back to.
        return action != "back"

    def action_open_leads(self) -> None:
        self.app.action_open_list("leads")  # type: ignore[attr-defined]

    def action_open_invoices(self) -> None:
        self.app.action_open_list("invoices")  # type: ignore[attr-defined]

    def action_open_quotes(self) -> None:
        self.app.action_open_list("quotes")  # type: ignore[attr-defined]

    def action_open_workshop(self, name: str) -> None:
        self.app.action_open_list(name)  # type: ignore[attr-defined]

    def action_open_orders(self, name: str) -> None:
        self.app.action_open_list(name)  # type: ignore[attr-defined]

    def on_screen_resume(self) -> None:
        # Sent on the first showing too: the panels are always fresh.
        self.action_refresh()

    def action_refresh(self) -> None:
        if self.app.actor is None:  # type: ignore[attr-defined]
            # Signing out pops back through this screen: nothing to show.
            return
        run_service(
            self,
            today_panels,
            self.app.db,
            self.app.actor,  # type: ignore[attr-defined]
            self.app.frozen_clock,  # type: ignore[attr-defined]
            done=self._show,
            exclusive=True,
            group="today",
        )

    def _show(self, panels: list[Panel]) -> None:
        self.call_later(self._replace_panels, panels)

    async def _replace_panels(self, panels: list[Panel]) -> None:
        box = self.query_one("#panels", VerticalScroll)
        had_focus = isinstance(self.focused, OptionList)
        await box.remove_children()
        await box.mount_all(PanelView(p) for p in panels)
        if not had_focus:
            self._focus_first()

    def _focus_first(self) -> None:
        lists = self.query(OptionList)
        if lists:
            lists.first().focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        kind, _, record_id = (event.option.id or "").partition(":")
        self.app.open_record(kind, int(record_id))  # type: ignore[attr-defined]
