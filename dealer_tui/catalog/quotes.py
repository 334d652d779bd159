"""Use cases of quotes: configure, price, approve, send, accept, revise.

A quote is numbered once and versioned: revising copies it into the next
version and supersedes the one before.  Only a draft changes; a sent quote
keeps the prices it was sent with whatever the price lists do later, and an
expired one must be re-priced (a new version at today's prices) before the
customer can accept it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dealer_tui.accounts.models import Account
from dealer_tui.catalog.configurator import (
    Choice,
    Configuration,
    ConfiguratorEngine,
)
from dealer_tui.catalog.finance import (
    FinanceKind,
    FinanceOffer,
    FinanceTerms,
    check_terms,
    finance_offer,
)
from dealer_tui.catalog.models import CatalogModel, Product, Quote, QuoteLineRow
from dealer_tui.catalog.pricing import (
    LineKind,
    QuoteLine,
    QuoteTotals,
    TradeIn,
    check_lines,
    needs_approval,
    price_quote,
)
from dealer_tui.catalog.quote_states import QuoteState, refusal
from dealer_tui.catalog.rules import Catalogue
from dealer_tui.catalog.services import (
    _ENGINES,
    PRODUCTS_SCOPE,
    price_map,
    range_of_model,
)
from dealer_tui.core import audit, clock
from dealer_tui.core.auth import Actor, Permission, Role
from dealer_tui.core.db import Database
from dealer_tui.core.errors import NotFound, Problem, Refused, ValidationFailed
from dealer_tui.core.models import Branch, User
from dealer_tui.core.numbering import next_number
from dealer_tui.core.paging import PageRequest, fetch_page
from dealer_tui.core.parse import FieldErrors
from dealer_tui.core.records import load, load_for_change
from dealer_tui.core.text import like_escape, search_key
from dealer_tui.core.types import utc_now
from dealer_tui.invoicing.tax import Jurisdiction, jurisdiction_for

log = logging.getLogger(__name__)

VALID_DAYS = 30
ZERO = Decimal("0.00")
# The share of the list price a role may give away without approval.
DISCOUNT_AUTHORITY: dict[Role, Decimal] = {
    Role.SALES_REP: Decimal("3.00"),
    Role.SALES_ADMIN: Decimal("3.00"),
    Role.SALES_MANAGER: Decimal("100.00"),
    Role.ADMINISTRATOR: Decimal("100.00"),
}


def authority(role: Role) -> Decimal:
    return DISCOUNT_AUTHORITY.get(role, ZERO)


@dataclass(frozen=True)
class LineView:
    position: int
    kind: str
    code: str
    description: str
    family: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    net: Decimal
    origin: str


@dataclass(frozen=True)
class Move:
    """An action on the quote in front, and why it cannot be done if it cannot."""

    name: str
    allowed: bool
    reason: str = ""


@dataclass(frozen=True)
class QuoteView:
    """A quote as the quote screen, the PDF and the text version show it."""

    id: int
    version: int
    number: str
    revision: int
    state: QuoteState
    account_id: int
    customer_number: str
    customer_name: str
    customer_abn: str
    customer_address: str
    contact_name: str
    rep_name: str
    branch_name: str
    range_code: str
    model_code: str
    model_name: str
    price_date: date
    valid_until: date
    currency: str
    lines: list[LineView]
    totals: QuoteTotals
    trade_in: TradeIn | None
    finance: FinanceOffer | None
    finance_deposit: Decimal
    choices: list[Choice]
    approved_by: str
    approved_percent: Decimal | None
    authority_percent: Decimal
    needs_approval: bool
    superseded_by_id: int | None
    order_id: int | None
    reject_reason: str
    notes: str
    moves: dict[str, Move] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.number} v{self.revision}"


def _today(session: Session, actor: Actor) -> date:
    branch = session.get(Branch, actor.branch_id) if actor.branch_id else None
    return clock.local_today(branch.time_zone if branch else "UTC")


def _jurisdiction(session: Session, branch_id: int | None) -> Jurisdiction:
    branch = session.get(Branch, branch_id) if branch_id else None
    return jurisdiction_for(branch.country if branch else "AU")


def _quote_lines(quote: Quote) -> list[QuoteLine]:
    return [
        QuoteLine(
            LineKind(row.kind),
            row.code,
            row.description,
            row.quantity,
            row.unit_price,
            row.discount,
        )
        for row in quote.lines
    ]


def _trade_in(quote: Quote) -> TradeIn | None:
    if not quote.trade_in_description:
        return None
    return TradeIn(
        quote.trade_in_description,
        quote.trade_in_appraised,
        quote.trade_in_allowance,
        quote.trade_in_payout,
    )


def _totals(session: Session, quote: Quote) -> QuoteTotals:
    return price_quote(
        _quote_lines(quote),
        _jurisdiction(session, quote.branch_id),
        total_discount=quote.total_discount,
        trade_in=_trade_in(quote),
    )


def _finance(quote: Quote, totals: QuoteTotals) -> FinanceOffer | None:
    if not quote.finance_kind:
        return None
    financed = totals.payable - quote.finance_deposit
    terms = FinanceTerms(
        FinanceKind(quote.finance_kind),
        financed,
        quote.finance_rate,
        quote.finance_term_months,
        quote.finance_balloon,
    )
    if check_terms(terms):
        return None
    return finance_offer(terms)


def _store_totals(session: Session, quote: Quote) -> QuoteTotals:
    totals = _totals(session, quote)
    quote.net_total = totals.net_total
    quote.gst = totals.gst
    quote.payable = totals.payable
    quote.discount_percent = totals.discount_percent
    return totals


def _moves(quote: Quote, actor: Actor, over: bool, complete: bool) -> dict[str, Move]:
    state = QuoteState(quote.state)
    moves: dict[str, Move] = {}

    def add(name: str, allowed: bool, reason: str = "") -> None:
        moves[name] = Move(name, allowed, "" if allowed else reason)

    draft_reason = refusal(state, QuoteState.SENT) or ""
    editable = state.editable
    add("edit", editable, f"The quote is {state.title}: revise it to change it.")
    approved = (
        quote.approved_percent is not None
        and quote.discount_percent <= quote.approved_percent
    )
    if editable and over and not approved:
        add("request_approval", True)
    else:
        add("request_approval", False, "No approval is needed.")
    can_approve = actor.can(Permission.APPROVE_DISCOUNTS)
    add(
        "approve",
        state is QuoteState.AWAITING_APPROVAL and can_approve,
        "Only a sales manager approves a discount, and only when asked."
        if state is QuoteState.AWAITING_APPROVAL
        else "The quote is not waiting for approval.",
    )
    if state not in (QuoteState.DRAFT, QuoteState.AWAITING_APPROVAL):
        add("send", False, draft_reason)
    elif not complete:
        add("send", False, "The truck is not complete: some families are open.")
    elif over and not approved:
        add("send", False, "The discount needs a sales manager's approval first.")
    else:
        add("send", True)
    add("accept", state is QuoteState.SENT, refusal(state, QuoteState.ACCEPTED) or "")
    add("reject", state is QuoteState.SENT, refusal(state, QuoteState.REJECTED) or "")
    add(
        "revise",
        state
        in (
            QuoteState.DRAFT,
            QuoteState.AWAITING_APPROVAL,
            QuoteState.SENT,
            QuoteState.EXPIRED,
            QuoteState.REJECTED,
        ),
        "An accepted or superseded quote is not revised.",
    )
    add(
        "convert",
        state is QuoteState.ACCEPTED and quote.order_id is None,
        "Already an order."
        if quote.order_id
        else "Only an accepted quote becomes an order.",
    )
    return moves


def _view(session: Session, actor: Actor, quote: Quote) -> QuoteView:
    account = session.get(Account, quote.account_id)
    rep = session.get(User, quote.rep_id)
    branch = session.get(Branch, quote.branch_id) if quote.branch_id else None
    approver = session.get(User, quote.approved_by_id) if quote.approved_by_id else None
    catalogue = _ENGINES.get(session, quote.range_code)
    model = catalogue.models_by_code.get(quote.model_code)
    totals = _totals(session, quote)
    rep_role = Role(rep.role) if rep else actor.role
    over = needs_approval(totals, authority(rep_role))
    priced = totals.lines
    lines = [
        LineView(
            row.position,
            row.kind,
            row.code,
            row.description,
            row.family,
            row.quantity,
            row.unit_price,
            row.discount,
            p.net,
            row.origin,
        )
        for row, p in zip(quote.lines, priced, strict=True)
    ]
    address = ""
    if account:
        place = " ".join(
            x for x in (account.suburb, account.state, account.postcode) if x
        )
        address = ", ".join(x for x in (account.street, place) if x)
    return QuoteView(
        id=quote.id,
        version=quote.version,
        number=quote.number,
        revision=quote.revision,
        state=QuoteState(quote.state),
        account_id=quote.account_id,
        customer_number=account.number if account else "",
        customer_name=account.name if account else "",
        customer_abn=account.tax_id if account else "",
        customer_address=address,
        contact_name=quote.contact_name,
        rep_name=rep.display_name if rep else "",
        branch_name=branch.name if branch else "",
        range_code=quote.range_code,
        model_code=quote.model_code,
        model_name=model.name if model else quote.model_code,
        price_date=quote.price_date,
        valid_until=quote.valid_until,
        currency=catalogue.currency,
        lines=lines,
        totals=totals,
        trade_in=_trade_in(quote),
        finance=_finance(quote, totals),
        finance_deposit=quote.finance_deposit,
        choices=[Choice(c[0], bool(c[1])) for c in quote.choices],
        approved_by=approver.display_name if approver else "",
        approved_percent=quote.approved_percent,
        authority_percent=authority(rep_role),
        needs_approval=over,
        superseded_by_id=quote.superseded_by_id,
        order_id=quote.order_id,
        reject_reason=quote.reject_reason,
        notes=quote.notes,
        moves=_moves(quote, actor, over, quote.complete),
    )


def quote_view(db: Database, actor: Actor, quote_id: int) -> QuoteView:
    """The quote with its lines, totals, finance offer and allowed moves."""
    actor.require(Permission.VIEW_CATALOG)
    with db.read() as session:
        return _view(session, actor, load(session, Quote, quote_id, "quote"))


def _build_lines(
    session: Session,
    quote: Quote,
    catalogue: Catalogue,
    config: Configuration,
    keep: Sequence[QuoteLineRow] = (),
) -> None:
    """Rewrite the truck's lines from the configuration at the quote's prices.

    Accessories and contracts already on the quote are kept, and so are the
    discounts given on lines whose option stays on the truck.
    """
    codes = [quote.model_code, *config.included()]
    prices = price_map(session, quote.range_code, quote.price_date, codes)
    missing = [c for c in codes if c not in prices]
    if missing:
        raise Refused(
            f"No price on {quote.price_date:%d/%m/%Y} for {', '.join(missing[:5])}: "
            "import a price list that covers them."
        )
    discounts = {row.code: row.discount for row in keep}
    extras = [
        row for row in keep if row.kind in (LineKind.ACCESSORY, LineKind.CONTRACT)
    ]
    quote.lines.clear()
    session.flush()
    model = catalogue.models_by_code[quote.model_code]
    rows = [
        QuoteLineRow(
            position=1,
            kind=LineKind.BASE,
            code=model.code,
            description=model.name,
            family="",
            quantity=Decimal(1),
            unit_price=prices[model.code],
            discount=discounts.get(model.code, ZERO),
            origin="model",
        )
    ]
    families = catalogue.families_by_code
    for code in config.included():
        option = catalogue.options_by_code[code]
        state = config.status(code).state
        rows.append(
            QuoteLineRow(
                position=len(rows) + 1,
                kind=LineKind.OPTION,
                code=code,
                description=option.name,
                family=families[option.family].name,
                quantity=Decimal(1),
                unit_price=prices[code],
                discount=discounts.get(code, ZERO),
                origin=state.value,
            )
        )
    for extra in extras:
        rows.append(
            QuoteLineRow(
                position=len(rows) + 1,
                kind=extra.kind,
                code=extra.code,
                description=extra.description,
                family="",
                quantity=extra.quantity,
                unit_price=extra.unit_price,
                discount=extra.discount,
                origin="",
            )
        )
    quote.lines.extend(rows)


def _engine(catalogue: Catalogue, model_code: str, on: date) -> ConfiguratorEngine:
    return ConfiguratorEngine(catalogue, model_code, on)


def new_quote(
    db: Database,
    actor: Actor,
    account_id: int,
    model_code: str,
    contact_name: str = "",
) -> QuoteView:
    """Start a draft quote for a customer and a model, with the model's defaults."""
    actor.require(Permission.QUOTE)
    with db.write() as session:
        account = load(session, Account, account_id, "customer")
        range_code = range_of_model(session, model_code)
        today = _today(session, actor)
        catalogue = _ENGINES.get(session, range_code)
        quote = Quote(
            number=next_number(session, "quote", today.year, "Q"),
            revision=1,
            state=QuoteState.DRAFT,
            account_id=account.id,
            contact_name=contact_name.strip()[:120],
            rep_id=actor.user_id,
            branch_id=actor.branch_id or account.branch_id,
            range_code=range_code,
            model_code=model_code,
            choices=[],
            price_date=today,
            valid_until=today + timedelta(days=VALID_DAYS),
            updated_by_id=actor.user_id,
        )
        session.add(quote)
        engine = _engine(catalogue, model_code, today)
        try:
            start = Configuration.start(engine)
            _build_lines(session, quote, catalogue, start)
            quote.complete = start.is_complete
        finally:
            engine.close()
        session.flush()
        _store_totals(session, quote)
        audit.record(
            session,
            actor,
            "create",
            "quote",
            quote.number,
            after={"revision": 1, "model": model_code, "customer": account.number},
        )
        session.flush()
        return _view(session, actor, quote)


