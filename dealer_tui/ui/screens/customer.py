"""A customer: details, credit, contacts and the vehicles it owns."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dealer_tui.accounts.services import (
    AccountForm,
    AccountView,
    account_view,
    format_abn,
    set_credit,
    update_account,
)
from dealer_tui.core.auth import Permission
from dealer_tui.core.money import show_money
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.widgets.form import Field, FormScreen
from dealer_tui.ui.work import run_service


class CustomerScreen(WorkScreen):
    """One customer: details, credit status, contacts and vehicles."""

    CSS_PATH = css("customer")
    TITLE = "Customer"
    BINDINGS = [
        Binding("e", "edit", "Edit details", id="edit"),
        Binding("k", "credit", "Credit", id="credit"),
        Binding("q", "new_quote", "New quote", id="new_quote"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.account: AccountView | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="customer-body"):
            yield Static("Loading ...", id="customer-head", markup=False)
            with Horizontal(id="customer-columns"):
                yield Static("", id="customer-details", markup=False)
                yield Static("", id="customer-credit", markup=False)
            yield Static("Contacts (* primary)", classes="section-title")
            yield Static("", id="customer-contacts", markup=False)
            yield Static("Vehicles (Enter opens)", classes="section-title")
            yield OptionList(id="customer-vehicles")

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        run_service(
            self,
            account_view,
            self.app.db,
            self.app.actor,
            self.account_id,  # type: ignore[attr-defined]
            done=self.show,
        )

    def show(self, account: AccountView) -> None:
        self.account = account
        self.sub_title = account.name
        hold = "  [ON CREDIT HOLD]" if account.credit_hold else ""
        self.query_one("#customer-head", Static).update(
            f"{account.number}  {account.name}{hold}"
        )
        self.query_one("#customer-details", Static).update(
            "\n".join(
                [
                    f"ABN      {format_abn(account.tax_id) or '—'}",
                    f"Address  {account.address or '—'}",
                    f"Phone    {account.phone or '—'}",
                    f"E-mail   {account.email or '—'}",
                    f"Branch   {account.branch_code or '—'}   "
                    f"Rep  {account.sales_rep or '—'}",
                ]
            )
        )
        self.query_one("#customer-credit", Static).update(
            "\n".join(
                [
                    f"Credit limit  {show_money(account.credit_limit)}",
                    f"Terms         {account.payment_terms_days} days",
                    f"Credit hold   {'YES' if account.credit_hold else 'no'}",
                ]
            )
        )
        contacts = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        contacts.add_column("Name", ratio=2, no_wrap=True, overflow="ellipsis")
        contacts.add_column("Position", ratio=2, no_wrap=True, overflow="ellipsis")
        contacts.add_column("Phone", no_wrap=True, min_width=12)
        contacts.add_column("E-mail", ratio=3, no_wrap=True, overflow="ellipsis")
        for c in account.contacts:
            name = f"{c.name} *" if c.primary else c.name
            contacts.add_row(Text(name), Text(c.position), Text(c.phone), Text(c.email))
        self.query_one("#customer-contacts", Static).update(
            contacts if account.contacts else "No contacts."
        )
        vehicles = self.query_one("#customer-vehicles", OptionList)
        vehicles.clear_options()
        for v in account.vehicles:
            due = f"service {v.next_service_due:%d/%m/%Y}" if v.next_service_due else ""
            vehicles.add_option(
                Option(
                    Text(
                        f"{v.vin}  {v.registration or '—':<7} {v.make} {v.model} "
                        f"{v.model_year or ''}  {due}",
                    ),
                    id=str(v.id),
                )
            )
        if not account.vehicles:
            vehicles.add_option(Option("No vehicles.", disabled=True))
        self.refresh_bindings()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_record("vehicle", int(event.option.id))  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        actor = self.app.actor  # type: ignore[attr-defined]
        # Hidden when the role may never do it; dimmed until the record is loaded.
        if action == "credit" and not actor.can(Permission.SET_CREDIT):
            return False
        if action == "edit" and not actor.can(Permission.EDIT_CUSTOMERS):
            return False
        if action == "new_quote" and not actor.can(Permission.QUOTE):
            return False
        if action in ("edit", "credit", "new_quote") and self.account is None:
            return None
        return True

    def action_new_quote(self) -> None:
        # Quoting's screens load the rule engine: imported when first asked for.
        from dealer_tui.ui.screens.quote import start_quote

        if self.account is not None:
            start_quote(self, self.account.id, self.account.name)

    def action_edit(self) -> None:
        account = self.account
        if account is None:
            return
        db, actor = self.app.db, self.app.actor  # type: ignore[attr-defined]

        def save(values: dict[str, Any]) -> AccountView:
            return update_account(
                db, actor, account.id, account.version, AccountForm(**values)
            )

        fields = [
            Field("name", "Name", account.name),
            Field("tax_id", "ABN", format_abn(account.tax_id)),
            Field("phone", "Phone", account.phone),
            Field("email", "E-mail", account.email),
            Field("street", "Street", account.street),
            Field("suburb", "Suburb", account.suburb),
            Field("state", "State", account.state, "VIC, QLD, NSW ..."),
            Field("postcode", "Postcode", account.postcode),
            Field("notes", "Notes", account.notes),
        ]
        self.app.push_screen(
            FormScreen(f"Edit {account.number} {account.name}", fields, save),
            self._saved,
        )

    def action_credit(self) -> None:
        account = self.account
        if account is None:
            return
        db, actor = self.app.db, self.app.actor  # type: ignore[attr-defined]

        def save(values: dict[str, Any]) -> AccountView:
            return set_credit(
                db,
                actor,
                account.id,
                account.version,
                values["credit_limit"],
                values["payment_terms_days"],
                values["credit_hold"],
            )

        fields = [
            Field("credit_limit", "Credit limit ($)", f"{account.credit_limit:.2f}"),
            Field(
                "payment_terms_days", "Terms (days)", str(account.payment_terms_days)
            ),
            Field("credit_hold", "Credit hold", account.credit_hold),
        ]
        self.app.push_screen(
            FormScreen(f"Credit of {account.number} {account.name}", fields, save),
            self._saved,
        )

    def _saved(self, account: AccountView | None) -> None:
        if account is not None:
            self.show(account)
            self.notify("Saved.")
