"""Export of any table the dashboard shows: xlsx, and CSV in UTF-8 with a BOM (what Chinese Excel opens).

Every text cell that Excel would read as a formula (it starts with = + - @, a tab or a carriage return) is
neutralised with a leading single quote, so opening an export never runs anything. Exports are for
analysts and admins only: `export_table` checks the role itself (a hidden button is not security) and
writes one audit row per file produced, with the file's SHA-256.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from auth.audit import record
from auth.policy import Principal, require_export
from warehouse import Warehouse

FORMATS = {"xlsx": "Excel 工作簿（.xlsx）", "csv": "CSV（UTF-8，带 BOM）"}
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_575  # one row is the header


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    data: bytes
    mime: str
    rows: int
    sha256: str


def neutralise(value: object) -> object:
    """Text that Excel would take for a formula gets a leading single quote; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cells(df: pl.DataFrame):
    for row in df.iter_rows():
        yield [neutralise(v) for v in row]


def to_csv_bytes(df: pl.DataFrame) -> bytes:
    """UTF-8 with a BOM, CRLF line ends, every text cell neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([neutralise(c) for c in df.columns])
    for row in _cells(df):
        w.writerow(["" if v is None else _csv_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_text(v: object) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def to_xlsx_bytes(df: pl.DataFrame, sheet: str = "数据") -> bytes:
    """One sheet, bold header, text cells stored as text (never as formulas), dates as Excel dates."""
    if df.height > XLSX_MAX_ROWS:
        raise ValueError(f"共 {df.height:,} 行，超过 Excel 单表上限 {XLSX_MAX_ROWS:,} 行：请缩小筛选范围或导出 CSV。")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    bold = Font(bold=True)
    header = []
    for name in df.columns:
        cell = WriteOnlyCell(ws, value=neutralise(name))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in _cells(df):
        out = []
        for v in row:
            if isinstance(v, bool):
                v = "是" if v else "否"
            cell = WriteOnlyCell(ws, value=v)
            if isinstance(v, str):
                cell.data_type = "s"  # never "f", whatever the text looks like
            elif isinstance(v, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(v, dt.date):
                cell.number_format = "yyyy-mm-dd"
            out.append(cell)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(df: pl.DataFrame, fmt: str, sheet: str = "数据") -> bytes:
    if fmt == "xlsx":
        return to_xlsx_bytes(df, sheet)
    if fmt == "csv":
        return to_csv_bytes(df)
    raise ValueError(f"不支持的导出格式：{fmt}（可选：{'、'.join(FORMATS)}）")


def export_table(
    wh: Warehouse, principal: Principal, df: pl.DataFrame, stem: str, fmt: str, detail: str | None = None
) -> ExportFile:
    """The one way a table leaves the dashboard: role check, neutralised file, one audit row."""
    require_export(principal)
    data = render(df, fmt, sheet=stem)
    digest = hashlib.sha256(data).hexdigest()
    file_name = f"{stem}_{dt.datetime.now():%Y%m%d%H%M%S}.{fmt}"
    record(wh, principal, "export", file_name, sha256=digest, detail=detail or f"{df.height} 行")
    return ExportFile(file_name, data, MIME[fmt], df.height, digest)