@dataclass
class ConfiguratorSession:
    """What the configurator screen works with: the engine and the prices.

    The engine answers every choice in memory; only saving writes.
    """

    quote_id: int
    version: int
    catalogue: Catalogue
    engine: ConfiguratorEngine
    configuration: Configuration
    prices: dict[str, Decimal]
    not_restored: tuple[Choice, ...]

    def close(self) -> None:
        self.engine.close()


def open_configurator(db: Database, actor: Actor, quote_id: int) -> ConfiguratorSession:
    """The quote's truck, re-made from its saved choices, ready to change."""
    actor.require(Permission.QUOTE)
    with db.read() as session:
        quote = load(session, Quote, quote_id, "quote")
        if not QuoteState(quote.state).editable:
            raise Refused(
                f"Quote {quote.number} v{quote.revision} is "
                f"{QuoteState(quote.state).title}: revise it to change the truck."
            )
        catalogue = _ENGINES.get(session, quote.range_code)
        prices = price_map(session, quote.range_code, quote.price_date)
        engine = _engine(catalogue, quote.model_code, quote.price_date)
        saved = [Choice(c[0], bool(c[1])) for c in quote.choices]
        config, refused = Configuration.restore(engine, saved)
        return ConfiguratorSession(
            quote.id, quote.version, catalogue, engine, config, prices, refused
        )


