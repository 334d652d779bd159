"""What every scenario is given: the database, its scale and where to work."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from dealer_tui.core.auth import Actor
from dealer_tui.core.db import Database
from dealer_tui.core.services import batch_actor
from dealer_tui.demo.scale import Scale
from dealer_tui.demo.synth import DEMO_AS_OF
from dealer_tui.invoicing.models import Invoice


@dataclass
class Bench:
    """One database with a generated dealership, and how to measure on it."""

    db: Database
    scale: Scale
    seed: int
    runs: int
    scratch: Path
    as_of: date = DEMO_AS_OF
    _actors: dict[str, Actor] = field(default_factory=dict)

    @property
    def backend(self) -> str:
        return "SQLite" if self.db.is_sqlite else "PostgreSQL"

    @property
    def url(self) -> str:
        return self.db.url

    def actor(self, username: str) -> Actor:
        """A demo sign-in, looked up once."""
        if username not in self._actors:
            self._actors[username] = batch_actor(self.db, username)
        return self._actors[username]

    def environment(self) -> dict[str, str]:
        """Variables for a launched workstation: its own data and log folders."""
        env = dict(os.environ)
        env.update(
            TERM="xterm-256color",
            COLORTERM="truecolor",
            DEALER_DATA_DIR=str(self.scratch / "data"),
            DEALER_LOG_DIR=str(self.scratch / "logs"),
        )
        env.pop("DEALER_DATABASE_URL", None)
        return env

    def invoice_count(self) -> int:
        with self.db.read() as session:
            return session.scalar(select(func.count()).select_from(Invoice)) or 0
