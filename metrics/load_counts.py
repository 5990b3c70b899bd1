"""What the export loads (12315, 12358, monitoring hits) hold: counts of distinct current records per source for
the summary, and the quarantined rows of recent batches."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from warehouse import Warehouse, load_sql

# Which parts of the summary each source reports (the summary contract of issue 3).
SUMMARY_PARTS: dict[str, tuple[str, ...]] = {
    "complaints_12315": ("total", "online", "by_focus_area", "by_unit", "by_status"),
    "price_12358": ("total", "by_focus_area", "by_unit"),
    "monitoring": ("total", "by_status", "by_focus_area", "by_unit"),
}


def exports_summary(wh: Warehouse, as_of: dt.date | None = None) -> dict:
    """{source: {"total": n, "by_unit": {key: n}, …}} with zero-count keys left out."""
    with wh.read() as cur:
        rows = cur.execute(load_sql("exports_counts", __file__), {"as_of": as_of}).fetchall()
    out: dict[str, dict] = {}
    for source, parts in SUMMARY_PARTS.items():
        out[source] = {p: (0 if p in ("total", "online") else {}) for p in parts}
    for source, dim, key, n in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        part = out.get(source)
        if part is None or dim not in part or not n:
            continue
        if dim in ("total", "online"):
            part[dim] = n
        else:
            part[dim][key] = n
    return out


def quarantine_batches(wh: Warehouse, limit: int = 20) -> pl.DataFrame:
    """Recent live export batches with quarantined rows."""
    with wh.read() as cur:
        return cur.execute(load_sql("quarantine_batches", __file__), {"limit": limit}).pl()


def quarantine_rows(wh: Warehouse, batch_id: int) -> pl.DataFrame:
    """A batch's quarantined rows as people read them: no empty value shown as None, and the row's content (kept
    as JSON, header → cell) as "header：value；…" in the file's column order."""
    with wh.read() as cur:
        rows = cur.execute(load_sql("quarantine_rows", __file__), {"batch_id": batch_id}).pl()
    return rows.with_columns(
        pl.col("sheet").fill_null(""),
        pl.col("column_name").fill_null(""),
        pl.col("value").fill_null(""),
        pl.col("record").map_elements(readable_record, return_dtype=pl.Utf8).fill_null(""),
    )


def readable_record(record: str | None) -> str:
    """'{"工单编号": "3.2E+24", "受理时间": null}' → '工单编号：3.2E+24；受理时间：（空）'."""
    if not record:
        return ""
    cells = json.loads(record)
    return "；".join(f"{k}：{'（空）' if v is None or v == '' else v}" for k, v in cells.items())
