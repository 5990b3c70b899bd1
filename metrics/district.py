"""Figures from the weekly 情况统计表: cumulative totals, per unit, versions and their cell-by-cell diff.

Every figure is the sum of the current weekly versions (the newest live upload per unit, agency and week)
of the weeks whose Sunday falls on or before the as-of date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from warehouse import Warehouse, load_sql


def _sql(name: str) -> str:
    return load_sql(name, __file__)


def _round(value: float, kind: str) -> float | int:
    return round(value, 2) if kind == "amount" else round(value)


def district_summary(wh: Warehouse, as_of: dt.date | None = None) -> dict:
    """{"weeks_loaded": current (unit, agency, week) tables, "table1": {indicator: x}, "table2": {type: {col: x}}}.
    Every key is present (zeros when there is no data); amounts in 万元 rounded to two decimals."""
    c = wh.campaign
    params = {"as_of": as_of}
    with wh.read() as cur:
        (weeks,) = cur.execute(_sql("district_weeks_loaded"), params).fetchone()
        t1 = dict(cur.execute(_sql("district_table1_totals"), params).fetchall())
        t2: dict[tuple[str, str], float] = {
            (v, k): x for v, k, x in cur.execute(_sql("district_table2_totals"), params).fetchall()
        }
    return {
        "weeks_loaded": int(weeks),
        "table1": {m.key: _round(t1.get(m.key, 0.0), m.kind) for m in c.table1},
        "table2": {
            v.key: {m.key: _round(t2.get((v.key, m.key), 0.0), m.kind) for m in c.table2_columns}
            for v in c.violation_types
        },
    }


def table1_by_unit(wh: Warehouse, as_of: dt.date | None = None) -> dict[str, dict[str, float]]:
    """{unit: {indicator: cumulative}} for every unit of the campaign (zeros where nothing came in)."""
    c = wh.campaign
    with wh.read() as cur:
        rows = cur.execute(_sql("district_table1_by_unit"), {"as_of": as_of}).fetchall()
    got = {(u, k): x for u, k, x in rows}
    return {u.key: {m.key: _round(got.get((u.key, m.key), 0.0), m.kind) for m in c.table1} for u in c.units}


def table2_by_unit(wh: Warehouse, as_of: dt.date | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """{unit: {violation type: {column: cumulative}}} for every unit (zeros where nothing came in)."""
    c = wh.campaign
    with wh.read() as cur:
        rows = cur.execute(_sql("district_table2_by_unit"), {"as_of": as_of}).fetchall()
    got = {(u, v, k): x for u, v, k, x in rows}
    return {
        u.key: {
            v.key: {m.key: _round(got.get((u.key, v.key, m.key), 0.0), m.kind) for m in c.table2_columns}
            for v in c.violation_types
        }
        for u in c.units
    }


def versions(wh: Warehouse, unit: str, agency: str, week: dt.date) -> list[dict]:
    """Every upload of one weekly table, oldest first, with status and whether it is the current one."""
    with wh.read() as cur:
        cur.execute(_sql("district_versions"), {"unit": unit, "agency": agency, "week": week})
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def warnings_of(wh: Warehouse, batch_id: int) -> list[dict]:
    with wh.read() as cur:
        cur.execute(_sql("district_warnings"), {"batch_id": batch_id})
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


@dataclass(frozen=True)
class CellChange:
    table_no: int
    row_key: str
    row_label: str
    column_key: str
    column_label: str
    old: float | None
    new: float | None
    cell: str | None  # where the new value sits in the file, e.g. 统计表1!D15


def previous_version(wh: Warehouse, batch_id: int) -> int | None:
    with wh.read() as cur:
        row = cur.execute(_sql("district_previous_version"), {"batch_id": batch_id}).fetchone()
    return row[0] if row else None


def version_diff(wh: Warehouse, batch_id: int, against: int | None = None) -> list[CellChange]:
    """What changed, cell by cell, between a version and the live version before it (or `against`).
    An empty list when nothing changed or there is no earlier version."""
    c = wh.campaign
    against = against if against is not None else previous_version(wh, batch_id)
    if against is None:
        return []
    with wh.read() as cur:
        new = {
            (t, r, k): (v, s, n, col)
            for t, r, k, v, s, n, col in cur.execute(_sql("district_batch_cells"), {"batch_id": batch_id}).fetchall()
        }
        old = {
            (t, r, k): v
            for t, r, k, v, *_ in cur.execute(_sql("district_batch_cells"), {"batch_id": against}).fetchall()
        }
    labels1 = {m.key: m.label for m in c.table1}
    labels_vt = {v.key: v.label for v in c.violation_types}
    labels_col = {m.key: m.label for m in c.table2_columns}
    order1 = {m.key: i for i, m in enumerate(c.table1)}
    order_vt = {v.key: i for i, v in enumerate(c.violation_types)}
    order_col = {m.key: i for i, m in enumerate(c.table2_columns)}
    changes = []
    for key in set(new) | set(old):
        new_v = new.get(key, (None,))[0]
        old_v = old.get(key)
        if new_v is not None and old_v is not None and abs(new_v - old_v) < 1e-9:
            continue
        t, r, k = key
        where = new.get(key)
        cell = f"{where[1]}!{where[3]}{where[2]}" if where and where[1] and where[2] else None
        changes.append(
            CellChange(
                t,
                r,
                labels1.get(r, r) if t == 1 else labels_vt.get(r, r),
                k,
                "本周数" if t == 1 else labels_col.get(k, k),
                old_v,
                new_v,
                cell,
            )
        )
    changes.sort(
        key=lambda ch: (
            ch.table_no,
            order1.get(ch.row_key, 99) if ch.table_no == 1 else order_vt.get(ch.row_key, 99),
            order_col.get(ch.column_key, 0),
        )
    )
    return changes
