"""The gate every file passes before any parser sees it: what its bytes are, whatever its name says, and whether we
read it. One verdict (csv, xlsx or xls) or one Chinese refusal, for the exports and the weekly tables alike.

- Size: empty, or over $WANGJIAN_MAX_FILE_MB.
- A zip (archive): structure, member count and real sizes, compression ratio, encryption, DTD/ENTITY in any
  markup member, worksheet spans; then what it holds: .xlsx/.xlsm/.xltx are read (Strict Open XML too; macros
  never run); .xlsb,
  .ods, Word, PowerPoint and other zips are refused, each with its own message.
- An OLE2 compound file (ole): an encrypted workbook (EncryptedPackage, or FILEPASS in an .xls), a Word or
  PowerPoint file, a workbook stream that does not start as Excel writes it: refused; else .xls.
- Anything else is text, read as CSV by the encodings module, unless it is plainly something else: PDF, an
  image, a web page or an Excel 2003 XML table saved with an .xls name, or Excel 2.x–4.0's raw BIFF.

The verdict is kept per (file, size, mtime, limits), so sniffing a file for every kind and then loading it
judges it once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import settings
from loaders.reading import archive, ole
from loaders.result import FileRejected, Problem

MAX_FILE_BYTES = settings.max_file_bytes()

XLSX_MAGIC = b"PK\x03\x04"
EMPTY_ZIP = b"PK\x05\x06"
XLS_MAGIC = ole.MAGIC
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xls", ".xlsb", ".ods", ".et")
SAVE_AS = "请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（.xlsx），再重新上传。"


@dataclass(frozen=True)
class FileFormat:
    kind: str  # "csv" | "xlsx" | "xls"
    note: str | None = None  # a warning, e.g. a text file carrying an Excel extension


def inspect(path: Path, name: str) -> FileFormat:
    """The format of a file we read, or FileRejected saying in Chinese why we do not read it."""
    try:
        st = path.stat()
    except OSError:
        raise FileRejected(f"文件 {name} 无法读取。") from None
    limits = (MAX_FILE_BYTES, archive.MAX_UNCOMPRESSED_BYTES, archive.MAX_COMPRESSION_RATIO, archive.MAX_SHEET_CELLS)
    verdict = _judged(str(path), st.st_size, st.st_mtime_ns, name, limits)
    if isinstance(verdict, FileFormat):
        return verdict
    raise FileRejected(list(verdict))


@functools.lru_cache(maxsize=16)
def _judged(path: str, size: int, mtime_ns: int, name: str, limits: tuple) -> FileFormat | tuple[Problem, ...]:
    try:
        return _judge(Path(path), size, name)
    except FileRejected as exc:
        return tuple(exc.problems)


def _judge(path: Path, size: int, name: str) -> FileFormat:
    if size == 0:
        raise FileRejected(f"文件 {name} 是空文件（0 字节），没有可导入的内容。")
    if size > MAX_FILE_BYTES:
        raise FileRejected(
            f"文件 {name} 大小为 {size / (1 << 20):.0f} MB，超过上限 {MAX_FILE_BYTES >> 20} MB。请按时间段拆分导出后分别导入。"
        )
    with open(path, "rb") as f:
        head = f.read(1024)
    if head.startswith((XLSX_MAGIC, EMPTY_ZIP)):
        return _zip_format(path, name)
    if head.startswith(XLS_MAGIC):
        return _ole_format(path, name)
    _refuse_other_binary(head, name)
    suffix = Path(name).suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return FileFormat("csv", f"文件 {name} 的扩展名是 {suffix}，但内容是文本表格，已按 CSV 读取。")
    return FileFormat("csv")


_OVERRIDE = re.compile(rb"<Override\b[^>]*>", re.I)
_PART = re.compile(rb'PartName\s*=\s*"/?xl/workbook\.(?:xml|bin)"', re.I)
_TYPE = re.compile(rb'ContentType\s*=\s*"([^"]*)"', re.I)


def _workbook_type(types: bytes) -> bytes:
    """The content type [Content_Types].xml gives the main workbook part (lower case), or b""."""
    for tag in _OVERRIDE.findall(types):
        if _PART.search(tag) and (m := _TYPE.search(tag)):
            return m.group(1).lower()
    return b""


def _zip_format(path: Path, name: str) -> FileFormat:
    pkg = archive.check_zip(path, name)
    names, types = pkg.names, pkg.content_types
    if pkg.mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        raise FileRejected(f"文件 {name} 是 OpenDocument 表格（.ods），本系统不读取这种格式。{SAVE_AS}")
    if pkg.mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise FileRejected(f"文件 {name} 是 OpenDocument 文档，不是表格。")
    main_type = _workbook_type(types)
    if "xl/workbook.xml" not in names and ("xl/workbook.bin" in names or b"sheet.binary" in main_type):
        raise FileRejected(f"文件 {name} 是 Excel 二进制工作簿（.xlsb），本系统不读取这种格式。{SAVE_AS}")
    if "word/document.xml" in names:
        raise FileRejected(f"文件 {name} 是 Word 文档，不是表格。请上传导出的 Excel 或 CSV 文件。")
    if any(n.startswith("ppt/") for n in names):
        raise FileRejected(f"文件 {name} 是 PowerPoint 演示文稿，不是表格。")
    if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected(f"文件 {name} 是压缩包，但不是 Excel 工作簿（.xlsx）。")
    if "xl/vbaproject.bin" in names or b"macroenabled" in main_type:
        return FileFormat("xlsx", f"文件 {name} 含有宏（VBA）：宏不会运行，也不会保存，只读取单元格中的值。")
    return FileFormat("xlsx")


def _ole_format(path: Path, name: str) -> FileFormat:
    broken = f"文件 {name} 已损坏或不完整（不是有效的 Excel 97–2003 工作簿 .xls）。请重新导出后再试。"
    encrypted = f"文件 {name} 已加密，请另存为未加密的文件后再上传。"
    try:
        with ole.OleFile(path) as doc:
            streams = {n.lower(): s for n, s in doc.streams.items()}
            if "encryptedpackage" in streams or "encryptioninfo" in streams:
                raise FileRejected(encrypted)
            book = streams.get("workbook") or streams.get("book")
            if book is None:
                if "worddocument" in streams:
                    raise FileRejected(f"文件 {name} 是 Word 文档（.doc），不是表格。请上传导出的 Excel 或 CSV 文件。")
                if "powerpoint document" in streams:
                    raise FileRejected(f"文件 {name} 是 PowerPoint 演示文稿，不是表格。")
                raise FileRejected(f"文件 {name} 是 Office 复合文档，但不是 Excel 工作簿。")
            if book.size > path.stat().st_size:
                raise FileRejected(broken)
            version, has_password = ole.biff_globals(doc.head(book, 1 << 16))
    except (ole.OleError, ValueError, IndexError, OSError):
        raise FileRejected(broken) from None
    if has_password:
        raise FileRejected(encrypted)
    if version not in (ole.BIFF8, ole.BIFF5):
        raise FileRejected(f"文件 {name} 是无法识别版本的 .xls 工作簿。{SAVE_AS}")
    return FileFormat("xls")


_OLD_BIFF = (b"\x09\x00", b"\x09\x02", b"\x09\x04")  # BOF of Excel 2.x, 3.0, 4.0 worksheets (no OLE container)


def _refuse_other_binary(head: bytes, name: str) -> None:
    """Files that are plainly not a table we read, said by name rather than as an undecodable CSV."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%PDF"):
        raise FileRejected(f"文件 {name} 是 PDF 文件，不是表格。请上传导出的 Excel 或 CSV 文件。")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        raise FileRejected(f"文件 {name} 是图片，不是表格。请上传导出的 Excel 或 CSV 文件。")
    if head[:2] in _OLD_BIFF and 4 <= int.from_bytes(head[2:4], "little") <= 16:
        raise FileRejected(f"文件 {name} 是 Excel 2.x–4.0 的旧格式工作簿，本系统不读取。{SAVE_AS}")
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head or b'progid="excel.sheet"' in text:
        raise FileRejected(f"文件 {name} 是 Excel 2003 XML 表格，不是 .xls/.xlsx 工作簿。{SAVE_AS}")
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or (
        text.startswith(b"<") and b"<html" in text
    ):
        raise FileRejected(
            f"文件 {name} 是网页（HTML）格式，不是真正的 Excel 文件（有些系统这样“导出 Excel”）。{SAVE_AS}"
        )
    if text.startswith(b"<?xml"):
        raise FileRejected(f"文件 {name} 是 XML 文件，不是表格。请上传导出的 Excel 或 CSV 文件。")
    if head.startswith(b"{\\rtf"):
        raise FileRejected(f"文件 {name} 是 RTF 文档，不是表格。")
