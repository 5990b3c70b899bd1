"""Files as grids of text cells: each candidate table (a CSV file, or each sheet of a workbook).

read_workbook is the one workbook reader, for the export loaders' first look (workbook_grids) and for the
weekly tables alike: calamine via fastexcel, cached values only (formulas are never evaluated), after the
archive check."""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from loaders.reading.archive import check_workbook_archive
from loaders.reading.encodings import REPLACEMENT_CHAR, TextSource, detect_text_encoding, replacement_message
from loaders.reading.files import FileFormat, sniff_format
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


def workbook_grids(path: Path, name: str, fmt: str) -> list[Grid]:
    """The top of every sheet, for finding the header row; FileRejected if any sheet cannot be read."""
    try:
        grids = read_workbook(path, name, fmt, n_rows=HEADER_SCAN_ROWS + 1)
        if any(g.unreadable for g in grids):
            raise ValueError("a sheet cannot be read")
        return grids
    except FileRejected:
        raise
    except Exception:
        label = ".xlsx" if fmt == "xlsx" else ".xls"
        raise FileRejected(
            f"文件 {name} 已损坏或不是有效的 Excel 工作簿（{label}），无法读取。请重新导出后再试。"
        ) from None


def read_workbook(
    path: Path, name: str, fmt: str, *, n_rows: int | None = None, from_row_one: bool = False
) -> list[Grid]:
    """Every sheet of a workbook as text cells: the one workbook reader. An .xlsx (fmt) is checked by the archive
    check first (FileRejected). rows[0] is the sheet's first row with a value (its Excel row in first_row), or
    with from_row_one its row 1. Raises what calamine raises for a file it cannot open; a sheet it cannot load
    comes back empty and marked unreadable."""
    import fastexcel

    if fmt == "xlsx":
        check_workbook_archive(path, name)
    reader = fastexcel.read_excel(str(path))
    first_rows = _xlsx_first_rows(path) if fmt == "xlsx" and not from_row_one else {}
    top = {"skip_rows": 0} if from_row_one else {}  # fastexcel's default starts at the first row with a value
    grids = []
    for sheet_name in reader.sheet_names:
        try:
            sheet = reader.load_sheet(sheet_name, header_row=None, dtypes="string", n_rows=n_rows, **top)
            columns = sheet.available_columns()
            rows = [[cell_text(v) for v in r] for r in sheet.to_polars().rows()]
        except Exception:  # e.g. a sheet without cells
            grids.append(Grid(sheet_name, [], unreadable=True))
            continue
        hidden = str(sheet.visible) != "visible"
        first_col = columns[0].absolute_index if columns else 0
        grids.append(Grid(sheet_name, rows, first_rows.get(sheet_name, 1), hidden, first_col))
    return grids


_CELL_REF = re.compile(rb'<c\b[^>]*?\br="[A-Z]+(\d+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)


def _xlsx_first_rows(path: Path) -> dict[str, int]:
    """Row number of each sheet's first cell with a value (calamine's range starts there, we report Excel's rows)."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    out: dict[str, int] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314 - DTDs refused beforehand
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
            targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", ns)}
            for s in wb.findall("m:sheets/m:sheet", ns):
                target = targets.get(s.get(f"{{{ns['r']}}}id"), "")
                member = target.lstrip("/") if target.startswith("/") else "xl/" + target
                with zf.open(member) as part:
                    head = part.read(1 << 20)
                for m in _CELL_REF.finditer(head):
                    inner = m.group(2) or b""
                    if re.search(rb"<(v|t)\b[^>]*>[^<]", inner):
                        out[s.get("name", "")] = int(m.group(1))
                        break
    except Exception:  # only a nicety for row numbers; the real reader decides whether the file is readable
        return {}
    return out


def preview(path: Path, name: str) -> tuple[FileFormat, list[Grid], TextSource | None]:
    fmt = sniff_format(path, name)
    if fmt.kind == "csv":
        grid, text = csv_grid(path, name)
        return fmt, [grid], text
    return fmt, workbook_grids(path, name, fmt.kind), None


def file_level_problem(path: Path, name: str) -> Problem | None:
    """Why a file cannot be read at all (empty, too big, corrupt, hostile, undecodable), or None if it can."""
    try:
        preview(path, name)
    except FileRejected as exc:
        return exc.problems[0]
    except Exception:
        return Problem(f"文件 {name} 无法读取（已损坏或格式不受支持）。")
    return None
