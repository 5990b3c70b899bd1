"""PDF by LibreOffice headless converting the very .docx handed out, so the PDF and the Word file cannot differ.

Debian's libreoffice-writer-nogui (the smallest package that converts .docx) provides `soffice`. Each
conversion gets its own throw-away profile, so two conversions at once never fight over one profile lock.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_S = 180


class PdfUnavailable(RuntimeError):
    """No LibreOffice on this machine, or it failed; the message is Chinese."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: bytes) -> bytes:
    exe = soffice()
    if exe is None:
        raise PdfUnavailable(
            "本机未安装 LibreOffice（apt-get install libreoffice-writer-nogui），无法生成 PDF；Word 版可正常下载。"
        )
    with tempfile.TemporaryDirectory(prefix="wangjian-pdf-") as tmp:
        src = Path(tmp) / "document.docx"
        src.write_bytes(docx)
        profile = (Path(tmp) / "profile").as_uri()
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf"]
        try:
            subprocess.run(  # noqa: S603 - fixed arguments, our own temporary file
                [*cmd, "--outdir", tmp, str(src)], capture_output=True, timeout=TIMEOUT_S, check=True
            )
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as exc:
            raise PdfUnavailable(f"LibreOffice 转换 PDF 失败：{exc}") from None
        out = Path(tmp) / "document.pdf"
        if not out.exists():
            raise PdfUnavailable("LibreOffice 未生成 PDF 文件。")
        return out.read_bytes()