def save_configuration(
    db: Database,
    actor: Actor,
    quote_id: int,
    expected_version: int,
    configuration: Configuration,
) -> QuoteView:
    """Keep the truck as configured: its choices and lines at the quote's prices."""
    actor.require(Permission.QUOTE)
    with db.write() as session:
        quote = _editable(session, actor, quote_id, expected_version)
        catalogue = _ENGINES.get(session, quote.range_code)
        before = [list(c) for c in quote.choices]
        quote.choices = [[c.option, c.include] for c in configuration.choices]
        quote.complete = configuration.is_complete
        _build_lines(session, quote, catalogue, configuration, list(quote.lines))
        session.flush()
        _store_totals(session, quote)
        _touch(quote, actor)
        audit.record(
            session,
            actor,
            "configure",
            "quote",
            quote.number,
            before={"choices": before},
            after={"choices": quote.choices},
        )
        session.flush()
        return _view(session, actor, quote)


def _editable(
    session: Session, actor: Actor, quote_id: int, expected_version: int
) -> Quote:
    quote = load_for_change(session, Quote, quote_id, expected_version, "quote")
    state = QuoteState(quote.state)
    if state is QuoteState.AWAITING_APPROVAL:
        # Changing a quote that waits for approval takes it back to draft:
        # the manager approved (or will approve) what was asked, not this.
        quote.state = QuoteState.DRAFT
        quote.approved_percent = None
        quote.approved_by_id = None
    elif not state.editable:
        raise Refused(
            f"Quote {quote.number} v{quote.revision} is {state.title}: "
            "revise it to change it."
        )
    return quote


