"""Files as grids of text cells: each candidate table (a CSV file, or each sheet of a workbook).

read_workbook is the one workbook reader, for the export loaders' first look (workbook_grids) and for the
weekly tables alike: calamine via fastexcel, cached values only (formulas are never evaluated), after the gate.
Every sheet is read from its row 1, so a row's index is its Excel row number less one, and the full read
below the header (tables._read_sheet, which counts skip_rows from row 1 too) lines up with it."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from loaders.reading.encodings import REPLACEMENT_CHAR, TextSource, detect_text_encoding, replacement_message
from loaders.reading.gate import FileFormat, inspect
from loaders.reading.text import cell_text
from loaders.result import FileRejected, Problem

HEADER_SCAN_ROWS = 40


@dataclass
class Grid:
    """One table's cells as text (a CSV file, or one sheet of a workbook); None for a blank cell."""

    sheet: str | None  # the sheet's name (None for a CSV file)
    rows: list[list[str | None]]
    first_row: int = 1  # the Excel/CSV row number of rows[0]
    hidden: bool = False
    first_col: int = 0  # the sheet's column of rows[r][0] (0 is A)
    unreadable: bool = False  # a sheet calamine could not load: no rows

    def cell(self, r: int, j: int) -> str | None:
        if 0 <= r < len(self.rows) and 0 <= j < len(self.rows[r]):
            return self.rows[r][j]
        return None

    def letter(self, j: int) -> str:
        """Excel's letters of column j (A, B, … Z, AA …)."""
        return col_letter(self.first_col + j)


def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _csv_rows(text: str, delimiter: str, limit: int) -> list[list[str | None]]:
    lines = text.splitlines()[:limit]
    out = []
    for row in csv.reader(lines, delimiter=delimiter):
        out.append([cell_text(c) for c in row])
    return out


def csv_grid(path: Path, name: str) -> tuple[Grid, TextSource]:
    enc, text = detect_text_encoding(path, name)
    if REPLACEMENT_CHAR in text:
        line = text[: text.index(REPLACEMENT_CHAR)].count("\n") + 1
        raise FileRejected(replacement_message(name, line))
    best_delim, best_rows, best_width = ",", [], -1
    for delim in (",", "\t", ";", "|"):
        rows = _csv_rows(text, delim, HEADER_SCAN_ROWS + 1)
        width = max((sum(c is not None for c in r) for r in rows), default=0)
        if width > best_width:
            best_delim, best_rows, best_width = delim, rows, width
    return Grid(None, best_rows), TextSource(enc, best_delim)


def workbook_grids(path: Path, name: str, fmt: FileFormat) -> list[Grid]:
    """The top of every sheet from its row 1, for finding the header row; FileRejected if any sheet cannot be read."""
    try:
        grids = read_workbook(path, name, n_rows=HEADER_SCAN_ROWS + 1, fmt=fmt)
        if any(g.unreadable for g in grids):
            raise ValueError("a sheet cannot be read")
        return grids
    except FileRejected:
        raise
    except Exception:
        raise FileRejected(unreadable_message(name, fmt.kind)) from None


def unreadable_message(name: str, kind: str) -> str:
    """What the user is told when the gate let a workbook through and calamine still cannot read it."""
    label = ".xlsx" if kind == "xlsx" else ".xls"
    return f"文件 {name} 已损坏或不是有效的 Excel 工作簿（{label}），无法读取。请重新导出后再试。"


# The suffix calamine needs to read each format (it chooses its reader by the name, not the bytes).
_SUFFIX = {"xlsx": (".xlsx", ".xlsm", ".xltx", ".xltm"), "xls": (".xls",)}


@contextmanager
def calamine_path(path: Path, kind: str) -> Iterator[Path]:
    """The file under a name whose suffix tells calamine the format the gate found (an .xlsx named .xls, or an
    upload's temporary file without a suffix, is read as what it is)."""
    if path.suffix.lower() in _SUFFIX[kind]:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="wangjian-") as tmp:
        alias = Path(tmp) / f"book{_SUFFIX[kind][0]}"
        alias.symlink_to(path.resolve())
        yield alias


def read_workbook(path: Path, name: str, *, n_rows: int | None = None, fmt: FileFormat | None = None) -> list[Grid]:
    """Every sheet of a workbook as text cells, each from its row 1 (rows[r] is Excel row r + 1): the one workbook
    reader. The gate judges the file first (FileRejected, also for a text file: not a workbook); `fmt` is its
    verdict when the caller already has it. Raises what calamine raises for a file it still cannot open; a sheet
    it cannot load comes back empty and marked unreadable."""
    import fastexcel

    fmt = fmt or inspect(path, name)
    if fmt.kind == "csv":
        detect_text_encoding(path, name)  # binary or undecodable content is said as such, not as "text"
        suffix = Path(name).suffix.lower()
        what = f"扩展名是 {suffix}，但内容是文本" if fmt.note else "是文本文件（CSV）"
        raise FileRejected(f"文件 {name} {what}，不是 Excel 工作簿。请上传 .xlsx 或 .xls 文件。")
    grids = []
    with calamine_path(path, fmt.kind) as book:
        reader = fastexcel.read_excel(str(book))
        for sheet_name in reader.sheet_names:
            try:
                sheet = reader.load_sheet(sheet_name, header_row=None, dtypes="string", n_rows=n_rows, skip_rows=0)
                columns = sheet.available_columns()
                rows = [[cell_text(v) for v in r] for r in sheet.to_polars().rows()]
            except Exception:  # e.g. a sheet without cells
                grids.append(Grid(sheet_name, [], unreadable=True))
                continue
            hidden = str(sheet.visible) != "visible"
            first_col = columns[0].absolute_index if columns else 0
            grids.append(Grid(sheet_name, rows, 1, hidden, first_col))
    return grids


def preview(path: Path, name: str) -> tuple[FileFormat, list[Grid], TextSource | None]:
    """The gate's verdict and the top of the file: the one first look of the export loaders."""
    fmt = inspect(path, name)
    if fmt.kind == "csv":
        grid, text = csv_grid(path, name)
        return fmt, [grid], text
    return fmt, workbook_grids(path, name, fmt), None


def file_level_problem(path: Path, name: str) -> Problem | None:
    """Why a file cannot be read at all (empty, too big, corrupt, hostile, undecodable), or None if it can."""
    try:
        _, grids, _ = preview(path, name)
    except FileRejected as exc:
        return exc.problems[0]
    except Exception:
        return Problem(f"文件 {name} 无法读取（已损坏或格式不受支持）。")
    if not any(any(c is not None for c in row) for g in grids if not g.hidden for row in g.rows):
        return Problem(f"文件 {name} 没有可见的工作表或内容（隐藏的工作表不导入）。")
    return None
