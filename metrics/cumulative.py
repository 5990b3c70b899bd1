"""Additive figures cumulative to several dates in one scan: what a weekly change (较上周) needs at campaign
scale, where asking `registry.value` once per date and metric would scan the complaints that many times.

It reads the same definitions, filter and rounding as `registry.value`, so each answer equals what `value`
returns for that date; the tests hold it to that.
"""

from __future__ import annotations

import datetime as dt

from metrics.registry import _exists, _grouping, rounded, scan_filter
from warehouse import Warehouse


def at_dates(
    wh: Warehouse, keys: list[str], dates: list[dt.date], where: dict[str, str] | None = None
) -> list[dict[str, float]]:
    """Additive metrics of one relation cumulative to each of `dates`: for each date, what `registry.value(wh, key,
    date, where=where)` returns. One scan, grouped into the spans between the dates and summed up, so a row's date is
    cut once, not once per date and metric."""
    ms, relation, date_expr, _dims = _grouping(wh, keys, [])
    if not all(m.additive for m in ms):
        raise ValueError("只有可累加的指标（件数、金额）才能按多个日期同时统计")
    if not _exists(wh, relation):
        return [dict.fromkeys(keys, 0) for _ in dates]
    order = sorted(set(dates))
    clause, params = scan_filter(relation, date_expr, order[-1], None, where)
    span = " ".join(f"WHEN CAST({date_expr} AS DATE) <= $d{i} THEN {i}" for i in range(len(order)))
    params |= {f"d{i}": d for i, d in enumerate(order)}
    selects = [f"CASE {span} END AS span"] + [f"{m.sql} AS {m.key}" for m in ms]
    sql = f"SELECT {', '.join(selects)} FROM {relation} WHERE {clause} GROUP BY span"  # noqa: S608 - registry SQL only
    with wh.read() as cur:
        spans = {row[0]: row[1:] for row in cur.execute(sql, params).fetchall()}
    totals = {}
    for i, day in enumerate(order):
        totals[day] = {m.key: rounded(m, sum(spans[s][j] or 0 for s in spans if s <= i)) for j, m in enumerate(ms)}
    return [totals[d] for d in dates]
