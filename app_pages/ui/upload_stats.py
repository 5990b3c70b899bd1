"""Upload section for the weekly 统计表 (rendered inside 数据上报, with the deliverables below it). Not a page."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages.ui import upload_deliverables
from app_pages.ui.common import (
    as_of,
    cached,
    form_key,
    next_form,
    office_time,
    received_default,
    require_principal,
)
from app_pages.ui.problems import problem_table
from app_pages.ui.upload_history import show_done, withdraw_batch
from auth.policy import PermissionDenied, Principal, require_load, require_withdraw
from loaders import load_uploads
from loaders.result import LoadResult, Upload
from loaders.weekly.district_stats import KIND
from loaders.weekly.template import build_template, template_file_name
from metrics.district import version_diff, versions, warnings_of
from metrics.tracking import week_due_dates, week_statuses
from warehouse import Warehouse

STATUS_TEXT = {"loaded": "有效", "withdrawn": "已撤销"}


def _who(wh: Warehouse, p: Principal) -> tuple[str, str] | None:
    """The (unit, agency) this section works on: fixed for unit staff, chosen by everyone else."""
    c = wh.campaign
    lead = next(a.key for a in c.agencies if a.lead)
    if p.role == "unit_staff":
        st.caption(f"填报单位：{c.reporter_label(p.unit, p.agency)}")
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


def _show_result(r: LoadResult, received: dt.date, unit: str, agency: str, week: dt.date) -> None:
    if r.status == "loaded":
        status = next(
            s.label for s in cached(week_statuses, as_of()) if (s.unit, s.agency, s.week_start) == (unit, agency, week)
        )
        st.success(
            f"已入库：{r.file}（批次 #{r.batch_id}，{r.rows_loaded} 行）。截至 {as_of():%Y-%m-%d}，该周报送进度：{status}。",
            icon=":material/check_circle:",
        )
        if received > as_of():
            st.warning(
                f"收到日期 {received:%Y-%m-%d} 晚于统计截止日期 {as_of():%Y-%m-%d}：截至该日期，报送进度仍显示该周未报。"
                "如收到日期填错，请撤销后按实际日期重新上传。",
                icon=":material/event_busy:",
            )
    elif r.status == "duplicate":
        st.info(r.warnings[0].message if r.warnings else f"{r.file} 已入库过，未重复入库。")
        return
    else:
        st.error(f"未入库：{r.file} 有 {len(r.errors)} 处问题，请修改后重新上传（本次未写入任何数据）。")
        problem_table([e.as_dict() for e in r.errors])
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


def _upload_form(wh: Warehouse, p: Principal, unit: str, agency: str, week: dt.date) -> None:
    """The upload form for one reporter and week. The 收到日期 starts on the week's due date (or the as-of date if
    earlier), inside the campaign's reporting window; a refused file keeps the form as it was."""
    c = wh.campaign
    dues = cached(week_due_dates)
    last = max(c.end, *dues.values())
    with st.form(form_key("stats_upload")):
        f = st.file_uploader("上传已填写的统计表（.xlsx / .xls）", type=["xlsx", "xls", "xlsm"])
        received = st.date_input(
            "收到日期",
            value=received_default(dues[week], c.start, last),
            min_value=c.start,
            max_value=last,
            format="YYYY-MM-DD",
            help=f"单位报来的日期（如通过邮件报送，填邮件日期），据此判断是否按时报送。该周应于 {dues[week]:%m月%d日} 前报送。",
        )
        if st.form_submit_button("上传并校验", type="primary"):
            if f is None:
                st.warning("请先选择文件。")
            else:
                (result,) = load_uploads(
                    wh, [Upload(f.name, f.getvalue())], user=p, accept=(KIND,), kind=KIND,
                    unit=unit, agency=agency, week=week, received_on=received,
                )  # fmt: skip
                st.session_state["stats_last_result"] = (result, received, unit, agency, week)
                if result.status == "loaded":
                    next_form("stats_upload")  # a fresh form for the next table
                    st.rerun()
    last_result = st.session_state.get("stats_last_result")
    if last_result is not None:
        _show_result(*last_result)


def _weekly_tables(wh: Warehouse, p: Principal, unit: str, agency: str) -> None:
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
        _upload_form(wh, p, unit, agency, week)

    show_done("stats_withdrawn")
    history = versions(wh, unit, agency, week)
    st.markdown(f"**{c.reporter_label(unit, agency)} · {week:%Y-%m-%d}起的一周：版本记录**")
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
                    "上报时间": office_time(v["loaded_at"]),
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
                    st.session_state.pop("stats_last_result", None)
                    withdraw_batch(wh, p, current, done="stats_withdrawn")


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
    upload_deliverables.render(wh, p, unit, agency)
