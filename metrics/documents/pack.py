"""The 11/15 总结报告 pack for the city or one unit, as one .zip: the draft 总结报告, the upward 统计表 workbook,
every live deliverable already uploaded (典型案例 with their 行政处罚决定书, 联合执法材料, …), `manifest.csv`
(file, unit, agency, kind, sha256, uploaded_by, uploaded_at) and `missing.csv`: what is still missing is
listed, never a reason to fail. Members are in a fixed order with fixed timestamps, so the same data give
the same pack."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from typing import Unpack

from openpyxl.xml.functions import tostring

from auth.policy import Principal, require_documents
from metrics import tracking
from metrics.documents.archive import restamp, stable_zip
from metrics.documents.context import Options, Request, Scope
from metrics.documents.document import GeneratedFile, finish
from metrics.documents.summary_report import summary_report
from metrics.report import build_report
from warehouse import Warehouse, load_sql

ZIP_MIME = "application/zip"
MANIFEST_COLUMNS = ["file", "unit", "agency", "kind", "sha256", "uploaded_by", "uploaded_at"]
MISSING_COLUMNS = ["unit", "agency", "reporter", "deliverable", "have", "need", "note"]
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class Missing:
    unit: str
    agency: str
    reporter: str
    deliverable: str
    have: int
    need: int
    note: str

    def __str__(self) -> str:
        note = f"，{self.note}" if self.note else ""
        return f"{self.reporter}：{self.deliverable}（已有 {self.have}/{self.need}{note}）"


def missing_items(wh: Warehouse, scope: Scope, as_of: dt.date) -> list[Missing]:
    """Each reporter's deliverables not yet complete on as_of (tracking's own judgement of what counts)."""
    labels = {(r.unit, r.agency): r.label for r in scope.reporters(wh)}
    deliverables = {d.key: d.label for d in wh.campaign.deliverables}
    return [
        Missing(s.unit, s.agency, labels[(s.unit, s.agency)], deliverables[s.deliverable_key], s.have, s.need, s.note)
        for s in tracking.deliverable_statuses(wh, as_of)
        if (s.unit, s.agency) in labels and s.status in ("missing", "not_due")
    ]


def _safe(name: str) -> str:
    return UNSAFE.sub("_", name).strip(" .") or "未命名"


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # Chinese Excel opens UTF-8 with a BOM


def _workbook(wh: Warehouse, as_of: dt.date, scope: Scope, generated_at: dt.datetime) -> bytes:
    wb = build_report(wh, as_of, scope.unit)
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl stamps "modified" with the clock here: the properties are written again below
    wb.properties.created = wb.properties.modified = generated_at
    wb.properties.creator = wh.campaign.office
    return restamp(buf.getvalue(), {"docProps/core.xml": tostring(wb.properties.to_tree())})


def stored_documents(wh: Warehouse, scope: Scope, as_of: dt.date) -> list[dict]:
    """The live uploaded documents of the scope received by as_of, with their bytes."""
    with wh.read() as cur:
        cur.execute(load_sql("pack_documents", __file__), {"unit": scope.unit, "agency": scope.agency, "as_of": as_of})
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def pack(wh: Warehouse, principal: Principal, as_of: dt.date, **options: Unpack[Options]) -> GeneratedFile:
    """The pack (.zip), checked and audited once; its `missing` says what is not in it yet."""
    r = Request.of(as_of, options)
    scope, generated_at = r.scope, r.generated_at
    require_documents(principal, scope.unit, scope.agency)
    c, who = wh.campaign, scope.label(wh)
    stamp = generated_at.isoformat(sep=" ")
    report = summary_report(
        wh, principal, as_of, audit=False, scope=scope, generated_at=generated_at, with_charts=r.with_charts
    )
    workbook_name = f"{c.short_name}情况统计表_{who}_截至{as_of:%Y-%m-%d}.xlsx"
    members = [(report.file_name, report.data), (workbook_name, _workbook(wh, as_of, scope, generated_at))]
    manifest = [
        [name, scope.unit or "", scope.agency or "", kind, hashlib.sha256(data).hexdigest(), principal.username, stamp]
        for (name, data), kind in zip(members, ("summary_report_draft", "statistics_workbook"), strict=True)
    ]
    deliverables = {d.key: d.label for d in c.deliverables}
    reporters = {(r.unit, r.agency): r.label for r in tracking.reporters(wh)}
    for d in stored_documents(wh, scope, as_of):
        owner = _safe(reporters.get((d["unit"], d["agency"]), d["unit"]))
        folder = f"报送材料/{owner}/{deliverables[d['deliverable_key']]}"
        if d["deliverable_key"] == "typical_cases":
            folder += f"/{_safe(d['title'] or '未命名案例')}"
        path = f"{folder}/{d['doc_id']:05d}_{_safe(d['file_name'])}"
        members.append((path, bytes(d["content"])))
        uploaded = d["loaded_at"].isoformat(sep=" ", timespec="seconds")
        kind = f"{d['deliverable_key']}/{d['role']}"
        manifest.append([path, d["unit"], d["agency"], kind, d["sha256"], d["loaded_by"], uploaded])
    missing = missing_items(wh, scope, as_of)
    members.append(("manifest.csv", _csv(MANIFEST_COLUMNS, manifest)))
    missing_rows = [[m.unit, m.agency, m.reporter, m.deliverable, m.have, m.need, m.note] for m in missing]
    members.append(("missing.csv", _csv(MISSING_COLUMNS, missing_rows)))
    name = f"{c.short_name}总结报告材料包_{who}_截至{as_of:%Y-%m-%d}.zip"
    detail = f"总结报告材料包：{who}，截至 {as_of}；文件 {len(members)} 个，缺 {len(missing)} 项"
    return finish(wh, principal, name, stable_zip(members), ZIP_MIME, detail, tuple(map(str, missing)))