def _touch(quote: Quote, actor: Actor) -> None:
    quote.updated_by_id = actor.user_id
    quote.updated_at = utc_now()


@dataclass(frozen=True)
class PricingForm:
    """Discounts as typed: per line position, and on the total."""

    line_discounts: dict[int, str]
    total_discount: str


def set_discounts(
    db: Database,
    actor: Actor,
    quote_id: int,
    expected_version: int,
    form: PricingForm,
) -> QuoteView:
    """Set line discounts and a discount on the total."""
    actor.require(Permission.QUOTE)
    errors = FieldErrors()
    total = errors.money("total_discount", form.total_discount, default=ZERO)
    amounts = {
        position: errors.money(f"line {position} discount", text, default=ZERO)
        for position, text in form.line_discounts.items()
    }
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        quote = _editable(session, actor, quote_id, expected_version)
        before = {"total_discount": str(quote.total_discount)}
        for row in quote.lines:
            if row.position in amounts:
                row.discount = amounts[row.position]
        quote.total_discount = total
        problems = check_lines(_quote_lines(quote), total, _trade_in(quote))
        if problems:
            raise ValidationFailed(problems)
        _store_totals(session, quote)
        _touch(quote, actor)
        audit.record(
            session,
            actor,
            "discount",
            "quote",
            quote.number,
            before=before,
            after={
                "total_discount": str(total),
                "discount_percent": str(quote.discount_percent),
            },
        )
        session.flush()
        return _view(session, actor, quote)


@dataclass(frozen=True)
class TradeInForm:
    description: str
    appraised_value: str
    allowance: str
    payout: str = ""


def set_trade_in(
    db: Database,
    actor: Actor,
    quote_id: int,
    expected_version: int,
    form: TradeInForm | None,
) -> QuoteView:
    """Record the trade-in (or take it off with None)."""
    actor.require(Permission.QUOTE)
    errors = FieldErrors()
    if form is not None:
        description = errors.required("description", form.description, 200)
        appraised = errors.money("appraised_value", form.appraised_value)
        allowance = errors.money("allowance", form.allowance)
        payout = errors.money("payout", form.payout, default=ZERO)
        if errors:
            raise ValidationFailed(errors.problems)
    with db.write() as session:
        quote = _editable(session, actor, quote_id, expected_version)
        before = {
            "trade_in": quote.trade_in_description,
            "allowance": str(quote.trade_in_allowance),
        }
        if form is None:
            quote.trade_in_description = ""
            quote.trade_in_appraised = quote.trade_in_allowance = ZERO
            quote.trade_in_payout = ZERO
        else:
            quote.trade_in_description = description
            quote.trade_in_appraised = appraised
            quote.trade_in_allowance = allowance
            quote.trade_in_payout = payout
        _store_totals(session, quote)
        _touch(quote, actor)
        audit.record(
            session,
            actor,
            "trade_in",
            "quote",
            quote.number,
            before=before,
            after={
                "trade_in": quote.trade_in_description,
                "allowance": str(quote.trade_in_allowance),
                "appraised": str(quote.trade_in_appraised),
            },
        )
        session.flush()
        return _view(session, actor, quote)


@dataclass(frozen=True)
class FinanceForm:
    kind: str
    annual_rate_percent: str
    term_months: str
    deposit: str
    balloon: str


def set_finance(
    db: Database,
    actor: Actor,
    quote_id: int,
    expected_version: int,
    form: FinanceForm | None,
) -> QuoteView:
    """Attach a loan or lease offer on the amount payable less the deposit."""
    actor.require(Permission.QUOTE)
    errors = FieldErrors()
    if form is not None:
        kind = errors.choice("kind", form.kind, {k.value: k.value for k in FinanceKind})
        rate = _rate(errors, form.annual_rate_percent)
        term = errors.integer("term_months", form.term_months, minimum=1, maximum=120)
        deposit = errors.money("deposit", form.deposit, default=ZERO)
        balloon = errors.money("balloon", form.balloon, default=ZERO)
        if errors:
            raise ValidationFailed(errors.problems)
    with db.write() as session:
        quote = _editable(session, actor, quote_id, expected_version)
        if form is None:
            quote.finance_kind = ""
        else:
            totals = _totals(session, quote)
            terms = FinanceTerms(
                FinanceKind(kind), totals.payable - deposit, rate, term, balloon
            )
            problems = check_terms(terms)
            if problems:
                raise ValidationFailed(
                    [
                        Problem(
                            "deposit" if p.field == "amount_financed" else p.field,
                            p.message,
                        )
                        for p in problems
                    ]
                )
            quote.finance_kind = kind
            quote.finance_rate = rate
            quote.finance_term_months = term
            quote.finance_deposit = deposit
            quote.finance_balloon = balloon
        _touch(quote, actor)
        audit.record(
            session,
            actor,
            "finance",
            "quote",
            quote.number,
            after={
                "kind": quote.finance_kind,
                "rate": str(quote.finance_rate),
                "term": quote.finance_term_months,
            },
        )
        session.flush()
        return _view(session, actor, quote)


def _rate(errors: FieldErrors, text: str) -> Decimal:
    raw = (text or "").strip().rstrip("%")
    try:
        rate = Decimal(raw)
    except Exception:
        errors.add("annual_rate_percent", f"'{text}' is not a rate")
        return Decimal(0)
    if not rate.is_finite() or rate != rate.quantize(Decimal("0.0001")):
        errors.add("annual_rate_percent", "use at most four decimal places")
        return Decimal(0)
    return rate


