"""[table1], [table2], [stats_parsing]: the weekly 情况统计表 (indicators, columns, violation types) and the
labels and synonyms for reading filled-in tables."""

from __future__ import annotations

from typing import Any

from campaign.model import Measure, StatsParsing, ViolationType
from campaign.reader import Reader

STATS_PARSING_LISTS = (
    "reporter_labels",
    "period_labels",
    "table1_label_headers",
    "table1_value_headers",
    "table2_row_headers",
    "total_labels",
    "subtotal_labels",
    "zero_marks",
    "note_prefixes",
)


def read(raw: dict, r: Reader, focus_areas: set[str]) -> dict[str, Any]:
    t1 = r.get(raw, "table1", "", dict)
    table1 = r.keyed(t1, "indicators", "table1", _measure)
    t2 = r.get(raw, "table2", "", dict)
    columns = r.keyed(t2, "columns", "table2", _measure)
    reconcile = r.texts(t2, "reconcile_with_table1", "table2", ())
    for j, k in enumerate(reconcile):
        if k not in columns or k not in table1:
            raise r.fail(f"table2.reconcile_with_table1[{j}]", f"“{k}” 须同时是统计表1指标和统计表2列")
    violation_types = r.keyed(t2, "violation_types", "table2", lambda r, w, v: _violation_type(r, w, v, focus_areas))
    return {
        "table1_title": r.text(t1, "title", "table1"),
        "table1": tuple(table1.values()),
        "table2_title": r.text(t2, "title", "table2"),
        "table2_columns": tuple(columns.values()),
        "table2_reconcile": reconcile,
        "violation_types": tuple(violation_types.values()),
        "stats_parsing": _stats_parsing(raw, r, table1, columns, set(violation_types)),
    }


def _measure(r: Reader, w: str, m: dict) -> Measure:
    kind = r.text(m, "kind", w)
    if kind not in ("count", "amount"):
        raise r.fail(f"{w}.kind", f"应为 count 或 amount，实际为 {kind!r}")
    return Measure(r.text(m, "key", w), r.text(m, "label", w), r.text(m, "unit", w), kind)


def _violation_type(r: Reader, w: str, v: dict, focus_areas: set[str]) -> ViolationType:
    vt = ViolationType(r.text(v, "key", w), r.text(v, "focus", w), r.text(v, "label", w))
    if vt.focus not in focus_areas:
        raise r.fail(f"{w}.focus", f"引用了不存在的重点工作 “{vt.focus}”")
    return vt


def _stats_parsing(raw: dict, r: Reader, indicators: dict, columns: dict, violations: set[str]) -> StatsParsing:
    sp = r.get(raw, "stats_parsing", "", dict, {})
    w = "stats_parsing"
    lists = {name: r.texts(sp, name, w, ()) for name in STATS_PARSING_LISTS}
    maps = {}
    for name, known in (
        ("indicator_synonyms", indicators),
        ("column_synonyms", columns),
        ("violation_synonyms", violations),
    ):
        table = r.get(sp, name, w, dict, {})
        for key in table:
            if key not in known:
                raise r.fail(f"{w}.{name}.{key}", "引用了不存在的 key")
        maps[name] = {key: r.texts(table, key, f"{w}.{name}") for key in table}
    return StatsParsing(**lists, **maps)
