"""The shared reading and normalising core of the export loaders (12315, 12358, monitoring hits).

Reading: .csv (BOM → strict UTF-8 → GB18030, never latin-1), .xlsx and .xls (calamine via fastexcel: cached
values only, formulas are never evaluated). Before a workbook is opened its archive is checked (size, member
count, total uncompressed size, compression ratio, no DTD/entity declarations). The header row is found below
any title lines by matching the campaign's header synonyms; hidden sheets are skipped and the best-matching
sheet wins. Every cell is read as text first; casting happens column by column with polars expressions.

Normalising: dates (Excel serials, 2018/8/3, 2018年8月3日, 20180803, with or without a time), amounts
(元, 万元, thousands separators, full-width digits), IDs (scientific notation is an error, never a guess),
统一社会信用代码 (GB 32100-2015 check character), region → unit (经开区 streets, ``outside``), platforms,
focus-area classification. Values that are few (regions, platforms, categories) are mapped once per distinct
value in Python and joined back; everything per-row is a vectorised expression.
"""

from __future__ import annotations

import codecs
import csv
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

import settings
from campaign import Campaign, Source
from loaders.result import FileRejected, Problem

# --- limits ---------------------------------------------------------------------------------------
MAX_FILE_BYTES = settings.max_file_bytes()
MAX_UNCOMPRESSED_BYTES = settings.max_uncompressed_bytes()
MAX_ZIP_MEMBERS = 5000
MAX_COMPRESSION_RATIO = 200  # a real sheet compresses ~10–30×; a zip bomb by thousands
HEADER_SCAN_ROWS = 40
PREVIEW_BYTES = 256 << 10

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
REPLACEMENT_CHAR = "\ufffd"


# --- small text helpers ---------------------------------------------------------------------------
def fold(text: str | None) -> str:
    """Full-width → half-width (NFKC) and no blanks: how headers, regions and platforms are compared."""
    if text is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


_BRACKET_TAIL = re.compile(r"[(\[][^()\[\]]*[)\]]$")


def header_variants(text: str | None) -> list[str]:
    """A header as written and without a trailing unit in brackets: 涉及金额（元） also matches 涉及金额."""
    h = fold(text).strip("*:")
    out = [h]
    bare = _BRACKET_TAIL.sub("", h)
    if bare and bare != h:
        out.append(bare)
    return out