def set_accessories(
    db: Database,
    actor: Actor,
    quote_id: int,
    expected_version: int,
    wanted: dict[str, str],
) -> QuoteView:
    """Put accessories and contracts on the quote: product code -> quantity."""
    actor.require(Permission.QUOTE)
    errors = FieldErrors()
    quantities = {}
    for code, text in wanted.items():
        qty = errors.integer(f"{code} quantity", text, minimum=0, maximum=999)
        if qty:
            quantities[code.upper()] = Decimal(qty)
    if errors:
        raise ValidationFailed(errors.problems)
    with db.write() as session:
        quote = _editable(session, actor, quote_id, expected_version)
        products = {
            p.code: p
            for p in session.scalars(
                select(Product).where(Product.code.in_(list(quantities)))
            )
        }
        unknown = [c for c in quantities if c not in products]
        if unknown:
            raise ValidationFailed(
                [Problem("product", f"there is no product {c}") for c in unknown]
            )
        prices = price_map(session, PRODUCTS_SCOPE, quote.price_date, list(quantities))
        unpriced = [c for c in quantities if c not in prices]
        if unpriced:
            raise Refused(f"No price on the quote's date for {', '.join(unpriced)}.")
        kept = [r for r in quote.lines if r.kind in (LineKind.BASE, LineKind.OPTION)]
        quote.lines[:] = kept
        for code, qty in quantities.items():
            product = products[code]
            quote.lines.append(
                QuoteLineRow(
                    position=len(quote.lines) + 1,
                    kind=product.kind
                    if product.kind in (LineKind.ACCESSORY, LineKind.CONTRACT)
                    else LineKind.CONTRACT,
                    code=code,
                    description=product.name,
                    family="",
                    quantity=qty,
                    unit_price=prices[code],
                    discount=ZERO,
                    origin="",
                )
            )
        session.flush()
        _store_totals(session, quote)
        _touch(quote, actor)
        audit.record(
            session,
            actor,
            "accessories",
            "quote",
            quote.number,
            after={c: str(q) for c, q in quantities.items()},
        )
        session.flush()
        return _view(session, actor, quote)


def _move(
    session: Session,
    actor: Actor,
    quote: Quote,
    target: QuoteState,
    action: str,
    **extra: object,
) -> None:
    current = QuoteState(quote.state)
    why = refusal(current, target)
    if why:
        raise Refused(why)
    quote.state = target
    _touch(quote, actor)
    audit.record(
        session,
        actor,
        action,
        "quote",
        quote.number,
        before={"state": current.value},
        after={"state": target.value, **{k: str(v) for k, v in extra.items()}},
    )


def request_approval(
    db: Database, actor: Actor, quote_id: int, expected_version: int
) -> QuoteView:
    """Ask a sales manager to approve the discount before the quote is sent."""
    actor.require(Permission.QUOTE)
    with db.write() as session:
        quote = load_for_change(session, Quote, quote_id, expected_version, "quote")
        view = _view(session, actor, quote)
        if not view.moves["request_approval"].allowed:
            raise Refused(view.moves["request_approval"].reason)
        _move(
            session,
            actor,
            quote,
            QuoteState.AWAITING_APPROVAL,
            "ask_approval",
            discount_percent=quote.discount_percent,
        )
        session.flush()
        return _view(session, actor, quote)


def approve(
    db: Database, actor: Actor, quote_id: int, expected_version: int
) -> QuoteView:
    """A sales manager approves the discount as it stands; it can then be sent."""
    actor.require(Permission.APPROVE_DISCOUNTS)
    with db.write() as session:
        quote = load_for_change(session, Quote, quote_id, expected_version, "quote")
        if QuoteState(quote.state) is not QuoteState.AWAITING_APPROVAL:
            raise Refused("The quote is not waiting for approval.")
        quote.approved_by_id = actor.user_id
        quote.approved_at = utc_now()
        quote.approved_percent = quote.discount_percent
        _move(
            session,
            actor,
            quote,
            QuoteState.DRAFT,
            "approve",
            approved_percent=quote.discount_percent,
        )
        session.flush()
        return _view(session, actor, quote)


def send(db: Database, actor: Actor, quote_id: int, expected_version: int) -> QuoteView:
    """Send the quote: its prices are frozen from now on."""
    actor.require(Permission.QUOTE)
    with db.write() as session:
        quote = load_for_change(session, Quote, quote_id, expected_version, "quote")
        view = _view(session, actor, quote)
        if not view.moves["send"].allowed:
            raise Refused(view.moves["send"].reason)
        today = _today(session, actor)
        if quote.valid_until < today:
            raise Refused("The quote's validity date has passed: re-price it first.")
        _store_totals(session, quote)
        quote.sent_at = utc_now()
        _move(session, actor, quote, QuoteState.SENT, "send", payable=quote.payable)
        _supersede_older(session, actor, quote)
        session.flush()
        return _view(session, actor, quote)


def _supersede_older(session: Session, actor: Actor, quote: Quote) -> None:
    older = session.scalars(
        select(Quote).where(
            Quote.number == quote.number,
            Quote.revision < quote.revision,
            Quote.state.not_in([QuoteState.SUPERSEDED, QuoteState.ACCEPTED]),
        )
    )
    for old in older:
        old.superseded_by_id = quote.id
        _move(
            session,
            actor,
            old,
            QuoteState.SUPERSEDED,
            "supersede",
            by=f"v{quote.revision}",
        )


