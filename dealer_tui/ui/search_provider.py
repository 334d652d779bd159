"""The command palette's global search: customers, vehicles, documents."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from dealer_tui.search.services import global_search

KIND_LABEL = {"customer": "Customer", "vehicle": "Vehicle"}


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
            yield Hit(
                # Keep the service's order: prefix matches first, then others.
                1.0 - rank / 100,
                f"{label}: {hit.title}",
                partial(app.open_record, hit.kind, hit.record_id),  # type: ignore[attr-defined]
                text=f"{label}: {hit.title}",
                help=hit.detail,
            )

    async def discover(self) -> Hits:
        if getattr(self.app, "actor", None) is None:
            return
        yield DiscoveryHit(
            "Type a name, VIN, registration or number to search",
            lambda: None,
            help="Customers by name or number, vehicles by VIN or registration",
        )
