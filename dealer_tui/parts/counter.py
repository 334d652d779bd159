"""Looking parts up at the counter: by part number or by description.

The counter clerk types the start of a part number, or words of its
description ("air filter"); each row shows the stock at the clerk's
branch and the price, so the clerk can answer at once.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, or_, select

from dealer_tui.core.auth import Actor, Permission
from dealer_tui.core.db import Database
from dealer_tui.core.models import Branch
from dealer_tui.core.paging import PageRequest, fetch_page
from dealer_tui.core.text import like_escape
from dealer_tui.parts.models import Part, PartStock
from dealer_tui.parts.services import PartLine

# Words shorter than this match the start of a part number only.
WORD_MIN = 3


def counter_part_page(
    db: Database,
    actor: Actor,
    branch_id: int | None,
    text: str,
    request: PageRequest,
) -> tuple[list[PartLine], list[tuple[object, ...]], bool]:
    """A page of active parts by number, matching every typed word against
    the part number's start or the description; stock is the branch's (the
    user's own, or the first, when none is given)."""
    actor.require(Permission.VIEW_PARTS)
    if branch_id is None:
        with db.read() as session:
            branch_id = session.scalar(select(Branch.id).order_by(Branch.id).limit(1))
    stmt = (
        select(
            Part.id,
            Part.part_number,
            Part.description,
            Part.unit_price,
            func.coalesce(PartStock.bin, ""),
            func.coalesce(PartStock.on_hand, Decimal("0.000")),
            func.coalesce(PartStock.reserved, Decimal("0.000")),
            Part.part_number,
        )
        .outerjoin(
            PartStock,
            (PartStock.part_id == Part.id) & (PartStock.branch_id == branch_id),
        )
        .where(Part.active.is_(True))
    )
    for word in text.split():
        pattern = like_escape(word.upper())
        conditions = [Part.part_number.like(f"{pattern}%", escape="\\")]
        if len(word) >= WORD_MIN:
            conditions.append(
                func.upper(Part.description).like(f"%{pattern}%", escape="\\")
            )
        stmt = stmt.where(or_(*conditions))
    with db.read() as session:
        page = fetch_page(session, stmt, (Part.part_number,), request)
    lines = [PartLine(*row[:7]) for row in page.rows]
    return lines, page.keys, page.has_more
