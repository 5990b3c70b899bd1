"""The first look at a file: each candidate table (a CSV file, or each sheet of a workbook) as rows of text
cells. Workbooks are read with calamine via fastexcel, cached values only (formulas are never evaluated),
after the archive check."""

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
    """The top of one table (a CSV file or one visible sheet) as text cells, for finding the header row."""

    sheet: str | None
    rows: list[list[str | None]]
    first_row: int = 1  # the Excel/CSV row number of rows[0]
    hidden: bool = False


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
    import fastexcel

    if fmt == "xlsx":
        check_workbook_archive(path, name)
    try:
        reader = fastexcel.read_excel(str(path))
        grids = []
        first_rows = _xlsx_first_rows(path) if fmt == "xlsx" else {}
        for sheet_name in reader.sheet_names:
            sheet = reader.load_sheet(sheet_name, header_row=None, dtypes="string", n_rows=HEADER_SCAN_ROWS + 1)
            hidden = str(sheet.visible) != "visible"
            rows = [[cell_text(v) for v in r] for r in sheet.to_polars().rows()]
            grids.append(Grid(sheet_name, rows, first_rows.get(sheet_name, 1), hidden))
        return grids
    except FileRejected:
        raise
    except Exception:
        label = ".xlsx" if fmt == "xlsx" else ".xls"
        raise FileRejected(
            f"文件 {name} 已损坏或不是有效的 Excel 工作簿（{label}），无法读取。请重新导出后再试。"
        ) from None


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