def accept(
    db: Database, actor: Actor, quote_id: int, expected_version: int
) -> QuoteView:
    """The customer accepts the quote as sent, within its validity.

    A sent quote found past its validity is marked expired (that is kept)
    and the acceptance refused: it must be re-priced first.
    """
    actor.require(Permission.QUOTE)
    expired_on: date | None = None
    with db.write() as session:
        quote = load_for_change(session, Quote, quote_id, expected_version, "quote")
        label = f"{quote.number} v{quote.revision}"
        if QuoteState(quote.state) is QuoteState.SENT and quote.valid_until < _today(
            session, actor
        ):
            _move(session, actor, quote, QuoteState.EXPIRED, "expire")
            expired_on = quote.valid_until
        else:
            _move(session, actor, quote, QuoteState.ACCEPTED, "accept")
            quote.decided_at = utc_now()
        session.flush()
        view = _view(session, actor, quote)
    if expired_on is not None:
        raise Refused(
            f"Quote {label} expired on {expired_on:%d/%m/%Y}: re-price it "
            "(revise) before the customer can accept it."
        )
    return view


def reject(
    db: Database, actor: Actor, quote_id: int, expected_version: int, reason: str
) -> QuoteView:
    """The customer declines; the reason is kept for won/lost analysis."""
    actor.require(Permission.QUOTE)
    why = reason.strip()
    if not why:
        raise ValidationFailed([Problem("reason", "say why the customer declined")])
    with db.write() as session:
        quote = load_for_change(session, Quote, quote_id, expected_version, "quote")
        _move(session, actor, quote, QuoteState.REJECTED, "reject", reason=why)
        quote.reject_reason = why[:300]
        quote.decided_at = utc_now()
        session.flush()
        return _view(session, actor, quote)


def expire_quotes(db: Database, actor: Actor, today: date | None = None) -> int:
    """Mark every sent quote past its validity as expired; returns how many."""
    actor.require(Permission.QUOTE)
    with db.write() as session:
        day = today or _today(session, actor)
        stale = session.scalars(
            select(Quote).where(Quote.state == QuoteState.SENT, Quote.valid_until < day)
        ).all()
        for quote in stale:
            _move(session, actor, quote, QuoteState.EXPIRED, "expire")
        return len(stale)


@dataclass(frozen=True)
class PriceChange:
    code: str
    description: str
    old_price: Decimal
    new_price: Decimal


def _copy_into(
    session: Session, actor: Actor, source: Quote, target: Quote, today: date
) -> list[PriceChange]:
    """Copy the source's truck, extras, discounts, trade-in and finance.

    Prices are taken again at the target's price date; every line whose
    price moved is reported.
    """
    for name in (
        "contact_name",
        "range_code",
        "model_code",
        "total_discount",
        "trade_in_description",
        "trade_in_appraised",
        "trade_in_allowance",
        "trade_in_payout",
        "finance_kind",
        "finance_rate",
        "finance_term_months",
        "finance_deposit",
        "finance_balloon",
        "notes",
    ):
        setattr(target, name, getattr(source, name))
    target.choices = [list(c) for c in source.choices]
    target.complete = source.complete
    codes = [row.code for row in source.lines]
    scope_prices = price_map(session, source.range_code, target.price_date, codes)
    scope_prices.update(price_map(session, PRODUCTS_SCOPE, target.price_date, codes))
    changes = []
    for row in source.lines:
        new_price = scope_prices.get(row.code)
        if new_price is None:
            raise Refused(
                f"{row.code} {row.description} has no price on "
                f"{target.price_date:%d/%m/%Y}: it may have left the catalogue."
            )
        if new_price != row.unit_price:
            changes.append(
                PriceChange(row.code, row.description, row.unit_price, new_price)
            )
        target.lines.append(
            QuoteLineRow(
                position=row.position,
                kind=row.kind,
                code=row.code,
                description=row.description,
                family=row.family,
                quantity=row.quantity,
                unit_price=new_price,
                discount=min(
                    row.discount, (row.quantity * new_price).quantize(Decimal("0.01"))
                ),
                origin=row.origin,
            )
        )
    return changes


@dataclass(frozen=True)
class CopyResult:
    quote: QuoteView
    price_changes: list[PriceChange]


def revise(
    db: Database, actor: Actor, quote_id: int, expected_version: int
) -> CopyResult:
    """A new version of the quote at today's prices; the old one is superseded."""
    actor.require(Permission.QUOTE)
    with db.write() as session:
        source = load_for_change(session, Quote, quote_id, expected_version, "quote")
        state = QuoteState(source.state)
        if state in (QuoteState.ACCEPTED, QuoteState.SUPERSEDED):
            raise Refused(
                refusal(state, QuoteState.SUPERSEDED)
                or "An accepted quote is not revised."
            )
        latest = session.scalar(
            select(func.max(Quote.revision)).where(Quote.number == source.number)
        )
        today = _today(session, actor)
        target = Quote(
            number=source.number,
            revision=(latest or source.revision) + 1,
            state=QuoteState.DRAFT,
            account_id=source.account_id,
            rep_id=source.rep_id,
            branch_id=source.branch_id,
            price_date=today,
            valid_until=today + timedelta(days=VALID_DAYS),
            updated_by_id=actor.user_id,
        )
        session.add(target)
        changes = _copy_into(session, actor, source, target, today)
        session.flush()
        _store_totals(session, target)
        source.superseded_by_id = target.id
        _move(
            session,
            actor,
            source,
            QuoteState.SUPERSEDED,
            "revise",
            by=f"v{target.revision}",
        )
        audit.record(
            session,
            actor,
            "create",
            "quote",
            target.number,
            after={
                "revision": target.revision,
                "from": source.revision,
                "price_changes": len(changes),
            },
        )
        session.flush()
        return CopyResult(_view(session, actor, target), changes)


