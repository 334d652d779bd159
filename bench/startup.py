"""Start-up next to a bare Textual app, and the workstation's resident memory.

Both programs are launched the same way, in a pseudo-terminal of 80x24,
and timed from the launch to the first frame a user can type into: the
sign-in screen of the workstation, the one line of the bare app.  The runs
alternate, so that both meet the same load on the machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import func, select

from bench.bare_app import READY
from bench.context import Bench
from bench.measure import AT_MOST, Budget, Result
from bench.terminal import Terminal
from dealer_tui.invoicing.models import Invoice

BARE_APP = Path(__file__).resolve().parent / "bare_app.py"
SIGN_IN = "Sign in"
STARTUP_RATIO = Budget(1.5, AT_MOST, on="median")
MEMORY_MB = Budget(200, AT_MOST, on="median")
# The user the memory scenario signs in as, and what their screens show.
MEMORY_USER = ("jo.admin", "salesadmin-demo", "Jo Baxter")
LIST_PLACEHOLDER = "Customer or number;"


def dealer_command(bench: Bench) -> list[str]:
    """The `dealer` console command opening the workstation on the database."""
    launcher = Path(sys.executable).with_name("dealer")
    return [str(launcher), "--database-url", bench.url]


def measure(bench: Bench) -> list[Result]:
    """Launch to first interactive frame: the workstation, the bare app, the ratio."""
    dealer = Result("start-up", "dealer: launch to sign-in screen", "ms")
    bare = Result("start-up", "bare Textual app: launch to first frame", "ms")
    ratio = Result(
        "start-up",
        "dealer / bare Textual app",
        "x",
        budget=STARTUP_RATIO,
        note="ratio of each run's pair",
    )
    env = bench.environment()
    # One launch of each first, unmeasured, so the files are in the cache.
    with Terminal([sys.executable, str(BARE_APP)], env) as terminal:
        terminal.wait_for(READY)
    with Terminal(dealer_command(bench), env) as terminal:
        terminal.wait_for(SIGN_IN)
    for _ in range(bench.runs):
        with Terminal([sys.executable, str(BARE_APP)], env) as terminal:
            bare_ms = terminal.wait_for(READY) * 1000
        with Terminal(dealer_command(bench), env) as terminal:
            dealer_ms = terminal.wait_for(SIGN_IN) * 1000
        bare.samples.append(bare_ms)
        dealer.samples.append(dealer_ms)
        ratio.samples.append(dealer_ms / bare_ms)
    return [dealer, bare, ratio]


def memory(bench: Bench) -> list[Result]:
    """Resident memory after signing in and showing the invoice list, then its end."""
    with bench.db.read() as session:
        first_number, last_number = (
            session.scalar(select(Invoice.number).order_by(*order).limit(1))
            for order in (
                (Invoice.invoice_date, Invoice.id),
                (Invoice.invoice_date.desc(), Invoice.id.desc()),
            )
        )
        total = session.scalar(select(func.count()).select_from(Invoice)) or 0
    first = Result(
        "memory",
        f"resident, invoice list of {total:,} shown",
        "MB",
        budget=MEMORY_MB,
    )
    last = Result(
        "memory", "resident, after End (last page of the list)", "MB", budget=MEMORY_MB
    )
    peak = Result("memory", "peak resident during the session", "MB")
    username, password, shown_name = MEMORY_USER
    for _ in range(max(1, min(bench.runs, 3))):
        with Terminal(dealer_command(bench), bench.environment()) as terminal:
            terminal.wait_for(SIGN_IN)
            terminal.type(f"{username}\r")
            # Enter moves to the password box; the password waits for that.
            terminal.settle()
            terminal.type(f"{password}\r")
            terminal.wait_for(shown_name)
            terminal.type("i")
            terminal.wait_for(LIST_PLACEHOLDER)
            terminal.wait_for(first_number or "No invoices")
            rss, _ = terminal.resident_kib()
            first.samples.append(rss * 1024 / 1e6)
            # Down moves from the filter to the list; End, once the list has
            # the focus, jumps to its end.
            terminal.type("\x1b[B")
            terminal.settle()
            terminal.type("\x1b[4~")
            if last_number:
                terminal.wait_for(last_number)
            rss, high = terminal.resident_kib()
            last.samples.append(rss * 1024 / 1e6)
            peak.samples.append(high * 1024 / 1e6)
    return [first, last, peak]
