"""A modal form: labelled fields, saved through a service, problems marked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Footer, Input, Label, Static

from dealer_tui.core.errors import DealerError, ValidationFailed
from dealer_tui.ui.work import run_service


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str | bool = ""
    placeholder: str = ""


class FormScreen(ModalScreen[Any]):
    """Edit a record: Ctrl+S saves, Escape cancels, each problem shown at its field."""

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    #form-box {
        width: 72; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    #form-title { text-style: bold; }
    .form-row { height: auto; }
    .form-row Label { width: 22; padding: 1 1 0 0; }
    .form-row Input { width: 1fr; }
    .form-problem { color: $error; padding-left: 22; height: auto; }
    .form-problem.-empty { display: none; }
    Input.-invalid { border: tall $error; }
    #form-message { color: $warning; height: auto; }
    #form-keys { color: $text-muted; }
    """
    # The first field, not the scrolling box around the fields, takes the
    # keys typed as soon as the form opens.
    AUTO_FOCUS = "Input, Checkbox"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    def __init__(
        self, title: str, fields: list[Field], save: Callable[[dict[str, Any]], Any]
    ) -> None:
        super().__init__()
        self._title = title
        self._fields = fields
        self._save = save

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form-box"):
            yield Static(self._title, id="form-title", markup=False)
            yield Static("", id="form-message", markup=False)
            for field in self._fields:
                with Horizontal(classes="form-row"):
                    yield Label(field.label)
                    if isinstance(field.value, bool):
                        yield Checkbox(
                            _yes_no(field.value), field.value, id=f"f-{field.name}"
                        )
                    else:
                        yield Input(
                            field.value,
                            placeholder=field.placeholder,
                            id=f"f-{field.name}",
                        )
                yield Static(
                    "",
                    id=f"p-{field.name}",
                    classes="form-problem -empty",
                    markup=False,
                )
            yield Static(
                "Ctrl+S save · Escape cancel · Tab next field · Space ticks a box",
                id="form-keys",
            )
        yield Footer()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        # The word says the state; the tick mark alone differs only by colour.
        event.checkbox.label = _yes_no(event.value)

    def values(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for field in self._fields:
            widget = self.query_one(f"#f-{field.name}")
            result[field.name] = widget.value  # type: ignore[attr-defined]
        return result

    def action_save(self) -> None:
        self._clear()
        self.query_one("#form-message", Static).update("Saving ...")
        run_service(
            self, self._save, self.values(), done=self.dismiss, refused=self._refused
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _clear(self) -> None:
        for field in self._fields:
            self.query_one(f"#f-{field.name}").remove_class("-invalid")
            problem = self.query_one(f"#p-{field.name}", Static)
            problem.update("")
            problem.add_class("-empty")

    def _refused(self, refusal: DealerError) -> None:
        message = self.query_one("#form-message", Static)
        if not isinstance(refusal, ValidationFailed):
            message.update(refusal.message)
            return
        names = {f.name for f in self._fields}
        first = None
        general = []
        for problem in refusal.problems:
            if problem.field in names:
                widget = self.query_one(f"#f-{problem.field}")
                widget.add_class("-invalid")
                shown = self.query_one(f"#p-{problem.field}", Static)
                shown.update(f"✗ {problem.message}")
                shown.remove_class("-empty")
                first = first or widget
            else:
                general.append(str(problem))
        message.update(
            "; ".join(general) if general else "Please correct the marked fields."
        )
        if first is not None:
            first.focus()
