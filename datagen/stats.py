"""Filled-in weekly 情况统计表 the way units really send them, for tests and the demo dataset.

`write_filled_table(path, unit, agency, week, seed=...)` writes one .xlsx (统计表1 and 统计表2) with
consistent values (Σ 统计表2 = 统计表1 for cases, case value and fines). Keyword switches reproduce the
variations seen in the wild: offset tables, merged titles, alternative labels (指标名称/本期数), shuffled rows,
a 合计 row, full-width digits, "—"//"/" for zero, "12.5万元" or "125000元" in amount cells, numbers typed as
text, a Chinese-style 统计周期, both tables on one sheet. Same arguments, same file.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from campaign import Campaign, load_campaign

FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def reporter_name(c: Campaign, unit: str, agency: str) -> str:
    """A realistic 填报单位 line value: 武进区市场监督管理局, 常州市市场监督管理局, 常州市公安局."""
    if c.agency(agency).lead:
        return "常州市市场监督管理局" if unit == "city" else f"{c.unit(unit).label}市场监督管理局"
    label = c.agency(agency).label
    return "常州" + label if label.startswith("市") else label


def generate_values(
    c: Campaign, unit: str, agency: str, week: dt.date, seed: int = 0, scale: float = 1.0
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Deterministic, internally consistent values for one unit and week."""
    rnd = random.Random(f"{seed}|{unit}|{agency}|{week.isoformat()}")
    table2: dict[str, dict[str, float]] = {}
    for v in c.violation_types:
        filed = rnd.choice([0, 0, 1, 1, 2, 3]) if rnd.random() < 0.8 * scale + 0.1 else 0
        closed = rnd.randint(0, filed)
        value = round(filed * rnd.uniform(1.5, 12.0), 2) if filed else 0.0
        fines = round(value * rnd.uniform(0.1, 0.6), 2) if filed else 0.0
        transferred = 1 if filed and rnd.random() < 0.08 else 0
        table2[v.key] = {
            "cases_filed": float(filed),
            "cases_closed": float(closed),
            "case_value": value,
            "fines": fines,
            "cases_transferred": float(transferred),
        }
    t2sum = {k: round(sum(row[k] for row in table2.values()), 2) for k in next(iter(table2.values()))}
    table1 = {
        "staff_deployed": float(rnd.randint(20, 90)),
        "sites_checked_online": float(rnd.randint(100, 450)),
        "operators_inspected_onsite": float(rnd.randint(5, 60)),
        "postal_inspected": float(rnd.randint(0, 10)),
        "listings_removed": float(rnd.randint(0, 120)),
        "sites_ordered_rectify": float(rnd.randint(0, 10)),
        "shops_suspended": float(rnd.randint(0, 3)),
        "sites_closure_requested": float(rnd.randint(0, 4)),
        "cases_filed": t2sum["cases_filed"],
        "case_value": t2sum["case_value"],
        "fines": t2sum["fines"],
        "cases_transferred": t2sum["cases_transferred"],
        "joint_actions": float(rnd.randint(0, 2)),
    }
    return {m.key: table1.get(m.key, 0.0) for m in c.table1}, table2


def _cell_value(value: float, kind: str, *, rnd: random.Random, style: dict) -> object:
    """How a unit typed the number."""
    if value == 0 and style.get("zero_as") is not None and rnd.random() < 0.5:
        return style["zero_as"]
    text = f"{value:.2f}".rstrip("0").rstrip(".") if kind == "amount" else str(int(value))
    if kind == "amount" and style.get("yuan") and rnd.random() < 0.5:
        return f"{round(value * 10000)}元"
    if kind == "amount" and style.get("wan_suffix") and rnd.random() < 0.5:
        return f"{text}万元"
    if style.get("fullwidth") and rnd.random() < 0.5:
        return text.translate(FULL_WIDTH)
    if style.get("as_text"):
        return text
    return float(text) if kind == "amount" else int(value)


