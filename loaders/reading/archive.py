"""A zip-based file judged before any XML parser sees it: what it is (a workbook we read, an .xlsb, an .ods, a Word
file …), and whether it is safe to hand to calamine.

Every member is inflated here once, by our own bounded reader (its real size, not the size it declares; its
CRC; no encryption; one of the two compression methods Excel uses). Every member that is markup is searched
for a DTD or entity declaration (Excel never writes one; a "billion laughs" file needs one), and must be UTF-8.
Every worksheet's cell references are measured, because calamine allocates the whole rectangle between the
first and the last cell: two cells at A1 and XFD1048576 would ask for 512 GB and abort the process.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import settings
from loaders.result import FileRejected

MAX_UNCOMPRESSED_BYTES = settings.max_uncompressed_bytes()
MAX_ZIP_MEMBERS = 5000
MAX_COMPRESSION_RATIO = 200  # a real sheet compresses ~10–30×; a zip bomb by thousands
MAX_SHEET_CELLS = 50_000_000  # calamine holds a sheet's whole rectangle, ~32 bytes a cell: 50M cells ≈ 1.6 GB
CHUNK = 1 << 20

_DTD = re.compile(rb"<!\s*(?:doctype|entity)", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_CELL_REF = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"')
_CELL_TAG_RARE = re.compile(rb"<c[\t\n\r\f\v/>]")  # a cell tag not followed by a space (<c[\s/>] otherwise)
_ROW_TAG = re.compile(rb"<row[\s/>]")
_ROW_REF = re.compile(rb'<row\b[^>]*?\sr="[0-9]')
_ROW_NUMBER = re.compile(rb'(?:[^>]*?\s)?r="([0-9]{1,7})"')  # a row's r, matched just after "<row"


@dataclass
class _Span:
    """The rectangle calamine will allocate for one worksheet: from its cells' references, and for cells without one,
    from their row's r and their count in it (as calamine places them)."""

    first_row: int | None = None
    last_row: int = 0
    min_row: int = 1 << 31
    max_row: int = 0
    min_col: int = 1 << 31
    max_col: int = 0
    unnumbered_rows: int = 0  # <row> without r: numbered by position
    unnumbered_cells: int = 0  # most <c> without r in one row: placed by position
    # the row being read, carried across chunks: its r (None: a row without r), its cells so far, and whether any
    # of them has no reference
    row_now: int | None = None
    row_cells: int = 0
    row_unnumbered: bool = False

    def add(self, buf: bytes) -> None:
        refs = _CELL_REF.findall(buf)
        if refs:
            # distinct row numbers and column letters first: each repeats in many cells, convert each once
            rows = [int(d) for d in set(map(itemgetter(1), refs))]
            cols = [_col_index(letters) for letters in set(map(itemgetter(0), refs))]
            if self.first_row is None:
                self.first_row = int(refs[0][1])
            self.last_row = int(refs[-1][1])
            self.min_row, self.max_row = min(self.min_row, *rows), max(self.max_row, *rows)
            self.min_col, self.max_col = min(self.min_col, *cols), max(self.max_col, *cols)
        tags = _cell_tags(buf)
        if tags > len(refs):
            self._by_row(buf)
        else:
            self._carry(buf, tags)
        self.unnumbered_rows += len(_ROW_TAG.findall(buf)) - len(_ROW_REF.findall(buf))

    def _by_row(self, buf: bytes) -> None:
        """Cells without a reference (allowed, rare) go into their row one after another: a row holding any counts
        all its cells as columns, conservatively, and its r as a row of the rectangle. Rows may span chunks."""
        for i, part in enumerate(_ROW_TAG.split(buf)):
            if i:  # a new row; the first part continues the row the last chunk ended in
                m = _ROW_NUMBER.match(part)
                self.row_now, self.row_cells, self.row_unnumbered = (int(m.group(1)) if m else None), 0, False
            cells = _cell_tags(part)
            self.row_cells += cells
            self.row_unnumbered |= cells > len(_CELL_REF.findall(part))
            self._count_row()

    def _carry(self, buf: bytes, cells: int) -> None:
        """Every cell here has a reference: only the row the chunk ends in matters to the next chunk."""
        end = len(buf)
        while (at := buf.rfind(b"<row", 0, end)) >= 0 and not _ROW_TAG.match(buf, at):
            end = at  # <rowBreaks …>, not a row
        if at < 0:  # the whole chunk is inside one row
            self.row_cells += cells
            self._count_row()
            return
        m = _ROW_NUMBER.match(buf, at + 5)
        self.row_now, self.row_unnumbered = (int(m.group(1)) if m else None), False
        self.row_cells = _cell_tags(buf[at:])

    def _count_row(self) -> None:
        if self.row_unnumbered:
            self.unnumbered_cells = max(self.unnumbered_cells, self.row_cells)
            if self.row_now is not None:
                self.min_row, self.max_row = min(self.min_row, self.row_now), max(self.max_row, self.row_now)

    def cells(self) -> int:
        rows = max(self.max_row - self.min_row + 1, 0) + self.unnumbered_rows
        cols = max(self.max_col - self.min_col + 1, 0) + self.unnumbered_cells
        return rows * cols

    def disordered(self) -> bool:
        return self.first_row is not None and self.last_row < self.first_row


