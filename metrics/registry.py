"""The metric registry: every figure shown anywhere is defined here once.

A metric is a key, a Chinese label, a unit, a description and a parameterised SQL definition: an
aggregate expression over one current-record relation, the date column that "as of" cuts on, and a
fixed filter. It also says how the figure is shown (scale, display unit, decimals: 元 amounts in 万元 to two
places), so every tile prints it alike. Pages, the summary CLI and the upward report all read figures
through `value`/`breakdown`, so "立案数" means the same thing everywhere. SQL text is assembled only from
these definitions (never from user input); every value a user chooses is a bound parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from campaign import Campaign
from warehouse import Warehouse


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    description: str
    relation: str  # a current-record view
    expr: str  # aggregate SQL over the relation; {f} stands for the metric's own filter (`where`)
    date_expr: str  # the date "as of" and date ranges cut on
    where: str = "TRUE"  # fixed part of the definition, no parameters
    decimals: int = 0
    # How the figure is shown: divided by display_scale, in display_unit ("": unit), to display_decimals places
    # (None: decimals). Amounts kept in 元 are shown in 万元.
    display_scale: int = 1
    display_unit: str = ""
    display_decimals: int | None = None
    # A figure to date is the sum of its days (a count or an amount): its growth over a week means something,
    # and `cumulative.at_dates` can cut it at several dates in one scan. Not so for a rate or a median.
    additive: bool = True

    @property
    def sql(self) -> str:
        return self.expr.format(f=self.where)

    def format(self, value: float | None, *, signed: bool = False) -> str:
        """The figure as shown, in `display_unit or unit`; signed for a change, such as the week's."""
        if value is None:
            return "—"
        places = self.decimals if self.display_decimals is None else self.display_decimals
        return f"{value / self.display_scale:{'+' if signed else ''},.{places}f}"


# Columns a breakdown may group by, per relation. Anything else is refused.
DIMENSIONS: dict[str, dict[str, str]] = {
    "v_stats_table1_current": {"unit": "unit", "agency": "agency", "week": "week_start"},
    "v_stats_table2_focus": {
        "unit": "unit",
        "agency": "agency",
        "week": "week_start",
        "focus": "focus_key",
        "violation": "violation_key",
    },
    "v_complaints_current": {
        "unit": "unit",
        "focus": "focus_key",
        "source": "source",
        "platform": "platform",
        "week": "CAST(date_trunc('week', received_at) AS DATE)",
        "day": "CAST(received_at AS DATE)",
        # 投诉分析 filters and breakdowns (issue 5)
        "online": "online",
        "goods": "goods_category",
        "problem": "coalesce(problem_category, price_violation)",  # 12358 has only its price violation
        "status": "status",
        "merchant": "merchant_key",
    },
    "v_hits_current": {
        "unit": "unit",
        "focus": "focus_key",
        "status": "status",
        "hit_type": "hit_type",
        "source_system": "source_system",
        "week": "CAST(date_trunc('week', detected_at) AS DATE)",
        # 监测线索 page (issue 5)
        "day": "CAST(detected_at AS DATE)",
        "subject_type": "subject_type",
        "platform": "platform",
        "merchant": "merchant_key",
    },
}

# Monitoring statuses that count as "disposed" (处置完毕). Source statuses are kept as written.
DISPOSED_STATUSES = ("已立案", "已整改", "不属实", "非本辖区")
COUNT = "count(*) FILTER (WHERE {f})"
SUM_VALUE = "coalesce(sum(value) FILTER (WHERE {f}), 0)"


_REGISTRIES: dict[tuple[str, str], dict[str, Metric]] = {}


def _registry(c: Campaign) -> dict[str, Metric]:
    """Built once per campaign definition: the 统计表 metrics come from the campaign file."""
    cache_key = (c.key, str(c.path))
    if cache_key not in _REGISTRIES:
        _REGISTRIES[cache_key] = _build(c)
    return _REGISTRIES[cache_key]


