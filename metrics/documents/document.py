"""One generated document end to end: its heading block, its sections, the scope and as-of date printed on it,
and the audit row. The 工作通报 and the 总结报告 differ only in their title lines and their list of sections."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from auth.audit import record
from auth.policy import Principal
from metrics.documents import charts, pdf
from metrics.documents.context import Context, Request, Section, write_sections
from metrics.documents.layout import OfficialDocument
from metrics.documents.sentences import day, full_day
from warehouse import Warehouse

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"


@dataclass(frozen=True)
class GeneratedFile:
    file_name: str
    data: bytes
    mime: str
    sha256: str
    missing: tuple[str, ...] = ()  # what could not be included, in words


def has_demo_data(wh: Warehouse) -> bool:
    with wh.read() as cur:
        return cur.execute("SELECT count(*) FROM batches WHERE is_demo AND status = 'loaded'").fetchone()[0] > 0


def scope_note(ctx: Context) -> str:
    """The filters a reader needs to read the figures right, printed under the heading."""
    c, as_of = ctx.wh.campaign, ctx.as_of
    lines = [
        f"统计范围：{ctx.who}；统计截止：{full_day(as_of)}（含当日）。",
        f"“本周新增”为截至{day(as_of)}的累计数与截至{day(as_of - dt.timedelta(days=7))}的累计数之差；"
        "情况统计表按报告周的周日计入，取各单位当前有效版本；投诉举报、监测线索同一编号只计最新版本。",
    ]
    if not ctx.scope.covers_area(ctx.wh):
        lines.append("本材料为市级成员单位材料，不含按属地统计的投诉举报和监测线索。")
    if has_demo_data(ctx.wh):
        lines.append("注意：当前数据含演示数据，数字不代表真实工作情况。")
    lines.append(f"依据：{c.document}。")
    return "".join(lines)


def compose(
    wh: Warehouse,
    principal: Principal,
    r: Request,
    *,
    title: str,
    meta: list[str],
    sections: list[Section],
) -> tuple[bytes, tuple[str, ...]]:
    """The .docx bytes and what was missing. The browser for the charts starts before the first query."""
    if r.with_charts:
        charts.warm_up()
    doc = OfficialDocument()
    ctx = Context(wh, doc, r.scope, r.as_of, principal, charts=r.with_charts)
    doc.title(title)
    for i, line in enumerate(meta):
        doc.meta(line, space_after=12 if i == len(meta) - 1 else 0)
    doc.note(scope_note(ctx))
    write_sections(ctx, sections)
    data = doc.to_bytes(title=title, author=wh.campaign.office, subject=scope_note(ctx), generated_at=r.generated_at)
    return data, tuple(ctx.missing)


def finish(
    wh: Warehouse,
    principal: Principal,
    file_name: str,
    data: bytes,
    mime: str,
    detail: str,
    missing: tuple[str, ...] = (),
    audit: bool = True,
) -> GeneratedFile:
    """The file as handed out, with its one audit row (none for a part of a pack: the pack has it)."""
    digest = hashlib.sha256(data).hexdigest()
    if audit:
        record(wh, principal, "document", file_name, sha256=digest, detail=detail)
    return GeneratedFile(file_name, data, mime, digest, tuple(missing))


def pdf_of(wh: Warehouse, principal: Principal, docx: GeneratedFile) -> GeneratedFile:
    """The same document as PDF (LibreOffice converts the very .docx), audited as a file of its own."""
    data = pdf.to_pdf(docx.data)
    name = docx.file_name.removesuffix(".docx") + ".pdf"
    return finish(wh, principal, name, data, PDF_MIME, f"PDF 版：{docx.file_name}", docx.missing)
