"""Summary tables: small, exact digests of the current records for the views most people open first.

- `complaint_day_counts`: complaints per source, day, online or not, unit, status and value of each other
  投诉分析 breakdown dimension, built in one GROUPING SETS scan from the registry's own metric and dimension
  definitions. It answers the 投诉分析 view and its cuts by date, source, online, unit and status; any other
  filter is counted live.
- `merchant_counts`: one row per source and merchant, for the top merchants and the cross-source leads when
  they look at all the data (an as-of date on or after the latest record); an earlier as-of date is counted live.

A figure read from a summary equals the live one (tests compare them). A summary records the live batches it
was built from; a reader that finds another set of live batches (an upload or a withdrawal since) rebuilds it
first, in one write transaction, so a stale summary is never read. The upload page (and `python -m metrics
refresh`) rebuilds them right after a change, so the next reader finds them ready. Any other code that changes
current records must call `invalidate` in its transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
import polars as pl

from campaign import Campaign
from metrics import registry
from warehouse import Warehouse, load_sql

COMPLAINT_DAYS = "complaint_day_counts"
MERCHANTS = "merchant_counts"
RELATION = "v_complaints_current"
DIMS = ("focus", "goods", "problem", "platform", "unit", "status")
CUTS = ("online", "unit", "status")  # filters the day summary answers, besides source and dates
KEYS = ("complaints_total", "complaints_online")


def _complaint_days_sql(c: Campaign) -> str:
    dims = registry.DIMENSIONS[RELATION]
    ms = [registry.get(c, k) for k in KEYS]
    if any(m.relation != RELATION for m in ms):
        raise ValueError("汇总表只能汇总投诉举报的指标")
    grouped = [d for d in DIMS if d not in CUTS]  # a cut (unit, status) is in every row already
    day, exprs = dims["day"], [dims[d] for d in grouped]
    which = " ".join(f"WHEN GROUPING({e}) = 0 THEN '{d}'" for d, e in zip(grouped, exprs, strict=True))
    value = " ".join(f"WHEN GROUPING({e}) = 0 THEN CAST({e} AS VARCHAR)" for e in exprs)
    cuts = ", ".join(dims[d] for d in CUTS)
    sets = ", ".join([f"(source, {day}, {cuts}, {e})" for e in exprs] + [f"(source, {day}, {cuts})"])
    return (
        f"INSERT INTO {COMPLAINT_DAYS} "  # noqa: S608 - registry SQL only
        f"SELECT source, {day}, {cuts}, CASE {which} END, CASE {value} END, {', '.join(m.sql for m in ms)} "
        f"FROM {RELATION} GROUP BY GROUPING SETS ({sets})"
    )


def merchant_counts_sql() -> str:
    """The rows of merchant_counts, counted live up to $as_of (the summary holds them for all the data)."""
    return load_sql("merchant_counts", __file__)


# table → (the batch kinds it digests, the statement that fills it and its parameters), both from the campaign:
# the day summary digests the complaint sources, the merchant summary every export source.
SUMMARIES: dict[str, tuple[Callable[[Campaign], tuple[str, ...]], Callable[[Campaign], tuple[str, dict]]]] = {
    COMPLAINT_DAYS: (lambda c: c.complaint_sources, lambda c: (_complaint_days_sql(c), {})),
    MERCHANTS: (
        lambda c: c.export_kinds,
        lambda c: (f"INSERT INTO {MERCHANTS} {merchant_counts_sql()}", {"as_of": dt.date.max}),
    ),
}


def _signature(cur: duckdb.DuckDBPyConnection, kinds: tuple[str, ...]) -> str:
    (sig,) = cur.execute(
        "SELECT coalesce(string_agg(CAST(batch_id AS VARCHAR), ',' ORDER BY batch_id), '') FROM batches "
        "WHERE status = 'loaded' AND kind IN (SELECT unnest($kinds))",
        {"kinds": list(kinds)},
    ).fetchone()
    return sig


def _stale(cur: duckdb.DuckDBPyConnection, c: Campaign) -> list[str]:
    built = dict(cur.execute("SELECT name, signature FROM summary_state").fetchall())
    return [t for t, (kinds, _) in SUMMARIES.items() if built.get(t) != _signature(cur, kinds(c))]


def refresh(wh: Warehouse) -> list[str]:
    """Rebuild every summary whose live batches changed since it was built; the tables rebuilt."""
    with wh.read() as cur:
        if not _stale(cur, wh.campaign):
            return []
    with wh.transaction(bump_version=False) as cur:  # a digest of data already there: nothing new to see
        stale = _stale(cur, wh.campaign)
        for table in stale:
            kinds, build = SUMMARIES[table]
            cur.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant
            cur.execute(*build(wh.campaign))
            cur.execute("DELETE FROM summary_state WHERE name = ?", [table])
            cur.execute(
                "INSERT INTO summary_state (name, signature, built_at) VALUES (?, ?, current_timestamp)",
                [table, _signature(cur, kinds(wh.campaign))],
            )
    return stale


def invalidate(cur: duckdb.DuckDBPyConnection) -> None:
    """For a change to current records that is not a load or a withdrawal (which change the live batches by
    themselves): call inside the changing transaction, and every summary is rebuilt before it is read again."""
    cur.execute("DELETE FROM summary_state")


def merchants_cover(wh: Warehouse, as_of: dt.date | None) -> bool:
    """Whether merchant_counts holds exactly the records up to as_of: none of them is later than it."""
    refresh(wh)
    with wh.read() as cur:
        (latest,) = cur.execute(f"SELECT CAST(max(last_at) AS DATE) FROM {MERCHANTS}").fetchone()  # noqa: S608
    return as_of is None or latest is None or as_of >= latest


def covers(where: dict) -> bool:
    """Whether the day summary can answer a filter: by source, online and unit (and any date range)."""
    return set(where) <= {"source", *CUTS}


def complaint_cube(
    wh: Warehouse, sets: list[tuple[str, ...]], since: dt.date | None, until: dt.date | None, where: dict
) -> dict[tuple[str, ...], pl.DataFrame]:
    """The frames registry.breakdown_sets(wh, KEYS, sets, …) would give, read from the summary. Each set is
    ("day",) or ("week", dim)."""
    if not covers(where):
        raise ValueError(f"汇总表不能按 {'、'.join(set(where) - {'source', *CUTS})} 筛选")
    refresh(wh)
    clause = " AND ".join(
        ["($since IS NULL OR day >= $since)", "($until IS NULL OR day <= $until)"]
        + [f"(${k} IS NULL OR list_contains(${k}, {k}))" for k in ("source", *CUTS)]
    )
    # each cut as a list of the values it admits (a tuple: any of them, such as a status and its synonyms)
    params = {"since": since, "until": until} | {
        k: None if where.get(k) is None else list(v if isinstance(v := where[k], tuple) else (v,))
        for k in ("source", *CUTS)
    }
    sums = ", ".join(f"CAST(sum({k}) AS BIGINT) AS {k}" for k in KEYS)
    out = {}
    with wh.read() as cur:
        for group in sets:
            if group == ("day",):
                sql = (
                    f"SELECT day, {sums} FROM {COMPLAINT_DAYS} "  # noqa: S608 - registry SQL only
                    f"WHERE dim IS NULL AND {clause} GROUP BY day ORDER BY day"
                )
                out[group] = cur.execute(sql, params).pl()
            elif len(group) == 2 and group[0] == "week" and group[1] in DIMS:
                dim = group[1]
                # a cut dimension is a column of the totals rows; the others are (dim, value) rows
                value, rows = (dim, "dim IS NULL") if dim in CUTS else ("value", f"dim = '{dim}'")
                sql = (
                    f"SELECT CAST(date_trunc('week', day) AS DATE) AS week, {value} AS {dim}, {sums} "  # noqa: S608
                    f"FROM {COMPLAINT_DAYS} WHERE {rows} AND {clause} GROUP BY ALL ORDER BY week, {dim}"
                )
                out[group] = cur.execute(sql, params).pl()
            else:
                raise ValueError(f"汇总表没有分组 {group}")
    return out
