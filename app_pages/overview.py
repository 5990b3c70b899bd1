"""总览 page, what leadership opens every morning: the campaign clock, the headline tiles with their change
since last week, progress by focus area, the agency × focus-area matrix and the district league."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from app_pages.ui.charts import style, timeline
from app_pages.ui.common import as_of, cached, empty_state, guard, warehouse
from app_pages.ui.drill import clickable_chart, clickable_rows, explain_link
from app_pages.ui.freshness import coverage, coverage_badge
from app_pages.ui.layout import desktop_only, phone_only, silent_agencies
from app_pages.ui.tiles import metric_tile
from metrics import overview, registry

guard("overview")
wh = warehouse()
c = wh.campaign
day = as_of()

st.title("总览")
st.caption(f"{c.name}　统计截止 {day:%Y年%-m月%-d日}")

# --- campaign clock ------------------------------------------------------------------------------
clock = cached(overview.campaign_clock, day)
cols = st.columns([1, 2])
with cols[0]:
    st.caption("当前阶段")
    for stage in clock.stages or ["活动期外"]:
        st.subheader(stage, anchor=False)
    for d in clock.next_deadlines:
        left = "今日截止" if d.working_days_left == 0 else f"还剩 {d.working_days_left} 个工作日"
        st.metric(f"下一截止：{d.label}", f"{d.due:%-m月%-d日}", left, delta_color="off", delta_arrow="off")
with cols[1]:
    st.plotly_chart(timeline(c, day), width="stretch", config={"displayModeBar": False})

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

# --- focus areas ---------------------------------------------------------------------------------
st.subheader("重点工作进展")
focus = cached(overview.focus_progress, day)
fig = go.Figure()
names = [f"{r['focus']} {r['label']}" for r in focus.to_dicts()]
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
st.subheader("成员单位 × 重点工作（统计表2 立案件数）")
matrix = cached(overview.agency_matrix, day)
focus_keys = [f.key for f in c.focus_areas]
agencies = [a.label for a in c.agencies]
z, text = [], []
for a in c.agencies:
    rows = {r["focus"]: r for r in matrix.filter(pl.col("agency") == a.key).to_dicts()}
    z.append([rows[f]["cases"] if rows[f]["responsible"] else None for f in focus_keys])
    text.append(
        [
            ("⚠ 未报" if rows[f]["cases"] == 0 else f"{rows[f]['cases']:,.0f}") if rows[f]["responsible"] else ""
            for f in focus_keys
        ]
    )
heat = go.Figure(
    go.Heatmap(
        z=z,
        x=[f"{f.key} {f.label[:6]}" for f in c.focus_areas],
        y=agencies,
        text=text,
        texttemplate="%{text}",
        colorscale="Blues",
        hoverongaps=False,
        colorbar=dict(title="件"),
    )
)
heat.update_yaxes(autorange="reversed")
with desktop_only():
    st.plotly_chart(style(heat, height=560), width="stretch")
with phone_only():
    silent_agencies(matrix)
st.caption("空白：方案未要求该单位负责此项工作；⚠ 未报：负有责任但截至统计日尚无立案上报。")

# --- districts -----------------------------------------------------------------------------------
st.subheader("各地区进展")
league = cached(overview.district_league, day)
clickable_rows(
    league.select(
        pl.col("label").alias("单位"),
        pl.col("cases_filed").alias("立案（件）"),
        pl.col("fines").round(2).alias("罚没（万元）"),
        pl.col("listings_removed").alias("删除违法信息（条）"),
        pl.col("sites_ordered_rectify").alias("责令整改（个次）"),
        pl.col("staff_deployed").alias("出动执法人员（人次）"),
        pl.col("complaints_total").alias("投诉举报（件）"),
        (pl.col("weeks_on_time").cast(pl.Utf8) + " / " + pl.col("weeks_due").cast(pl.Utf8)).alias("按时报送（周）"),
    ),
    league["unit"].to_list(),
    "league",
    "complaints",
    "unit",
    hide_index=True,
    width="stretch",
)
