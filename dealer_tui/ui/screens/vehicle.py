"""A vehicle: identity, registration, odometer, owner and service due."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from dealer_tui.core.auth import Permission
from dealer_tui.ui.screens.base import WorkScreen, css
from dealer_tui.ui.widgets.form import Field, FormScreen
from dealer_tui.ui.work import run_service
from dealer_tui.vehicles.services import (
    VehicleForm,
    VehicleView,
    update_vehicle,
    vehicle_view,
)


class VehicleScreen(WorkScreen):
    """One vehicle: its VIN, registration, odometer, owner and next service."""

    CSS_PATH = css("vehicle")
    TITLE = "Vehicle"
    BINDINGS = [
        Binding("o", "owner", "Open owner", id="owner"),
        Binding("e", "edit", "Edit", id="edit"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    def __init__(self, vehicle_id: int) -> None:
        super().__init__()
        self.vehicle_id = vehicle_id
        self.vehicle: VehicleView | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="vehicle-body"):
            yield Static("Loading ...", id="vehicle-head", markup=False)
            yield Static("", id="vehicle-details", markup=False)

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        run_service(
            self,
            vehicle_view,
            self.app.db,
            self.app.actor,
            self.vehicle_id,  # type: ignore[attr-defined]
            done=self.show,
        )

    def show(self, v: VehicleView) -> None:
        self.vehicle = v
        self.sub_title = v.vin
        self.query_one("#vehicle-head", Static).update(
            f"{v.make} {v.model} {v.model_year or ''}  ·  "
            f"{v.registration or 'unregistered'}"
        )
        due = v.next_service_due.strftime("%d/%m/%Y") if v.next_service_due else "—"
        due_km = f"{v.next_service_km:,} km" if v.next_service_km else "—"
        owner = f"{v.owner_number} {v.owner_name}" if v.owner_id else "no owner (stock)"
        self.query_one("#vehicle-details", Static).update(
            "\n".join(
                [
                    f"VIN            {v.vin}",
                    f"Registration   {v.registration or '—'} {v.registration_state}",
                    f"Odometer       {v.odometer_km:,} km",
                    f"Owner          {owner}",
                    f"Branch         {v.branch_code or '—'}",
                    f"Next service   {due}  or at {due_km}",
                ]
            )
        )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Hidden when it can never apply; dimmed until the record is loaded.
        if action == "owner":
            if self.vehicle is None:
                return None
            return self.vehicle.owner_id is not None
        if action == "edit":
            if not self.app.actor.can(Permission.EDIT_VEHICLES):  # type: ignore[attr-defined]
                return False
            return True if self.vehicle is not None else None
        return True

    def action_owner(self) -> None:
        if self.vehicle and self.vehicle.owner_id:
            self.app.open_record("customer", self.vehicle.owner_id)  # type: ignore[attr-defined]

    def action_edit(self) -> None:
        v = self.vehicle
        if v is None:
            return
        db, actor = self.app.db, self.app.actor  # type: ignore[attr-defined]

        def save(values: dict[str, Any]) -> VehicleView:
            return update_vehicle(db, actor, v.id, v.version, VehicleForm(**values))

        fields = [
            Field("registration", "Registration", v.registration),
            Field("registration_state", "State", v.registration_state),
            Field("odometer_km", "Odometer (km)", str(v.odometer_km)),
            Field(
                "next_service_due",
                "Next service date",
                v.next_service_due.isoformat() if v.next_service_due else "",
                "YYYY-MM-DD or DD/MM/YYYY",
            ),
            Field(
                "next_service_km",
                "Next service (km)",
                str(v.next_service_km or ""),
            ),
        ]
        self.app.push_screen(FormScreen(f"Edit {v.vin}", fields, save), self._saved)

    def _saved(self, vehicle: VehicleView | None) -> None:
        if vehicle is not None:
            self.show(vehicle)
            self.notify("Saved.")
