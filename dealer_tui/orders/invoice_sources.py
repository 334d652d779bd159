"""Order entry's invoice sources: delivered trucks and parts sold.

Each delivered vehicle order and each parts counter sale is a candidate
for the batch run, its lines priced as the order priced them, so the
invoice agrees with the order to the cent.  When the run posts the
invoice, the order becomes invoiced in the same transaction; the
invoices table refuses a second invoice for the same order in any case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dealer_tui.core import audit
from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database
from dealer_tui.core.errors import DealerError, Refused
from dealer_tui.core.models import Branch
from dealer_tui.core.types import utc_now
from dealer_tui.invoicing.sources import Candidate, SourceLine, register_source
from dealer_tui.orders.models import Order
from dealer_tui.orders.states import OrderKind, OrderState

PAYER = "customer"


@dataclass
class OrderSource:
    """Orders of one kind that are delivered and not yet invoiced."""

    kind: str
    title: str
    order_kind: OrderKind

    def candidates(
        self, db: Database, actor: Actor, until: date, branch: str | None
    ) -> Iterable[Candidate]:
        from dealer_tui.orders.common import lines_in, price
        from dealer_tui.orders.totals import invoice_lines

        stmt = (
            select(Order, Branch.code)
            .join(Branch, Branch.id == Order.branch_id)
            .where(
                Order.kind == self.order_kind.value,
                Order.state == OrderState.DELIVERED.value,
            )
            .order_by(Order.number)
        )
        if branch:
            stmt = stmt.where(Branch.code == branch.strip().upper())
        found = []
        with db.read() as session:
            for order, code in session.execute(stmt):
                skip = ""
                try:
                    out = invoice_lines(lines_in(order), price(session, order))
                except DealerError as exc:
                    out, skip = [], f"missing data: {exc.message}"
                found.append(
                    Candidate(
                        source_kind=self.kind,
                        source_ref=order.number,
                        payer=PAYER,
                        account_id=order.account_id,
                        branch_code=code,
                        ready_on=order.delivered_on or order.ordered_on,
                        title=f"{order.number} {order.description}"[:120],
                        lines=tuple(
                            SourceLine(
                                description=line.description,
                                quantity=line.quantity,
                                unit_price=line.unit_price,
                                discount=line.discount,
                                category=line.category,
                                line_ref=line.code,
                            )
                            for line in out
                        ),
                        skip_reason=skip,
                        buyer_reference=order.customer_reference or order.number,
                    )
                )
        return found

    def lines(self, candidate: Candidate) -> Sequence[SourceLine]:
        return candidate.lines

    def invoiced(
        self, session: Session, candidate: Candidate, invoice_id: int, number: str
    ) -> None:
        order = session.scalars(
            select(Order).where(Order.number == candidate.source_ref).with_for_update()
        ).one_or_none()
        if order is None or order.state != OrderState.DELIVERED.value:
            raise Refused(
                f"Order {candidate.source_ref} is no longer waiting for its invoice."
            )
        order.state = OrderState.INVOICED.value
        order.invoice_number = number
        order.invoiced_at = utc_now()
        order.updated_at = utc_now()
        audit.record(
            session,
            None,
            "invoice",
            "order",
            order.id,
            before={"state": OrderState.DELIVERED.value},
            after={"state": OrderState.INVOICED.value, "invoice": number},
            note="batch run",
        )


VEHICLE_ORDERS = OrderSource("vehicle_order", "Delivered truck", OrderKind.VEHICLE)
PARTS_SALES = OrderSource("parts_sale", "Parts counter sale", OrderKind.PARTS)


def register() -> None:
    """Put both sources in the batch run (again, if they were taken out)."""
    register_source(VEHICLE_ORDERS)
    register_source(PARTS_SALES)
