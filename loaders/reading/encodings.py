"""CSV text: which encoding (BOM → strict UTF-8 → GB18030, never latin-1), and damage (U+FFFD) refused."""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from loaders.result import FileRejected

PREVIEW_BYTES = 256 << 10
REPLACEMENT_CHAR = "\ufffd"


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


def replacement_message(name: str, line: int) -> str:
    return (
        f"文件 {name} 第 {line} 行含有无法识别的字符（�），说明文件在保存或转换编码时已经损坏。"
        "请从原系统重新导出后再导入。"
    )


@contextmanager
def utf8_csv(path: Path, name: str, enc: str) -> Iterator[Path]:
    """A UTF-8 copy of a non-UTF-8 CSV (streamed, strict), or the file itself."""
    if enc in ("utf-8", "utf-8-sig"):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="wangjian-") as tmp:
        out = Path(tmp) / "utf8.csv"
        decoder = codecs.getincrementaldecoder(enc)(errors="strict")
        line = 1
        try:
            with open(path, "rb") as src, open(out, "wb") as dst:
                while chunk := src.read(16 << 20):
                    text = decoder.decode(chunk)
                    if REPLACEMENT_CHAR in text:
                        raise FileRejected(
                            replacement_message(name, line + text[: text.index(REPLACEMENT_CHAR)].count("\n"))
                        )
                    line += text.count("\n")
                    dst.write(text.encode("utf-8"))
                dst.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError:
            raise FileRejected(
                f"文件 {name} 约第 {line} 行之后的内容不是有效的 {enc.upper()} 编码（文件可能被截断或混用了编码）。请重新导出后再试。"
            ) from None
        yield out


def decode_bytes_strict(data: bytes) -> str:
    """What the loader reads out of CSV bytes (BOM → strict UTF-8 → GB18030), for tests and tools."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")
