"""One invoice or credit note: its lines, tax, totals, payments and credits.

Every action a sales administrator takes on an invoice is a key here: post
a draft, add or remove its lines, issue a credit note, record a payment,
print the tax invoice and export the e-invoice.  What cannot be done to
the invoice in front is dimmed in the footer with the reason written on
the screen, or hidden when it can never apply to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.align import Align
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dealer_tui.accounts.services import format_abn
from dealer_tui.core.auth import Permission
from dealer_tui.core.money import show_money
from dealer_tui.invoicing.services import (
    InvoiceView,
    LineForm,
    add_line,
    credit_invoice,
    discard_draft,
    documents_dir,
    invoice_view,
    post_invoice,
    record_payment,
    remove_line,
    write_einvoice,
    write_pdf,
)
from dealer_tui.invoicing.tax import TaxCategory, plain_rate
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.widgets.form import Field, FormScreen
from dealer_tui.ui.work import run_service

# Who may ever do each action; the invoice itself decides whether it can now.
NEEDS = {
    "post": Permission.POST_INVOICES,
    "add_line": Permission.DRAFT_INVOICES,
    "remove_line": Permission.DRAFT_INVOICES,
    "discard": Permission.DRAFT_INVOICES,
    "credit": Permission.POST_INVOICES,
    "pay": Permission.RECORD_PAYMENTS,
    "print": Permission.VIEW_INVOICES,
    "export": Permission.VIEW_INVOICES,
}
DRAFT_ONLY = {"post", "add_line", "remove_line", "discard"}
INVOICE_ONLY = {"credit", "pay"}
# The reason an action waits for, from the service's reasons by action.
REASON_OF = {"remove_line": "add_line"}
TITLES = {
    "post": "Post",
    "add_line": "Add line",
    "remove_line": "Remove line",
    "discard": "Discard draft",
    "credit": "Credit note",
    "pay": "Payment",
    "print": "Print",
    "export": "E-invoice",
}


def rate_text(category: str, rate: Any) -> str:
    if category == TaxCategory.STANDARD.value:
        return f"{plain_rate(rate)}%"
    return "free" if category == TaxCategory.ZERO_RATED.value else "exempt"


def quantity_text(quantity: Any) -> str:
    plain = quantity.normalize()
    if plain.as_tuple().exponent > 0:
        plain = plain.quantize(1)
    return f"{plain:f}"


class InvoiceScreen(WorkScreen):
    """One invoice or credit note; Enter on a payment or credit opens it."""

    CSS_PATH = css("invoice")
    TITLE = "Invoice"
    BINDINGS = [
        Binding("p", "post", "Post", id="post"),
        Binding("a", "add_line", "Add line", id="add_line"),
        Binding("d", "remove_line", "Remove line", id="remove_line"),
        Binding("ctrl+d", "discard", "Discard draft", id="discard"),
        Binding("k", "credit", "Credit note", id="credit"),
        Binding("m", "pay", "Payment", id="pay"),
        Binding("t", "print", "Print", id="print"),
        Binding("x", "export", "E-invoice", id="export"),
        Binding("u", "customer", "Customer", id="customer", show=False),
        Binding("r", "reload", "Reload", id="reload", show=False),
    ]

    def __init__(self, invoice_id: int) -> None:
        super().__init__()
        self.invoice_id = invoice_id
        self.invoice: InvoiceView | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="invoice-body"):
            yield Static("Loading ...", id="invoice-head")
            with Horizontal(id="invoice-columns"):
                yield Static("", id="invoice-parties")
                yield Static("", id="invoice-amounts")
            yield Static("", id="invoice-lines")
            yield Static("", id="invoice-totals")
            yield Static("", id="invoice-why")
            yield Static("Payments and credit notes (Enter opens)", id="related-title")
            yield OptionList(id="invoice-related")

    @property
    def _app(self) -> Any:
        return self.app

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        run_service(
            self,
            invoice_view,
            self._app.db,
            self._app.actor,
            self.invoice_id,
            self._app.frozen_clock,
            done=self.show,
        )

    def show(self, view: InvoiceView) -> None:
        self.invoice = view
        self.invoice_id = view.id
        self.sub_title = view.title
        what = "Credit note" if view.is_credit_note else "Tax invoice"
        state = view.state.upper()
        if view.overdue_days:
            state = f"OVERDUE {view.overdue_days} DAYS"
        self.query_one("#invoice-head", Static).update(
            f"{view.number or '(draft, no number yet)'}  {what} · "
            f"payer: {view.kind} · {state}"
        )
        self.query_one("#invoice-parties", Static).update(self._parties(view))
        self.query_one("#invoice-amounts", Static).update(self._amounts(view))
        self.query_one("#invoice-lines", Static).update(self._lines(view))
        self.query_one("#invoice-totals", Static).update(self._totals(view))
        self._show_related(view)
        why = self._why(view)
        shown = self.query_one("#invoice-why", Static)
        shown.update(why)
        shown.set_class(not why, "-empty")
        self.refresh_bindings()

    def _parties(self, view: InvoiceView) -> str:
        rows = [
            f"{view.customer_number}  {view.customer_name}",
            f"ABN {format_abn(view.customer_abn) or '—'}",
            view.customer_address or "No address",
            f"Their ref {view.buyer_reference or '—'}",
            f"From {view.origin} · branch {view.branch_code}",
        ]
        if view.note:
            rows.append(f"Note {view.note}")
        return "\n".join(rows)

    def _amounts(self, view: InvoiceView) -> str:
        rows = [f"Date   {view.invoice_date:%d/%m/%Y}"]
        if view.due_date:
            rows.append(f"Due    {view.due_date:%d/%m/%Y}")
        if view.credited:
            rows.append(f"Credits {view.credited.number}")
        rows += [
            f"Total  {show_money(view.total, view.currency)}",
            f"GST    {show_money(view.tax_total, view.currency)}",
        ]
        if view.status == "posted":
            rows.append(f"Open   {show_money(view.open_amount, view.currency)}")
        return "\n".join(rows)

    def _lines(self, view: InvoiceView) -> Table | str:
        if not view.lines:
            return "No lines yet: a adds one."
        table = Table(box=None, expand=True, header_style="bold", pad_edge=False)
        table.add_column("#", justify="right", width=2)
        table.add_column("Description", ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column("Qty", justify="right")
        table.add_column("Price", justify="right")
        table.add_column("Disc", justify="right")
        table.add_column("GST", justify="right")
        table.add_column("Net", justify="right")
        for line in view.lines:
            description = line.description
            if line.line_kind != "item":
                description = f"{line.line_kind.title()}: {description}"
            net = line.net_amount if line.line_kind != "allowance" else -line.net_amount
            table.add_row(
                str(line.position),
                description,
                quantity_text(line.quantity) if line.line_kind == "item" else "",
                f"{line.unit_price:,.2f}" if line.line_kind == "item" else "",
                f"{line.discount:,.2f}" if line.discount else "",
                rate_text(line.category, line.rate),
                f"{net:,.2f}",
            )
        return table

    def _totals(self, view: InvoiceView) -> Align:
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(justify="right")
        table.add_column(justify="right", min_width=14)
        money = view.currency
        table.add_row(
            "Total excluding GST", show_money(view.tax_exclusive_total, money)
        )
        for tax in view.taxes:
            label = f"GST {rate_text(tax.category, tax.rate)} on " + show_money(
                tax.taxable_amount, money
            )
            table.add_row(label, show_money(tax.tax_amount, money))
        if not view.taxes:
            table.add_row("GST", show_money(view.tax_total, money))
        label = "Total credited" if view.is_credit_note else "Total including GST"
        table.add_row(f"[b]{label}[/b]", f"[b]{show_money(view.total, money)}[/b]")
        return Align.right(table)

    def _show_related(self, view: InvoiceView) -> None:
        related = self.query_one("#invoice-related", OptionList)
        related.clear_options()
        for payment in view.payments:
            related.add_option(
                Option(
                    f"Paid {payment.received_on:%d/%m/%Y} "
                    f"{show_money(payment.amount)} {payment.method} "
                    f"{payment.reference}",
                    disabled=True,
                )
            )
        for note in view.credit_notes:
            related.add_option(
                Option(
                    f"Credit note {note.number} {note.invoice_date:%d/%m/%Y} "
                    f"{show_money(note.total)}",
                    id=str(note.id),
                )
            )
        if view.credited:
            related.add_option(
                Option(
                    f"Corrects invoice {view.credited.number} "
                    f"{view.credited.invoice_date:%d/%m/%Y} "
                    f"{show_money(view.credited.total)}",
                    id=str(view.credited.id),
                )
            )
        if not related.option_count:
            related.add_option(Option("None yet.", disabled=True))

    def _state_of(self, action: str) -> bool | None:
        """False: never for this role or this document; None: not now; True."""
        actor = self._app.actor
        needed = NEEDS.get(action)
        if needed is not None and not actor.can(needed):
            return False
        view = self.invoice
        if view is None:
            return None
        if action in DRAFT_ONLY and view.status != "draft":
            return False
        if action in INVOICE_ONLY and view.is_credit_note:
            return False
        if action == "remove_line" and not view.lines:
            return None
        if REASON_OF.get(action, action) in view.why_not:
            return None
        return True

    def _why(self, view: InvoiceView) -> str:
        """The reason for each key dimmed now, the keys of one reason together."""
        by_reason: dict[str, list[str]] = {}
        for action, title in TITLES.items():
            if self._state_of(action) is None:
                reason = view.why_not.get(REASON_OF.get(action, action))
                if reason is None and action == "remove_line":
                    reason = "The draft has no lines"
                if reason:
                    by_reason.setdefault(reason, []).append(title)
        return "\n".join(
            f"✗ {', '.join(titles)}: {reason}" for reason, titles in by_reason.items()
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NEEDS:
            return self._state_of(action)
        if action == "customer":
            return self.invoice is not None
        return True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._app.open_record("invoice", int(event.option.id))

    def action_customer(self) -> None:
        if self.invoice is not None:
            self._app.open_record("customer", self.invoice.account_id)

    # The actions: each opens a form whose save calls the service.

    def _form(self, title: str, fields: list[Field], save: Any, done: Any) -> None:
        self.app.push_screen(FormScreen(title, fields, save), done)

    def _changed(self, view: InvoiceView | None, message: str = "Saved.") -> None:
        if view is not None:
            self.show(view)
            self.notify(message)

    def action_post(self) -> None:
        view = self.invoice
        if view is None:
            return
        run_service(
            self,
            post_invoice,
            self._app.db,
            self._app.actor,
            view.id,
            view.version,
            done=lambda posted: self._changed(
                posted,
                f"Posted {posted.number}: {show_money(posted.total)} "
                f"due {posted.due_date:%d/%m/%Y}.",
            ),
        )

    def action_add_line(self) -> None:
        view = self.invoice
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> InvoiceView:
            return add_line(db, actor, view.id, view.version, LineForm(**values))

        fields = [
            Field("description", "Description", ""),
            Field("quantity", "Quantity", "1"),
            Field("unit_price", "Unit price ($)", "", "excluding GST"),
            Field("discount", "Discount ($)", ""),
            Field("category", "GST category", "S", "S standard, Z free, E exempt"),
            Field("unit_code", "Unit", "EA", "EA each, HUR hour, LTR litre"),
            Field("line_kind", "Kind", "item", "item, allowance or charge"),
        ]
        if view.prices_include_tax:
            fields[2] = Field("unit_price", "Unit price ($)", "", "including GST")
        self._form(
            f"Add a line to the draft for {view.customer_name}",
            fields,
            save,
            self._changed,
        )

    def action_remove_line(self) -> None:
        view = self.invoice
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> InvoiceView:
            text = str(values["line"]).strip()
            position = int(text) if text.isdigit() else 0
            return remove_line(db, actor, view.id, view.version, position)

        self._form(
            "Remove a line from the draft",
            [Field("line", "Line number", str(len(view.lines)))],
            save,
            self._changed,
        )

    def action_discard(self) -> None:
        view = self.invoice
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> bool:
            discard_draft(db, actor, view.id, view.version, values["reason"])
            return True

        self._form(
            f"Discard the draft for {view.customer_name}",
            [Field("reason", "Why", "", "e.g. raised twice")],
            save,
            self._discarded,
        )

    def _discarded(self, done: bool | None) -> None:
        if done:
            self.notify("The draft is discarded.")
            self.action_back()

    def action_credit(self) -> None:
        view = self.invoice
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> InvoiceView:
            return credit_invoice(db, actor, view.id, values["lines"], values["reason"])

        fields = [
            Field("lines", "Lines to credit", "all", "all, or 1, 2x3, 4=150.00"),
            Field("reason", "Reason", ""),
        ]
        self._form(f"Credit note for {view.number}", fields, save, self._credited)

    def _credited(self, note: InvoiceView | None) -> None:
        if note is None:
            return
        self.notify(
            f"Posted {note.number}: {show_money(note.total)} credited "
            f"(GST {show_money(note.tax_total)})."
        )
        self.action_reload()

    def action_pay(self) -> None:
        view = self.invoice
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> InvoiceView:
            return record_payment(
                db,
                actor,
                view.id,
                values["amount"],
                values["received_on"],
                values["method"],
                values["reference"],
            )

        fields = [
            Field("amount", "Amount ($)", f"{view.open_amount:.2f}"),
            Field("received_on", "Received on", "", "blank for today"),
            Field("method", "Method", "eft", "eft, card, cheque or cash"),
            Field("reference", "Reference", ""),
        ]
        self._form(
            f"Payment against {view.number}",
            fields,
            save,
            lambda paid: self._changed(
                paid,
                f"Payment recorded; {show_money(paid.open_amount)} open."
                if paid
                else "",
            ),
        )

    def _file_form(self, kind: str, suffix: str, writer: Any) -> None:
        view = self.invoice
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> Path:
            return writer(db, actor, view.id, Path(values["path"]).expanduser())

        default = documents_dir() / f"{view.number}{suffix}"
        self._form(
            f"{kind} of {view.number}",
            [Field("path", "Write to", str(default))],
            save,
            self._written,
        )

    def _written(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Wrote {path}", timeout=8)

    def action_print(self) -> None:
        self._file_form("The tax invoice (PDF)", ".pdf", write_pdf)

    def action_export(self) -> None:
        self._file_form("The e-invoice (PINT A-NZ XML)", ".xml", write_einvoice)