def _build(c: Campaign) -> dict[str, Metric]:
    week_end = "week_start + INTERVAL 6 DAY"
    metrics: list[Metric] = []
    for m in c.table1:
        metrics.append(
            Metric(
                m.key,
                m.label,
                m.unit,
                f"统计表1“{m.label}”各单位每周增量之和（当前有效版本）。",
                "v_stats_table1_current",
                SUM_VALUE,
                week_end,
                f"indicator_key = '{m.key}'",
                2 if m.kind == "amount" else 0,
            )
        )
    for m in c.table2_columns:
        metrics.append(
            Metric(
                f"t2_{m.key}",
                f"统计表2{m.label}",
                m.unit,
                f"统计表2各违法类型“{m.label}”之和（当前有效版本）。",
                "v_stats_table2_focus",
                SUM_VALUE,
                week_end,
                f"column_key = '{m.key}'",
                2 if m.kind == "amount" else 0,
            )
        )
    disposed = ", ".join(f"'{s}'" for s in DISPOSED_STATUSES)
    metrics += [
        Metric(
            "complaints_12315",
            "12315 投诉举报",
            "件",
            "12315 投诉、举报、咨询工单数（同一编号只计最新版本）。",
            "v_complaints_current",
            COUNT,
            "received_at",
            "source = 'complaints_12315'",
        ),
        Metric(
            "price_12358",
            "12358 价格举报",
            "件",
            "12358 价格举报件数（同一编号只计最新版本）。",
            "v_complaints_current",
            COUNT,
            "received_at",
            "source = 'price_12358'",
        ),
        Metric(
            "complaints_online",
            "网络消费投诉举报",
            "件",
            "12315 与 12358 中涉及网络交易的件数（消费方式或涉及平台表明为网购）。",
            "v_complaints_current",
            COUNT,
            "received_at",
            "online",
        ),
        Metric(
            "complaints_total",
            "投诉举报总数",
            "件",
            "12315 与 12358 的件数之和。",
            "v_complaints_current",
            COUNT,
            "received_at",
        ),
        Metric(
            "amount_involved",
            "涉及金额",
            "元",
            "投诉举报涉及（争议）金额之和。",
            "v_complaints_current",
            "coalesce(sum(amount_involved) FILTER (WHERE {f}), 0)",
            "received_at",
            decimals=2,
            display_scale=10_000,
            display_unit="万元",
            display_decimals=2,
        ),
        Metric(
            "recovered_loss",
            "挽回经济损失",
            "元",
            "为消费者挽回的经济损失之和。",
            "v_complaints_current",
            "coalesce(sum(recovered_loss) FILTER (WHERE {f}), 0)",
            "received_at",
            decimals=2,
            display_scale=10_000,
            display_unit="万元",
            display_decimals=2,
        ),
        Metric(
            "hits_received",
            "收到监测线索",
            "条",
            "网络交易监测线索条数（同一编号只计最新版本）。",
            "v_hits_current",
            COUNT,
            "detected_at",
        ),
        Metric(
            "hits_disposed",
            "已处置监测线索",
            "条",
            f"处置状态为 {'、'.join(DISPOSED_STATUSES)} 的线索条数。",
            "v_hits_current",
            "count(*) FILTER (WHERE {f})",
            "detected_at",
            f"status IN ({disposed})",
        ),
        Metric(
            "hit_disposal_rate",
            "线索处置率",
            "%",
            "已处置线索占收到线索的百分比。",
            "v_hits_current",
            "100.0 * count(*) FILTER (WHERE {f}) / nullif(count(*), 0)",
            "detected_at",
            f"status IN ({disposed})",
            decimals=1,
            additive=False,
        ),
        Metric(
            "hit_feedback_median_days",
            "发现至反馈用时中位数",
            "天",
            "已反馈线索从发现到反馈所用时间（自然日）的中位数。",
            "v_hits_current",
            "median(date_diff('second', detected_at, feedback_at) / 86400.0) FILTER (WHERE {f})",
            "detected_at",
            "feedback_at IS NOT NULL",
            decimals=1,
            additive=False,
        ),
    ]
    return {m.key: m for m in metrics}


def registry(c: Campaign) -> dict[str, Metric]:
    return _registry(c)


def get(c: Campaign, key: str) -> Metric:
    try:
        return _registry(c)[key]
    except KeyError:
        raise KeyError(f"未定义的指标：{key}") from None


def _exists(wh: Warehouse, relation: str) -> bool:
    with wh.read() as cur:
        return bool(
            cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [relation]).fetchone()[0]
        )


def scan_filter(
    relation: str, date_expr: str, as_of: dt.date | None, since: dt.date | None, where: dict[str, str] | None
) -> tuple[str, dict]:
    """The WHERE clause and parameters every figure over `relation` uses: as-of and since cut on the date,
    and each chosen dimension is a bound parameter (a tuple: any of its values, such as a status and its
    synonyms). Pages with their own SQL filter through this too, so they count exactly what the registry counts."""
    clauses = [
        f"($as_of IS NULL OR CAST({date_expr} AS DATE) <= $as_of)",
        f"($since IS NULL OR CAST({date_expr} AS DATE) >= $since)",
    ]
    params: dict = {"as_of": as_of, "since": since}
    dims = DIMENSIONS[relation]
    for i, (dim, wanted) in enumerate((where or {}).items()):
        if dim not in dims:
            raise ValueError(f"数据源 {relation} 不能按 {dim} 筛选")
        if isinstance(wanted, tuple):
            clauses.append(f"list_contains($w{i}, {dims[dim]})")
            params[f"w{i}"] = list(wanted)
        else:
            clauses.append(f"{dims[dim]} = $w{i}")
            params[f"w{i}"] = wanted
    return " AND ".join(clauses), params


