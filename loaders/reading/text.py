"""How cell text is folded before it is compared: the one fold every loader uses."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Full-width → half-width (NFKC) and no blanks: how headers, regions and platforms are compared."""
    if text is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def cell_text(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None
