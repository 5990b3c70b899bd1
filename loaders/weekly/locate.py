"""Where the two tables are in a weekly workbook: found by their header and row labels, on any sheet."""

from __future__ import annotations

from dataclasses import dataclass

from campaign import Campaign
from loaders.reading.grids import Grid
from loaders.weekly.labels import Context, LabelMatcher, fold_trimmed, norm_label


@dataclass
class Table:
    grid: Grid
    header_row: int  # 0-based
    label_col: int
    value_cols: dict[str, int]  # measure key → column index (table 1: {"value": j})
    end_row: int = 0  # exclusive


def _is_note(ctx: Context, text: str | None) -> bool:
    s = fold_trimmed(text)
    return any(s.startswith(p) and (len(s) == len(p) or s[len(p)] in ":： ") for p in ctx.notes)


def _row_texts(grid: Grid, r: int) -> list[tuple[int, str]]:
    return [(j, v) for j, v in enumerate(grid.rows[r]) if v is not None]


def _boundary_rows(ctx: Context, grid: Grid) -> list[int]:
    """Rows that end a table body: titles (…统计表…) and notes (注：…)."""
    out = []
    for r in range(len(grid.rows)):
        cells = _row_texts(grid, r)
        if not cells:
            continue
        first = cells[0][1]
        if _is_note(ctx, first) or (len(cells) == 1 and "统计表" in fold_trimmed(first)):
            out.append(r)
    return out


def _best_label_col(matcher: LabelMatcher, grid: Grid, start: int, stop: int, before: int) -> tuple[int, int]:
    """The column left of `before` holding the most recognised labels in rows start..stop-1: (col, count)."""
    best = (-1, 0)
    for j in range(before):
        n = sum(1 for r in range(start, min(stop, len(grid.rows))) if matcher.match(grid.cell(r, j)))
        if n > best[1]:
            best = (j, n)
    return best


def _find_table1(ctx: Context, grid: Grid) -> list[Table]:
    found = []
    for r, row in enumerate(grid.rows):
        for j, v in enumerate(row):
            if v is None:
                continue
            n = norm_label(v, ctx.units)
            if n not in ctx.t1_value_headers or "累计" in fold_trimmed(v):
                continue
            col, count = _best_label_col(ctx.indicators, grid, r + 1, r + 1 + 3 * len(ctx.measures1), j)
            if count >= 3:
                found.append(Table(grid, r, col, {"value": j}))
                break
    return found


def _find_table2(ctx: Context, grid: Grid) -> list[Table]:
    found = []
    for r, row in enumerate(grid.rows):
        cols: dict[str, int] = {}
        for j, v in enumerate(row):
            key = ctx.columns.match(v) if v is not None else None
            if key and key not in cols and "累计" not in fold_trimmed(v):
                cols[key] = j
        if len(cols) < 3:
            continue
        first = min(cols.values())
        col, count = _best_label_col(ctx.violations, grid, r + 1, r + 1 + 3 * len(ctx.c.violation_types), first)
        if count >= 3:
            found.append(Table(grid, r, col, cols))
    return found


def _set_ends(ctx: Context, tables: list[Table]) -> None:
    by_sheet: dict[str, list[Table]] = {}
    for t in tables:
        by_sheet.setdefault(t.grid.sheet, []).append(t)
    for ts in by_sheet.values():
        grid = ts[0].grid
        stops = sorted({t.header_row for t in ts} | set(_boundary_rows(ctx, grid)) | {len(grid.rows)})
        for t in ts:
            t.end_row = next(s for s in stops if s > t.header_row)


def locate_tables(ctx: Context, grids: list[Grid]) -> tuple[Table | None, Table | None]:
    t1s = [t for s in grids for t in _find_table1(ctx, s)]
    t2s = [t for s in grids for t in _find_table2(ctx, s)]
    _set_ends(ctx, t1s + t2s)
    return (t1s[0] if t1s else None), (t2s[0] if t2s else None)


def sniff_sheets(campaign: Campaign, grids: list[Grid]) -> float:
    ctx = Context(campaign, "")
    t1, t2 = locate_tables(ctx, grids)
    if t1 and t2:
        return 0.95
    if t1 or t2:
        return 0.7
    return 0.0
