"""Byte-stable zip archives: the same members give the same bytes, whenever and wherever they are written.

A .docx, an .xlsx and the 总结报告 pack are all zips; zipfile stamps each member with the current time, so the
same document written twice would differ. Every member here gets one fixed timestamp and fixed attributes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold


def stable_zip(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A deflated zip of (name, bytes) in the order given, every member stamped FIXED_TIME."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            z.writestr(info, data)
    return buf.getvalue()


def restamp(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """An existing zip (e.g. what python-docx or openpyxl saved) rewritten with fixed timestamps, order kept;
    `replace` swaps the content of named members (such as properties a library stamps with the clock)."""
    replace = replace or {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return stable_zip((info.filename, replace.get(info.filename) or z.read(info)) for info in z.infolist())