def cell_text(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


# --- file kinds and safety --------------------------------------------------------------------------
@dataclass(frozen=True)
class FileFormat:
    kind: str  # "csv" | "xlsx" | "xls"
    note: str | None = None  # a warning, e.g. a text file carrying an Excel extension


def sniff_format(path: Path, name: str) -> FileFormat:
    """What the bytes are, whatever the extension says. Raises FileRejected for empty / oversized files."""
    try:
        size = path.stat().st_size
    except OSError:
        raise FileRejected(f"文件 {name} 无法读取。") from None
    if size == 0:
        raise FileRejected(f"文件 {name} 是空文件（0 字节），没有可导入的内容。")
    if size > MAX_FILE_BYTES:
        raise FileRejected(
            f"文件 {name} 大小为 {size / (1 << 20):.0f} MB，超过上限 {MAX_FILE_BYTES >> 20} MB。请按时间段拆分导出后分别导入。"
        )
    with open(path, "rb") as f:
        head = f.read(8)
    suffix = Path(name).suffix.lower()
    if head.startswith(XLSX_MAGIC):
        return FileFormat("xlsx")
    if head.startswith(XLS_MAGIC):
        return FileFormat("xls")
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return FileFormat("csv", f"文件 {name} 的扩展名是 {suffix}，但内容是文本表格，已按 CSV 读取。")
    return FileFormat("csv")


def check_workbook_archive(path: Path, name: str) -> None:
    """Refuse zip bombs and XML with DTDs (entity expansion) before any XML parser sees the workbook."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise FileRejected(
                    f"文件 {name} 内含 {len(infos)} 个部件，超过上限 {MAX_ZIP_MEMBERS}，疑似恶意文件，已拒绝。"
                )
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise FileRejected(
                    f"文件 {name} 解压后约 {total / (1 << 20):.0f} MB，超过上限 {MAX_UNCOMPRESSED_BYTES >> 20} MB（疑似压缩炸弹），已拒绝。"
                )
            for i in infos:
                if i.file_size > 1 << 20 and i.file_size > MAX_COMPRESSION_RATIO * max(i.compress_size, 1):
                    raise FileRejected(f"文件 {name} 的部件 {i.filename} 压缩比异常（疑似压缩炸弹），已拒绝。")
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise FileRejected(f"文件 {name} 是压缩包，但不是 Excel 工作簿（.xlsx）。")
            for i in infos:
                if i.filename.endswith((".xml", ".rels", ".vml")):
                    _refuse_dtd(zf, i, name, budget=MAX_UNCOMPRESSED_BYTES)
    except zipfile.BadZipFile:
        raise FileRejected(f"文件 {name} 已损坏或不完整（无法作为 .xlsx 打开）。请重新导出或重新下载后再试。") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
        raise FileRejected(f"文件 {name} 已损坏或使用了不支持的压缩方式，无法读取。") from None


def _refuse_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: int) -> None:
    read, tail = 0, b""
    with zf.open(info) as part:
        while chunk := part.read(1 << 20):
            read += len(chunk)
            if read > budget:
                raise FileRejected(f"文件 {name} 解压后超过上限（疑似压缩炸弹），已拒绝。")
            window = (tail + chunk).lower()
            if b"<!doctype" in window or b"<!entity" in window:
                raise FileRejected(f"文件 {name} 含有 XML 实体声明（DTD），可能是恶意文件，已拒绝。")
            tail = chunk[-16:]


# --- grids: the first rows of each candidate table -------------------------------------------------------
@dataclass
class Grid:
    """The top of one table (a CSV file or one visible sheet) as text cells, for finding the header row."""

    sheet: str | None
    rows: list[list[str | None]]
    first_row: int = 1  # the Excel/CSV row number of rows[0]
    hidden: bool = False


@dataclass
class TextSource:
    """A CSV file's decoding: how to get UTF-8 text out of it."""

    encoding: str  # utf-8 | utf-8-sig | gb18030 | utf-16
    delimiter: str = ","


def detect_text_encoding(path: Path, name: str) -> tuple[str, str]:
    """(encoding, decoded head). BOM first, then strict UTF-8, then GB18030; never latin-1."""
    with open(path, "rb") as f:
        head = f.read(PREVIEW_BYTES)
        at_end = not f.read(1)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    if b"\x00" in head and candidates != ["utf-16"]:
        raise FileRejected(f"文件 {name} 不是文本表格（含有二进制内容），也不是 Excel 工作簿，无法导入。")
    for enc in candidates:
        try:
            text = codecs.getincrementaldecoder(enc)(errors="strict").decode(head, final=at_end)
        except UnicodeDecodeError:
            continue
        return enc, text
    raise FileRejected(
        f"文件 {name} 的文字编码无法识别（既不是 UTF-8 也不是 GB18030/GBK）。请用 Excel 另存为“CSV UTF-8”后重试。"
    )


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
        raise FileRejected(_replacement_message(name, line))
    best_delim, best_rows, best_width = ",", [], -1
    for delim in (",", "\t", ";", "|"):
        rows = _csv_rows(text, delim, HEADER_SCAN_ROWS + 1)
        width = max((sum(c is not None for c in r) for r in rows), default=0)
        if width > best_width:
            best_delim, best_rows, best_width = delim, rows, width
    return Grid(None, best_rows), TextSource(enc, best_delim)


def _replacement_message(name: str, line: int) -> str:
    return (
        f"文件 {name} 第 {line} 行含有无法识别的字符（�），说明文件在保存或转换编码时已经损坏。"
        "请从原系统重新导出后再导入。"
    )


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


# --- header matching ----------------------------------------------------------------------------------
@dataclass
class HeaderMatch:
    fields: dict[str, int]  # field key → column index
    personal: dict[int, str]  # column index → header as written
    phone: list[int]
    ignored: list[str]
    headers: list[str | None]

    def header(self, key: str) -> str:
        return self.headers[self.fields[key]] or key


class HeaderIndex:
    """A source's header synonyms, folded, for fast lookup."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.synonym: dict[str, tuple[str, int]] = {}
        for key, names in source.headers.items():
            for rank, n in enumerate(names):
                self.synonym.setdefault(fold(n), (key, rank))
        self.personal = {fold(p) for p in source.personal}
        self.phone = {fold(p) for p in source.phone}

    def lookup(self, header: str | None) -> tuple[str, int] | None:
        for v in header_variants(header):
            if v in self.synonym:
                return self.synonym[v]
        return None

    def is_personal(self, header: str | None) -> bool:
        return any(v in self.personal for v in header_variants(header))

    def match(self, cells: Sequence[str | None]) -> HeaderMatch:
        best: dict[str, tuple[int, int]] = {}
        personal, phone, ignored = {}, [], []
        for i, cell in enumerate(cells):
            if cell is None:
                continue
            hit = self.lookup(cell)
            if hit is not None:
                key, rank = hit
                if key not in best or rank < best[key][0]:
                    if key in best:
                        ignored.append(cells[best[key][1]] or "")
                    best[key] = (rank, i)
                else:
                    ignored.append(cell)
            elif self.is_personal(cell):
                personal[i] = cell
                if any(v in self.phone for v in header_variants(cell)):
                    phone.append(i)
            else:
                ignored.append(cell)
        return HeaderMatch({k: i for k, (_, i) in best.items()}, personal, phone, ignored, list(cells))

    def missing_required(self, m: HeaderMatch) -> list[str]:
        req = dict.fromkeys((self.source.id_field, self.source.date_field, *self.source.required))
        return [k for k in req if k not in m.fields]

    def score(self, m: HeaderMatch) -> float:
        """0 when a required column is missing; else the share of this source's fields found, plus a little
        for recognised personal columns (they tell 12315 from 12358)."""
        if self.missing_required(m):
            return 0.0
        return min(1.0, (len(m.fields) + 0.25 * len(m.personal)) / len(self.source.headers))

    def describe_missing(self, keys: Iterable[str]) -> str:
        return "；".join(
            f"“{self.source.headers[k][0]}”（或 {'、'.join(self.source.headers[k][1:]) or '—'}）" for k in keys
        )


@dataclass
class Located:
    """Where the table is in the file and what its columns mean."""

    path: Path
    name: str
    fmt: FileFormat
    grid: Grid
    header_index: int  # index into grid.rows
    match: HeaderMatch
    score: float
    text: TextSource | None = None

    @property
    def header_row(self) -> int:
        return self.grid.first_row + self.header_index

    @property
    def title_lines(self) -> list[str]:
        return [" ".join(c for c in r if c) for r in self.grid.rows[: self.header_index] if any(r)]

    @property
    def where(self) -> str:
        return f"{self.name}（工作表“{self.grid.sheet}”）" if self.grid.sheet else self.name


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


def locate(
    path: Path, name: str, index: HeaderIndex, grids: Sequence[Grid], fmt: FileFormat, text: TextSource | None
) -> Located | None:
    """The best (sheet, header row) for this source, or None when no visible table has its required columns."""
    best: Located | None = None
    for g in grids:
        if g.hidden:
            continue
        for i, row in enumerate(g.rows[:HEADER_SCAN_ROWS]):
            if sum(c is not None for c in row) < 2:
                continue
            m = index.match(row)
            s = index.score(m)
            if s > 0 and (best is None or s > best.score):
                best = Located(path, name, fmt, g, i, m, s, text)
    return best


def locate_or_reject(path: Path, name: str, index: HeaderIndex, label: str) -> Located:
    fmt, grids, text = preview(path, name)
    found = locate(path, name, index, grids, fmt, text)
    if found is not None:
        return found
    visible = [g for g in grids if not g.hidden]
    if not visible:
        raise FileRejected(f"文件 {name} 没有可见的工作表（隐藏的工作表不导入）。")
    if not any(any(c is not None for c in r) for g in visible for r in g.rows):
        raise FileRejected(f"文件 {name} 没有任何内容。")
    # Name the columns missing under the row that looks most like a header.
    g, row = max(
        ((g, r) for g in visible for r in g.rows[:HEADER_SCAN_ROWS]),
        key=lambda gr: len(index.match(gr[1]).fields),
    )
    missing = index.missing_required(index.match(row))
    where = f"{name}（工作表“{g.sheet}”）" if g.sheet else name
    raise FileRejected(
        f"文件 {where} 不像是{label}：在前 {HEADER_SCAN_ROWS} 行中找不到包含必需列的表头，缺少 {index.describe_missing(missing)}。"
    )


# --- reading the whole table as text ---------------------------------------------------------------------
COL = "c{}"  # column names of the raw frame: c0, c1, … (by position; headers may repeat)
ROW = "__row"


@contextmanager
def utf8_csv(loc: Located) -> Iterator[Path]:
    """A UTF-8 copy of a non-UTF-8 CSV (streamed, strict), or the file itself."""
    assert loc.text is not None
    enc = loc.text.encoding
    if enc in ("utf-8", "utf-8-sig"):
        yield loc.path
        return
    with tempfile.TemporaryDirectory(prefix="wangjian-") as tmp:
        out = Path(tmp) / "utf8.csv"
        decoder = codecs.getincrementaldecoder(enc)(errors="strict")
        line = 1
        try:
            with open(loc.path, "rb") as src, open(out, "wb") as dst:
                while chunk := src.read(16 << 20):
                    text = decoder.decode(chunk)
                    if REPLACEMENT_CHAR in text:
                        raise FileRejected(
                            _replacement_message(loc.name, line + text[: text.index(REPLACEMENT_CHAR)].count("\n"))
                        )
                    line += text.count("\n")
                    dst.write(text.encode("utf-8"))
                dst.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError:
            raise FileRejected(
                f"文件 {loc.name} 约第 {line} 行之后的内容不是有效的 {enc.upper()} 编码（文件可能被截断或混用了编码）。请重新导出后再试。"
            ) from None
        yield out


def iter_table(
    loc: Located, columns: Sequence[int], numeric_cols: Sequence[int], chunk_rows: int
) -> Iterator[pl.DataFrame]:
    """The data rows below the header, in slices of about chunk_rows rows: text columns c<i> for the requested
    positions, __row (the row number as Excel shows it, or the CSV line), and c<i>__num for numeric_cols (whether
    the cell was a number in Excel; always false for CSV). Raises FileRejected for undecodable content."""
    if loc.fmt.kind == "csv":
        yield from _iter_csv(loc, columns, numeric_cols, chunk_rows)
        return
    df = _read_sheet(loc, columns, numeric_cols)
    for at in range(0, max(df.height, 1), chunk_rows):
        yield df.slice(at, chunk_rows)


def _iter_csv(
    loc: Located, columns: Sequence[int], numeric_cols: Sequence[int], chunk_rows: int
) -> Iterator[pl.DataFrame]:
    """polars' streaming CSV reader (parallel, one pass, memory flat): rows numbered by record after the
    skipped title and header lines. Every cell of every column (the ignored ones too) is checked for U+FFFD."""
    assert loc.text is not None
    width = len(loc.match.headers)
    skip = loc.grid.first_row - 1 + loc.header_index + 1
    names = [COL.format(i) for i in columns]
    flags = [pl.lit(False).alias(COL.format(i) + "__num") for i in numeric_cols]
    with utf8_csv(loc) as path:
        scan = pl.scan_csv(
            path,
            has_header=False,
            skip_lines=skip,
            separator=loc.text.delimiter,
            schema={COL.format(i): pl.String for i in range(width)},
            truncate_ragged_lines=True,
            encoding="utf8",
            quote_char='"',
            raise_if_empty=False,
            missing_columns="insert",
            row_index_name=ROW,
            row_index_offset=skip + 1,
        )
        damaged = pl.any_horizontal(pl.col(pl.String).str.contains(REPLACEMENT_CHAR, literal=True).fill_null(False))
        yielded = False
        batches = scan.collect_batches(chunk_size=chunk_rows)
        while True:
            try:
                df = next(batches)
            except StopIteration:
                break
            except pl.exceptions.PolarsError as exc:
                if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
                    raise FileRejected(
                        f"文件 {loc.name} 开头是 UTF-8 编码，后面却有不是 UTF-8 的内容（混用了编码或文件已损坏）。请重新导出后再试。"
                    ) from None
                raise FileRejected(f"文件 {loc.name} 无法按 CSV 解析（引号或分隔符不配对，或文件被截断）。") from None
            bad = df.filter(damaged).get_column(ROW)
            if bad.len():
                raise FileRejected(_replacement_message(loc.name, int(bad.min())))
            yielded = True
            yield df.select(pl.col(ROW).cast(pl.Int64), *names, *flags)
        if not yielded:
            yield pl.DataFrame(schema={ROW: pl.Int64, **dict.fromkeys(names, pl.String)}).with_columns(flags)


def _read_sheet(loc: Located, columns: Sequence[int], numeric_cols: Sequence[int]) -> pl.DataFrame:
    import fastexcel

    skip = loc.header_index + 1
    generated = "__UNNAMED__{}"  # fastexcel's names for header-less columns, by position in the used range
    try:
        reader = fastexcel.read_excel(str(loc.path))
        df = reader.load_sheet(
            loc.grid.sheet,
            header_row=None,
            dtypes="string",
            skip_rows=skip,
            use_columns=[generated.format(i) for i in columns],
        ).to_polars()
        # A number cell in Excel: a boolean read gives a value for numbers (and true/false cells) only.
        numeric = reader.load_sheet(
            loc.grid.sheet,
            header_row=None,
            dtypes="boolean",
            skip_rows=skip,
            use_columns=[generated.format(i) for i in numeric_cols],
        ).to_polars()
    except Exception:
        raise FileRejected(f"文件 {loc.where} 读取失败：工作簿已损坏或内容不完整。请重新导出后再试。") from None
    df = df.rename({generated.format(i): COL.format(i) for i in columns})
    flags = numeric.select(
        pl.col(generated.format(i)).is_not_null().alias(COL.format(i) + "__num") for i in numeric_cols
    )
    first = loc.grid.first_row + skip
    return (
        pl.concat([df, flags], how="horizontal")
        .with_row_index(ROW, offset=first)
        .with_columns(pl.col(ROW).cast(pl.Int64))
    )


# --- casting expressions ------------------------------------------------------------------------------
_DATE_RE = (
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:时]\s*(?P<M>\d{1,2})(?:\s*[:分]\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?)?$"
)
_SERIAL_RE = r"^\d{5}(?:\.\d+)?$"
EXCEL_EPOCH = pl.datetime(1899, 12, 30)
# After folding 2018/8/3, 2018.8.3, 2018年8月3日 9时5分 into 2018-8-3 9:5, these (lenient-width) formats
# are tried in turn; each is a fast native parse, unlike a regex per form.
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y%m%d", "%Y%m%d %H:%M:%S", "%Y%m%d%H%M%S")


def fill_where(out: pl.Series, todo: pl.Series, source: pl.Series, fn: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """out with the rows flagged in `todo` replaced by fn(source[those rows]): slow paths run on few rows."""
    if not todo.any():
        return out
    idx = todo.arg_true()
    out = out.clone()
    out.scatter(idx, fn(source.gather(idx)).cast(out.dtype))
    return out


# Forms tried as they are first (fast native parses, lenient digit widths), then the rest after folding.
_FAST_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
)


def _fold_dates(t: pl.Series) -> pl.Series:
    t = t.str.normalize("NFKC").str.strip_chars()
    return (
        t.str.replace(r"(\d)T(\d)", "$1 $2")
        .str.replace(r"(:\d{1,2})\.\d+$", "$1")
        .str.replace_all(r"\s*[-/.年月]\s*", "-")
        .str.replace_all(r"\s*[日号]\s*", " ")
        .str.replace_all(r"\s*[时分:]\s*", ":")
        .str.replace(r"秒$", "")
        .str.strip_chars(" :")
    )


def _slow_dates(t: pl.Series) -> pl.Series:
    """The rarer forms: Excel serials, then 2018年8月3日 9时5分 and the like, folded into 2018-8-3 9:5."""
    return _parse_narrowing(
        t, [_from_serial, lambda x: _parse_narrowing(_fold_dates(x), [_strptime(f) for f in _DATE_FORMATS])]
    )


def _from_serial(t: pl.Series) -> pl.Series:
    days = t.str.normalize("NFKC").str.strip_chars().str.extract(f"({_SERIAL_RE})").cast(pl.Float64)
    return pl.select(
        EXCEL_EPOCH + pl.duration(microseconds=(pl.lit(days) * 86_400_000_000).round(0).cast(pl.Int64))
    ).to_series()


def parse_datetimes(s: pl.Series) -> pl.Series:
    """Text → Datetime in every form listed in domain.md (Excel serials, 2018/8/3, 2018年8月3日, 20180803,
    with or without a time); null where the text is not a date (the caller reports those). Each form is
    tried only on the rows that the forms before it left unparsed."""
    return _parse_narrowing(s, [*_common_forms(s, _FAST_DATE_FORMATS), _slow_dates]).alias(s.name)


def _common_forms(
    s: pl.Series, formats: Sequence[str], sample_rows: int = 2000
) -> list[Callable[[pl.Series], pl.Series]]:
    """The fast parses of the forms that an even sample of the column actually uses, most used first. (They are
    shortcuts only: _slow_dates reads every one of these forms too, so a form missing from the sample still parses.)"""
    values = s.drop_nulls()
    sample = values.gather_every(max(1, values.len() // sample_rows))
    hits = {f: int(_strptime(f)(sample).is_not_null().sum()) for f in formats}
    return [_strptime(f) for f in sorted((f for f in formats if hits[f]), key=lambda f: -hits[f])]


def _strptime(fmt: str) -> Callable[[pl.Series], pl.Series]:
    return lambda x: x.str.to_datetime(fmt, strict=False, time_unit="us")


def _parse_narrowing(s: pl.Series, parsers: Sequence[Callable[[pl.Series], pl.Series]]) -> pl.Series:
    out = parsers[0](s)
    if len(parsers) == 1:
        return out
    return fill_where(out, out.is_null() & s.is_not_null(), s, lambda rest: _parse_narrowing(rest, parsers[1:]))


def find_datetime(text: str) -> pl.Datetime | None:
    """The first date in a free text line, e.g. a title line "导出时间：2018-09-01 09:12:33"."""
    m = re.search(_DATE_RE.strip("^$"), unicodedata.normalize("NFKC", text))
    if not m:
        return None
    return parse_datetimes(pl.Series([m.group(0)])).item()


def parse_amounts(s: pl.Series, units: Sequence[str], ten_thousand: Sequence[str]) -> pl.Series:
    """1,234.50 元 / １２３４ / 1.2万元 → 1234.5 / 1234 / 12000.0; null where not a number (caller reports)."""
    out = s.cast(pl.Float64, strict=False)

    def alternatives(words: Iterable[str]) -> str:
        folded = {unicodedata.normalize("NFKC", w) for w in words}
        return "|".join(re.escape(w) for w in sorted(folded, key=len, reverse=True))

    wan_re = f"(?:{alternatives(ten_thousand)})$"
    noise_re = f"{alternatives((*ten_thousand, *units))}|[,\\s]"

    def slow(x: pl.Series) -> pl.Series:
        t = x.str.normalize("NFKC").str.strip_chars()
        value = t.str.replace_all(noise_re, "").cast(pl.Float64, strict=False)
        return pl.select(
            pl.when(pl.lit(t.str.contains(wan_re))).then(pl.lit(value) * 10_000).otherwise(pl.lit(value))
        ).to_series()

    return fill_where(out, out.is_null() & s.is_not_null(), s, slow).alias(s.name)


SCI_RE = r"^[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+$"


def clean_ids(s: pl.Series) -> pl.Series:
    """IDs stay text with every digit: blanks, full-width digits, a leading apostrophe and Excel's ="…" wrapper go."""

    def slow(x: pl.Series) -> pl.Series:
        t = x.str.normalize("NFKC").str.strip_chars()
        t = pl.select(pl.coalesce(pl.lit(t).str.extract(r'^="(.*)"$', 1), pl.lit(t))).to_series()
        t = t.str.strip_prefix("'").str.strip_chars()
        return pl.select(pl.when(pl.lit(t).str.len_chars() > 0).then(pl.lit(t))).to_series()

    plain = s.str.contains(r"^[0-9A-Za-z_-]+$").fill_null(True)
    return fill_where(s, ~plain, s, slow).alias(s.name)


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_CHARS)}


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015: the 18th character of a 统一社会信用代码 from the first 17."""
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_valid(e: pl.Expr) -> pl.Expr:
    """True when the code has 18 allowed characters and the right check character (vectorised)."""
    shape = e.str.contains(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
    total = pl.sum_horizontal(
        [
            e.str.slice(i, 1).replace_strict(_USCC_VALUE, default=0, return_dtype=pl.Int32) * w
            for i, w in enumerate(USCC_WEIGHTS)
        ]
    )
    expected = ((31 - total % 31) % 31).replace_strict(
        dict(enumerate(USCC_CHARS)), default=None, return_dtype=pl.String
    )
    return (shape & (e.str.slice(17, 1) == expected)).fill_null(False)


def uscc_valid_series(codes: pl.Series) -> pl.Series:
    """uscc_valid over a column; merchants repeat, so each distinct code is checked once."""
    distinct = codes.drop_nulls().unique()
    good = distinct.filter(pl.select(uscc_valid(pl.lit(distinct))).to_series().fill_null(False))
    return codes.is_in(good.implode()).fill_null(False)


# --- per-distinct-value mappings ------------------------------------------------------------------------
def map_values(series: pl.Series, fn: Callable[[str], object]) -> dict[str, object]:
    """fn applied once per distinct non-null value: regions, platforms and categories repeat a lot."""
    return {v: fn(v) for v in series.drop_nulls().unique().to_list()}


class UnitResolver:
    """Region or address text → (unit key, inferred).

    经开区 streets/towns win over 武进区; unit labels and aliases next (longest first); an address whose first
    place name is another city or province is ``outside``; one naming only 常州市, or no district, is the
    default unit (市本级), flagged inferred."""

    def __init__(self, c: Campaign) -> None:
        self.c = c
        self.areas = [(fold(a.name), u.key) for u in c.units for a in u.areas]
        city_names = {fold(n) for n in c.city_names}
        names = []
        for u in c.units:
            for n in (u.label, *u.aliases):
                f = fold(n)
                if f and f not in city_names:
                    names.append((f, u.key))
        self.names = sorted(names, key=lambda x: -len(x[0]))
        self.city_names = sorted(city_names, key=len, reverse=True)
        self.province = sorted((fold(p) for p in c.province_prefixes), key=len, reverse=True)
        known = {n for n, _ in names} | city_names
        self.known_places = known
        ep = c.export_parsing
        stop = "".join(sorted({ch for s in ep.district_suffixes for ch in s}))
        suffixes = "|".join(re.escape(s) for s in sorted(ep.place_suffixes, key=len, reverse=True))
        self.first_place = (
            re.compile(f"^([^{re.escape(stop)}{re.escape(''.join(ep.place_suffixes))}]{{2,7}}?(?:{suffixes}))")
            if suffixes
            else None
        )

    def resolve(self, text: str | None) -> tuple[str | None, bool]:
        t = fold(text)
        if not t:
            return None, True
        for area, key in self.areas:
            if area in t:
                return key, False
        rest = t
        for p in self.province:
            if rest.startswith(p):
                rest = rest[len(p) :]
                break
        if self.first_place is not None:
            m = self.first_place.match(rest)
            if m and m.group(1) not in self.known_places:
                return self.c.outside_key, False
        for name, key in self.names:
            if name in t:
                return key, False
        return self.c.default_unit, True


class PlatformNormalizer:
    def __init__(self, c: Campaign) -> None:
        self.alias = {}
        self.domains = []
        for p in c.platforms:
            for n in (p.name, *p.aliases):
                self.alias[fold(n).lower()] = p.name
            self.domains += [(d.lower(), p.name) for d in p.domains]

    def normalize(self, text: str | None) -> str | None:
        t = fold(text)
        if not t:
            return None
        low = t.lower()
        if low in self.alias:
            return self.alias[low]
        host = re.match(r"^(?:[a-z]+://)?([a-z0-9.-]+\.[a-z]{2,})(?:[:/?#]|$)", low)
        if host:
            h = host.group(1)
            for d, name in self.domains:
                if h == d or h.endswith("." + d):
                    return name
            return h
        return t


def classify(rules: Sequence[tuple[str, str]], unclassified: str, *texts: str | None) -> str:
    """The first rule (in priority order) whose keyword occurs in any category field; else unclassified."""
    joined = "|".join(fold(t) for t in texts if t)
    if joined:
        for focus, keyword in rules:
            if keyword and fold(keyword) in joined:
                return focus
    return unclassified


def decode_bytes_strict(data: bytes) -> str:
    """What the loader reads out of CSV bytes (BOM → strict UTF-8 → GB18030), for tests and tools."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")