def _cell_tags(buf: bytes) -> int:
    """How many cell tags: as Excel writes them (<c followed by a space, found by bytes.count) plus the rare other
    forms; cheaper than a regex over every cell."""
    return buf.count(b"<c ") + len(_CELL_TAG_RARE.findall(buf))


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


@dataclass
class Package:
    """What the zip holds, by its normalised member names (lower case, forward slashes)."""

    names: set[str] = field(default_factory=set)
    content_types: bytes = b""
    mimetype: bytes = b""


def _norm(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


def check_zip(path: Path, name: str) -> Package:
    """Every structural check of a zip-based file; its package description for identification. FileRejected."""
    try:
        with zipfile.ZipFile(path) as zf, open(path, "rb") as raw:
            infos = zf.infolist()
            _check_directory(infos, name)
            package = Package()
            budget = [MAX_UNCOMPRESSED_BYTES]
            for info in infos:
                norm = _norm(info.filename)
                package.names.add(norm)
                keep = norm in ("[content_types].xml", "mimetype")
                head = _scan_member(raw, info, name, budget, norm.startswith("xl/worksheets/"), keep)
                if norm == "[content_types].xml":
                    package.content_types = head
                elif norm == "mimetype":
                    package.mimetype = head
            return package
    except zipfile.BadZipFile:
        raise FileRejected(f"文件 {name} 已损坏或不完整（无法作为 .xlsx 打开）。请重新导出或重新下载后再试。") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, zlib.error, struct.error):
        raise FileRejected(f"文件 {name} 已损坏或使用了不支持的压缩方式，无法读取。") from None


def _check_directory(infos: list[zipfile.ZipInfo], name: str) -> None:
    if len(infos) > MAX_ZIP_MEMBERS:
        raise FileRejected(f"文件 {name} 内含 {len(infos)} 个部件，超过上限 {MAX_ZIP_MEMBERS}，疑似恶意文件，已拒绝。")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRejected(
            f"文件 {name} 解压后约 {total / (1 << 20):.0f} MB，超过上限 {MAX_UNCOMPRESSED_BYTES >> 20} MB（疑似压缩炸弹），已拒绝。"
        )
    seen = set()
    for i in infos:
        if i.flag_bits & 0x1:
            raise FileRejected(f"文件 {name} 已加密，请另存为未加密的文件后再上传。")
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileRejected(f"文件 {name} 的部件 {i.filename} 使用了 Excel 不会使用的压缩方式，无法读取。")
        if i.file_size > 1 << 20 and i.file_size > MAX_COMPRESSION_RATIO * max(i.compress_size, 1):
            raise FileRejected(f"文件 {name} 的部件 {i.filename} 压缩比异常（疑似压缩炸弹），已拒绝。")
        if _norm(i.filename) in seen:
            raise FileRejected(f"文件 {name} 内有重名的部件 {i.filename}（Excel 不会这样保存），疑似被篡改，已拒绝。")
        seen.add(_norm(i.filename))


