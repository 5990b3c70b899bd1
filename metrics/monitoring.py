"""监测线索: monitoring hits, their disposal, overdue 待核查 hits, and cross-source leads (协同管网).

Counts and rates come from the registry (`hits_received`, `hits_disposed`, `hit_disposal_rate`,
`hit_feedback_median_days`); the overdue list ages hits in working days on the warehouse's calendar; the
cross-source leads join 12315, 12358 and monitoring over the current-record views.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from auth.policy import Principal, require_export
from metrics import registry, summary_tables
from metrics.file_export import ExportFile, export_table
from warehouse import Warehouse, load_sql

PENDING = "待核查"
DEFAULT_OVERDUE_WORKDAYS = 5
SUMMARY_KEYS = ["hits_received", "hits_disposed", "hit_disposal_rate", "hit_feedback_median_days"]

# Cross-source lead weight: every record of the merchant counts by its source. A monitoring hit is a finding
# of the regulator's own monitoring (already checked against a rule), so it weighs twice a complaint.
SOURCE_WEIGHTS = {"complaints_12315": 1.0, "price_12358": 1.0, "monitoring": 2.0}
SOURCE_LABELS = {"complaints_12315": "12315", "price_12358": "12358", "monitoring": "监测线索"}


def has_data(wh: Warehouse) -> bool:
    return registry.value(wh, "hits_received") > 0


# The page's filters, each a dimension of v_hits_current (registry.DIMENSIONS), with what users call it. A filter is
# passed around as `Picks`, pairs of (dimension, value) in this order: hashable, so the page's cache can key on it.
FILTERS = {"status": "处置状态", "hit_type": "线索类型", "source_system": "监测来源", "unit": "属地单位"}
Picks = tuple[tuple[str, str], ...]


def _where(wh: Warehouse, picks: Picks) -> dict | None:
    return registry.spelled(wh.campaign, dict(picks)) or None


def summary(wh: Warehouse, as_of: dt.date | None, picks: Picks = ()) -> dict[str, float]:
    row = registry.breakdown(wh, SUMMARY_KEYS, [], as_of, where=_where(wh, picks)).row(0, named=True)
    return {k: row[k] for k in SUMMARY_KEYS}


def breakdown(wh: Warehouse, as_of: dt.date | None, dim: str, picks: Picks = ()) -> pl.DataFrame:
    """Hits received and disposed by one dimension, largest first (empty values shown as 未填写)."""
    keys = ["hits_received", "hits_disposed", "hit_disposal_rate"]
    df = registry.breakdown(wh, keys, [dim], as_of, where=_where(wh, picks))
    if dim == "status":  # each status under the label users see, its synonyms summed into it
        labels = {w: wh.campaign.status_label(w) for w in df[dim].to_list()}
        df = (
            df.with_columns(pl.col(dim).replace_strict(labels, return_dtype=pl.String))
            .group_by(dim)
            .agg(pl.col("hits_received", "hits_disposed").sum())
            .with_columns((100.0 * pl.col("hits_disposed") / pl.col("hits_received")).alias("hit_disposal_rate"))
        )
    return df.with_columns(pl.col(dim).fill_null("未填写")).sort(["hits_received", dim], descending=[True, False])


def weekly(wh: Warehouse, as_of: dt.date | None, picks: Picks = ()) -> pl.DataFrame:
    return registry.breakdown(wh, ["hits_received", "hits_disposed"], ["week"], as_of, where=_where(wh, picks))


def _pending_sql(wh: Warehouse, name: str, until: dt.date, picks: Picks) -> tuple[str, dict]:
    """One of the 待核查 queries, cut at `until` and narrowed by the page's filters (a status other than 待核查
    leaves nothing), through the registry's own filter."""
    where, params = registry.scan_filter("v_hits_current", "detected_at", until, None, _where(wh, picks))
    return load_sql(name, __file__).format(where=where), params | {"status": PENDING}


def overdue_cutoff(
    wh: Warehouse, as_of: dt.date, workdays: int, picks: Picks = ()
) -> tuple[dt.date | None, pl.DataFrame]:
    """The latest detection day whose 待核查 hits are overdue on `as_of` (more than `workdays` working days
    old), and the pending hits by day with their age, so the page can show both."""
    with wh.read() as cur:
        pending = cur.execute(*_pending_sql(wh, "monitoring_pending_by_day", as_of, picks)).pl()
    cal = wh.calendar()
    ages = cal.workdays_to(pending["day"].to_list(), as_of)
    pending = pending.with_columns(pl.Series("workdays", ages, dtype=pl.Int64))
    late = pending.filter(pl.col("workdays") > workdays)
    return (late["day"].max() if late.height else None), pending


def overdue(
    wh: Warehouse,
    as_of: dt.date,
    workdays: int = DEFAULT_OVERDUE_WORKDAYS,
    limit: int | None = 500,
    picks: Picks = (),
) -> dict:
    """Hits still 待核查 more than `workdays` working days after detection: the total and the oldest `limit`."""
    cutoff, pending = overdue_cutoff(wh, as_of, workdays, picks)
    total = int(pending.filter(pl.col("workdays") > workdays)["hits"].sum()) if pending.height else 0
    if cutoff is None:
        rows = pl.DataFrame()
    else:
        sql, params = _pending_sql(wh, "monitoring_overdue", cutoff, picks)
        with wh.read() as cur:
            rows = cur.execute(sql, params | {"limit": limit}).pl()
        age = dict(zip(pending["day"], pending["workdays"], strict=True))
        rows = rows.with_columns(
            pl.col("detected_at").dt.date().replace_strict(age, return_dtype=pl.Int64).alias("workdays")
        )
    return {"total": total, "pending": int(pending["hits"].sum()) if pending.height else 0, "rows": rows}


def cross_source_leads(wh: Warehouse, as_of: dt.date | None, limit: int = 50) -> pl.DataFrame:
    """Merchants in ≥2 sources, ranked by total weight (SOURCE_WEIGHTS)."""
    params = {
        "as_of": as_of or dt.date.max,
        "limit": limit,
        "w_12315": SOURCE_WEIGHTS["complaints_12315"],
        "w_12358": SOURCE_WEIGHTS["price_12358"],
        "w_monitoring": SOURCE_WEIGHTS["monitoring"],
    }
    if summary_tables.merchants_cover(wh, as_of):  # all the data: one summary row per source and merchant
        counts = summary_tables.MERCHANTS
        params.pop("as_of")
    else:
        counts = f"({summary_tables.merchant_counts_sql()})"
    per_key = f"SELECT source, merchant_key, uscc_valid, merchant_name, n, first_at, last_at FROM {counts}"  # noqa: S608
    with wh.read() as cur:
        return cur.execute(load_sql("monitoring_cross_source", __file__).format(per_key=per_key), params).pl()


def lead_records(wh: Warehouse, keys: tuple[str, ...], as_of: dt.date | None) -> pl.DataFrame:
    """Every record behind one lead, from all three sources, without personal data."""
    with wh.read() as cur:
        return cur.execute(
            load_sql("monitoring_lead_records", __file__), {"keys": list(keys), "as_of": as_of or dt.date.max}
        ).pl()


def export(wh: Warehouse, principal: Principal, df: pl.DataFrame, name: str, fmt: str, view: str = "") -> ExportFile:
    """One of the page's tables as a file; `view`, the page's filters in words, goes into the audit trail."""
    require_export(principal)
    where = f"（筛选：{view}）" if view else ""
    return export_table(wh, principal, df, name, fmt, detail=f"监测线索：{name}{where}；{df.height} 行")
