"""`dealer demo --scale N`: a large generated dealership, kept apart from the demo."""

from __future__ import annotations

from pathlib import Path

from dealer_tui.cli.common import fail, out
from dealer_tui.core import config
from dealer_tui.core.db import Database
from dealer_tui.demo.scale import (
    Scale,
    StepReport,
    build_scaled,
    clear_for_build,
    is_current,
)
from dealer_tui.demo.synth import DEMO_SEED


def scaled_path(scale: Scale, seed: int) -> Path:
    """The file a scaled demo is kept in, in the data directory."""
    return config.data_dir() / scale.file_name(seed)


def scaled_demo(
    scale_text: str,
    seed: int | None,
    into: str | None,
    *,
    rebuild: bool,
    told: list[StepReport] | None = None,
) -> Database:
    """The generated dealership of that scale and seed, built first if needed.

    It is kept in its own file beside the demo, or in the shared database
    named by `into`, which must be empty or hold a generated dealership.
    The steps of a build are printed, and added to `told` if given.
    """
    seed = DEMO_SEED if seed is None else seed
    try:
        scale = Scale.parse(scale_text)
    except ValueError as problem:
        raise fail(f"--scale: {problem}") from None
    if into:
        db = Database.open(into)
        if db.is_sqlite:
            raise fail("--into: give a PostgreSQL database; files are kept for you")
        where = db.describe()
    else:
        path = scaled_path(scale, seed)
        db = Database.open(f"sqlite:///{path}")
        where = str(path)
    if not rebuild and is_current(db, scale, seed):
        out.print(f"Using the {scale.label} dealership (seed {seed}) in {where}.")
        return db
    out.print(
        f"Building a {scale.label} dealership (seed {seed}) in {where}; "
        "the largest takes a few minutes ..."
    )
    if into:
        clear_for_build(db)
    else:
        db.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db = Database.open(f"sqlite:///{path}")

    def tell(report: StepReport) -> None:
        out.print(f"  {report.summary()}")
        if told is not None:
            told.append(report)

    build_scaled(db, scale, seed, progress=tell)
    out.print("Built. The sign-ins are those of the demo, listed in the README.")
    return db