def _inflate(raw, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """A member's bytes as stored, inflated by us: never more than it declares, its CRC checked."""
    raw.seek(info.header_offset)
    local = raw.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile
    n, m = struct.unpack_from("<HH", local, 26)
    raw.seek(info.header_offset + 30 + n + m)
    left, produced, crc = info.compress_size, 0, 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    while left > 0 or (inflater is not None and inflater.unconsumed_tail):
        data = b""
        if inflater is not None and inflater.unconsumed_tail:
            data = inflater.decompress(inflater.unconsumed_tail, CHUNK)
        else:
            piece = raw.read(min(CHUNK, left))
            if not piece:
                raise zipfile.BadZipFile
            left -= len(piece)
            data = inflater.decompress(piece, CHUNK) if inflater is not None else piece
        produced += len(data)
        if produced > info.file_size:
            raise FileRejected(f"文件 {name} 的部件 {info.filename} 实际内容比声明的大（疑似压缩炸弹），已拒绝。")
        crc = zlib.crc32(data, crc)
        yield data
        if inflater is not None and inflater.eof:
            break
    if produced != info.file_size or crc != info.CRC or (inflater is not None and not inflater.eof):
        raise zipfile.BadZipFile


def _scan_member(raw, info: zipfile.ZipInfo, name: str, budget: list[int], sheet: bool, keep: bool) -> bytes:
    """Inflate one member: markup is searched for DTDs and must be UTF-8; a worksheet's span is measured. Returns
    the member's first megabyte when `keep` (for identifying the package), else b""."""
    markup: bool | None = None
    span = _Span() if sheet else None
    tail, kept = b"", b""
    for data in _inflate(raw, info, name):
        budget[0] -= len(data)
        if budget[0] < 0:
            raise FileRejected(f"文件 {name} 解压后超过上限（疑似压缩炸弹），已拒绝。")
        if keep and len(kept) < CHUNK:
            kept += data[: CHUNK - len(kept)]
        if markup is None:
            markup = _is_markup(data, info.filename, name)
        if not markup:
            continue
        buf = tail + data
        cut = buf.rfind(b"<")
        if cut <= 0 or len(buf) - cut > CHUNK:
            cut = len(buf)
        body, tail = buf[:cut], buf[cut:]
        _check_markup(body, info.filename, name, span)
    if markup and tail:
        _check_markup(tail, info.filename, name, span)
    if span is not None:
        _check_span(span, info.filename, name)
    return kept


def _is_markup(head: bytes, member: str, name: str) -> bool:
    """Whether a member is XML (searched) or binary (an image, vbaProject.bin …: not parsed as XML by calamine)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        raise FileRejected(f"文件 {name} 的部件 {member} 不是 UTF-8 编码的 XML（Excel 不会这样保存），已拒绝。")
    if not start.startswith(b"<"):
        return False
    m = _XML_ENCODING.match(start)
    if m and m.group(1).lower().replace(b"-", b"") != b"utf8":
        raise FileRejected(
            f"文件 {name} 的部件 {member} 声明为 {m.group(1).decode('ascii', 'replace')} 编码（Excel 只用 UTF-8），已拒绝。"
        )
    return True


def _check_markup(body: bytes, member: str, name: str, span: _Span | None) -> None:
    if b"<!" in body and _DTD.search(body):
        raise FileRejected(f"文件 {name} 含有 XML 实体声明（DTD，部件 {member}），可能是恶意文件，已拒绝。")
    if span is not None:
        span.add(body)


def _check_span(span: _Span, member: str, name: str) -> None:
    sheet = member.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if span.disordered():
        raise FileRejected(f"文件 {name} 的工作表部件 {sheet} 中单元格的行顺序错乱（Excel 不会这样保存），已拒绝。")
    if span.cells() > MAX_SHEET_CELLS:
        raise FileRejected(
            f"文件 {name} 的工作表部件 {sheet} 的单元格范围过大（约 {span.cells() / 1e8:.1f} 亿格，上限 {MAX_SHEET_CELLS // 10_000} 万格）："
            "通常是表格很远的行列里有误输入的内容。请删除多余的行和列后另存，再重新上传。"
        )
