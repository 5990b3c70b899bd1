"""How cell text is folded before it is compared: the one fold every loader builds on."""

from __future__ import annotations

import unicodedata


def nfkc(text: object) -> str:
    """Full-width → half-width (NFKC: １２３ → 123, （ → (, the ideographic space → a space); None → ''."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", str(text))


def fold(text: object) -> str:
    """nfkc and no blanks at all: how headers, regions and platforms are compared."""
    return "".join(nfkc(text).split())


def cell_text(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None
