"""Upload section for the deliverables (实施方案, 总结报告, 典型案例, 联合执法材料), rendered in 数据上报 under the
weekly tables. A refused form keeps what was typed; a stored one starts a fresh form. The sha256 of a document is
for the office (and the pack manifest), not shown to a unit's clerk."""

from __future__ import annotations

import streamlit as st

from app_pages.ui.common import cached, file_size, form_key, next_form, received_default
from auth.policy import PermissionDenied, Principal, require_load
from loaders.result import FileRejected, LoadResult, Upload
from loaders.weekly.deliverables import CaseInfo, document_content, store_case, store_document
from metrics.tracking import unit_cases, unit_documents, week_due_dates
from warehouse import Warehouse

DOC_TYPES = ["pdf", "docx", "doc", "jpg", "jpeg", "png", "tif", "tiff"]
DONE = "deliverable_stored"
OFFICE_ROLES = ("admin", "analyst")


def _upload(upload) -> Upload | None:
    return Upload(upload.name, upload.getvalue()) if upload is not None else None


def _form(wh: Warehouse, p: Principal, unit: str, agency: str) -> None:
    c = wh.campaign
    deliverables = {d.key: d for d in c.deliverables}
    key = st.selectbox(
        "材料类型",
        list(deliverables),
        format_func=lambda k: f"{deliverables[k].label}（{deliverables[k].due:%m-%d}前）",
        key="deliv_kind",
    )
    last = max(c.end, *cached(week_due_dates).values())
    with st.form(form_key(f"deliverable_{key}")):
        received = st.date_input(
            "收到日期",
            value=received_default(deliverables[key].due, c.start, last),
            min_value=c.start,
            max_value=last,
            format="YYYY-MM-DD",
        )
        if key == "typical_cases":
            name = st.text_input("案件名称")
            vt = st.selectbox(
                "违法类型",
                [v.key for v in c.violation_types],
                format_func=lambda k: next(
                    f"{c.focus_label(v.focus)} · {v.label}" for v in c.violation_types if v.key == k
                ),
            )
            number = st.text_input("行政处罚决定书文号", placeholder="如 常武市监案字〔2018〕123号")
            fine = st.number_input("罚没金额（万元）", min_value=0.0, step=0.01, format="%.2f")
            joint = st.checkbox("联合执法")
            transferred = st.checkbox("移送司法机关")
            decision = st.file_uploader("行政处罚决定书（PDF/Word/图片）", type=DOC_TYPES)
            material = st.file_uploader("案例材料（可选）", type=DOC_TYPES)
        else:
            title = st.text_input("标题（可选）")
            doc = st.file_uploader("文件（PDF/Word/图片）", type=DOC_TYPES)
        if not st.form_submit_button("上传材料", type="primary"):
            return
        try:
            if key == "typical_cases":
                r: LoadResult = store_case(
                    wh,
                    CaseInfo(name, vt, number, fine, joint, transferred),
                    unit=unit,
                    agency=agency,
                    user=p,
                    decision_document=_upload(decision),
                    case_material=_upload(material),
                    received_on=received,
                )
            elif doc is None:
                raise FileRejected("请先选择文件。")
            else:
                r = store_document(
                    wh, _upload(doc), unit=unit, agency=agency, deliverable_key=key, user=p,
                    title=title or None, received_on=received,
                )  # fmt: skip
        except FileRejected as exc:  # the form keeps what was typed: fix the one thing and submit again
            st.error("未保存：\n\n" + "\n".join(f"- {x.message}" for x in exc.problems))
            return
    st.session_state[DONE] = f"已保存：{r.file}（批次 #{r.batch_id}）。"
    next_form(f"deliverable_{key}")
    st.rerun()


def _documents(wh: Warehouse, p: Principal, unit: str, agency: str) -> None:
    c = wh.campaign
    docs = unit_documents(wh, unit, agency)
    if not docs:
        st.caption("尚未上传材料。")
        return
    labels = {d.key: d.label for d in c.deliverables}
    roles = {"document": "", "case_material": "案例材料", "decision_document": "行政处罚决定书"}
    cases = {x["batch_id"]: x for x in unit_cases(wh, unit, agency)}
    violations = {v.key: v.label for v in c.violation_types}
    for d in docs:
        case = cases.get(d["batch_id"])
        meta = ""
        if case:
            meta = (
                f"　{case['case_name']}｜{c.focus_label(case['focus_key'])}｜{violations[case['violation_key']]}｜"
                f"{case['decision_number']}｜罚没 {case['fine']:.2f} 万元｜联合执法：{'是' if case['joint_enforcement'] else '否'}｜"
                f"移送：{'是' if case['transferred'] else '否'}"
            )
        left, right = st.columns([4, 1])
        left.markdown(
            f"**{labels.get(d['deliverable_key'], d['deliverable_key'])}**{' ' + roles[d['role']] if roles.get(d['role']) else ''}"
            f" · {d['file_name']}"
            f"（{file_size(d['size_bytes'])}，收到 {d['received_on']:%Y-%m-%d}，批次 #{d['batch_id']}）{meta}"
        )
        if p.role in OFFICE_ROLES:
            left.caption(f"sha256 {d['sha256']}")
        name, mime, data, _ = document_content(wh, d["doc_id"])
        right.download_button("下载", data=data, file_name=name, mime=mime, key=f"doc_{d['doc_id']}")


def render(wh: Warehouse, p: Principal, unit: str, agency: str) -> None:
    try:
        require_load(p, "deliverable", unit, agency)
    except PermissionDenied as exc:
        st.caption(str(exc))
    else:
        _form(wh, p, unit, agency)
    if DONE in st.session_state:
        st.success(st.session_state.pop(DONE), icon=":material/check_circle:")
    _documents(wh, p, unit, agency)
