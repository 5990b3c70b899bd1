"""报送进度 page: weekly tables per reporter × week, deliverables per reporter, and the upward report."""

import pandas as pd
import streamlit as st

from app_pages.ui.agency_detail import agency_focus_panel
from app_pages.ui.common import as_of, cached, empty_state, guard, warehouse
from app_pages.ui.documents import documents_panel
from app_pages.ui.followup import tracking_section as followup_section
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
OWN = "font-weight: 700; border-top: 2px solid #1f4e79; border-bottom: 2px solid #1f4e79"
LEGEND = (
    ":green-background[按时报送]　:orange-background[迟报（括注迟报工作日数）]　"
    ":red-background[逾期未报]　:gray-background[未到期]"
)

st.title("报送进度")
st.caption(
    f"统计截止 {day:%Y-%m-%d}　·　每周统计表应于周日后第 {c.due_working_days_after_week} 个工作日内报送"
    "（按法定工作日历计算，含调休）；以首次收到日期判断是否按时。"
)

agency_focus_panel(day)  # opened from a cell of 总览's heat map

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
own = next((r for r in people if (r.unit, r.agency) == (user.unit, user.agency)), None)
if own is not None:  # a unit's clerk finds their own row first
    people = [own, *(r for r in people if r is not own)]
names = [f"{r.label}（本单位）" if r is own else r.label for r in people]


def _matrix(cells: dict[str, list], status_of: dict[str, list], help_of: dict[str, str]) -> None:
    """One row per reporter, one column per item (labels in `cells`, statuses for the colours in `status_of`),
    the user's own row outlined, each column's due date in its header's help."""
    labels = pd.DataFrame(cells, index=names)
    keys = pd.DataFrame(status_of, index=names)

    def colour(_: pd.DataFrame) -> pd.DataFrame:
        styles = keys.map(COLOURS.get)
        if own is not None:
            styles.iloc[0] = styles.iloc[0] + "; " + OWN
        return styles

    st.dataframe(
        labels.style.apply(colour, axis=None),
        width="stretch",
        height=min(38 + 35 * len(people), 720),
        column_config={col: st.column_config.TextColumn(col, help=text) for col, text in help_of.items()},
    )


st.subheader("每周统计表")
st.markdown(LEGEND)
by_key = {(s.unit, s.agency, s.week_start): s for s in statuses}
weeks = sorted({s.week_start for s in statuses}, reverse=True)  # the latest weeks first: what needs doing now
due = {w: by_key[(people[0].unit, people[0].agency, w)].due_date for w in weeks}
week_cols = {w: f"{w:%m-%d}" for w in weeks}
_matrix(
    {week_cols[w]: [by_key[(r.unit, r.agency, w)].label for r in people] for w in weeks},
    {week_cols[w]: [by_key[(r.unit, r.agency, w)].status for r in people] for w in weeks},
    {week_cols[w]: f"{w:%m月%d日}起的一周，应于 {due[w]:%m月%d日} 前报送" for w in weeks},
)
st.caption("列为报告周（周一日期），最近的周在左；将鼠标停在列名上可查看该周的截止日期。")

followup_section(user, day)

st.subheader("报送材料")
deliv = cached(deliverable_statuses, day)
d_by = {(d.unit, d.agency, d.deliverable_key): d for d in deliv}
d_cols = {d.key: f"{d.label}（{d.due:%m-%d}前）" for d in c.deliverables}
_matrix(
    {d_cols[d.key]: [d_by[(r.unit, r.agency, d.key)].label for r in people] for d in c.deliverables},
    {d_cols[d.key]: [d_by[(r.unit, r.agency, d.key)].status for r in people] for d in c.deliverables},
    {d_cols[d.key]: f"应于 {d.due:%m月%d日} 前报送" for d in c.deliverables},
)
st.caption("典型案例须至少 2 件、违法类型不同，且每件附行政处罚决定书，括号内为已满足件数/应交件数。")

try:  # the city-wide report is for leadership, analysts and admins; a unit's staff is not shown a section it can't use
    require_report(user)
except PermissionDenied:
    pass
else:
    st.subheader("全市汇总上报")
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

documents_panel(user, day)
