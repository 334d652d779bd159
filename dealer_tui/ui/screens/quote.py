"""One quote: its truck and extras line by line, totals, trade-in and finance.

Every step of the sales office's work on a quote is a key here: configure
the truck, give discounts, take a trade-in, offer finance, add accessories
and contracts, ask for or give approval, send, record the customer's
answer, revise, copy, compare versions, print and turn it into an order.
What cannot be done to the quote in front is hidden when it never applies
to it now, or dimmed with the reason written under the totals.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from rich.align import Align
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.widgets import Static

from dealer_tui.catalog.documents import plain_number, print_quote, save_email_text
from dealer_tui.catalog.pricing import LineKind
from dealer_tui.catalog.quote_states import QuoteState
from dealer_tui.catalog.quotes import (
    CopyResult,
    FinanceForm,
    PricingForm,
    QuoteDiff,
    QuoteView,
    TradeInForm,
    accept,
    approve,
    copy_quote,
    diff_with_previous,
    new_quote,
    quote_view,
    reject,
    request_approval,
    revise,
    send,
    set_discounts,
    set_finance,
    set_trade_in,
)
from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.errors import DealerError, Problem, ValidationFailed
from dealer_tui.core.money import show_money
from dealer_tui.ui.registry import RECORD_SCREENS
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.screens.configurator import ConfiguratorScreen
from dealer_tui.ui.screens.quote_dialogs import ExtrasDialog, MessageDialog, ModelPicker
from dealer_tui.ui.widgets.form import Field, FormScreen
from dealer_tui.ui.work import run_service

ORDER_SERVICES = "dealer_tui.orders.services"
EDIT_KEYS = ("configure", "discounts", "trade_in", "finance", "extras")
# How a dimmed key reads in the sentence that says why it is dimmed.
PHRASES = {
    "edit": "change the truck, discounts, trade-in, finance or extras",
    "ask_approval": "ask for approval",
    "approve": "approve",
    "send": "send",
    "accept": "record the acceptance",
    "convert": "make the order",
}
KeyState = tuple[bool | None, str]


@cache
def order_entry_installed() -> bool:
    """Whether this workstation has order entry, which takes accepted quotes."""
    try:
        return find_spec(ORDER_SERVICES) is not None
    except ImportError:
        return False


def key_states(view: QuoteView, actor: Actor, orders: bool) -> dict[str, KeyState]:
    """Each key's state for the quote in front: True, None (dimmed) or False.

    False hides a key that the role may never use or that the quote's state
    makes beside the point; None dims one that applies but cannot be used
    now, and carries the reason to show.
    """
    moves = view.moves
    state = view.state
    quoting = actor.can(Permission.QUOTE)
    keys: dict[str, KeyState] = {}

    def put(action: str, value: bool | None, reason: str = "") -> None:
        keys[action] = (value, reason if value is None else "")

    for action in EDIT_KEYS:
        if not quoting or state in (QuoteState.ACCEPTED, QuoteState.SUPERSEDED):
            put(action, False)
        else:
            put(action, True if moves["edit"].allowed else None, moves["edit"].reason)
    waiting = state is QuoteState.AWAITING_APPROVAL
    if waiting and actor.can(Permission.APPROVE_DISCOUNTS):
        put(
            "approve",
            True if moves["approve"].allowed else None,
            moves["approve"].reason,
        )
        put("ask_approval", False)
    else:
        put("approve", False)
        # Once asked, the approval line says the quote waits: the key is
        # beside the point until a manager answers.
        put("ask_approval", quoting and moves["request_approval"].allowed)
    if quoting and state in (QuoteState.DRAFT, QuoteState.AWAITING_APPROVAL):
        put("send", True if moves["send"].allowed else None, moves["send"].reason)
    else:
        put("send", False)
    if quoting and state is QuoteState.SENT:
        put("accept", True)
        put("reject", True)
    elif quoting and state is QuoteState.EXPIRED:
        put("accept", None, moves["accept"].reason)
        put("reject", False)
    else:
        put("accept", False)
        put("reject", False)
    put("revise", quoting and moves["revise"].allowed)
    put("copy", quoting)
    put("changes", view.revision > 1)
    put("print", True)
    put("email", True)
    # Order entry brings its own permission; until it does, quoting's.
    ordering = actor.can(getattr(Permission, "ENTER_ORDERS", Permission.QUOTE))
    if not ordering or state is not QuoteState.ACCEPTED:
        put("convert", False)
    elif not orders:
        put("convert", None, "Order entry is not installed.")
    else:
        put(
            "convert",
            True if moves["convert"].allowed else None,
            moves["convert"].reason,
        )
    put("newer", view.superseded_by_id is not None)
    return keys


def _in_sentence(reason: str) -> str:
    """The reason as the second half of a sentence: its first word in lower case."""
    if len(reason) > 1 and reason[1].islower():
        return reason[0].lower() + reason[1:]
    return reason


def dimmed_reasons(keys: dict[str, KeyState]) -> list[str]:
    """'Cannot send: the discount needs ...', one line per reason."""
    by_reason: dict[str, list[str]] = {}
    for action, (value, reason) in keys.items():
        if value is not None or not reason:
            continue
        phrase = PHRASES["edit"] if action in EDIT_KEYS else PHRASES.get(action, action)
        phrases = by_reason.setdefault(reason, [])
        if phrase not in phrases:
            phrases.append(phrase)
    return [
        f"Cannot {' or '.join(phrases)}: {_in_sentence(reason)}"
        for reason, phrases in by_reason.items()
    ]


def start_quote(node: DOMNode, account_id: int, customer_name: str) -> None:
    """Ask for the model, start a draft quote and open its configurator.

    Escape from the configurator lands on the new quote's screen.
    """
    app: Any = node.app

    def chosen(model_code: str | None) -> None:
        if model_code:
            run_service(
                node,
                new_quote,
                app.db,
                app.actor,
                account_id,
                model_code,
                done=opened,
            )

    def opened(view: QuoteView) -> None:
        app.push_screen(QuoteScreen(view.id))
        app.push_screen(ConfiguratorScreen(view.id))

    app.push_screen(ModelPicker(customer_name), chosen)


def _renamed(problems: list[Problem], names: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(
        [Problem(names.get(p.field, p.field), p.message, p.line) for p in problems]
    )


class QuoteScreen(WorkScreen):
    """One quote; k configures the truck, F1 lists every key."""

    CSS_PATH = css("quote")
    TITLE = "Quote"
    BINDINGS = [
        Binding("k", "configure", "Configure", id="configure"),
        Binding("d", "discounts", "Discounts", id="discounts"),
        Binding("t", "trade_in", "Trade-in", id="trade_in"),
        Binding("f", "finance", "Finance", id="finance"),
        Binding(
            "a", "extras", "Extras", id="extras", tooltip="Accessories and contracts"
        ),
        Binding("p", "ask_approval", "Ask approval", id="ask_approval"),
        Binding("p", "approve", "Approve", id="approve"),
        Binding("s", "send", "Send", id="send"),
        Binding("y", "accept", "Accepted", id="accept"),
        Binding("n", "reject", "Declined", id="reject"),
        Binding("r", "revise", "Revise", id="revise"),
        Binding("o", "copy", "Copy", id="copy"),
        Binding(
            "v",
            "changes",
            "Changes",
            id="changes",
            tooltip="What changed from the version before",
        ),
        Binding("P", "print", "Print PDF", id="print", key_display="P"),
        Binding("e", "email", "E-mail text", id="email"),
        Binding("c", "convert", "Make order", id="convert"),
        Binding("g", "newer", "Newer version", id="newer"),
        Binding("u", "customer", "Customer", id="customer", show=False),
        Binding("ctrl+r", "reload", "Reload", id="reload", show=False),
        Binding("down", "scroll_lines(1)", "Lines down", id="lines_down", show=False),
        Binding("up", "scroll_lines(-1)", "Lines up", id="lines_up", show=False),
        Binding(
            "pagedown",
            "scroll_lines(5)",
            "Lines page down",
            id="lines_page_down",
            show=False,
        ),
        Binding(
            "pageup",
            "scroll_lines(-5)",
            "Lines page up",
            id="lines_page_up",
            show=False,
        ),
    ]

    def __init__(self, quote_id: int) -> None:
        super().__init__()
        self.quote_id = quote_id
        self.quote: QuoteView | None = None
        self.keys: dict[str, KeyState] = {}
        self._note = ""

    @property
    def _app(self) -> Any:
        return self.app

    def compose_body(self) -> ComposeResult:
        with Vertical(id="quote-body"):
            yield Static("Loading ...", id="quote-head", markup=False)
            # The screen's own keys scroll the lines, so that the help and
            # the footer list the quote's keys and not a scroll box's.
            lines = VerticalScroll(id="quote-lines-box")
            lines.can_focus = False
            with lines:
                yield Static("", id="quote-lines")
            with Horizontal(id="quote-bottom"):
                yield Static("", id="quote-deal")
                yield Static("", id="quote-totals")
            yield Static("", id="quote-why", markup=False)

    def action_scroll_lines(self, rows: int) -> None:
        self.query_one("#quote-lines-box", VerticalScroll).scroll_relative(
            y=rows, animate=False
        )

    def on_screen_resume(self) -> None:
        # Sent on the first showing too, and after the configurator closes.
        self.action_reload()

    def action_reload(self) -> None:
        run_service(
            self,
            quote_view,
            self._app.db,
            self._app.actor,
            self.quote_id,
            done=self.show,
            group="quote",
            exclusive=True,
        )

    def show(self, view: QuoteView) -> None:
        self.quote = view
        self.quote_id = view.id
        self.sub_title = view.label
        self.keys = key_states(view, self._app.actor, order_entry_installed())
        self.query_one("#quote-head", Static).update(self._head(view))
        self.query_one("#quote-lines", Static).update(self._lines(view))
        self.query_one("#quote-deal", Static).update(self._deal(view))
        self.query_one("#quote-totals", Static).update(self._totals(view))
        self._show_why()
        self.refresh_bindings()

    def _show_why(self) -> None:
        lines = dimmed_reasons(self.keys)
        if self._note:
            lines.append(self._note)
        shown = self.query_one("#quote-why", Static)
        shown.update("\n".join(lines))
        shown.set_class(not lines, "-empty")

    def _head(self, view: QuoteView) -> str:
        contact = f" · attn {view.contact_name}" if view.contact_name else ""
        return "\n".join(
            [
                f"{view.label}  {view.state.title.upper()}  ·  {view.model_name} "
                f"({view.model_code})",
                f"Customer {view.customer_number} {view.customer_name}{contact}",
                f"Priced {view.price_date:%d/%m/%Y} · valid until "
                f"{view.valid_until:%d/%m/%Y} · rep {view.rep_name or '—'}",
            ]
        )

    def _lines(self, view: QuoteView) -> Table:
        table = Table(box=None, expand=True, header_style="bold", pad_edge=False)
        table.add_column("Kind", no_wrap=True)
        table.add_column("Code", no_wrap=True)
        table.add_column("Description", ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column("Qty", justify="right", no_wrap=True)
        table.add_column("Price", justify="right", no_wrap=True)
        table.add_column("Disc", justify="right", no_wrap=True)
        table.add_column("Net", justify="right", no_wrap=True)
        for line in view.lines:
            kind = LineKind(line.kind)
            table.add_row(
                kind.title,
                line.code,
                line.description,
                plain_number(line.quantity),
                f"{line.unit_price:,.2f}",
                f"{line.discount:,.2f}" if line.discount else "",
                f"{line.net:,.2f}",
            )
        return table

    def _deal(self, view: QuoteView) -> Table:
        money = view.currency
        table = Table.grid(padding=(0, 1, 0, 0))
        table.add_column(no_wrap=True, style="bold")
        table.add_column(ratio=1)
        if view.trade_in is not None:
            trade = view.trade_in
            table.add_row(
                "Trade-in",
                f"{trade.description}: {show_money(trade.allowance, money)} allowed "
                f"on {show_money(trade.appraised_value, money)} appraised",
            )
        else:
            table.add_row("Trade-in", "none (t adds one)")
        offer = view.finance
        if offer is not None:
            terms = offer.terms
            balloon = (
                f", balloon {show_money(terms.balloon, money)}" if terms.balloon else ""
            )
            table.add_row(
                "Finance",
                f"{terms.kind.value} {terms.term_months} x "
                f"{show_money(offer.payment, money)} at "
                f"{plain_number(terms.annual_rate_percent)}%, deposit "
                f"{show_money(view.finance_deposit, money)}{balloon}",
            )
        else:
            table.add_row("Finance", "none (f offers a loan or lease)")
        table.add_row("Approval", self._approval(view))
        status = self._status(view)
        if status:
            table.add_row("Status", status)
        return table

    def _approval(self, view: QuoteView) -> str:
        percent = view.totals.discount_percent
        limit = view.authority_percent
        if not view.needs_approval:
            return f"{percent}% off, within the rep's {limit}%: not needed"
        if view.approved_percent is not None and percent <= view.approved_percent:
            return f"{percent}% off approved by {view.approved_by or 'a manager'}"
        if view.state is QuoteState.AWAITING_APPROVAL:
            return f"{percent}% off, over the rep's {limit}%: WAITING for a manager"
        return f"{percent}% off, over the rep's {limit}%: NEEDED to send"

    def _status(self, view: QuoteView) -> str:
        if view.superseded_by_id is not None:
            return "replaced by a newer version (g opens it)"
        if view.state is QuoteState.REJECTED and view.reject_reason:
            return f"declined: {view.reject_reason}"
        if view.order_id is not None:
            return f"became order {view.order_id}"
        return ""

    def _totals(self, view: QuoteView) -> Align:
        totals = view.totals
        money = view.currency
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(justify="right", no_wrap=True, min_width=13)
        table.add_row("List price", show_money(totals.list_total, money))
        discounts = totals.line_discounts + totals.total_discount
        table.add_row("Discounts", show_money(-discounts, money))
        table.add_row("Net excl. GST", show_money(totals.net_total, money))
        table.add_row("GST", show_money(totals.gst, money))
        table.add_row("Total incl. GST", show_money(totals.total_with_gst, money))
        if view.trade_in is not None:
            table.add_row("Trade-in", show_money(-totals.trade_in_allowance, money))
            if totals.over_allowance:
                table.add_row(
                    "over-allowance", show_money(totals.over_allowance, money)
                )
            if totals.trade_in_payout:
                table.add_row("Payout", show_money(totals.trade_in_payout, money))
        table.add_row("[b]Payable[/b]", f"[b]{show_money(totals.payable, money)}[/b]")
        return Align.right(table)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("back", "reload", "scroll_lines"):
            return True
        if action == "customer":
            return self.quote is not None
        state = self.keys.get(action)
        if state is None:
            # Not known until the quote is loaded: dimmed, not hidden.
            return None if self.quote is None else True
        return state[0]

    # Changing the quote

    def _changed(self, view: QuoteView | None, message: str = "Saved.") -> None:
        if view is not None:
            self.show(view)
            self.notify(message)

    def _refused(self, refusal: DealerError) -> None:
        """A refused move is said, and the quote shown as it now stands."""
        self._app.show_refusal(refusal)
        self.action_reload()

    def _move(
        self, service: Callable[..., QuoteView], message: Callable[[QuoteView], str]
    ) -> None:
        view = self.quote
        if view is None:
            return
        run_service(
            self,
            service,
            self._app.db,
            self._app.actor,
            view.id,
            view.version,
            done=lambda moved: self._changed(moved, message(moved)),
            refused=self._refused,
        )

    def _form(
        self, title: str, fields: list[Field], save: Callable[[dict[str, Any]], Any]
    ) -> None:
        self.app.push_screen(FormScreen(title, fields, save), self._changed)

    def action_configure(self) -> None:
        if self.quote is not None:
            self.app.push_screen(ConfiguratorScreen(self.quote.id))

    def action_discounts(self) -> None:
        view = self.quote
        if view is None:
            return
        db, actor = self._app.db, self._app.actor
        money = view.currency
        fields = [
            Field(
                "total_discount",
                "Off the total ($)",
                f"{view.totals.total_discount:.2f}"
                if view.totals.total_discount
                else "",
                f"of {show_money(view.totals.list_total, money)} at list",
            )
        ]
        names = {}
        for line, priced in zip(view.lines, view.totals.lines, strict=True):
            if priced.gross_amount <= 0:
                continue
            name = f"line_{line.position}"
            names[f"line {line.position} discount"] = name
            fields.append(
                Field(
                    name,
                    f"{line.position} {line.code}"[:21],
                    f"{line.discount:.2f}" if line.discount else "",
                    f"off {priced.gross_amount:,.2f}",
                )
            )

        def save(values: dict[str, Any]) -> QuoteView:
            form = PricingForm(
                {
                    int(name.removeprefix("line_")): text
                    for name, text in values.items()
                    if name.startswith("line_")
                },
                values["total_discount"],
            )
            try:
                return set_discounts(db, actor, view.id, view.version, form)
            except ValidationFailed as refused:
                raise _renamed(refused.problems, names) from None

        self._form(
            f"Discounts on {view.label}: the rep may give {view.authority_percent}% "
            "of the list price without approval",
            fields,
            save,
        )

    def action_trade_in(self) -> None:
        view = self.quote
        if view is None:
            return
        db, actor = self._app.db, self._app.actor
        trade = view.trade_in
        fields = [
            Field(
                "description",
                "Truck traded in",
                trade.description if trade else "",
                "make, model, year, odometer",
            ),
            Field(
                "appraised_value",
                "Appraised value ($)",
                f"{trade.appraised_value:.2f}" if trade else "",
            ),
            Field(
                "allowance", "Allowance ($)", f"{trade.allowance:.2f}" if trade else ""
            ),
            Field(
                "payout",
                "Payout owing ($)",
                f"{trade.payout:.2f}" if trade and trade.payout else "",
                "still owed to a financier",
            ),
        ]

        def save(values: dict[str, Any]) -> QuoteView:
            form = TradeInForm(**values) if str(values["description"]).strip() else None
            return set_trade_in(db, actor, view.id, view.version, form)

        self._form(
            f"Trade-in on {view.label} (an empty description takes it off)",
            fields,
            save,
        )

    def action_finance(self) -> None:
        view = self.quote
        if view is None:
            return
        db, actor = self._app.db, self._app.actor
        terms = view.finance.terms if view.finance else None
        fields = [
            Field(
                "kind",
                "Loan or lease",
                terms.kind.value if terms else "",
                "loan or lease",
            ),
            Field(
                "annual_rate_percent",
                "Rate (% a year)",
                plain_number(terms.annual_rate_percent) if terms else "",
            ),
            Field(
                "term_months",
                "Term (months)",
                str(terms.term_months) if terms else "60",
            ),
            Field(
                "deposit",
                "Deposit ($)",
                f"{view.finance_deposit:.2f}" if terms else "",
                f"of {show_money(view.totals.payable, view.currency)} payable",
            ),
            Field(
                "balloon",
                "Balloon ($)",
                f"{terms.balloon:.2f}" if terms and terms.balloon else "",
                "owed at the end; empty for none",
            ),
        ]

        def save(values: dict[str, Any]) -> QuoteView:
            form = FinanceForm(**values) if str(values["kind"]).strip() else None
            try:
                return set_finance(db, actor, view.id, view.version, form)
            except ValidationFailed as refused:
                raise _renamed(
                    refused.problems, {"rate": "annual_rate_percent"}
                ) from None

        self._form(
            f"Finance offer on {view.label} (an empty kind takes it off)",
            fields,
            save,
        )

    def action_extras(self) -> None:
        if self.quote is not None:
            self.app.push_screen(ExtrasDialog(self.quote), self._changed)

    def action_ask_approval(self) -> None:
        self._move(
            request_approval,
            lambda v: (
                f"{v.label} waits for a sales manager to approve "
                f"{v.totals.discount_percent}% off."
            ),
        )

    def action_approve(self) -> None:
        self._move(
            approve,
            lambda v: f"Approved {v.totals.discount_percent}% off {v.label}.",
        )

    def action_send(self) -> None:
        self._move(
            send,
            lambda v: (
                f"Sent {v.label}: prices are frozen until {v.valid_until:%d/%m/%Y}."
            ),
        )

    def action_accept(self) -> None:
        self._move(accept, lambda v: f"{v.label} is accepted: make the order (c).")

    def action_reject(self) -> None:
        view = self.quote
        if view is None:
            return
        db, actor = self._app.db, self._app.actor

        def save(values: dict[str, Any]) -> QuoteView:
            return reject(db, actor, view.id, view.version, values["reason"])

        self._form(
            f"The customer declined {view.label}",
            [
                Field(
                    "reason",
                    "Why",
                    "",
                    "e.g. price, delivery time, chose another make",
                )
            ],
            save,
        )

    def action_revise(self) -> None:
        view = self.quote
        if view is None:
            return
        run_service(
            self,
            revise,
            self._app.db,
            self._app.actor,
            view.id,
            view.version,
            done=self._revised,
            refused=self._refused,
        )

    def _revised(self, result: CopyResult) -> None:
        self._note = ""
        self.show(result.quote)
        self._show_price_changes(f"{result.quote.label} at today's prices", result)

    def _show_price_changes(self, title: str, result: CopyResult) -> None:
        money = result.quote.currency
        lines = [
            f"{change.code} {change.description}: "
            f"{show_money(change.old_price, money)} -> "
            f"{show_money(change.new_price, money)}"
            for change in result.price_changes
        ] or ["No price has changed."]
        self.app.push_screen(MessageDialog(title, lines))

    def action_copy(self) -> None:
        view = self.quote
        if view is None:
            return
        run_service(
            self,
            copy_quote,
            self._app.db,
            self._app.actor,
            view.id,
            done=self._copied,
        )

    def _copied(self, result: CopyResult) -> None:
        self.app.push_screen(QuoteScreen(result.quote.id))
        self._show_price_changes(
            f"{result.quote.label}, a copy of {self.quote.label if self.quote else ''}",
            result,
        )

    def action_changes(self) -> None:
        view = self.quote
        if view is None:
            return
        run_service(
            self,
            diff_with_previous,
            self._app.db,
            self._app.actor,
            view.id,
            done=self._show_diff,
        )

    def _show_diff(self, diff: QuoteDiff) -> None:
        lines = diff.lines()
        self.app.push_screen(MessageDialog(lines[0], lines[1:]))

    def _written(self, kind: str) -> Callable[[Path], None]:
        def said(path: Path) -> None:
            self._note = f"{kind} written to {path}"
            self._show_why()
            self.notify(self._note, timeout=10)

        return said

    def action_print(self) -> None:
        if self.quote is not None:
            run_service(
                self,
                print_quote,
                self._app.db,
                self._app.actor,
                self.quote.id,
                done=self._written("PDF"),
            )

    def action_email(self) -> None:
        if self.quote is not None:
            run_service(
                self,
                save_email_text,
                self._app.db,
                self._app.actor,
                self.quote.id,
                done=self._written("E-mail text"),
            )

    def action_convert(self) -> None:
        view = self.quote
        if view is None:
            return
        try:
            from dealer_tui.orders.services import (  # type: ignore[import-not-found]
                create_order_from_quote,
            )
        except ImportError:
            self.notify("Order entry is not installed.", severity="warning")
            return
        run_service(
            self,
            create_order_from_quote,
            self._app.db,
            self._app.actor,
            view.id,
            done=self._converted,
            refused=self._refused,
        )

    def _converted(self, order: Any) -> None:
        self.notify(
            f"{self.quote.label if self.quote else 'The quote'} is now an order."
        )
        self.action_reload()
        order_id = order if isinstance(order, int) else getattr(order, "id", None)
        if isinstance(order_id, int) and "order" in RECORD_SCREENS:
            self._app.open_record("order", order_id)

    def action_newer(self) -> None:
        view = self.quote
        if view is not None and view.superseded_by_id is not None:
            self.quote_id = view.superseded_by_id
            self._note = ""
            self.action_reload()

    def action_customer(self) -> None:
        if self.quote is not None:
            self._app.open_record("customer", self.quote.account_id)
