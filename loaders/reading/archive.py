"""A workbook's zip archive, checked before any XML parser sees it: size, members, compression, no DTDs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import settings
from loaders.result import FileRejected

MAX_UNCOMPRESSED_BYTES = settings.max_uncompressed_bytes()
MAX_ZIP_MEMBERS = 5000
MAX_COMPRESSION_RATIO = 200  # a real sheet compresses ~10–30×; a zip bomb by thousands


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