def _grouping(wh: Warehouse, keys: list[str], by: Sequence[str]) -> tuple[list[Metric], str, str, dict[str, str]]:
    """The metrics, their shared relation and date, and its dimensions, for grouping `keys` by `by`."""
    ms = [get(wh.campaign, k) for k in keys]
    relation, date_expr = ms[0].relation, ms[0].date_expr
    if any((m.relation, m.date_expr) != (relation, date_expr) for m in ms):
        raise ValueError("同一次分组只能使用同一数据源的指标")
    dims = DIMENSIONS[relation]
    unknown = [d for d in by if d not in dims]
    if unknown:
        raise ValueError(f"数据源 {relation} 不能按 {'、'.join(unknown)} 分组")
    return ms, relation, date_expr, dims


def _empty(by: Sequence[str], keys: list[str]) -> pl.DataFrame:
    return pl.DataFrame(schema={d: pl.Utf8 for d in by} | {k: pl.Float64 for k in keys})


def spelled(c: Campaign, where: dict) -> dict:
    """A filter (dimension → value) whose status, a label users see, matches every word exports use for it (the
    campaign's synonyms): the same filter for 投诉分析 and 监测线索."""
    if "status" in where:
        spellings = c.status_spellings(where["status"])
        where = {**where, "status": spellings if len(spellings) > 1 else spellings[0]}
    return where


def breakdown(
    wh: Warehouse,
    keys: list[str],
    by: list[str],
    as_of: dt.date | None = None,
    *,
    since: dt.date | None = None,
    where: dict[str, str] | None = None,
) -> pl.DataFrame:
    """Several metrics of one relation in one scan, grouped by dimensions (`by` may be empty): one row per
    group, one column per metric key. Cumulative to `as_of` (None: all data)."""
    ms, relation, date_expr, dims = _grouping(wh, keys, by)
    if not _exists(wh, relation):
        return _empty(by, keys)
    clause, params = scan_filter(relation, date_expr, as_of, since, where)
    selects = [f"{dims[d]} AS {d}" for d in by] + [f"{m.sql} AS {m.key}" for m in ms]
    group = f" GROUP BY ALL ORDER BY {', '.join(by)}" if by else ""
    sql = f"SELECT {', '.join(selects)} FROM {relation} WHERE {clause}{group}"  # noqa: S608 - registry SQL only
    with wh.read() as cur:
        return cur.execute(sql, params).pl()


def breakdown_sets(
    wh: Warehouse,
    keys: list[str],
    sets: list[tuple[str, ...]],
    as_of: dt.date | None = None,
    *,
    since: dt.date | None = None,
    where: dict[str, str] | None = None,
) -> dict[tuple[str, ...], pl.DataFrame]:
    """Several groupings of the same metrics in ONE scan (SQL GROUPING SETS): for each set of dimensions, the
    frame `breakdown(wh, keys, list(that_set), …)` would return, computed together."""
    used = list(dict.fromkeys(d for group in sets for d in group))
    ms, relation, date_expr, dims = _grouping(wh, keys, used)
    if not _exists(wh, relation):
        return {g: _empty(g, keys) for g in sets}
    clause, params = scan_filter(relation, date_expr, as_of, since, where)
    grouping = ", ".join(f"({', '.join(dims[d] for d in g)})" for g in sets)
    selects = [f"GROUPING({', '.join(dims[d] for d in used)}) AS __set"]
    selects += [f"{dims[d]} AS {d}" for d in used] + [f"{m.sql} AS {m.key}" for m in ms]
    sql = f"SELECT {', '.join(selects)} FROM {relation} WHERE {clause} GROUP BY GROUPING SETS ({grouping})"  # noqa: S608
    with wh.read() as cur:
        df = cur.execute(sql, params).pl()
    out = {}
    for g in sets:
        # GROUPING(...) sets a bit, most significant first, for each listed dimension NOT grouped by.
        code = sum(1 << (len(used) - 1 - i) for i, d in enumerate(used) if d not in g)
        out[g] = df.filter(pl.col("__set") == code).select(*g, *keys).sort(list(g))
    return out


def value(
    wh: Warehouse,
    key: str,
    as_of: dt.date | None = None,
    *,
    since: dt.date | None = None,
    where: dict[str, str] | None = None,
) -> float:
    """One figure, cumulative to `as_of` (None: all data); 0 where the data does not exist yet."""
    result = breakdown(wh, [key], [], as_of, since=since, where=where)
    return rounded(get(wh.campaign, key), result[key][0] if result.height else None)


def rounded(m: Metric, raw: float | None) -> float:
    """A raw aggregate as `value` returns it: to the metric's decimals, 0 where there is no data."""
    if raw is None:
        return 0
    return round(float(raw), m.decimals) if m.decimals else round(raw)


def values(wh: Warehouse, keys: list[str], as_of: dt.date | None = None) -> dict[str, float]:
    return {k: value(wh, k, as_of) for k in keys}