def write_filled_table(
    path: str | Path,
    unit: str,
    agency: str = "aic",
    week: dt.date | str = dt.date(2018, 8, 6),
    table1: dict[str, float] | None = None,
    table2: dict[str, dict[str, float]] | None = None,
    *,
    seed: int = 0,
    campaign: Campaign | None = None,
    start_row: int = 1,
    start_col: int = 1,
    alt_labels: bool = False,
    shuffle: bool = False,
    total_row: bool = False,
    total_override: dict[str, float] | None = None,
    fullwidth: bool = False,
    zero_as: str | None = None,
    wan_suffix: bool = False,
    yuan: bool = False,
    as_text: bool = False,
    period_style: str = "iso",
    reporter: str | None = None,
    period: str | None = None,
    one_sheet: bool = False,
    omit_table: int | None = None,
    blank_rows: bool = False,
    sheet_names: tuple[str, str] = ("统计表1", "统计表2"),
) -> Path:
    """Write one filled weekly table. Values default to `generate_values(...)`; style switches as above.
    `reporter`/`period` override the header texts ("" leaves them out)."""
    from openpyxl import Workbook

    c = campaign or load_campaign()
    week = dt.date.fromisoformat(week) if isinstance(week, str) else week
    gen1, gen2 = generate_values(c, unit, agency, week, seed)
    table1 = {**gen1, **(table1 or {})}
    table2 = {k: {**gen2[k], **(table2 or {}).get(k, {})} for k in gen2}
    rnd = random.Random(f"style|{seed}|{unit}|{week}")
    style = {"zero_as": zero_as, "wan_suffix": wan_suffix, "yuan": yuan, "fullwidth": fullwidth, "as_text": as_text}
    end = week + dt.timedelta(days=6)
    if period is None:
        period = (
            f"{week.year}年{week.month}月{week.day}日至{end.month}月{end.day}日"
            if period_style == "chinese"
            else f"{week:%Y-%m-%d}至{end:%Y-%m-%d}"
        )
    reporter = reporter_name(c, unit, agency) if reporter is None else reporter

    wb = Workbook()
    ws1 = wb.active
    ws1.title = sheet_names[0]
    ws2 = ws1 if one_sheet else wb.create_sheet(sheet_names[1])
    r0, c0 = start_row, start_col

    def header_block(ws, title: str, row: int, width: int) -> int:
        ws.cell(row, c0, title)
        ws.merge_cells(start_row=row, start_column=c0, end_row=row, end_column=c0 + width - 1)
        if reporter != "":
            ws.cell(row + 1, c0, f"填报单位：{reporter}")
        if period != "":
            ws.cell(row + 1, c0 + 2, f"统计周期：{period}")
        ws.cell(row + 2, c0, "填报人：张三    联系电话：0519-12345678")
        return row + 4

    row = r0
    if omit_table != 1:
        row = header_block(ws1, c.table1_title, row, 4)
        heads = ["序号", "指标名称" if alt_labels else "指标", "计量单位" if alt_labels else "单位"]
        heads.append("本期数" if alt_labels else "本周数")
        for j, h in enumerate(heads):
            ws1.cell(row, c0 + j, h)
        indicators = list(c.table1)
        if shuffle:
            random.Random(seed).shuffle(indicators)
        for i, m in enumerate(indicators, 1):
            row += 1
            if blank_rows and i == 5:
                row += 1
            ws1.cell(row, c0, i)
            ws1.cell(row, c0 + 1, m.label)
            ws1.cell(row, c0 + 2, m.unit)
            ws1.cell(row, c0 + 3, _cell_value(table1[m.key], m.kind, rnd=rnd, style=style))
        row += 2
        ws1.cell(row, c0, "注：本表数据为本周新增数，金额单位为万元。")
        row += 2
    if not one_sheet:
        row = r0
    if omit_table != 2:
        row = header_block(ws2, c.table2_title, row, 7)
        heads = ["重点工作", "违法类型"] + [f"{m.label}({m.unit})" for m in c.table2_columns]
        for j, h in enumerate(heads):
            ws2.cell(row, c0 + j, h)
        types = list(c.violation_types)
        if shuffle:
            random.Random(seed + 1).shuffle(types)
        focus = {f.key: f.label for f in c.focus_areas}
        for v in types:
            row += 1
            ws2.cell(row, c0, focus[v.focus])
            ws2.cell(row, c0 + 1, v.label)
            for j, m in enumerate(c.table2_columns):
                ws2.cell(row, c0 + 2 + j, _cell_value(table2[v.key][m.key], m.kind, rnd=rnd, style=style))
        if total_row:
            row += 1
            ws2.cell(row, c0, "合计")
            for j, m in enumerate(c.table2_columns):
                total = round(sum(table2[v.key][m.key] for v in c.violation_types), 2)
                total = (total_override or {}).get(m.key, total)
                ws2.cell(row, c0 + 2 + j, total if m.kind == "amount" else int(total))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_demo_tables(
    folder: str | Path,
    *,
    seed: int = 0,
    until: dt.date | None = None,
    reporters: list[tuple[str, str]] | None = None,
    skip: float = 0.05,
) -> list[tuple[Path, str, str, dt.date, dt.date]]:
    """One filled table per reporter and report week (Sunday ≤ `until`), a few deliberately missing.
    Returns (path, unit, agency, week, received_on) for each; received_on is usually on time, sometimes late."""
    c = load_campaign()
    rnd = random.Random(seed)
    reporters = reporters or [(u.key, "aic") for u in c.units]
    out = []
    folder = Path(folder)
    from campaign.calendar import WorkCalendar

    cal = WorkCalendar()
    for week in c.report_weeks():
        if until is not None and week + dt.timedelta(days=6) > until:
            break
        due = cal.week_due(week, c.due_working_days_after_week)
        for unit, agency in reporters:
            if rnd.random() < skip:
                continue
            late = rnd.random() < 0.15
            received = (
                cal.next_workday_after(due, rnd.randint(1, 3)) if late else due - dt.timedelta(days=rnd.randint(0, 1))
            )
            path = folder / f"统计表_{unit}_{agency}_{week:%Y-%m-%d}.xlsx"
            write_filled_table(path, unit, agency, week, seed=seed, campaign=c)
            out.append((path, unit, agency, week, received))
    return out
