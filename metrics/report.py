"""The city's upward report: 统计表1 and 统计表2 in the official layout, cumulative to an as-of date.

Sheets: 统计表1 (one row per unit, a 合计 row), 统计表2 (one row per violation type grouped by focus area,
a 合计 row), 统计表2（分单位） (统计表2 broken down by unit, with a 小计 per unit and a 合计). Every figure is
the sum of the current weekly versions of the weeks whose Sunday is on or before the as-of date (the same
numbers as district_summary). Numbers are written as numbers; 万元 with two decimals.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from metrics.district import district_summary, table1_by_unit, table2_by_unit
from warehouse import Warehouse

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _number(cell, value: float, kind: str) -> None:
    cell.value = round(float(value), 2) if kind == "amount" else round(value)
    cell.number_format = "0.00" if kind == "amount" else "0"
    cell.border = BOX


def _heading(ws, title: str, office: str, as_of: dt.date, width: int) -> int:
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, f"填报单位：{office}")
    ws.cell(3, 1, f"统计截止日期：{as_of:%Y年%m月%d日}")
    ws.cell(3, 1).number_format = "@"
    return 5


def _header_row(ws, row: int, labels: list[str]) -> None:
    for j, label in enumerate(labels, 1):
        cell = ws.cell(row, j, label)
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), HEAD_FILL, BOX, CENTER


def build_report(wh: Warehouse, as_of: dt.date, unit: str | None = None) -> Workbook:
    """The city's workbook, or with `unit` one unit's (its rows only; its 合计 is its own total)."""
    c = wh.campaign
    by_unit1 = table1_by_unit(wh, as_of)
    by_unit2 = table2_by_unit(wh, as_of)
    if unit is None:
        units, summary = c.units, district_summary(wh, as_of)
    else:
        units, summary = [c.unit(unit)], {"table1": by_unit1[unit], "table2": by_unit2[unit]}
    office = c.office if unit is None else c.unit_label(unit)
    focus = {f.key: f.label for f in c.focus_areas}
    wb = Workbook()

    # 统计表1: one row per unit.
    ws = wb.active
    ws.title = "统计表1"
    width = 2 + len(c.table1)
    row = _heading(ws, c.table1_title, office, as_of, width)
    _header_row(ws, row, ["序号", "填报单位"] + [f"{m.label}（{m.unit}）" for m in c.table1])
    for i, u in enumerate(units, 1):
        row += 1
        ws.cell(row, 1, i).border = BOX
        ws.cell(row, 2, u.label).border = BOX
        for j, m in enumerate(c.table1, 3):
            _number(ws.cell(row, j), by_unit1[u.key][m.key], m.kind)
    row += 1
    ws.cell(row, 1, "合计").font = Font(bold=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    for j, m in enumerate(c.table1, 3):
        cell = ws.cell(row, j)
        _number(cell, summary["table1"][m.key], m.kind)
        cell.font, cell.fill = Font(bold=True), TOTAL_FILL
    ws.cell(
        row + 2, 1, "注：数据为行动开始至统计截止日期各单位周报累计数；市本级含市级成员单位报送数；金额单位为万元。"
    )
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 12
    for j in range(3, width + 1):
        ws.column_dimensions[get_column_letter(j)].width = 13
    ws.row_dimensions[5].height = 48

    # 统计表2: one row per violation type.
    ws = wb.create_sheet("统计表2")
    width = 2 + len(c.table2_columns)
    row = _heading(ws, c.table2_title, office, as_of, width)
    _header_row(ws, row, ["重点工作", "违法类型"] + [f"{m.label}（{m.unit}）" for m in c.table2_columns])
    group_start, current_focus = None, None
    for v in c.violation_types:
        row += 1
        if v.focus != current_focus:
            if group_start is not None and row - 1 > group_start:
                ws.merge_cells(start_row=group_start, start_column=1, end_row=row - 1, end_column=1)
            group_start, current_focus = row, v.focus
            ws.cell(row, 1, focus[v.focus]).alignment = CENTER
        ws.cell(row, 1).border = BOX
        ws.cell(row, 2, v.label).border = BOX
        for j, m in enumerate(c.table2_columns, 3):
            _number(ws.cell(row, j), summary["table2"][v.key][m.key], m.kind)
    if group_start is not None and row > group_start:
        ws.merge_cells(start_row=group_start, start_column=1, end_row=row, end_column=1)
    row += 1
    ws.cell(row, 1, "合计").font = Font(bold=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    for j, m in enumerate(c.table2_columns, 3):
        total = sum(summary["table2"][v.key][m.key] for v in c.violation_types)
        cell = ws.cell(row, j)
        _number(cell, total, m.kind)
        cell.font, cell.fill = Font(bold=True), TOTAL_FILL
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 40
    for j in range(3, width + 1):
        ws.column_dimensions[get_column_letter(j)].width = 14

    # 统计表2 by unit.
    ws = wb.create_sheet("统计表2（分单位）")
    width = 3 + len(c.table2_columns)
    row = _heading(ws, f"{c.table2_title}（分单位）", office, as_of, width)
    _header_row(ws, row, ["填报单位", "重点工作", "违法类型"] + [f"{m.label}（{m.unit}）" for m in c.table2_columns])
    for u in units:
        for v in c.violation_types:
            row += 1
            ws.cell(row, 1, u.label).border = BOX
            ws.cell(row, 2, focus[v.focus]).border = BOX
            ws.cell(row, 3, v.label).border = BOX
            for j, m in enumerate(c.table2_columns, 4):
                _number(ws.cell(row, j), by_unit2[u.key][v.key][m.key], m.kind)
        row += 1
        ws.cell(row, 1, u.label).border = BOX
        ws.cell(row, 2, "小计").font = Font(bold=True)
        for j, m in enumerate(c.table2_columns, 4):
            cell = ws.cell(row, j)
            _number(cell, sum(by_unit2[u.key][v.key][m.key] for v in c.violation_types), m.kind)
            cell.font, cell.fill = Font(bold=True), TOTAL_FILL
    row += 1
    ws.cell(row, 1, "合计").font = Font(bold=True)
    for j, m in enumerate(c.table2_columns, 4):
        cell = ws.cell(row, j)
        _number(cell, sum(summary["table2"][v.key][m.key] for v in c.violation_types), m.kind)
        cell.font, cell.fill = Font(bold=True), TOTAL_FILL
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 26
    ws.column_dimensions["C"].width = 40
    for j in range(4, width + 1):
        ws.column_dimensions[get_column_letter(j)].width = 14
    ws.freeze_panes = "D6"
    return wb


def report_bytes(wh: Warehouse, as_of: dt.date) -> bytes:
    """The report as .xlsx bytes, for the page's download button."""
    buf = io.BytesIO()
    build_report(wh, as_of).save(buf)
    return buf.getvalue()


def report_file_name(wh: Warehouse, as_of: dt.date) -> str:
    return f"{wh.campaign.short_name}情况统计表_全市汇总_截至{as_of:%Y-%m-%d}.xlsx"


def write_report(wh: Warehouse, as_of: dt.date, out_path: str | Path) -> Path:
    """`python -m metrics report --as-of DATE --out FILE.xlsx`."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(report_bytes(wh, as_of))
    return out
