"""What a file's bytes are (CSV text, .xlsx, .xls), whatever its extension says, and whether it is too big."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import settings
from loaders.result import FileRejected

MAX_FILE_BYTES = settings.max_file_bytes()

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
