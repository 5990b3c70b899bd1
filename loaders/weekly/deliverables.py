"""Deliverables (实施方案, 总结报告, 典型案例 with 行政处罚决定书, 联合执法材料): documents with their metadata.

Files are stored as BLOBs in the warehouse, not under data/: a document, its sha256 and its metadata are
then written in one transaction (nothing half-stored if anything fails), withdrawn together, and backed up
with the one warehouse file. They are few and small (a handful of PDFs per unit), so size is no concern;
MAX_BYTES keeps a stray video out. Each upload is one batch (kind 'deliverable'), so the batch log,
withdrawal (loaders.withdraw) and the audit trail work as for every other file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from auth.audit import audit, record
from auth.policy import PermissionDenied, Principal, require_load
from loaders.result import FileRejected, LoadResult, Problem, Upload, refusal_detail
from warehouse import Warehouse
from warehouse.batches import insert_batch, set_counts

KIND = "deliverable"
MAX_BYTES = 30 * 1024 * 1024

# suffix → (MIME type, magic bytes the content must start with)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG",)),
    ".tif": ("image/tiff", (b"II*\x00", b"MM\x00*")),
    ".tiff": ("image/tiff", (b"II*\x00", b"MM\x00*")),
}


@dataclass(frozen=True)
class CaseInfo:
    """典型案例 metadata."""

    case_name: str
    violation_key: str
    decision_number: str
    fine: float  # 万元
    joint_enforcement: bool
    transferred: bool
    focus_key: str | None = None  # derived from the violation type when not given


def check_file(f: Upload, what: str) -> tuple[str, str]:
    """(mime type, sha256) or FileRejected."""
    suffix = Path(f.name).suffix.lower()
    if suffix not in ALLOWED:
        raise FileRejected(f"{what}“{f.name}”的格式不支持：请上传 PDF、Word（.docx/.doc）或图片（.jpg/.png/.tif）")
    if not f.data:
        raise FileRejected(f"{what}“{f.name}”是空文件")
    if len(f.data) > MAX_BYTES:
        raise FileRejected(
            f"{what}“{f.name}”过大（{len(f.data) / 1048576:.1f} MB），单个文件不能超过 {MAX_BYTES // 1048576} MB"
        )
    mime, magics = ALLOWED[suffix]
    if not any(f.data.startswith(m) for m in magics):
        raise FileRejected(f"{what}“{f.name}”的内容与扩展名 {suffix} 不符（文件可能已损坏或被改名），请重新导出后上传")
    return mime, hashlib.sha256(f.data).hexdigest()


def _check_owner(wh: Warehouse, unit: str, agency: str, deliverable_key: str) -> None:
    c = wh.campaign
    if unit not in {u.key for u in c.units}:
        raise FileRejected(f"填报单位“{unit}”不存在")
    if agency not in {a.key for a in c.agencies}:
        raise FileRejected(f"成员单位“{agency}”不存在")
    if deliverable_key not in {d.key for d in c.deliverables}:
        raise FileRejected(f"报送材料类型“{deliverable_key}”不存在")


@contextmanager
def _refusal_audited(wh: Warehouse, user: Principal, name: str) -> Iterator[None]:
    """A refused deliverable (bad file, missing facts, no right to report for the unit) gets its audit row like
    every refused upload, written after the store's transaction rolled back; the refusal then goes on to the page."""
    try:
        yield
    except (FileRejected, PermissionDenied) as exc:
        problems = exc.problems if isinstance(exc, FileRejected) else [Problem(f"文件 {name}：{exc}")]
        record(wh, user, "upload", name, detail=refusal_detail(problems))
        raise


def _received(received_on: dt.date | None) -> dt.date:
    return received_on or dt.date.today()


def _insert_doc(cur, batch_id, unit, agency, key, role, title, f: Upload, mime, sha, received) -> None:
    cur.execute(
        "INSERT INTO deliverable_docs (batch_id, unit, agency, deliverable_key, role, title, file_name, mime_type, "
        "sha256, size_bytes, content, received_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, unit, agency, key, role, title, f.name, mime, sha, len(f.data), f.data, received],
    )


