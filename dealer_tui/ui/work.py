"""Running a service off the UI thread and bringing its answer back.

Every database call a screen makes goes through `run_service`: the service
runs in a thread worker with its own session, and its result, refusal or
failure comes back on the UI thread.  A refusal is a sentence for the user;
a failure is logged with its traceback and shown in the error dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from textual.dom import DOMNode

from dealer_tui.core.errors import DealerError

log = logging.getLogger(__name__)
T = TypeVar("T")


def run_service(
    node: DOMNode,
    service: Callable[..., T],
    *args: Any,
    done: Callable[[T], None],
    refused: Callable[[DealerError], None] | None = None,
    group: str = "service",
    exclusive: bool = False,
    **kwargs: Any,
) -> None:
    """Call the service in a thread; `done` or `refused` runs on the UI thread."""
    app = node.app

    def deliver(callback: Callable[..., None], value: Any) -> None:
        if node.is_attached:
            callback(value)

    def job() -> None:
        try:
            result = service(*args, **kwargs)
        except DealerError as refusal:
            app.call_from_thread(deliver, refused or app.show_refusal, refusal)  # type: ignore[attr-defined]
        except Exception as failure:
            log.exception("unexpected failure in %s", service.__name__)
            app.call_from_thread(app.show_failure, failure)  # type: ignore[attr-defined]
        else:
            app.call_from_thread(deliver, done, result)

    node.run_worker(
        job, thread=True, exit_on_error=False, group=group, exclusive=exclusive
    )
