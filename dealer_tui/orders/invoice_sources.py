"""Order entry's invoice sources: delivered trucks and parts sold.

Each delivered vehicle order and each parts counter sale is a candidate
for the batch run, its lines priced as the order priced them, so the
invoice agrees with the order to the cent.  When the run posts the
invoices of a chunk, their orders become invoiced in the same
transaction, all together; the invoices table refuses a second invoice
for the same order in any case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database
from dealer_tui.core.errors import DealerError
from dealer_tui.core.models import AuditEntry, Branch
from dealer_tui.invoicing.bulk import insert_many
from dealer_tui.invoicing.sources import (
    Billed,
    Candidate,
    Refusals,
    SourceLine,
    register_source,
)
from dealer_tui.orders.models import Order
from dealer_tui.orders.states import OrderKind, OrderState

PAYER = "customer"
# Orders named in one statement: well under what either database takes.
_IN_LIST = 500


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

    def note_invoiced(
        self, session: Session, actor: Actor, billed: Sequence[Billed], at: datetime
    ) -> Refusals:
        """Make the billed orders invoiced, each with its invoice's number."""
        if not billed:
            return {}
        numbers = sorted({b.candidate.source_ref for b in billed})
        found: dict[str, tuple[int, str]] = {}
        for start in range(0, len(numbers), _IN_LIST):
            found.update(
                (number, (order_id, state))
                for number, order_id, state in session.execute(
                    select(Order.number, Order.id, Order.state)
                    .where(Order.number.in_(numbers[start : start + _IN_LIST]))
                    .order_by(Order.id)
                    .with_for_update()
                )
            )
        delivered = OrderState.DELIVERED.value
        refused = {
            b: f"Order {b.candidate.source_ref} is no longer waiting for its invoice."
            for b in billed
            if found.get(b.candidate.source_ref, (0, ""))[1] != delivered
        }
        if refused:
            return refused

        orders = Order.__table__
        connection = session.connection()
        connection.execute(
            update(orders)
            .where(orders.c.id == bindparam("order_id"))
            .values(
                state=OrderState.INVOICED.value,
                invoice_number=bindparam("invoice_no"),
                invoiced_at=at,
                updated_at=at,
                updated_by_id=actor.user_id,
                version=orders.c.version + 1,
            ),
            [
                {"order_id": found[b.candidate.source_ref][0], "invoice_no": b.number}
                for b in billed
            ],
        )
        insert_many(
            connection,
            AuditEntry.__table__,
            [
                {
                    "at": at,
                    "user_id": actor.user_id,
                    "action": "invoice",
                    "entity": "order",
                    "entity_id": str(found[b.candidate.source_ref][0]),
                    "before": {"state": delivered},
                    "after": {"state": OrderState.INVOICED.value, "invoice": b.number},
                    "note": "batch run",
                }
                for b in billed
            ],
        )
        return {}


VEHICLE_ORDERS = OrderSource("vehicle_order", "Delivered truck", OrderKind.VEHICLE)
PARTS_SALES = OrderSource("parts_sale", "Parts counter sale", OrderKind.PARTS)


def register() -> None:
    """Put both sources in the batch run (again, if they were taken out)."""
    register_source(VEHICLE_ORDERS)
    register_source(PARTS_SALES)