def copy_quote(
    db: Database, actor: Actor, quote_id: int, account_id: int | None = None
) -> CopyResult:
    """A new quote (new number) with every line of this one, at today's prices."""
    actor.require(Permission.QUOTE)
    with db.write() as session:
        source = load(session, Quote, quote_id, "quote")
        today = _today(session, actor)
        account = load(session, Account, account_id or source.account_id, "customer")
        target = Quote(
            number=next_number(session, "quote", today.year, "Q"),
            revision=1,
            state=QuoteState.DRAFT,
            account_id=account.id,
            rep_id=actor.user_id,
            branch_id=actor.branch_id or source.branch_id,
            price_date=today,
            valid_until=today + timedelta(days=VALID_DAYS),
            updated_by_id=actor.user_id,
        )
        session.add(target)
        changes = _copy_into(session, actor, source, target, today)
        target.trade_in_description = ""
        target.trade_in_appraised = target.trade_in_allowance = ZERO
        target.trade_in_payout = ZERO
        session.flush()
        _store_totals(session, target)
        audit.record(
            session,
            actor,
            "copy",
            "quote",
            target.number,
            after={
                "from": f"{source.number} v{source.revision}",
                "price_changes": len(changes),
            },
        )
        session.flush()
        return CopyResult(_view(session, actor, target), changes)


@dataclass(frozen=True)
class QuoteDiff:
    """What changed between two versions: options, prices, trade-in, totals."""

    older: str
    newer: str
    added: list[tuple[str, str]]
    removed: list[tuple[str, str]]
    repriced: list[PriceChange]
    trade_in: tuple[str, str] | None
    payable: tuple[Decimal, Decimal]

    def lines(self) -> list[str]:
        out = [f"Changes from {self.older} to {self.newer}:"]
        out += [f"  + {code} {name}" for code, name in self.added]
        out += [f"  - {code} {name}" for code, name in self.removed]
        out += [
            f"  ~ {c.code} {c.description}: {c.old_price:,.2f} -> {c.new_price:,.2f}"
            for c in self.repriced
        ]
        if self.trade_in:
            out.append(f"  trade-in: {self.trade_in[0]} -> {self.trade_in[1]}")
        out.append(f"  payable: {self.payable[0]:,.2f} -> {self.payable[1]:,.2f}")
        if len(out) == 2 and self.payable[0] == self.payable[1]:
            out.insert(1, "  no change")
        return out


def _trade_in_text(quote: Quote) -> str:
    return (
        f"{quote.trade_in_description or 'none'} "
        f"allowance {quote.trade_in_allowance:,.2f}"
    )


def diff_quotes(db: Database, actor: Actor, older_id: int, newer_id: int) -> QuoteDiff:
    """The differences between two versions (or any two quotes)."""
    actor.require(Permission.VIEW_CATALOG)
    with db.read() as session:
        a = load(session, Quote, older_id, "quote")
        b = load(session, Quote, newer_id, "quote")
        left = {r.code: r for r in a.lines}
        right = {r.code: r for r in b.lines}
        trade = None
        if _trade_in_text(a) != _trade_in_text(b):
            trade = (_trade_in_text(a), _trade_in_text(b))
        return QuoteDiff(
            older=f"{a.number} v{a.revision}",
            newer=f"{b.number} v{b.revision}",
            added=[(c, right[c].description) for c in right if c not in left],
            removed=[(c, left[c].description) for c in left if c not in right],
            repriced=[
                PriceChange(
                    c, right[c].description, left[c].unit_price, right[c].unit_price
                )
                for c in right
                if c in left and left[c].unit_price != right[c].unit_price
            ],
            trade_in=trade,
            payable=(a.payable, b.payable),
        )


def versions(db: Database, actor: Actor, quote_id: int) -> list[tuple[int, int, str]]:
    """(id, revision, state) of every version of the quote's number."""
    actor.require(Permission.VIEW_CATALOG)
    with db.read() as session:
        number = load(session, Quote, quote_id, "quote").number
        return [
            (r.id, r.revision, r.state)
            for r in session.execute(
                select(Quote.id, Quote.revision, Quote.state)
                .where(Quote.number == number)
                .order_by(Quote.revision)
            )
        ]


@dataclass(frozen=True)
class QuoteLine_:
    id: int
    number: str
    revision: int
    state: str
    customer: str
    model_code: str
    payable: Decimal
    valid_until: date


def quote_page(
    db: Database, actor: Actor, text: str, request: PageRequest
) -> tuple[list[QuoteLine_], list[tuple[object, ...]], bool]:
    """A page of quotes, newest number first, filtered by number, customer, state."""
    actor.require(Permission.VIEW_CATALOG)
    stmt = select(
        Quote.id,
        Quote.number,
        Quote.revision,
        Quote.state,
        Account.name,
        Quote.model_code,
        Quote.payable,
        Quote.valid_until,
        Quote.number,
        Quote.revision,
    ).join(Account, Account.id == Quote.account_id)
    words = text.split()
    for word in words:
        lowered = word.lower()
        states = [s for s in QuoteState if s.value.startswith(lowered)]
        key = like_escape(search_key(word))
        conditions = [
            Quote.number.like(f"%{like_escape(word.upper())}%", escape="\\"),
            Account.name_key.like(f"{key}%", escape="\\"),
            Quote.model_code.like(f"{like_escape(word.upper())}%", escape="\\"),
        ]
        if states and len(lowered) >= 3:
            conditions.append(Quote.state.in_([s.value for s in states]))
        stmt = stmt.where(or_(*conditions))
    with db.read() as session:
        page = fetch_page(session, stmt, (Quote.number, Quote.revision), request)
    lines = [QuoteLine_(*row[:8]) for row in page.rows]
    return lines, page.keys, page.has_more


