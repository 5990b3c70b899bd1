"""The weekly 工作通报 to member units and leadership: progress, the district league, late and missing units
named, anomalies and the next deadlines, with charts, for an as-of date.

`BULLETIN` is the list of sections in order; a new section is one `Section(title, builder)` added to it (as
督办事项 was, from metrics.documents.followup).
"""

from __future__ import annotations

import datetime as dt
from typing import Unpack

from auth.policy import Principal, require_documents
from campaign.calendar import week_of
from metrics.documents.context import Options, Request, Scope, Section, city_only, with_area
from metrics.documents.document import DOCX_MIME, GeneratedFile, compose, finish
from metrics.documents.followup import followup_items
from metrics.documents.sections import anomalies, districts, focus_areas, next_steps, overall, reporting
from metrics.documents.sentences import full_day
from warehouse import Warehouse

BULLETIN: list[Section] = [
    Section("总体进展", overall),
    Section("重点工作进展", focus_areas),
    Section("各地区进展", districts, city_only),
    Section("报送情况", reporting),
    Section("督办事项", followup_items),
    Section("投诉举报走势与异常情况", anomalies, with_area),
    Section("下一步工作要求", next_steps),
]


def issue_number(wh: Warehouse, as_of: dt.date) -> int:
    """第N期: the campaign's report week the as-of date falls in (1 before the first week)."""
    return max(1, (week_of(as_of) - wh.campaign.first_week).days // 7 + 1)


def file_name(wh: Warehouse, as_of: dt.date, scope: Scope) -> str:
    who = "" if scope.is_city else f"_{scope.label(wh)}"
    return f"{wh.campaign.short_name}工作通报{who}_第{issue_number(wh, as_of)}期_截至{as_of:%Y-%m-%d}.docx"


def bulletin(wh: Warehouse, principal: Principal, as_of: dt.date, **options: Unpack[Options]) -> GeneratedFile:
    """The 工作通报 as .docx (`document.pdf_of` converts it). Checked and audited."""
    r = Request.of(as_of, options)
    require_documents(principal, r.scope.unit, r.scope.agency)
    c = wh.campaign
    meta = [f"第{issue_number(wh, as_of)}期", "（文号：〔　　〕　　号）", f"{c.office}　　{full_day(as_of)}"]
    data, missing = compose(wh, principal, r, title=f"{c.short_name}工作通报", meta=meta, sections=BULLETIN)
    detail = f"工作通报：{r.scope.label(wh)}，截至 {as_of}"
    return finish(wh, principal, file_name(wh, as_of, r.scope), data, DOCX_MIME, detail, missing)
