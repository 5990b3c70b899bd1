"""Summary tables: small, exact digests of the current records for the views most people open first.

`complaint_day_counts` holds complaints per source, day and value of each 投诉分析 breakdown dimension, built in
one GROUPING SETS scan from the registry's own metric and dimension definitions, so a figure read from it
equals the live one (tests compare them). It answers the unfiltered 投诉分析 view and its source and date-range
cuts; any other filter is counted live.

A summary records the live batches it was built from. A reader that finds another set of live batches (an
upload or a withdrawal since) rebuilds it first, in one write transaction, so a stale summary is never read.
The upload page rebuilds it right after a change, so the next reader finds it ready.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from campaign import Campaign
from metrics import registry
from warehouse import Warehouse

COMPLAINT_DAYS = "complaint_day_counts"
RELATION = "v_complaints_current"
SOURCES = ("complaints_12315", "price_12358")
DIMS = ("focus", "goods", "problem", "platform", "unit", "status")
KEYS = ("complaints_total", "complaints_online")


def _signature(cur: duckdb.DuckDBPyConnection) -> str:
    (sig,) = cur.execute(
        "SELECT coalesce(string_agg(CAST(batch_id AS VARCHAR), ',' ORDER BY batch_id), '') FROM batches "
        "WHERE status = 'loaded' AND kind IN (SELECT unnest($kinds))",
        {"kinds": list(SOURCES)},
    ).fetchone()
    return sig


def _is_fresh(cur: duckdb.DuckDBPyConnection) -> bool:
    row = cur.execute("SELECT signature FROM summary_state WHERE name = ?", [COMPLAINT_DAYS]).fetchone()
    return row is not None and row[0] == _signature(cur)


def _build_sql(c: Campaign) -> str:
    dims = registry.DIMENSIONS[RELATION]
    ms = [registry.get(c, k) for k in KEYS]
    if any(m.relation != RELATION for m in ms):
        raise ValueError("汇总表只能汇总投诉举报的指标")
    day, exprs = dims["day"], [dims[d] for d in DIMS]
    which = " ".join(f"WHEN GROUPING({e}) = 0 THEN '{d}'" for d, e in zip(DIMS, exprs, strict=True))
    value = " ".join(f"WHEN GROUPING({e}) = 0 THEN CAST({e} AS VARCHAR)" for e in exprs)
    sets = ", ".join([f"(source, {day}, {e})" for e in exprs] + [f"(source, {day})"])
    return (
        f"INSERT INTO {COMPLAINT_DAYS} "  # noqa: S608 - registry SQL only
        f"SELECT source, {day}, CASE {which} END, CASE {value} END, {', '.join(m.sql for m in ms)} "
        f"FROM {RELATION} GROUP BY GROUPING SETS ({sets})"
    )


def refresh(wh: Warehouse) -> bool:
    """Rebuild the summary if the live batches changed since it was built. True when it was rebuilt."""
    with wh.read() as cur:
        if _is_fresh(cur):
            return False
    with wh.transaction(bump_version=False) as cur:  # a digest of data already there: nothing new to see
        if _is_fresh(cur):
            return False
        cur.execute(f"DELETE FROM {COMPLAINT_DAYS}")  # noqa: S608 - a constant
        cur.execute(_build_sql(wh.campaign))
        cur.execute(
            "INSERT OR REPLACE INTO summary_state (name, signature) VALUES (?, ?)", [COMPLAINT_DAYS, _signature(cur)]
        )
    return True


def covers(where: dict) -> bool:
    """Whether the summary can answer a filter: by source only (plus any date range)."""
    return set(where) <= {"source"}


def complaint_cube(
    wh: Warehouse, sets: list[tuple[str, ...]], since: dt.date | None, until: dt.date | None, where: dict
) -> dict[tuple[str, ...], pl.DataFrame]:
    """The frames registry.breakdown_sets(wh, KEYS, sets, …) would give, read from the summary. Each set is
    ("day",) or ("week", dim)."""
    if not covers(where):
        raise ValueError(f"汇总表不能按 {'、'.join(set(where) - {'source'})} 筛选")
    refresh(wh)
    clause = "($since IS NULL OR day >= $since) AND ($until IS NULL OR day <= $until) AND ($source IS NULL OR source = $source)"
    params = {"since": since, "until": until, "source": where.get("source")}
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
                sql = (
                    f"SELECT CAST(date_trunc('week', day) AS DATE) AS week, value AS {dim}, {sums} "  # noqa: S608
                    f"FROM {COMPLAINT_DAYS} WHERE dim = $dim AND {clause} GROUP BY ALL ORDER BY week, {dim}"
                )
                out[group] = cur.execute(sql, params | {"dim": dim}).pl()
            else:
                raise ValueError(f"汇总表没有分组 {group}")
    return out