@dataclass(frozen=True)
class QuoteForOrder:
    """An accepted quote as order entry takes it over, prices exactly as sent."""

    quote_id: int
    number: str
    revision: int
    account_id: int
    rep_id: int
    branch_id: int | None
    model_code: str
    lines: list[LineView]
    totals: QuoteTotals
    trade_in: TradeIn | None


def accepted_quote_for_order(
    session: Session, actor: Actor, quote_id: int
) -> QuoteForOrder:
    """The accepted quote's lines and totals, inside the caller's transaction."""
    quote = session.get(Quote, quote_id, with_for_update=True)
    if quote is None:
        raise NotFound("The quote no longer exists.")
    if QuoteState(quote.state) is not QuoteState.ACCEPTED:
        raise Refused("Only an accepted quote becomes an order.")
    if quote.order_id is not None:
        raise Refused(f"Quote {quote.number} is already order {quote.order_id}.")
    view = _view(session, actor, quote)
    return QuoteForOrder(
        quote.id,
        quote.number,
        quote.revision,
        quote.account_id,
        quote.rep_id,
        quote.branch_id,
        quote.model_code,
        view.lines,
        view.totals,
        view.trade_in,
    )


def mark_quote_ordered(
    session: Session, actor: Actor, quote_id: int, order_id: int
) -> None:
    """Record on the quote the order it became, in the caller's transaction."""
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise NotFound("The quote no longer exists.")
    quote.order_id = order_id
    _touch(quote, actor)
    audit.record(
        session, actor, "convert", "quote", quote.number, after={"order_id": order_id}
    )


def models_for_quoting(db: Database, actor: Actor) -> list[tuple[str, str, str]]:
    """(model code, model name, range name) of every active model."""
    actor.require(Permission.VIEW_CATALOG)
    from dealer_tui.catalog.models import CatalogRange

    with db.read() as session:
        return [
            (r.code, r.name, r.range_name)
            for r in session.execute(
                select(
                    CatalogModel.code,
                    CatalogModel.name,
                    CatalogRange.name.label("range_name"),
                )
                .join(CatalogRange, CatalogRange.id == CatalogModel.range_id)
                .where(CatalogModel.active.is_(True))
                .order_by(CatalogRange.code, CatalogModel.code)
            )
        ]


# What the quote screens and the command line need beside the moves above.


def complete_open_families(config: Configuration) -> Configuration:
    """Fill each open family with the option a completed truck carries there.

    The choices made and the defaults stay; the whole completion is one
    step, so one undo takes it back.
    """
    open_families = config.open_families()
    if not open_families:
        return config
    truck = set(config.completed())
    catalogue = config.engine.catalogue
    step = config
    for family_code in open_families:
        family = catalogue.families_by_code[family_code]
        code = next((c for c in family.options if c in truck), None)
        if code is not None:
            step = step.choose(code)
    return Configuration(config.engine, step.choices, config)


@dataclass(frozen=True)
class ProductOffer:
    """An accessory, contract or warranty at the quote's prices, and how many."""

    code: str
    kind: str
    name: str
    price: Decimal
    quantity: int


def quote_products(db: Database, actor: Actor, quote_id: int) -> list[ProductOffer]:
    """The products priced on the quote's date, with the quantity on the quote."""
    actor.require(Permission.VIEW_CATALOG)
    with db.read() as session:
        quote = load(session, Quote, quote_id, "quote")
        on_quote = {
            row.code: row.quantity
            for row in quote.lines
            if row.kind in (LineKind.ACCESSORY, LineKind.CONTRACT)
        }
        prices = price_map(session, PRODUCTS_SCOPE, quote.price_date)
        products = session.scalars(
            select(Product)
            .where(Product.active.is_(True))
            .order_by(Product.kind, Product.code)
        )
        return [
            ProductOffer(
                p.code,
                p.kind,
                p.name,
                prices[p.code],
                int(on_quote.get(p.code, 0)),
            )
            for p in products
            if p.code in prices
        ]


def diff_with_previous(db: Database, actor: Actor, quote_id: int) -> QuoteDiff:
    """What changed from the version before this one of the same quote."""
    actor.require(Permission.VIEW_CATALOG)
    with db.read() as session:
        quote = load(session, Quote, quote_id, "quote")
        label = f"{quote.number} v{quote.revision}"
        older = session.scalar(
            select(Quote.id)
            .where(Quote.number == quote.number, Quote.revision < quote.revision)
            .order_by(Quote.revision.desc())
            .limit(1)
        )
    if older is None:
        raise Refused(f"{label} is the first version: there is nothing before it.")
    return diff_quotes(db, actor, older, quote_id)


def find_quote(
    db: Database, actor: Actor, number: str, revision: int | None = None
) -> int:
    """The id of a quote by its number: the version asked for, or the latest."""
    actor.require(Permission.VIEW_CATALOG)
    key = number.strip().upper()
    with db.read() as session:
        stmt = select(Quote.id).where(Quote.number == key)
        if revision is not None:
            stmt = stmt.where(Quote.revision == revision)
        found = session.scalar(stmt.order_by(Quote.revision.desc()).limit(1))
    if found is None:
        which = f" version {revision}" if revision is not None else ""
        raise NotFound(f"There is no quote {key}{which}.")
    return found
