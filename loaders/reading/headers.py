"""Where the table is: the header row below any title lines, found by the campaign's header synonyms."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from campaign import Source
from loaders.reading.encodings import TextSource
from loaders.reading.gate import FileFormat
from loaders.reading.grids import HEADER_SCAN_ROWS, Grid, preview
from loaders.reading.text import fold
from loaders.result import FileRejected

_BRACKET_TAIL = re.compile(r"[(\[][^()\[\]]*[)\]]$")


def header_variants(text: str | None) -> list[str]:
    """A header as written and without a trailing unit in brackets: 涉及金额（元） also matches 涉及金额."""
    h = fold(text).strip("*:")
    out = [h]
    bare = _BRACKET_TAIL.sub("", h)
    if bare and bare != h:
        out.append(bare)
    return out


@dataclass
class HeaderMatch:
    fields: dict[str, int]  # field key → column index
    personal: dict[int, str]  # column index → header as written
    phone: list[int]
    ignored: list[str]
    headers: list[str | None]

    def header(self, key: str) -> str:
        return self.headers[self.fields[key]] or key


class HeaderIndex:
    """A source's header synonyms, folded, for fast lookup."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.synonym: dict[str, tuple[str, int]] = {}
        for key, names in source.headers.items():
            for rank, n in enumerate(names):
                self.synonym.setdefault(fold(n), (key, rank))
        self.personal = {fold(p) for p in source.personal}
        self.phone = {fold(p) for p in source.phone}

    def lookup(self, header: str | None) -> tuple[str, int] | None:
        for v in header_variants(header):
            if v in self.synonym:
                return self.synonym[v]
        return None

    def is_personal(self, header: str | None) -> bool:
        return any(v in self.personal for v in header_variants(header))

    def match(self, cells: Sequence[str | None]) -> HeaderMatch:
        best: dict[str, tuple[int, int]] = {}
        personal, phone, ignored = {}, [], []
        for i, cell in enumerate(cells):
            if cell is None:
                continue
            hit = self.lookup(cell)
            if hit is not None:
                key, rank = hit
                if key not in best or rank < best[key][0]:
                    if key in best:
                        ignored.append(cells[best[key][1]] or "")
                    best[key] = (rank, i)
                else:
                    ignored.append(cell)
            elif self.is_personal(cell):
                personal[i] = cell
                if any(v in self.phone for v in header_variants(cell)):
                    phone.append(i)
            else:
                ignored.append(cell)
        return HeaderMatch({k: i for k, (_, i) in best.items()}, personal, phone, ignored, list(cells))

    def missing_required(self, m: HeaderMatch) -> list[str]:
        req = dict.fromkeys((self.source.id_field, self.source.date_field, *self.source.required))
        return [k for k in req if k not in m.fields]

    def score(self, m: HeaderMatch) -> float:
        """0 when a required column is missing; else the share of this source's fields found, plus a little
        for recognised personal columns (they tell 12315 from 12358)."""
        if self.missing_required(m):
            return 0.0
        return min(1.0, (len(m.fields) + 0.25 * len(m.personal)) / len(self.source.headers))

    def describe_missing(self, keys: Iterable[str]) -> str:
        return "；".join(
            f"“{self.source.headers[k][0]}”（或 {'、'.join(self.source.headers[k][1:]) or '—'}）" for k in keys
        )


@dataclass
class Located:
    """Where the table is in the file and what its columns mean."""

    path: Path
    name: str
    fmt: FileFormat
    grid: Grid
    header_index: int  # index into grid.rows
    match: HeaderMatch
    score: float
    text: TextSource | None = None

    @property
    def header_row(self) -> int:
        return self.grid.first_row + self.header_index

    @property
    def title_lines(self) -> list[str]:
        return [" ".join(c for c in r if c) for r in self.grid.rows[: self.header_index] if any(r)]

    @property
    def where(self) -> str:
        return f"{self.name}（工作表“{self.grid.sheet}”）" if self.grid.sheet else self.name


def locate(
    path: Path, name: str, index: HeaderIndex, grids: Sequence[Grid], fmt: FileFormat, text: TextSource | None
) -> Located | None:
    """The best (sheet, header row) for this source, or None when no visible table has its required columns."""
    best: Located | None = None
    for g in grids:
        if g.hidden:
            continue
        for i, row in enumerate(g.rows[:HEADER_SCAN_ROWS]):
            if sum(c is not None for c in row) < 2:
                continue
            m = index.match(row)
            s = index.score(m)
            if s > 0 and (best is None or s > best.score):
                best = Located(path, name, fmt, g, i, m, s, text)
    return best


def locate_or_reject(path: Path, name: str, index: HeaderIndex, label: str) -> Located:
    fmt, grids, text = preview(path, name)
    found = locate(path, name, index, grids, fmt, text)
    if found is not None:
        return found
    visible = [g for g in grids if not g.hidden]
    if not visible:
        raise FileRejected(f"文件 {name} 没有可见的工作表（隐藏的工作表不导入）。")
    if not any(any(c is not None for c in r) for g in visible for r in g.rows):
        raise FileRejected(f"文件 {name} 没有任何内容。")
    # Name the columns missing under the row that looks most like a header.
    g, row = max(
        ((g, r) for g in visible for r in g.rows[:HEADER_SCAN_ROWS]),
        key=lambda gr: len(index.match(gr[1]).fields),
    )
    missing = index.missing_required(index.match(row))
    where = f"{name}（工作表“{g.sheet}”）" if g.sheet else name
    raise FileRejected(
        f"文件 {where} 不像是{label}：在前 {HEADER_SCAN_ROWS} 行中找不到包含必需列的表头，缺少 {index.describe_missing(missing)}。"
    )
