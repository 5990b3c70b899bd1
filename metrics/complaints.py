"""投诉分析: the 12315/12358 figures behind the analysts' page, all cut by one filter.

Counts come from the registry (`complaints_total` and friends) with the filter turned into registry
dimensions, so a figure here equals the same figure anywhere else. The few queries the registry cannot
express (top merchants, the record table) run over the same relation with the registry's own filter clause.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import polars as pl

from auth.policy import Principal, require_export
from campaign import Campaign
from metrics import registry, summary_tables
from metrics.file_export import ExportFile, export_table
from warehouse import Warehouse, load_sql

RELATION = summary_tables.RELATION
SOURCES = {"complaints_12315": "12315", "price_12358": "12358"}
COUNT_KEYS = list(summary_tables.KEYS)  # all and online complaints: what the day summary counts

# Week-over-week anomaly rule: in a week, a value's complaints are flagged when they reach at least
# ANOMALY_MIN_COUNT and at least max(ANOMALY_FACTOR × the trailing mean, trailing mean + ANOMALY_SIGMAS × σ),
# the mean and σ taken over the ANOMALY_WEEKS weeks before it (weeks without complaints count as 0).
ANOMALY_WEEKS = 4
ANOMALY_FACTOR = 2.0
ANOMALY_SIGMAS = 3.0
ANOMALY_MIN_COUNT = 10
ANOMALY_DIMS = {"goods": "商品服务类别", "problem": "问题类别", "platform": "平台", "unit": "属地单位"}

RECORD_COLUMNS = {
    "source": "来源",
    "record_id": "编号",
    "received_at": "登记时间",
    "info_type": "信息类型",
    "online": "网络交易",
    "merchant_name": "被投诉（举报）主体",
    "merchant_uscc": "统一社会信用代码",
    "platform": "平台",
    "goods_category": "商品服务类别",
    "problem": "问题类别",
    "focus_key": "重点工作",
    "unit": "属地单位",
    "handling_dept": "承办部门",
    "status": "办理状态",
    "closed_at": "办结时间",
    "amount_involved": "涉及金额（元）",
    "recovered_loss": "挽回损失（元）",
}


@dataclass(frozen=True)
class Filters:
    """What the analyst chose. None means "all". Each field but the dates is a registry dimension."""

    start: dt.date | None = None
    end: dt.date | None = None
    source: str | None = None
    online: bool | None = None
    unit: str | None = None
    focus: str | None = None
    goods: str | None = None
    problem: str | None = None
    platform: str | None = None
    status: str | None = None

    def where(self) -> dict:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("start", "end") and getattr(self, f.name) is not None
        }

    def window(self, as_of: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
        """(since, until): the date range, never beyond the as-of date."""
        until = self.end if as_of is None else min(d for d in (self.end, as_of) if d is not None)
        return self.start, until


def _where(wh: Warehouse, f: Filters) -> dict:
    """The filter as registry dimensions; a status matches every word exports use for it (the campaign's synonyms)."""
    return registry.spelled(wh.campaign, f.where())


def _filter_sql(wh: Warehouse, f: Filters, as_of: dt.date | None) -> tuple[str, dict]:
    since, until = f.window(as_of)
    return registry.scan_filter(RELATION, "received_at", until, since, _where(wh, f))


def _count(wh: Warehouse, keys: list[str], by: list[str], f: Filters, as_of: dt.date | None) -> pl.DataFrame:
    since, until = f.window(as_of)
    return registry.breakdown(wh, keys, by, until, since=since, where=_where(wh, f))


def statuses_merged(c: Campaign, weekly: pl.DataFrame) -> pl.DataFrame:
    """Weekly counts by status with each status under the label users see (synonyms summed into it)."""
    return (
        weekly.with_columns(pl.col("status").replace_strict(_status_labels(c, weekly), return_dtype=pl.String))
        .group_by("week", "status")
        .agg(pl.col(COUNT_KEYS).sum())
        .sort("week", "status")
    )


def _status_labels(c: Campaign, frame: pl.DataFrame) -> dict:
    return {w: c.status_label(w) for w in frame["status"].unique().to_list()}


def has_data(wh: Warehouse) -> bool:
    return registry.value(wh, "complaints_total") > 0


# --- one scan for the page's counts ------------------------------------------------------------------
BREAKDOWN_DIMS = summary_tables.DIMS  # the page breaks down by what the day summary digests
CUBE_SETS = [("day",), *(("week", d) for d in BREAKDOWN_DIMS)]
Cube = dict[tuple[str, ...], pl.DataFrame]


def cube(wh: Warehouse, f: Filters, as_of: dt.date | None) -> Cube:
    """All and online complaints per day, and per week × each breakdown dimension, under the filter: one scan
    (GROUPING SETS) from which the trends, breakdowns, anomaly flags and filter options are all summed."""
    since, until = f.window(as_of)
    where = _where(wh, f)
    if summary_tables.covers(where):  # the usual cuts (date, source, online, unit, status): from the day summary
        out = summary_tables.complaint_cube(wh, CUBE_SETS, since, until, where)
        out[("week", "status")] = statuses_merged(wh.campaign, out[("week", "status")])
        return out
    # Counted live. A dimension the filter fixes has one value, so its weekly rows are the weekly totals:
    # that grouping is left out of the scan and filled in from the daily counts.
    fixed = [g for g in CUBE_SETS if len(g) == 2 and g[1] in where]
    out = registry.breakdown_sets(
        wh, COUNT_KEYS, [g for g in CUBE_SETS if g not in fixed], until, since=since, where=where
    )
    for week, dim in fixed:
        totals = trend_of(out, "day").with_columns(pl.col("date").dt.truncate("1w").cast(pl.Date).alias(week))
        out[(week, dim)] = (
            totals.group_by(week)
            .agg(pl.col(COUNT_KEYS).sum())
            .select(week, pl.lit(getattr(f, dim), dtype=pl.String).alias(dim), *COUNT_KEYS)
            .sort(week)
        )
    out[("week", "status")] = statuses_merged(wh.campaign, out[("week", "status")])
    return out


def options(wh: Warehouse, as_of: dt.date | None = None) -> dict[str, list]:
    return options_of(cube(wh, Filters(), as_of))


def options_of(unfiltered: Cube) -> dict[str, list]:
    """The values each filter offers (those in the data up to the as-of date), and the first and last day."""
    out: dict[str, list] = {
        d: sorted(unfiltered[("week", d)][d].drop_nulls().unique().to_list()) for d in BREAKDOWN_DIMS
    }
    days = unfiltered[("day",)]["day"]
    out["first_day"], out["last_day"] = (days.min(), days.max()) if days.len() else (None, None)
    return out


TOTAL_KEYS = ("complaints_total", "complaints_online", *SOURCES, "amount_involved", "recovered_loss")
FIELD_TOTALS = ("amount_involved", "recovered_loss")  # sums of a field of the same name, where a source has it


def totals(wh: Warehouse, f: Filters, as_of: dt.date | None) -> dict[str, float]:
    """The headline figures the filter includes, in tile order (see shown_totals)."""
    keys = shown_totals(wh.campaign, f)
    row = _count(wh, keys, [], f, as_of).row(0, named=True)
    return {k: (row[k] or 0) for k in keys}


def shown_totals(c: Campaign, f: Filters) -> list[str]:
    """With one source chosen, neither the other source's count (always 0) nor a sum of a field its exports do
    not have (12358 has no 涉及金额) is a figure of this view."""
    if f.source is None:
        return list(TOTAL_KEYS)
    headers = c.sources[f.source].headers
    return [
        k for k in TOTAL_KEYS if not (k in SOURCES and k != f.source) and not (k in FIELD_TOTALS and k not in headers)
    ]


def trend(wh: Warehouse, f: Filters, as_of: dt.date | None, grain: str = "day") -> pl.DataFrame:
    return trend_of(cube(wh, f, as_of), grain)


def trend_of(cb: Cube, grain: str = "day") -> pl.DataFrame:
    """Complaints per day or per week (Monday), all and online."""
    if grain == "day":
        return cb[("day",)].rename({"day": "date"})
    if grain == "week":  # every record has a focus area (F0 at least), so the focus rows sum to the week
        return (
            cb[("week", "focus")].group_by("week").agg(pl.col(COUNT_KEYS).sum()).sort("week").rename({"week": "date"})
        )
    raise ValueError(f"未知的时间粒度：{grain}")


def breakdown(wh: Warehouse, f: Filters, as_of: dt.date | None, dim: str, top: int | None = None) -> pl.DataFrame:
    return breakdown_of(cube(wh, f, as_of), dim, top)


def breakdown_of(cb: Cube, dim: str, top: int | None = None) -> pl.DataFrame:
    """Complaints by one dimension, largest first; empty values (e.g. no platform) are left out."""
    df = cb[("week", dim)].filter(pl.col(dim).is_not_null()).group_by(dim).agg(pl.col(COUNT_KEYS).sum())
    df = df.sort(["complaints_total", dim], descending=[True, False])
    return df.head(top) if top else df


def top_merchants(wh: Warehouse, f: Filters, as_of: dt.date | None, limit: int = 20) -> pl.DataFrame:
    since, until = f.window(as_of)
    if since is None and set(f.where()) <= {"source"} and summary_tables.merchants_cover(wh, until):
        with wh.read() as cur:
            return cur.execute(
                load_sql("complaints_top_merchants_summary", __file__), {"source": f.source, "limit": limit}
            ).pl()
    clause, params = _filter_sql(wh, f, as_of)
    with wh.read() as cur:
        return cur.execute(
            load_sql("complaints_top_merchants", __file__).format(where=clause), params | {"limit": limit}
        ).pl()


def anomalies(wh: Warehouse, f: Filters, as_of: dt.date | None) -> pl.DataFrame:
    return anomalies_of(cube(wh, f, as_of))


def anomalies_of(cb: Cube, dims: tuple[str, ...] = tuple(ANOMALY_DIMS)) -> pl.DataFrame:
    """Weeks in which a category, platform or unit jumped well above its recent level (rule above)."""
    frames = [
        flag_jumps(cb[("week", d)].filter(pl.col(d).is_not_null()).select("week", d, "complaints_total"), d)
        for d in dims
    ]
    frames = [x for x in frames if x.height]
    if not frames:
        return pl.DataFrame(
            schema={
                "dimension": pl.Utf8,
                "value": pl.Utf8,
                "week": pl.Date,
                "count": pl.Int64,
                "trailing_mean": pl.Float64,
                "trailing_std": pl.Float64,
                "threshold": pl.Float64,
                "ratio": pl.Float64,
            }
        )
    return pl.concat(frames).sort(["week", "ratio"], descending=[True, True])


def flag_jumps(weekly: pl.DataFrame, dim: str) -> pl.DataFrame:
    """weekly: columns week, <dim>, complaints_total. Weeks are zero-filled between the first and last week."""
    if weekly.height == 0:
        return pl.DataFrame()
    first, last = weekly["week"].min(), weekly["week"].max()
    weeks = pl.DataFrame({"week": pl.date_range(first, last, interval="1w", eager=True)})
    grid = weeks.join(weekly.select(pl.col(dim).unique()), how="cross")
    full = (
        grid.join(weekly, on=["week", dim], how="left")
        .with_columns(pl.col("complaints_total").fill_null(0).cast(pl.Int64).alias("count"))
        .sort([dim, "week"])
    )
    prev = pl.col("count").shift(1).over(dim)
    roll = dict(window_size=ANOMALY_WEEKS, min_samples=ANOMALY_WEEKS)
    full = full.with_columns(
        prev.rolling_mean(**roll).over(dim).alias("trailing_mean"),
        prev.rolling_std(ddof=0, **roll).over(dim).alias("trailing_std"),
    ).with_columns(
        pl.max_horizontal(
            ANOMALY_FACTOR * pl.col("trailing_mean"), pl.col("trailing_mean") + ANOMALY_SIGMAS * pl.col("trailing_std")
        ).alias("threshold")
    )
    flagged = full.filter(
        pl.col("trailing_mean").is_not_null()
        & (pl.col("count") >= ANOMALY_MIN_COUNT)
        & (pl.col("count") >= pl.col("threshold"))
    )
    return flagged.select(
        pl.lit(dim).alias("dimension"),
        pl.col(dim).cast(pl.Utf8).alias("value"),
        "week",
        "count",
        "trailing_mean",
        "trailing_std",
        "threshold",
        (pl.col("count") / pl.col("trailing_mean")).alias("ratio"),
    )


def records(wh: Warehouse, f: Filters, as_of: dt.date | None, limit: int | None = 500) -> pl.DataFrame:
    """The filtered records, newest first, with no personal data (no complainant, no free text)."""
    clause, params = _filter_sql(wh, f, as_of)
    params |= {"limit": limit}
    with wh.read() as cur:
        # First the time span of the rows wanted (reads one column), then only rows inside it are fetched:
        # constant bounds let DuckDB skip row groups and materialise the wide rows for those few only.
        lo, hi = cur.execute(load_sql("complaints_records_span", __file__).format(where=clause), params).fetchone()
        return cur.execute(
            load_sql("complaints_records", __file__).format(where=clause), params | {"lo": lo, "hi": hi}
        ).pl()


def record_detail(wh: Warehouse, source: str, record_id: str) -> dict | None:
    with wh.read() as cur:
        df = cur.execute(
            load_sql("complaints_record_detail", __file__), {"source": source, "record_id": record_id}
        ).pl()
    return df.row(0, named=True) if df.height else None


def labelled_records(wh: Warehouse, df: pl.DataFrame) -> pl.DataFrame:
    """The record table with Chinese headers and labels instead of keys (what the page and exports show)."""
    c = wh.campaign
    return df.with_columns(
        pl.col("source").replace_strict(SOURCES, default=pl.col("source")),
        pl.col("unit").map_elements(c.unit_label, return_dtype=pl.Utf8),
        pl.col("focus_key").map_elements(c.focus_label, return_dtype=pl.Utf8),
        pl.col("status").replace_strict(_status_labels(c, df), return_dtype=pl.Utf8),
    ).rename(RECORD_COLUMNS)


def export_records(wh: Warehouse, principal: Principal, f: Filters, as_of: dt.date | None, fmt: str) -> ExportFile:
    """Every filtered record (not just the rows on screen), for analysts and admins only."""
    require_export(principal)
    df = labelled_records(wh, records(wh, f, as_of, limit=None))
    return export_table(
        wh, principal, df, "投诉举报明细", fmt, detail=f"筛选：{describe(wh, f, as_of)}；{df.height} 行"
    )


def export_chart(wh: Warehouse, principal: Principal, df: pl.DataFrame, name: str, fmt: str) -> ExportFile:
    require_export(principal)
    return export_table(wh, principal, df, name, fmt, detail=f"图表数据：{name}；{df.height} 行")


def describe(wh: Warehouse, f: Filters, as_of: dt.date | None) -> str:
    """The filter in words, for the audit trail and the page caption."""
    c = wh.campaign
    since, until = f.window(as_of)
    # No start picked: every record up to the as-of date (“开始至…” read as a date called 开始).
    period = f"{since}至{until or '最新'}" if since else (f"截至{until}（全部日期）" if until else "全部日期")
    parts = [period]
    labels = {
        "source": lambda v: SOURCES.get(v, v),
        "online": lambda v: "仅网络交易" if v else "非网络交易",
        "unit": c.unit_label,
        "focus": c.focus_label,
    }
    for k, v in f.where().items():
        parts.append(str(labels.get(k, lambda x: x)(v)))
    return "，".join(parts)
