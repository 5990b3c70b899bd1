"""报送进度 page: weekly tables per reporter × week, deliverables per reporter, and the upward report."""

import pandas as pd
import streamlit as st

from app_pages.ui.common import as_of, cached, empty_state, guard, warehouse
from app_pages.ui.freshness import coverage_badge
from auth.policy import PermissionDenied, require_report
from metrics.report import report_bytes, report_file_name
from metrics.tracking import (
    STATUS_LABELS,
    deliverable_statuses,
    has_weekly_tables,
    reporters,
    status_counts,
    week_statuses,
)

user = guard("tracking")
wh = warehouse()
c = wh.campaign
day = as_of()

COLOURS = {
    "on_time": "background-color: #d8f0d8; color: #1b5e20",
    "late": "background-color: #fff0c2; color: #7a4f00",
    "missing": "background-color: #f9d0d0; color: #8b1a1a",
    "not_due": "background-color: #f0f0f0; color: #666666",
}

st.title("报送进度")
st.caption(
    f"统计截止 {day:%Y-%m-%d}　·　每周统计表应于周日后第 {c.due_working_days_after_week} 个工作日内报送"
    "（按法定工作日历计算，含调休）；以首次收到日期判断是否按时。"
)

if not cached(has_weekly_tables):
    empty_state("尚无报送记录：各单位上报统计表后，这里显示每周报送情况。")

coverage_badge()
statuses = cached(week_statuses, day)
counts = status_counts(statuses)
cols = st.columns(4)
for col, key in zip(cols, ("on_time", "late", "missing", "not_due"), strict=True):
    col.metric(STATUS_LABELS[key], counts[key])

only_units = st.toggle("只看各区及市本级（不含市级成员单位）", value=False)
people = [r for r in reporters(wh) if not (only_units and r.is_member_agency)]
weeks = sorted({s.week_start for s in statuses})
by_key = {(s.unit, s.agency, s.week_start): s for s in statuses}
week_cols = [f"{w:%m-%d}" for w in weeks]

st.subheader("每周统计表")
labels = pd.DataFrame(
    [[by_key[(r.unit, r.agency, w)].label for w in weeks] for r in people],
    index=[r.label for r in people],
    columns=week_cols,
)
keys = pd.DataFrame(
    [[by_key[(r.unit, r.agency, w)].status for w in weeks] for r in people],
    index=labels.index,
    columns=week_cols,
)
styled = labels.style.apply(lambda _: keys.map(COLOURS.get), axis=None)
st.dataframe(styled, width="stretch", height=min(38 + 35 * len(people), 720))
st.caption(
    "列为报告周（周一日期）。绿色：按时报送；黄色：迟报（括注迟报的工作日数）；红色：已过截止日仍未收到；灰色：未到截止日。"
    "截止日：" + "，".join(f"{w:%m-%d}周→{by_key[(people[0].unit, people[0].agency, w)].due_date:%m-%d}" for w in weeks)
)

st.subheader("报送材料")
deliv = cached(deliverable_statuses, day)
d_by = {(d.unit, d.agency, d.deliverable_key): d for d in deliv}
d_cols = [f"{d.label}（{d.due:%m-%d}前）" for d in c.deliverables]
d_labels = pd.DataFrame(
    [[d_by[(r.unit, r.agency, d.key)].label for d in c.deliverables] for r in people],
    index=[r.label for r in people],
    columns=d_cols,
)
d_keys = pd.DataFrame(
    [[d_by[(r.unit, r.agency, d.key)].status for d in c.deliverables] for r in people],
    index=d_labels.index,
    columns=d_cols,
)
st.dataframe(d_labels.style.apply(lambda _: d_keys.map(COLOURS.get), axis=None), width="stretch")
st.caption("典型案例须至少 2 件、违法类型不同，且每件附行政处罚决定书，括号内为已满足件数/应交件数。")

st.subheader("全市汇总上报")
try:
    require_report(user)
except PermissionDenied as exc:
    st.caption(str(exc))
else:
    st.write(
        f"全市情况统计表1、2（含分单位统计表2），累计至 {day:%Y-%m-%d}，"
        f"填报单位 {c.office}。数字为各单位当前有效版本周报之和。"
    )
    st.download_button(
        "下载全市汇总报表（.xlsx）",
        data=cached(report_bytes, day),
        file_name=report_file_name(wh, day),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )
