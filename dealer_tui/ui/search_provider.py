"""The command palette's global search: customers, vehicles, documents."""

from __future__ import annotations

import asyncio
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from dealer_tui.search.services import global_search

KIND_LABEL = {"customer": "Customer", "vehicle": "Vehicle", "workshop_job": "Job"}


class RecordSearch(Provider):
    """Finds records as the user types; choosing one opens its screen."""

    async def search(self, query: str) -> Hits:
        app = self.app
        actor = getattr(app, "actor", None)
        if actor is None or len(query.strip()) < 2:
            return
        hits = await asyncio.to_thread(global_search, app.db, actor, query)  # type: ignore[attr-defined]
        for rank, hit in enumerate(hits):
            label = KIND_LABEL.get(hit.kind, hit.kind.title())
            shown = Text(f"{label}: {hit.title}")
            yield Hit(
                # Keep the service's order: prefix matches first, then others.
                1.0 - rank / 100,
                shown,
                partial(app.open_record, hit.kind, hit.record_id),  # type: ignore[attr-defined]
                text=f"{label}: {hit.title}",
                # The palette reads help as markup; data is shown as typed.
                help=escape(hit.detail),
            )

    async def discover(self) -> Hits:
        if getattr(self.app, "actor", None) is None:
            return
        yield DiscoveryHit(
            "Type a name, VIN, registration or number to search",
            lambda: None,
            help="Customers by name or number, vehicles by VIN or registration",
        )
