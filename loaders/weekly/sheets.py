"""Reading a weekly workbook's sheets as text cells, keeping Excel's row numbers and column letters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class Sheet:
    name: str
    rows: list[list[str | None]]  # rows[r][j]: Excel row r+1, column letters[j]
    letters: list[str]

    def cell(self, r: int, j: int) -> str | None:
        if 0 <= r < len(self.rows) and 0 <= j < len(self.rows[r]):
            return self.rows[r][j]
        return None


def read_sheets(path: str | Path, n_rows: int | None = None) -> list[Sheet]:
    """Every sheet as text cells, keeping Excel's row numbers and column letters. Raises on an unreadable file,
    and FileRejected on a zip bomb or XML entities before any XML parser sees the workbook."""
    import zipfile

    import fastexcel

    from loaders.reading.archive import check_workbook_archive

    if zipfile.is_zipfile(path):
        check_workbook_archive(Path(path), Path(path).name)

    reader = fastexcel.read_excel(str(path))
    sheets = []
    for name in reader.sheet_names:
        try:
            sh = reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0, n_rows=n_rows)
        except Exception:  # an empty sheet has no columns: nothing to read there
            sheets.append(Sheet(name, [], []))
            continue
        cols = sh.available_columns()
        df = sh.to_polars()
        letters = [col_letter(c.absolute_index) for c in cols]
        rows = []
        for tup in df.iter_rows():
            rows.append([(v if v is not None and str(v).strip() != "" else None) for v in tup])
        sheets.append(Sheet(name, rows, letters))
    return sheets


class _HeaderSheet(Sheet):
    """A sheet whose row -1 is the table's header row (so value errors can name the header)."""

    def __init__(self, sheet: Sheet, header_row: int) -> None:
        super().__init__(sheet.name, sheet.rows, sheet.letters)
        self.header_row = header_row

    def cell(self, r: int, j: int) -> str | None:
        return super().cell(self.header_row if r == -1 else r, j)


def with_header(sheet: Sheet, header_row: int) -> Sheet:
    return _HeaderSheet(sheet, header_row)
