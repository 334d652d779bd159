"""The list of workshop jobs: type a number, a registration or a customer."""

from __future__ import annotations

from functools import partial

from rich.text import Text

from dealer_tui.core import clock
from dealer_tui.ui.screens.lists import ListScreen
from dealer_tui.ui.widgets.service_source import ServiceSource
from dealer_tui.ui.widgets.virtual_table import Column
from dealer_tui.workshop.views import JobLine, job_page


class JobListScreen(ListScreen):
    """Every workshop job by number; Enter opens the job card."""

    TITLE = "Workshop jobs"
    record_kind = "workshop_job"
    placeholder = "Job number (or its last digits), registration or customer"

    def make_source(self) -> ServiceSource:
        place = self.app.workplace  # type: ignore[attr-defined]
        zone = place.time_zone if place else "UTC"

        def cells(line: JobLine) -> tuple[str | Text, ...]:
            start = (
                f"{clock.local(line.starts_at, zone):%d/%m/%y %H:%M}"
                if line.starts_at
                else ""
            )
            return (
                line.number,
                Text(line.status.mark, style="bold"),
                start,
                line.registration,
                line.customer_name,
                line.mechanic_name,
            )

        return ServiceSource(
            [
                Column("Number", 14),
                Column("State", 6),
                Column("Booked", 14),
                Column("Rego", 7),
                Column("Customer", 14, flex=3),
                Column("Mechanic", 10, flex=1),
            ],
            partial(job_page, self.app.db, self.app.actor),  # type: ignore[attr-defined]
            cells,
        )
