"""Reading a filled-in weekly 情况统计表 (统计表1 + 统计表2) by its labels, never by positions.

Pure functions over the workbook: no warehouse, no widgets. `parse_workbook` returns what the sheet
says (values, 填报单位, 统计周期, 合计 rows) with each value's cell address, or raises FileRejected
with every blocking problem found. Label synonyms are data ([stats_parsing] in the campaign file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from campaign import Campaign, Measure
from loaders.reading.grids import Grid, read_workbook
from loaders.result import FileRejected, Problem
from loaders.weekly.labels import Context, fold_trimmed, norm_label
from loaders.weekly.locate import Table, locate_tables
from loaders.weekly.values import REASONS, expected_text, parse_value


@dataclass(frozen=True)
class Cell:
    sheet: str
    row: int  # as Excel shows it
    col: str  # Excel column letter
    header: str  # the column header as written


@dataclass
class Found:
    """A labelled value in the sheet header (填报单位 or 统计周期) and where it was."""

    text: str
    sheet: str
    row: int


@dataclass
class TotalRow:
    sheet: str
    row: int
    values: dict[str, tuple[float | None, Cell]]  # column_key → (value or None when blank, cell)


@dataclass
class ParsedStats:
    file: str
    table1: dict[str, float] = field(default_factory=dict)
    table1_cells: dict[str, Cell] = field(default_factory=dict)
    table2: dict[str, dict[str, float]] = field(default_factory=dict)
    table2_cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    table1_sheet: str = ""
    table2_sheet: str = ""
    reporters: list[Found] = field(default_factory=list)
    periods: list[Found] = field(default_factory=list)
    totals: list[TotalRow] = field(default_factory=list)
    missing_rows: list[tuple[int, str, str]] = field(default_factory=list)  # (table_no, key, sheet)
    rows_read: int = 0


def read_sheets(path: str | Path, n_rows: int | None = None, name: str | None = None) -> list[Grid]:
    """Every sheet from its row 1 (rows[r] is Excel row r + 1), through the reading core's workbook reader (the gate
    first). Raises FileRejected for a file the gate refuses, what calamine raises for one it still cannot read."""
    path = Path(path)
    return read_workbook(path, name or path.name, n_rows=n_rows)


def _find_field(ctx: Context, grid: Grid, labels: tuple[str, ...], stop: int) -> Found | None:
    """A 'label：value' in the rows above the table; the value may be in the same cell or the next one."""
    all_labels = [*ctx.sp.reporter_labels, *ctx.sp.period_labels, "填报人", "联系电话", "填报日期", "填表日期"]
    others = "|".join(re.escape(x) for x in all_labels)
    for r in range(min(stop, len(grid.rows))):
        row = grid.rows[r]
        for j, v in enumerate(row):
            text = fold_trimmed(v)
            for label in labels:
                m = re.search(r"\s*".join(re.escape(ch) for ch in label) + r"\s*[:：]?\s*", text)
                if not m:
                    continue
                rest = text[m.end() :]
                rest = re.split(rf"\s{{2,}}|(?:{others})\s*[:：]", rest)[0].strip()
                if not rest:  # value in the next non-empty cell to the right
                    for v2 in row[j + 1 :]:
                        if v2 is not None:
                            t2 = fold_trimmed(v2)
                            if not re.match(rf"(?:{others})", t2.replace(" ", "")):
                                rest = t2
                            break
                return Found(rest.strip(), grid.sheet, r + 1)
    return None


def parse_workbook(path: str | Path, campaign: Campaign, file: str) -> ParsedStats:
    """Everything the workbook says, or FileRejected listing every blocking problem."""
    ctx = Context(campaign, file)
    try:
        grids = read_sheets(path, name=file)
    except FileRejected:
        raise
    except Exception:  # past the gate, calamine still could not read it; its message is technical
        raise FileRejected(
            f"文件“{file}”无法读取：工作簿已损坏或不是有效的 Excel 文件（.xlsx/.xls）。请用 Excel 另存为 .xlsx 后重新上传。"
        ) from None
    t1, t2 = locate_tables(ctx, grids)
    errors: list[Problem] = []
    if t1 is None:
        errors.append(
            Problem(
                f"文件“{file}”中找不到{campaign.table1_title}：应有含“指标”和“本周数”（或“本期数”）表头、"
                "各行为统计表1指标的表格。请使用下载的模板填报。"
            )
        )
    if t2 is None:
        errors.append(
            Problem(
                f"文件“{file}”中找不到{campaign.table2_title}：应有含“违法类型”和“立案(件)”“结案(件)”“案值(万元)”等表头、"
                "各行为违法类型的表格。请使用下载的模板填报。"
            )
        )
    if errors:
        raise FileRejected(errors)
    assert t1 is not None and t2 is not None
    out = ParsedStats(file=file, table1_sheet=t1.grid.sheet, table2_sheet=t2.grid.sheet)
    _read_table1(ctx, t1, out, errors)
    _read_table2(ctx, t2, out, errors)
    if not errors and not (_filled(t1) or _filled(t2)):  # nothing usable arrived: an unfilled template, most likely
        raise FileRejected(
            f"文件“{file}”的{campaign.table1_title}和{campaign.table2_title}都没有填写任何数值（全部为空），未导入。"
            "若本周确实没有工作量，请在各项填 0 后再上传。"
        )
    for t in (t1, t2):
        rep = _find_field(ctx, t.grid, ctx.sp.reporter_labels, t.header_row)
        per = _find_field(ctx, t.grid, ctx.sp.period_labels, t.header_row)
        if rep and (rep.sheet, rep.row) not in {(f.sheet, f.row) for f in out.reporters}:
            out.reporters.append(rep)
        if per and (per.sheet, per.row) not in {(f.sheet, f.row) for f in out.periods}:
            out.periods.append(per)
    if errors:
        raise FileRejected(errors)
    return out


def _filled(t: Table) -> int:
    """How many value cells of a table hold anything (a 0, "—" and "/" count: they say "none" on purpose)."""
    return sum(t.grid.cell(r, j) is not None for r in range(t.header_row + 1, t.end_row) for j in t.value_cols.values())


def _value_cell(ctx, t: Table, r: int, j: int, m: Measure, context: str, errors: list[Problem]):
    grid = t.grid
    raw = grid.cell(r, j)
    header = fold_trimmed(grid.cell(t.header_row, j))
    value, reason = parse_value(raw, m, ctx.zero_marks)
    if reason:
        col = grid.letter(j)
        errors.append(
            Problem(
                f"{ctx.where(grid.sheet, r + 1, col, context)}：“{fold_trimmed(raw)}”{REASONS[reason]}，应为{expected_text(m)}",
                row=r + 1,
                column=header or col,
                sheet=grid.sheet,
            )
        )
    return value


def _row_label_texts(grid: Grid, r: int, upto: int) -> list[str]:
    return [fold_trimmed(v) for j, v in enumerate(grid.rows[r][:upto]) if v is not None]


def _read_table1(ctx: Context, t: Table, out: ParsedStats, errors: list[Problem]) -> None:
    grid, vj = t.grid, t.value_cols["value"]
    header = fold_trimmed(grid.cell(t.header_row, vj))
    seen: dict[str, int] = {}
    for r in range(t.header_row + 1, t.end_row):
        label = grid.cell(r, t.label_col)
        raw = grid.cell(r, vj)
        texts = _row_label_texts(grid, r, vj)
        if any(norm_label(x) in ctx.totals | ctx.subtotals for x in texts):
            continue  # a 合计 over indicators of different units means nothing: neither added nor checked
        if label is None and raw is None:
            continue
        key = ctx.indicators.match(label) if label is not None else None
        if key is None:
            if parse_value(raw, ctx.measures1["staff_deployed"], ctx.zero_marks)[0] == 0:
                continue  # a heading or an empty row
            what = (
                f"无法识别的指标“{fold_trimmed(label)}”"
                if label is not None
                else f"有数值“{fold_trimmed(raw)}”但没有指标名称"
            )
            names = "、".join(m.label for m in ctx.c.table1)
            errors.append(
                Problem(
                    f"{ctx.where(grid.sheet, r + 1, grid.letter(t.label_col))}：{what}，应为统计表1的指标之一：{names}",
                    row=r + 1,
                    column=fold_trimmed(grid.cell(t.header_row, t.label_col)) or grid.letter(t.label_col),
                    sheet=grid.sheet,
                )
            )
            continue
        m = ctx.measures1[key]
        out.rows_read += 1
        if key in seen:
            errors.append(
                Problem(
                    f"{ctx.where(grid.sheet, r + 1, grid.letter(t.label_col))}：指标“{m.label}”重复出现（第{seen[key]}行已有），每个指标只能填一行",
                    row=r + 1,
                    column=fold_trimmed(grid.cell(t.header_row, t.label_col)),
                    sheet=grid.sheet,
                )
            )
            continue
        seen[key] = r + 1
        value = _value_cell(ctx, t, r, vj, m, f"{m.label}·{header}", errors)
        if value is not None:
            out.table1[key] = value
            out.table1_cells[key] = Cell(grid.sheet, r + 1, grid.letter(vj), header)
    for m in ctx.c.table1:
        if m.key not in seen:
            out.missing_rows.append((1, m.key, grid.sheet))
            out.table1.setdefault(m.key, 0.0)


def _read_table2(ctx: Context, t: Table, out: ParsedStats, errors: list[Problem]) -> None:
    grid = t.grid
    first_value_col = min(t.value_cols.values())
    headers = {k: fold_trimmed(grid.cell(t.header_row, j)) for k, j in t.value_cols.items()}
    seen: dict[str, int] = {}
    for r in range(t.header_row + 1, t.end_row):
        texts = _row_label_texts(grid, r, first_value_col)
        raws = [grid.cell(r, j) for j in t.value_cols.values()]
        if any(norm_label(x) in ctx.totals for x in texts):
            total = TotalRow(grid.sheet, r + 1, {})
            for key, j in t.value_cols.items():
                m = ctx.measures2[key]
                raw = grid.cell(r, j)
                v = None if raw is None else _value_cell(ctx, t, r, j, m, f"合计·{headers[key]}", errors)
                total.values[key] = (v, Cell(grid.sheet, r + 1, grid.letter(j), headers[key]))
            out.totals.append(total)
            continue
        if any(norm_label(x) in ctx.subtotals for x in texts):
            continue
        label = grid.cell(r, t.label_col)
        if label is None and all(x is None for x in raws):
            continue
        key = ctx.violations.match(label) if label is not None else None
        if key is None:
            if all(parse_value(x, ctx.measures2["cases_filed"], ctx.zero_marks)[0] == 0 for x in raws):
                continue  # a focus-area heading or an empty row
            what = f"无法识别的违法类型“{fold_trimmed(label)}”" if label is not None else "有数值但没有违法类型名称"
            errors.append(
                Problem(
                    f"{ctx.where(grid.sheet, r + 1, grid.letter(t.label_col))}：{what}，应为统计表2的违法类型之一（见模板）",
                    row=r + 1,
                    column=fold_trimmed(grid.cell(t.header_row, t.label_col)) or grid.letter(t.label_col),
                    sheet=grid.sheet,
                )
            )
            continue
        vt_label = next(v.label for v in ctx.c.violation_types if v.key == key)
        out.rows_read += 1
        if key in seen:
            errors.append(
                Problem(
                    f"{ctx.where(grid.sheet, r + 1, grid.letter(t.label_col))}：违法类型“{vt_label}”重复出现（第{seen[key]}行已有），每个违法类型只能填一行",
                    row=r + 1,
                    column=fold_trimmed(grid.cell(t.header_row, t.label_col)),
                    sheet=grid.sheet,
                )
            )
            continue
        seen[key] = r + 1
        row_values = out.table2.setdefault(key, {})
        for ckey, j in t.value_cols.items():
            m = ctx.measures2[ckey]
            v = _value_cell(ctx, t, r, j, m, f"{vt_label}·{headers[ckey]}", errors)
            if v is not None:
                row_values[ckey] = v
                out.table2_cells[(key, ckey)] = Cell(grid.sheet, r + 1, grid.letter(j), headers[ckey])
    for m in ctx.c.table2_columns:
        if m.key not in t.value_cols:
            out.missing_rows.append((2, f"*.{m.key}", grid.sheet))
    for v in ctx.c.violation_types:
        if v.key not in seen:
            out.missing_rows.append((2, v.key, grid.sheet))
        row_values = out.table2.setdefault(v.key, {})
        for m in ctx.c.table2_columns:
            row_values.setdefault(m.key, 0.0)
