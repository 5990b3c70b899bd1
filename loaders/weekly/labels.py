"""How the labels of a weekly table are recognised: normalised, then matched against the campaign's synonyms."""

from __future__ import annotations

import re

from campaign import Campaign
from loaders.reading.text import nfkc

_PUNCT = re.compile(r"[\s、，,。.;；:：()（）\[\]【】“”\"'‘’·•\-—–_/\\|*＊]")
_NUMBERING = re.compile(r"^(?:\d+|[一二三四五六七八九十]+)[.、．)）]|^[(（](?:\d+|[一二三四五六七八九十]+)[)）]")
_TRAILING_PAREN = re.compile(r"[(（]([^()（）]*)[)）]\s*$")


def fold_trimmed(text: object) -> str:
    """The core's fold for the weekly tables: NFKC like reading.text.fold, but only trimmed. Blanks inside a cell
    still mean something here: they separate 填报单位：… from 统计周期：… on one line, a number from its
    numbering (1 、出动…), the parts of a period (2018 0806), and they are kept in the texts stored with a
    version (the reporter as written, a value's column header)."""
    return nfkc(text).strip()


def norm_label(text: object, units: frozenset[str] = frozenset()) -> str:
    """A label reduced to what identifies it: no numbering, no trailing "(件)", no blanks or punctuation."""
    s = fold_trimmed(text)
    s = _NUMBERING.sub("", s).strip()
    m = _TRAILING_PAREN.search(s)
    if m and fold_trimmed(m.group(1)).replace(" ", "") in units:
        s = s[: m.start()]
    return _PUNCT.sub("", s)


class LabelMatcher:
    """Maps a cell's text to a key: exact match after normalising, else the single longest label it contains."""

    def __init__(self, entries: dict[str, tuple[str, ...]], units: frozenset[str]) -> None:
        self.units = units
        self.exact: dict[str, str] = {}
        for key, names in entries.items():
            for name in names:
                n = norm_label(name, units)
                if n:
                    self.exact.setdefault(n, key)

    def match(self, text: object) -> str | None:
        n = norm_label(text, self.units)
        if not n:
            return None
        if n in self.exact:
            return self.exact[n]
        best: list[tuple[int, str]] = []
        for label, key in self.exact.items():
            if (len(label) >= 2 and label in n) or (len(n) >= 4 and n in label):
                best.append((len(label) if label in n else len(n), key))
        if not best:
            return None
        best.sort(reverse=True)
        top = best[0][0]
        keys = {k for length, k in best if length == top}
        return keys.pop() if len(keys) == 1 else None


class Context:
    """The campaign's labels (indicators, columns, violation types, totals, notes, zero marks), normalised once
    for one file; `where` names a place in that file for a message."""

    def __init__(self, campaign: Campaign, file: str) -> None:
        self.c = campaign
        self.file = file
        sp = campaign.stats_parsing
        self.units = frozenset(
            {m.unit for m in (*campaign.table1, *campaign.table2_columns)} | {"元", "万元", "个", "件", "次"}
        )
        self.sp = sp
        self.indicators = LabelMatcher(
            {m.key: (m.label, *sp.indicator_synonyms.get(m.key, ())) for m in campaign.table1}, self.units
        )
        self.columns = LabelMatcher(
            {m.key: (m.label, *sp.column_synonyms.get(m.key, ())) for m in campaign.table2_columns}, self.units
        )
        self.violations = LabelMatcher(
            {v.key: (v.label, *sp.violation_synonyms.get(v.key, ())) for v in campaign.violation_types}, self.units
        )
        self.t1_label_headers = {norm_label(h, self.units) for h in sp.table1_label_headers}
        self.t1_value_headers = {norm_label(h, self.units) for h in sp.table1_value_headers}
        self.t2_row_headers = {norm_label(h, self.units) for h in sp.table2_row_headers}
        self.totals = {norm_label(h) for h in sp.total_labels}
        self.subtotals = {norm_label(h) for h in sp.subtotal_labels}
        self.zero_marks = {fold_trimmed(z).replace(" ", "") for z in sp.zero_marks}
        self.notes = tuple(fold_trimmed(n) for n in sp.note_prefixes)
        self.measures1 = {m.key: m for m in campaign.table1}
        self.measures2 = {m.key: m for m in campaign.table2_columns}

    def where(self, sheet: str, row: int, col: str | None = None, context: str | None = None) -> str:
        out = f"文件“{self.file}”工作表“{sheet}”第{row}行"
        if col:
            out += f"{col}列"
        if context:
            out += f"（{context}）"
        return out
