"""The weekly 统计表 template: an .xlsx with both tables for one unit and week, ready to fill in.

填报单位 and 统计周期 are filled in, labels are protected (only value cells, 填报人 and 联系电话 are
editable), and every value cell only accepts numbers ≥ 0 (whole numbers for counts). The labels are the
campaign's own, so a filled template always loads back.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from campaign import Campaign
from loaders.weekly.identity import reporter_label

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
UNLOCKED = Protection(locked=False)


def template_file_name(c: Campaign, unit: str, agency: str, week: dt.date) -> str:
    return f"统计表模板_{reporter_label(c, unit, agency)}_{week:%Y-%m-%d}.xlsx"


def _validations(ws, kind_cells: dict[str, list[str]]) -> None:
    counts = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值不正确",
        error="请填写不小于 0 的整数。",
    )
    amounts = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值不正确",
        error="请填写不小于 0 的金额（万元）。",
    )
    for dv, key in ((counts, "count"), (amounts, "amount")):
        for ref in kind_cells.get(key, []):
            dv.add(ref)
        if kind_cells.get(key):
            ws.add_data_validation(dv)


def _head(ws, c: Campaign, title: str, unit: str, agency: str, week: dt.date, width: int) -> None:
    end = week + dt.timedelta(days=6)
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, f"填报单位：{reporter_label(c, unit, agency)}")
    ws.cell(2, 3, f"统计周期：{week:%Y-%m-%d}至{end:%Y-%m-%d}")
    ws.cell(3, 1, "填报人：")
    ws.cell(3, 2).protection = UNLOCKED
    ws.cell(3, 2).fill = INPUT_FILL
    ws.cell(3, 3, "联系电话：")
    ws.cell(3, 4).protection = UNLOCKED
    ws.cell(3, 4).fill = INPUT_FILL


def build_template(c: Campaign, unit: str, agency: str, week: dt.date) -> bytes:
    """The template for one (unit, agency, week) as .xlsx bytes."""
    c.unit(unit), c.agency(agency)  # unknown keys fail loudly
    if week not in c.report_weeks():
        raise ValueError(f"{week} 不是本次行动的报告周")
    wb = Workbook()
    ws1 = wb.active
    ws1.title = "统计表1"
    _head(ws1, c, c.table1_title, unit, agency, week, 4)
    for j, h in enumerate(["序号", "指标", "单位", "本周数"], 1):
        cell = ws1.cell(5, j, h)
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
    kinds: dict[str, list[str]] = {"count": [], "amount": []}
    for i, m in enumerate(c.table1, 1):
        r = 5 + i
        for j, v in enumerate([i, m.label, m.unit], 1):
            ws1.cell(r, j, v).border = BOX
        cell = ws1.cell(r, 4)
        cell.protection, cell.fill, cell.border = UNLOCKED, INPUT_FILL, BOX
        cell.number_format = "0.00" if m.kind == "amount" else "0"
        kinds[m.kind].append(cell.coordinate)
    ws1.cell(7 + len(c.table1), 1, "注：本表数据为本周新增数，金额单位为万元；无数据填 0。")
    _validations(ws1, kinds)
    for col, width in zip("ABCD", (6, 34, 8, 12), strict=True):
        ws1.column_dimensions[col].width = width

    ws2 = wb.create_sheet("统计表2")
    ncols = 2 + len(c.table2_columns)
    _head(ws2, c, c.table2_title, unit, agency, week, ncols)
    heads = ["重点工作", "违法类型"] + [f"{m.label}({m.unit})" for m in c.table2_columns]
    for j, h in enumerate(heads, 1):
        cell = ws2.cell(5, j, h)
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, horizontal="center")
    focus = {f.key: f.label for f in c.focus_areas}
    kinds = {"count": [], "amount": []}
    first = 6
    for i, v in enumerate(c.violation_types):
        r = first + i
        ws2.cell(r, 1, focus[v.focus]).border = BOX
        ws2.cell(r, 2, v.label).border = BOX
        for j, m in enumerate(c.table2_columns, 3):
            cell = ws2.cell(r, j)
            cell.protection, cell.fill, cell.border = UNLOCKED, INPUT_FILL, BOX
            cell.number_format = "0.00" if m.kind == "amount" else "0"
            kinds[m.kind].append(cell.coordinate)
    last = first + len(c.violation_types) - 1
    total = last + 1
    ws2.cell(total, 1, "合计").font = Font(bold=True)
    for j, m in enumerate(c.table2_columns, 3):
        letter = get_column_letter(j)
        cell = ws2.cell(total, j, f"=SUM({letter}{first}:{letter}{last})")
        cell.font, cell.border = Font(bold=True), BOX
        cell.number_format = "0.00" if m.kind == "amount" else "0"
    ws2.cell(total + 2, 1, "注：立案、案值、罚没金额的各行之和应与统计表1一致；合计行自动计算，不计入统计。")
    _validations(ws2, kinds)
    ws2.column_dimensions["A"].width = 28
    ws2.column_dimensions["B"].width = 40
    for j in range(3, ncols + 1):
        ws2.column_dimensions[get_column_letter(j)].width = 13

    for ws in (ws1, ws2):
        ws.protection.sheet = True  # labels locked; value cells above are unlocked. No password: not a secret.
        ws.protection.formatColumns = False
        ws.freeze_panes = "A6"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
