"""The warnings a weekly table is loaded with (it is never refused for them): 统计表2 not adding up to 统计表1, a
合计 row that disagrees, a missing row, a value far above the unit's usual weeks."""

from __future__ import annotations

import datetime as dt
import statistics

import duckdb

from campaign import Campaign
from loaders.result import Problem
from loaders.weekly.parse import ParsedStats
from warehouse import load_sql

# "Far above the unit's usual weeks": more than FAR_ABOVE_FACTOR × the median of its other weeks
# (a median below 1 counts as 1), judged only once the unit has MIN_HISTORY_WEEKS other weeks.
FAR_ABOVE_FACTOR = 5
MIN_HISTORY_WEEKS = 3
AMOUNT_TOLERANCE = 0.005  # 万元: amounts are kept to two decimals


def _fmt(value: float, kind: str) -> str:
    return f"{value:.2f}" if kind == "amount" else f"{value:.0f}"


def check_warnings(c: Campaign, parsed: ParsedStats) -> list[tuple[str, Problem]]:
    """The warnings a table carries on its own: 统计表2 vs 统计表1, 合计 rows, missing rows."""
    out: list[tuple[str, Problem]] = []
    m1 = {m.key: m for m in c.table1}
    m2 = {m.key: m for m in c.table2_columns}
    for key in c.table2_reconcile:
        total2 = sum(row.get(key, 0.0) for row in parsed.table2.values())
        value1 = parsed.table1.get(key, 0.0)
        tol = AMOUNT_TOLERANCE if m1[key].kind == "amount" else 0.5
        if abs(total2 - value1) > tol:
            cell = parsed.table1_cells.get(key)
            out.append(
                (
                    "reconcile",
                    Problem(
                        f"统计表2各违法类型“{m2[key].label}”之和为 {_fmt(total2, m1[key].kind)}{m1[key].unit}，"
                        f"与统计表1“{m1[key].label}”{_fmt(value1, m1[key].kind)}{m1[key].unit} 不一致",
                        row=cell.row if cell else None,
                        column=cell.header if cell else None,
                        sheet=cell.sheet if cell else parsed.table1_sheet,
                    ),
                )
            )
    for total in parsed.totals:
        for key, (given, cell) in total.values.items():
            if given is None:
                continue  # an empty 合计 cell (e.g. a formula never calculated) claims nothing
            actual = sum(row.get(key, 0.0) for row in parsed.table2.values())
            tol = AMOUNT_TOLERANCE if m2[key].kind == "amount" else 0.5
            if abs(given - actual) > tol:
                out.append(
                    (
                        "total_row",
                        Problem(
                            f"工作表“{total.sheet}”第{total.row}行{cell.col}列：合计行“{m2[key].label}”为 "
                            f"{_fmt(given, m2[key].kind)}{m2[key].unit}，各行之和为 {_fmt(actual, m2[key].kind)}{m2[key].unit}"
                            "（合计行不计入统计，以各行数据为准）",
                            row=total.row,
                            column=cell.header,
                            sheet=total.sheet,
                        ),
                    )
                )
    vt = {v.key: v.label for v in c.violation_types}
    for table_no, key, sheet in parsed.missing_rows:
        if table_no == 1:
            what = f"统计表1缺少指标“{m1[key].label}”，按 0 计"
        elif key.startswith("*."):
            what = f"统计表2缺少“{m2[key[2:]].label}”列，按 0 计"
        else:
            what = f"统计表2缺少违法类型“{vt[key]}”，按 0 计"
        out.append(("missing_row", Problem(what, sheet=sheet)))
    return out


def far_above_warnings(
    cur: duckdb.DuckDBPyConnection, c: Campaign, parsed: ParsedStats, unit: str, agency: str, week: dt.date
) -> list[tuple[str, Problem]]:
    """统计表1 values far above this unit's other current weeks."""
    rows = cur.execute(load_sql("stats_unit_history", __file__), [unit, agency, week]).fetchall()
    history: dict[str, list[float]] = {}
    for key, value in rows:
        history.setdefault(key, []).append(value)
    out = []
    for m in c.table1:
        past = history.get(m.key, [])
        value = parsed.table1.get(m.key, 0.0)
        if len(past) < MIN_HISTORY_WEEKS:
            continue
        median = statistics.median(past)
        if value > FAR_ABOVE_FACTOR * max(median, 1.0):
            cell = parsed.table1_cells.get(m.key)
            out.append(
                (
                    "far_above",
                    Problem(
                        f"统计表1“{m.label}”本周为 {_fmt(value, m.kind)}{m.unit}，远高于该单位以往 {len(past)} 周的中位数 "
                        f"{_fmt(median, m.kind)}{m.unit}（超过 {FAR_ABOVE_FACTOR} 倍），请核实",
                        row=cell.row if cell else None,
                        column=cell.header if cell else None,
                        sheet=cell.sheet if cell else parsed.table1_sheet,
                    ),
                )
            )
    return out
