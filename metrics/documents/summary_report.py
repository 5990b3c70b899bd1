"""The 总结报告 draft due on 11/15: the bulletin's generated sections over the whole campaign, the typical
cases, and the headings the office writes by hand (做法、问题、打算) marked 【待填写】, for the city or one unit."""

from __future__ import annotations

import datetime as dt
from typing import Unpack

from auth.policy import Principal, require_documents
from metrics.documents.context import Context, Options, Request, Scope, Section, city_only, fill_in
from metrics.documents.document import DOCX_MIME, GeneratedFile, compose, finish
from metrics.documents.followup import followup_items
from metrics.documents.sections import districts, focus_areas, overall, reporting, typical_cases
from metrics.documents.sentences import full_day
from warehouse import Warehouse


def _work_and_results(ctx: Context) -> None:
    ctx.doc.fill_in("概述组织领导、部门协作、联合执法、宣传引导等主要做法（可引用下列各项重点工作数字）。")
    focus_areas(ctx)


SUMMARY: list[Section] = [
    Section("基本情况", overall),
    Section("主要做法和成效", _work_and_results),
    Section("各地区进展", districts, city_only),
    Section("典型案例", typical_cases),
    Section("材料报送情况", reporting),
    Section("督办事项办理情况", followup_items),
    fill_in("存在的问题和不足", "结合上文数字，分析工作中存在的主要问题和薄弱环节。"),
    fill_in("下一步工作打算", "提出建立长效监管机制、加强部门协作等下一步工作打算和建议。"),
]


def file_name(wh: Warehouse, as_of: dt.date, scope: Scope) -> str:
    return f"{wh.campaign.short_name}总结报告（初稿）_{scope.label(wh)}_截至{as_of:%Y-%m-%d}.docx"


def summary_report(
    wh: Warehouse, principal: Principal, as_of: dt.date, *, audit: bool = True, **options: Unpack[Options]
) -> GeneratedFile:
    """The draft as .docx. Checked, and audited unless it is part of a pack (the pack is audited as a whole)."""
    r = Request.of(as_of, options)
    require_documents(principal, r.scope.unit, r.scope.agency)
    c, who = wh.campaign, r.scope.label(wh)
    meta = ["（初稿）", f"{c.office if r.scope.is_city else who}　　{full_day(as_of)}"]
    data, missing = compose(wh, principal, r, title=f"{who}{c.short_name}总结报告", meta=meta, sections=SUMMARY)
    detail = f"总结报告初稿：{who}，截至 {as_of}"
    return finish(wh, principal, file_name(wh, as_of, r.scope), data, DOCX_MIME, detail, missing, audit)