def store_document(
    wh: Warehouse,
    f: Upload,
    *,
    unit: str,
    agency: str,
    deliverable_key: str,
    user: Principal,
    title: str | None = None,
    received_on: dt.date | None = None,
    is_demo: bool = False,
) -> LoadResult:
    """实施方案, 总结报告 or 联合执法材料: one document, one batch. (典型案例 go through store_case.)"""
    with _refusal_audited(wh, user, f.name):
        require_load(user, KIND, unit, agency)
        _check_owner(wh, unit, agency, deliverable_key)
        if deliverable_key == "typical_cases":
            raise FileRejected("典型案例须填写案件信息并附行政处罚决定书，请在“典型案例”中上传")
        mime, sha = check_file(f, "文件")
        received = _received(received_on)
        with wh.write() as cur:
            batch_id = insert_batch(
                cur, kind=KIND, file_name=f.name, sha256=sha, size_bytes=len(f.data), loaded_by=user.username, unit=unit,
                agency=agency, is_demo=is_demo, note=deliverable_key,
            )  # fmt: skip
            _insert_doc(cur, batch_id, unit, agency, deliverable_key, "document", title, f, mime, sha, received)
            set_counts(cur, batch_id, rows_total=1, rows_loaded=1, rows_quarantined=0)
            audit(
                cur, user, "upload", target=f.name, sha256=sha, detail=f"报送材料 {deliverable_key}（批次 #{batch_id}）"
            )
        return LoadResult(file=f.name, kind=KIND, status="loaded", rows_loaded=1, batch_id=batch_id)


def _case_file_name(info: CaseInfo, *uploads: Upload | None) -> str:
    """What a 典型案例's audit row names: its first file, else the case."""
    return next((u.name for u in uploads if u is not None), info.case_name.strip() or "典型案例")


def store_case(
    wh: Warehouse,
    info: CaseInfo,
    *,
    unit: str,
    agency: str,
    user: Principal,
    decision_document: Upload | None,
    case_material: Upload | None = None,
    received_on: dt.date | None = None,
    is_demo: bool = False,
) -> LoadResult:
    """One 典型案例: its metadata, its 行政处罚决定书 and optionally a write-up, as one batch.
    A case counts towards the deliverable only with its decision document (the plan's words)."""
    with _refusal_audited(wh, user, _case_file_name(info, decision_document, case_material)):
        require_load(user, KIND, unit, agency)
        c = wh.campaign
        _check_owner(wh, unit, agency, "typical_cases")
        problems = []
        if not info.case_name.strip():
            problems.append("请填写案件名称")
        vt = {v.key: v for v in c.violation_types}
        if info.violation_key not in vt:
            problems.append(f"违法类型“{info.violation_key}”不存在")
        elif info.focus_key and info.focus_key != vt[info.violation_key].focus:
            problems.append(
                f"违法类型“{vt[info.violation_key].label}”属于重点工作“{c.focus_label(vt[info.violation_key].focus)}”，"
                f"与所选“{c.focus_label(info.focus_key) if info.focus_key in {f.key for f in c.focus_areas} else info.focus_key}”不一致"
            )
        if not info.decision_number.strip():
            problems.append("请填写行政处罚决定书文号")
        if info.fine is None or info.fine < 0:
            problems.append("罚没金额应为不小于 0 的金额（万元）")
        if problems:
            raise FileRejected([Problem(m) for m in problems])
        files = []
        if decision_document is not None:
            files.append(("decision_document", decision_document, *check_file(decision_document, "行政处罚决定书")))
        if case_material is not None:
            files.append(("case_material", case_material, *check_file(case_material, "案例材料")))
        if not files:
            raise FileRejected("请上传行政处罚决定书（典型案例须附决定书）")
        received = _received(received_on)
        primary = files[0]
        with wh.write() as cur:
            batch_id = insert_batch(
                cur, kind=KIND, file_name=primary[1].name, sha256=primary[3], size_bytes=sum(len(f[1].data) for f in files),
                loaded_by=user.username, unit=unit, agency=agency, is_demo=is_demo, note="typical_cases",
            )  # fmt: skip
            cur.execute(
                "INSERT INTO typical_cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    batch_id,
                    unit,
                    agency,
                    info.case_name.strip(),
                    vt[info.violation_key].focus,
                    info.violation_key,
                    info.decision_number.strip(),
                    round(float(info.fine), 6),
                    bool(info.joint_enforcement),
                    bool(info.transferred),
                ],
            )
            for role, f, mime, sha in files:
                _insert_doc(
                    cur, batch_id, unit, agency, "typical_cases", role, info.case_name.strip(), f, mime, sha, received
                )
            set_counts(cur, batch_id, rows_total=len(files), rows_loaded=len(files), rows_quarantined=0)
            audit(
                cur,
                user,
                "upload",
                target=primary[1].name,
                sha256=primary[3],
                detail=f"典型案例“{info.case_name}”（批次 #{batch_id}）",
            )
        return LoadResult(file=primary[1].name, kind=KIND, status="loaded", rows_loaded=len(files), batch_id=batch_id)


def document_content(wh: Warehouse, doc_id: int) -> tuple[str, str, bytes, str]:
    """(file name, MIME type, bytes, sha256) of a stored document, for download."""
    with wh.read() as cur:
        row = cur.execute(
            "SELECT file_name, mime_type, content, sha256 FROM deliverable_docs WHERE doc_id = ?", [doc_id]
        ).fetchone()
    if row is None:
        raise KeyError(doc_id)
    return row[0], row[1], bytes(row[2]), row[3]
