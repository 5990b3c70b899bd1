"""总览 page, what leadership opens every morning: the campaign clock, the headline tiles with their change
since last week, progress by focus area, the agency × focus-area matrix and the district league."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from app_pages.ui import attention
from app_pages.ui.charts import clickable_cells, style, timeline
from app_pages.ui.common import as_of, cached, empty_state, guard, warehouse
from app_pages.ui.documents import bulletin_panel
from app_pages.ui.drill import clickable_chart, clickable_rows, explain_link
from app_pages.ui.followup import overview_section as followup_section
from app_pages.ui.freshness import coverage, coverage_badge
from app_pages.ui.layout import desktop_only, phone_only, silent_agencies
from app_pages.ui.tiles import metric_tile
from metrics import overview, registry

user = guard("overview")
wh = warehouse()
c = wh.campaign
day = as_of()

st.title("总览")
st.caption(f"{c.name}　统计截止 {day:%Y年%-m月%-d日}")
if not wh.is_empty():
    attention.render(user, day)

# --- campaign clock ------------------------------------------------------------------------------
clock = cached(overview.campaign_clock, day)
running = sorted(c.stage_on(day), key=lambda s: s.start)
# Two stages overlap in November: the one begun last is current, the other is said to be ending.
stage = (
    running[-1].label + "".join(f"（{s.label}至{s.end:%-m月%-d日}结束）" for s in running[:-1])
    if running
    else "活动期外"
)


def _left(working_days: int) -> str:
    return "今日截止" if working_days == 0 else f"还剩 {working_days} 个工作日"


line = f"**当前阶段**　{stage}"
for i, d in enumerate(clock.next_deadlines):
    line += (
        "　·　**下一截止**　" if i == 0 else "；"
    ) + f"{d.label} {d.due:%-m月%-d日}（{_left(d.working_days_left)}）"
st.markdown(f"##### {line}")
with desktop_only("timeline"):
    st.plotly_chart(timeline(c, day), width="stretch", config={"displayModeBar": False})
with phone_only("timeline"):  # the chart's labels (stages, holidays, deadlines) overlap below 640 px: as lines
    steps = [
        f"- {s.label}　{s.start:%-m月%-d日}—{s.end:%-m月%-d日}　"
        + ("已结束" if s.end < day else "未开始" if s.start > day else "**进行中**")
        for s in c.stages
    ]
    steps += [
        f"- {d.due:%-m月%-d日}截止：{d.label}（{'已到期' if d.due < day else _left(d.working_days_left)}）"
        for d in clock.deliverables
    ]
    st.markdown("\n".join(steps))

if wh.is_empty():
    empty_state(
        "尚无数据：还没有任何统计表、投诉举报或监测线索入库。请到「数据上报」页上传文件，或在侧边栏载入演示数据。"
    )
    st.stop()

# --- KPI tiles -----------------------------------------------------------------------------------
st.subheader("核心指标（累计）")
coverage_badge()
tiles = st.columns(len(overview.KPI_KEYS) + 1)
for tile, k in zip(tiles, cached(overview.kpis, day), strict=True):
    # A KPI carries its registry label and unit, except 监测线索处置: disposed hits out of those received ("/N 条").
    metric_tile(
        tile,
        registry.get(c, k.key),
        k.value,
        week_change=k.delta,
        label=k.label,
        unit=k.unit.removeprefix("/"),
        coverage=coverage(),
    )
    explain_link(tile, registry.get(c, k.key))

followup_section(user, day)

# --- focus areas ---------------------------------------------------------------------------------
st.subheader("重点工作进展")
focus = cached(overview.focus_progress, day)
fig = go.Figure()
names = focus["label"].to_list()  # the Chinese names; the codes (F0–F6) stay in the table below
for col, label, colour in (
    ("t2_cases_filed", "立案（件）", "#4C78A8"),
    ("complaints_total", "投诉举报（件）", "#F58518"),
    ("hits_received", "监测线索（条）", "#54A24B"),
):
    fig.add_trace(
        go.Bar(
            y=names,
            x=focus[col],
            name=label,
            orientation="h",
            marker_color=colour,
            text=[f"{v:,.0f}" for v in focus[col]],
            textposition="auto",
            customdata=focus["focus"].to_list(),
        )
    )
fig.update_layout(barmode="group")
fig.update_yaxes(autorange="reversed")
clickable_chart(style(fig, height=120 + 70 * focus.height), "focus_bars", "complaints", "focus")
st.caption("点击条形，查看该重点工作的投诉举报明细（投诉分析）。")
st.dataframe(
    focus.select(
        pl.col("focus").alias("编号"),
        pl.col("label").alias("重点工作"),
        pl.col("t2_cases_filed").alias("立案（件）"),
        pl.col("t2_fines").round(2).alias("罚没（万元）"),
        pl.col("complaints_total").alias("投诉举报（件）"),
        pl.col("hits_received").alias("监测线索（条）"),
        pl.col("agencies").alias("责任单位"),
    ),
    hide_index=True,
    width="stretch",
)

# --- agencies ------------------------------------------------------------------------------------
st.subheader("成员单位 × 重点工作（统计表2 立案件数）", anchor="agencies")
matrix = cached(overview.agency_matrix, day)
focus_keys = [f.key for f in c.focus_areas]
agencies = [a.label for a in c.agencies]
z, text, hover = [], [], []
for a in c.agencies:
    rows = {r["focus"]: r for r in matrix.filter(pl.col("agency") == a.key).to_dicts()}
    z.append([rows[f]["cases"] if rows[f]["responsible"] else None for f in focus_keys])
    text.append(
        [
            ("⚠ 未报" if rows[f]["cases"] == 0 else f"{rows[f]['cases']:,.0f}") if rows[f]["responsible"] else ""
            for f in focus_keys
        ]
    )
    hover.append(
        [
            f"{a.label} · {f.label}<br>"
            + (f"立案 {rows[f.key]['cases']:,.0f} 件" if rows[f.key]["responsible"] else "方案未要求负责")
            for f in c.focus_areas
        ]
    )
heat = go.Figure(
    go.Heatmap(
        z=z,
        x=["<br>".join(f.label[i : i + 6] for i in range(0, len(f.label), 6)) for f in c.focus_areas],
        y=agencies,
        text=text,
        texttemplate="%{text}",
        colorscale="Blues",
        hoverongaps=False,
        colorbar=dict(title="件"),
    )
)
heat.update_yaxes(autorange="reversed")
clickable_cells(heat, list(heat.data[0].x), agencies, [[[a.key, f] for f in focus_keys] for a in c.agencies], hover)
with desktop_only():
    clickable_chart(style(heat, height=560), "agency_cells", "tracking", ("agency", "focus"))
    st.caption("点击格子，查看该单位在该项工作上的立案和报送明细（报送进度）。")
with phone_only():
    silent_agencies(matrix)
st.caption("空白：方案未要求该单位负责此项工作；⚠ 未报：负有责任但截至统计日尚无立案上报。")

# --- districts -----------------------------------------------------------------------------------
st.subheader("各地区进展")
league = cached(overview.district_league, day).with_columns(
    (pl.col("weeks_due") - pl.col("weeks_in")).alias("weeks_missing"),
    (pl.col("weeks_in") - pl.col("weeks_on_time")).alias("weeks_late"),
    (100 * pl.col("weeks_on_time") / pl.col("weeks_due")).alias("on_time_rate"),
)
# Who is behind comes first: most weeks not sent, then most sent late; a unit behind is coloured.
league = league.sort(["weeks_missing", "weeks_late", "cases_filed"], descending=True, nulls_last=True)
COLUMNS = {
    "label": "单位",
    "weeks_missing": "逾期未报（周）",
    "weeks_late": "迟报（周）",
    "on_time_rate": "按时报送率",
    "cases_filed": "立案（件）",
    "fines": "罚没（万元）",
    "listings_removed": "删除违法信息（条）",
    "sites_ordered_rectify": "责令整改（个次）",
    "staff_deployed": "出动执法人员（人次）",
    "complaints_total": "投诉举报（件）",
}
table = league.with_columns(pl.col("fines").round(2)).select(list(COLUMNS)).rename(COLUMNS).to_pandas()
BEHIND = {"逾期未报（周）": "background-color: #f9d0d0; color: #8b1a1a", "迟报（周）": "background-color: #fde7c4"}
clickable_rows(
    table.style.apply(lambda col: [BEHIND[col.name] if v and v > 0 else "" for v in col], subset=list(BEHIND)),
    league["unit"].to_list(),
    "league",
    "complaints",
    "unit",
    hide_index=True,
    width="stretch",
    column_config={
        "按时报送率": st.column_config.ProgressColumn(
            "按时报送率", format="%.0f%%", min_value=0, max_value=100, help="按时报送的周数 / 已到截止日的周数"
        )
    },
)
st.caption("按逾期未报、迟报周数排序，落后的单位在前；红色为有逾期未报，黄色为有迟报。")

bulletin_panel(user, day)
