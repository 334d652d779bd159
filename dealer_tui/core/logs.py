"""The log file in the user's log directory; nothing is logged to the screen."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from dealer_tui.core.config import log_dir


def set_up_logging(name: str = "dealer.log", level: int = logging.INFO) -> Path:
    """Send the package's log records to a rotating file and return its path."""
    path = log_dir() / name
    root = logging.getLogger("dealer_tui")
    if not any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        handler = RotatingFileHandler(
            path, maxBytes=5_000_000, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    return path
