"""Upload section for the weekly 统计表 and the deliverables (rendered inside 数据上报). Not a page of its own."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages.ui.common import as_of, require_principal
from auth.policy import PermissionDenied, require_load, require_withdraw
from loaders import load_uploads, withdraw
from loaders.result import FileRejected, LoadResult, Upload
from loaders.weekly.deliverables import CaseInfo, document_content, store_case, store_document
from loaders.weekly.district_stats import KIND
from loaders.weekly.identity import reporter_label
from loaders.weekly.template import build_template, template_file_name
from metrics.district import version_diff, versions, warnings_of
from metrics.tracking import unit_cases, unit_documents
from warehouse import Warehouse

STATUS_TEXT = {"loaded": "有效", "withdrawn": "已撤销"}


def _who(wh: Warehouse, p) -> tuple[str, str] | None:
    """The (unit, agency) this section works on: fixed for unit staff, chosen by everyone else."""
    c = wh.campaign
    lead = next(a.key for a in c.agencies if a.lead)
    if p.role == "unit_staff":
        st.caption(f"填报单位：{reporter_label(c, p.unit, p.agency)}")
        return p.unit, p.agency
    left, right = st.columns(2)
    unit = left.selectbox("填报单位", [u.key for u in c.units], format_func=lambda k: c.unit(k).label, key="stats_unit")
    agency = lead
    if unit == "city":
        agency = right.selectbox(
            "市级部门",
            [a.key for a in c.agencies],
            format_func=lambda k: c.agency(k).full_label,
            key="stats_agency",
            help="市本级由市工商局填报；市级成员单位（如市公安局）各自填报本部门的统计表。",
        )
    return unit, agency


def _week_choice(wh: Warehouse) -> dt.date:
    c = wh.campaign
    weeks = c.report_weeks()
    day = as_of()
    ended = [w for w in weeks if w + dt.timedelta(days=6) <= day]
    default = weeks.index(ended[-1]) if ended else 0
    return st.selectbox(
        "报告周",
        weeks,
        index=default,
        format_func=lambda w: f"第{weeks.index(w) + 1}周　{w:%Y-%m-%d}至{w + dt.timedelta(days=6):%m-%d}",
        key="stats_week",
    )


def _show_result(r: LoadResult) -> None:
    if r.status == "loaded":
        st.success(f"已入库：{r.file}（批次 #{r.batch_id}，{r.rows_loaded} 行）。", icon=":material/check_circle:")
    elif r.status == "duplicate":
        st.info(r.warnings[0].message if r.warnings else f"{r.file} 已入库过，未重复入库。")
        return
    else:
        st.error(f"未入库：{r.file} 有 {len(r.errors)} 处问题，请修改后重新上传（本次未写入任何数据）。")
        st.dataframe(
            pd.DataFrame(
                [{"工作表": e.sheet or "", "行": e.row, "列": e.column or "", "问题": e.message} for e in r.errors]
            ),
            hide_index=True,
            width="stretch",
        )
        return
    if r.warnings:
        st.warning(
            "以下情况已记录，请核实（不影响入库）：\n\n" + "\n".join(f"- {w.message}" for w in r.warnings),
            icon=":material/warning:",
        )


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v)}"


def _diff_table(wh: Warehouse, batch_id: int) -> None:
    changes = version_diff(wh, batch_id)
    if not changes:
        st.caption("与上一有效版本相比没有变化，或没有上一版本。")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "表": f"统计表{ch.table_no}",
                    "行": ch.row_label,
                    "列": ch.column_label,
                    "上一版本": _fmt(ch.old),
                    "本版本": _fmt(ch.new),
                    "单元格": ch.cell or "",
                }
                for ch in changes
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def _weekly_tables(wh: Warehouse, p, unit: str, agency: str) -> None:
    c = wh.campaign
    week = _week_choice(wh)
    st.download_button(
        "下载填报模板（已填好填报单位和统计周期）",
        data=build_template(c, unit, agency, week),
        file_name=template_file_name(c, unit, agency, week),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="stats_template",
    )
    may_load = True
    try:
        require_load(p, KIND, unit, agency)
    except PermissionDenied as exc:
        may_load = False
        st.caption(str(exc))
    if may_load:
        with st.form("stats_upload", clear_on_submit=True):
            f = st.file_uploader("上传已填写的统计表（.xlsx / .xls）", type=["xlsx", "xls", "xlsm"], key="stats_file")
            received = st.date_input(
                "收到日期",
                value=dt.date.today(),
                min_value=c.start,
                format="YYYY-MM-DD",
                help="单位报来的日期（如通过邮件报送，填邮件日期），据此判断是否按时报送。",
            )
            if st.form_submit_button("上传并校验", type="primary"):
                if f is None:
                    st.warning("请先选择文件。")
                else:
                    (result,) = load_uploads(
                        wh, [Upload(f.name, f.getvalue())], user=p, accept=(KIND,), kind=KIND,
                        unit=unit, agency=agency, week=week, received_on=received,
                    )  # fmt: skip
                    st.session_state["stats_last_result"] = result
        last = st.session_state.get("stats_last_result")
        if last is not None:
            _show_result(last)

    history = versions(wh, unit, agency, week)
    st.markdown(f"**{reporter_label(c, unit, agency)} · {week:%Y-%m-%d}起的一周：版本记录**")
    if not history:
        st.caption("该周尚未上报。")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "版本": f"第{v['version']}版",
                    "批次": v["batch_id"],
                    "文件": v["file_name"],
                    "收到日期": v["received_on"],
                    "状态": "当前有效" if v["is_current"] else STATUS_TEXT.get(v["status"], v["status"]),
                    "上报人": v["loaded_by"],
                    "上报时间": v["loaded_at"],
                }
                for v in history
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    chosen = st.selectbox(
        "查看版本（与上一有效版本逐格比较）",
        [v["batch_id"] for v in reversed(history)],
        format_func=lambda b: next(f"第{v['version']}版（批次 #{b}）" for v in history if v["batch_id"] == b),
        key=f"stats_version_{unit}_{agency}_{week}",
    )
    _diff_table(wh, chosen)
    warnings = warnings_of(wh, chosen)
    if warnings:
        st.warning("该版本的提示：\n\n" + "\n".join(f"- {w['message']}" for w in warnings), icon=":material/warning:")
    current = next((v for v in history if v["is_current"]), None)
    if current is not None:
        try:
            require_withdraw(p, KIND, unit, current["loaded_by"])
        except PermissionDenied:
            return
        with st.form(f"stats_withdraw_{current['batch_id']}"):
            confirm = st.checkbox(
                f"确认撤销当前版本（第{current['version']}版，批次 #{current['batch_id']}）：上一有效版本将恢复生效。"
            )
            if st.form_submit_button("撤销当前版本"):
                if not confirm:
                    st.warning("请先勾选确认。")
                else:
                    withdraw(wh, current["batch_id"], user=p)
                    st.session_state.pop("stats_last_result", None)
                    st.success(f"已撤销批次 #{current['batch_id']}。")
                    st.rerun()


def _deliverables(wh: Warehouse, p, unit: str, agency: str) -> None:
    c = wh.campaign
    try:
        require_load(p, "deliverable", unit, agency)
        may_load = True
    except PermissionDenied as exc:
        may_load = False
        st.caption(str(exc))
    if may_load:
        key = st.selectbox(
            "材料类型",
            [d.key for d in c.deliverables],
            format_func=lambda k: next(f"{d.label}（{d.due:%m-%d}前）" for d in c.deliverables if d.key == k),
            key="deliv_kind",
        )
        with st.form("deliverable_upload", clear_on_submit=True):
            received = st.date_input("收到日期", value=dt.date.today(), min_value=c.start, format="YYYY-MM-DD")
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
                decision = st.file_uploader(
                    "行政处罚决定书（PDF/Word/图片）", type=["pdf", "docx", "doc", "jpg", "jpeg", "png", "tif", "tiff"]
                )
                material = st.file_uploader(
                    "案例材料（可选）", type=["pdf", "docx", "doc", "jpg", "jpeg", "png", "tif", "tiff"]
                )
            else:
                title = st.text_input("标题（可选）")
                doc = st.file_uploader(
                    "文件（PDF/Word/图片）", type=["pdf", "docx", "doc", "jpg", "jpeg", "png", "tif", "tiff"]
                )
            if st.form_submit_button("上传材料", type="primary"):
                try:
                    if key == "typical_cases":
                        r = store_case(
                            wh,
                            CaseInfo(name, vt, number, fine, joint, transferred),
                            unit=unit,
                            agency=agency,
                            user=p,
                            decision_document=Upload(decision.name, decision.getvalue()) if decision else None,
                            case_material=Upload(material.name, material.getvalue()) if material else None,
                            received_on=received,
                        )
                    elif doc is None:
                        raise FileRejected("请先选择文件。")
                    else:
                        r = store_document(
                            wh, Upload(doc.name, doc.getvalue()), unit=unit, agency=agency, deliverable_key=key,
                            user=p, title=title or None, received_on=received,
                        )  # fmt: skip
                    st.success(f"已保存：{r.file}（批次 #{r.batch_id}）。")
                except FileRejected as exc:
                    st.error("未保存：\n\n" + "\n".join(f"- {x.message}" for x in exc.problems))

    docs = unit_documents(wh, unit, agency)
    if not docs:
        st.caption("尚未上传材料。")
        return
    labels = {d.key: d.label for d in c.deliverables}
    roles = {"document": "", "case_material": "案例材料", "decision_document": "行政处罚决定书"}
    cases = {x["batch_id"]: x for x in unit_cases(wh, unit, agency)}
    for d in docs:
        case = cases.get(d["batch_id"])
        meta = ""
        if case:
            meta = (
                f"　{case['case_name']}｜{c.focus_label(case['focus_key'])}｜"
                f"{next(v.label for v in c.violation_types if v.key == case['violation_key'])}｜"
                f"{case['decision_number']}｜罚没 {case['fine']:.2f} 万元｜联合执法：{'是' if case['joint_enforcement'] else '否'}｜"
                f"移送：{'是' if case['transferred'] else '否'}"
            )
        left, right = st.columns([4, 1])
        left.markdown(
            f"**{labels.get(d['deliverable_key'], d['deliverable_key'])}** {roles.get(d['role'], '')} · {d['file_name']}"
            f"（{d['size_bytes'] / 1024:.0f} KB，收到 {d['received_on']:%Y-%m-%d}，批次 #{d['batch_id']}）{meta}"
        )
        left.caption(f"sha256 {d['sha256']}")
        name, mime, data, _ = document_content(wh, d["doc_id"])
        right.download_button("下载", data=data, file_name=name, mime=mime, key=f"doc_{d['doc_id']}")


def render(wh: Warehouse) -> None:
    p = require_principal()
    st.subheader("每周情况统计表")
    who = _who(wh, p)
    if who is None:
        return
    unit, agency = who
    _weekly_tables(wh, p, unit, agency)
    st.divider()
    st.subheader("报送材料（实施方案、总结报告、典型案例、联合执法材料）")
    _deliverables(wh, p, unit, agency)
