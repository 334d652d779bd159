"""Keys under which names and numbers are found as the user types."""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"[^0-9A-Z]+")


def search_key(text: str) -> str:
    """Upper case, punctuation to single spaces: 'O'Brien & Sons' -> 'O BRIEN SONS'."""
    return _NOT_WORD.sub(" ", text.upper()).strip()


def compact_key(text: str) -> str:
    """Upper case with nothing but letters and digits, for plates and VINs."""
    return _NOT_WORD.sub("", text.upper())


def like_escape(text: str) -> str:
    """Escape LIKE wildcards so a typed % or _ matches itself (escape char \\)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
