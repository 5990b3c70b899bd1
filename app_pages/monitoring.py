"""监测线索 page: hits by type, source, unit and status; disposal; overdue 待核查 hits; cross-source leads;
exports. Filters (处置状态, 线索类型, 监测来源, 属地单位) are kept in the link; a click on a bar narrows the page."""

import polars as pl
import streamlit as st

from app_pages.ui.charts import bar_chart, status_colour, trend_chart, trend_note
from app_pages.ui.common import as_of, cached, empty_state, guard, warehouse
from app_pages.ui.drill import arrived, keep_in_link, picking_chart
from app_pages.ui.followup import lead_button, overdue_button
from auth.policy import PermissionDenied
from metrics import monitoring as mm
from metrics.file_export import FORMATS

user = guard("monitoring")
wh = warehouse()
c = wh.campaign
day = as_of()

st.title("监测线索")
st.caption(
    f"统计截止 {day:%Y-%m-%d}　数据来源：网络交易监测线索导出（同一编号只计最新版本；处置状态为最新导出中的状态）"
)

s = cached(mm.summary, None)  # everything loaded, whatever the as-of date
if not s["hits_received"]:
    empty_state("尚无监测线索数据：请先在「数据上报」页载入网络交易监测线索导出文件。")
    st.stop()

# --- filters, kept in the link ----------------------------------------------------------------------
# What each filter offers: the values of the unfiltered view (a blank one cannot be picked). The empty picks are
# passed as the breakdowns below pass them, so with no filter both read one cache entry, not two queries.
NO_PICKS: mm.Picks = ()
CHOICES = {
    dim: [v for v in cached(mm.breakdown, day, dim, NO_PICKS)[dim].to_list() if v != "未填写"] for dim in mm.FILTERS
}
LABELS = {"unit": c.unit_label}
if arrived("monitoring") or "mf_ready" not in st.session_state:  # a drill-down, or first run: the link decides
    for dim in mm.FILTERS:
        raw = st.query_params.get(dim)
        st.session_state[f"mf_{dim}"] = raw if raw in CHOICES[dim] else None
    st.session_state["mf_ready"] = True


def narrow(dim: str, value: str) -> None:
    """A click on a bar: that slice (run in the click's callback, before the filters are drawn again)."""
    st.session_state[f"mf_{dim}"] = value


def clear_filters() -> None:
    for dim in mm.FILTERS:
        st.session_state[f"mf_{dim}"] = None


with st.container(border=True):
    head, reset = st.columns([5, 1], vertical_alignment="center")
    head.markdown("**筛选条件**　点击下方条形即按其筛选；链接随筛选更新。超期待核查线索随筛选，跨来源线索不随筛选。")
    reset.button("清除筛选", key="mf_clear", on_click=clear_filters, icon=":material/filter_alt_off:", type="tertiary")
    with st.container(key="filters_monitoring"):
        for col, (dim, title) in zip(st.columns(len(mm.FILTERS)), mm.FILTERS.items(), strict=True):
            col.selectbox(
                title, CHOICES[dim], index=None, key=f"mf_{dim}", format_func=LABELS.get(dim, str), placeholder="全部"
            )
picks: mm.Picks = tuple((dim, v) for dim in mm.FILTERS if (v := st.session_state[f"mf_{dim}"]) is not None)
keep_in_link({dim: st.session_state[f"mf_{dim}"] for dim in mm.FILTERS})
view = "，".join(LABELS.get(dim, str)(v) for dim, v in picks)
if view:
    st.caption(f"当前视图：{view}")

if "m_overdue_days" not in st.session_state:
    raw = st.query_params.get("overdue_days", "")
    st.session_state["m_overdue_days"] = (
        int(raw) if raw.isdigit() and 1 <= int(raw) <= 60 else mm.DEFAULT_OVERDUE_WORKDAYS
    )

s = cached(mm.summary, day, picks)
if not s["hits_received"]:
    empty_state("当前筛选条件下没有监测线索：请放宽筛选条件。")
    st.stop()
over = cached(mm.overdue, day, st.session_state["m_overdue_days"], picks=picks)
tiles = st.columns(5)
tiles[0].metric("收到监测线索（条）", f"{s['hits_received']:,.0f}", border=True)
tiles[1].metric("已处置（条）", f"{s['hits_disposed']:,.0f}", border=True)
rate = s["hit_disposal_rate"]
tiles[2].metric("处置率", "—" if rate is None else f"{rate:.1f}%", border=True)
med = s["hit_feedback_median_days"]
tiles[3].metric("发现至反馈用时中位数", "—" if med is None else f"{med:.1f} 天", border=True)
tiles[4].metric(f"超期待核查（条，>{st.session_state['m_overdue_days']}个工作日）", f"{over['total']:,}", border=True)
st.caption(
    f"已处置指处置状态为 {'、'.join(mm.registry.DISPOSED_STATUSES)}。"
    + ("" if med is not None else "导出文件中尚无反馈时间，无法计算用时。")
)

chart_data: dict[str, pl.DataFrame] = {}

# --- by status, type, source, unit ------------------------------------------------------------------
st.subheader("线索分布")
DIMS = {
    "status": ("按处置状态", str),
    "hit_type": ("按线索类型", str),
    "source_system": ("按监测来源", str),
    "unit": ("按属地单位", c.unit_label),
}
grid = st.columns(2)
for i, (dim, (title, label)) in enumerate(DIMS.items()):
    b = cached(mm.breakdown, day, dim, picks)
    values = b[dim].to_list()
    labels = [v if v == "未填写" else label(v) for v in values]
    # Bars (the statuses too: a pie slice cannot be clicked); each carries its value, a blank one nothing.
    colours = [status_colour(c, v) for v in labels] if dim == "status" else "#54A24B"
    keys = [None if v == "未填写" else v for v in values]
    with grid[i % 2]:
        st.markdown(f"**{title}（条）**")
        fig = bar_chart(labels, b["hits_received"].to_list(), "条", colours, customdata=keys)
        picking_chart(fig, f"m_pick_{dim}", lambda v, dim=dim: narrow(dim, v))
    chart_data[title] = pl.DataFrame({title.removeprefix("按"): labels}).with_columns(
        b["hits_received"].alias("收到（条）"),
        b["hits_disposed"].alias("已处置（条）"),
        b["hit_disposal_rate"].round(1).alias("处置率（%）"),
    )
st.markdown("**各属地单位处置情况**")
st.dataframe(chart_data["按属地单位"], hide_index=True, width="stretch")

wk = cached(mm.weekly, day, picks)
st.markdown("**每周收到与处置（条）**")
st.plotly_chart(
    trend_chart(
        c,
        wk["week"].to_list(),
        {"收到": wk["hits_received"].to_list(), "其中已处置": wk["hits_disposed"].to_list()},
        "条",
        "week",
        span=(c.start, min(day, c.end)),
    ),
    width="stretch",
)
st.caption(trend_note(c, "week"))
chart_data["每周收到与处置"] = wk.select(
    pl.col("week").alias("周（周一）"),
    pl.col("hits_received").alias("收到（条）"),
    pl.col("hits_disposed").alias("已处置（条）"),
)

# --- overdue ----------------------------------------------------------------------------------------
st.subheader("超期待核查线索")
days = st.number_input(
    "超过多少个工作日仍为“待核查”即列为超期", min_value=1, max_value=60, step=1, key="m_overdue_days"
)
st.query_params["overdue_days"] = str(days)
st.caption(
    f"截至 {day:%Y-%m-%d} 共 {over['pending']:,} 条待核查，其中 {over['total']:,} 条自发现起已超过 {days} 个工作日"
    "（按法定工作日历计算，含调休）。按发现时间由早到晚列出前 500 条。"
)
rows = over["rows"]
if rows.height:
    overdue_table = rows.select(
        pl.col("hit_id").alias("线索编号"),
        pl.col("detected_at").alias("发现时间"),
        pl.col("workdays").alias("已过工作日"),
        pl.col("hit_type").alias("线索类型"),
        pl.col("source_system").alias("监测来源"),
        pl.col("platform").alias("平台"),
        pl.col("shop_name").alias("网店（网站）"),
        pl.col("merchant_name").alias("经营者"),
        pl.col("unit").map_elements(c.unit_label, return_dtype=pl.Utf8).alias("属地单位"),
        pl.col("assigned_unit").alias("承办单位"),
    )
    chart_data["超期待核查线索"] = overdue_table
    st.dataframe(overdue_table, hide_index=True, width="stretch")
    overdue_button(user, rows)
else:
    st.success("没有超期的待核查线索。", icon=":material/check_circle:")

# --- cross-source leads -----------------------------------------------------------------------------
st.subheader("跨来源线索（协同管网）")
w = mm.SOURCE_WEIGHTS
st.caption(
    "同一经营者出现在 12315、12358、监测线索中两个及以上来源的，列为跨来源线索。经营者按有效统一社会信用代码识别；"
    "无有效代码的按规范化名称匹配，名称曾与唯一有效代码同时出现的归入该代码。"
    f"权重：12315 每件 {w['complaints_12315']:g}，12358 每件 {w['price_12358']:g}，监测线索每条 {w['monitoring']:g}"
    "（监测线索为监管部门主动发现、已经规则筛查），按总权重排序。"
)
leads = cached(mm.cross_source_leads, day, 50)
if leads.height == 0:
    st.info("暂未发现跨来源线索。", icon=":material/info:")
else:
    lead_table = leads.select(
        pl.col("merchant_name").alias("经营者"),
        pl.when(pl.col("has_uscc"))
        .then(pl.col("entity"))
        .otherwise(pl.lit("（按名称匹配）"))
        .alias("统一社会信用代码"),
        pl.col("sources").alias("来源数"),
        pl.col("n_12315").alias("12315（件）"),
        pl.col("n_12358").alias("12358（件）"),
        pl.col("n_monitoring").alias("监测线索（条）"),
        pl.col("weight").alias("总权重"),
        pl.col("first_at").alias("最早"),
        pl.col("last_at").alias("最近"),
    )
    chart_data["跨来源线索"] = lead_table
    st.markdown(f"共 {leads['leads_total'][0]:,} 个经营者，显示权重最高的 {leads.height} 个。")
    st.dataframe(lead_table, hide_index=True, width="stretch")
    entities = leads["entity"].to_list()
    if "m_lead" not in st.session_state:
        linked = st.query_params.get("lead")
        st.session_state["m_lead"] = linked if linked in entities else None
    names = dict(zip(entities, leads["merchant_name"].to_list(), strict=True))
    lead = st.selectbox(
        "查看经营者的全部记录",
        entities,
        index=None,
        key="m_lead",
        placeholder="选择经营者",
        format_func=lambda e: f"{names[e]}（{e}）",
    )
    if lead:
        st.query_params["lead"] = lead
        keys = tuple(leads.filter(pl.col("entity") == lead)["keys"][0])
        recs = cached(mm.lead_records, keys, day)
        st.dataframe(
            recs.select(
                pl.col("source").replace_strict(mm.SOURCE_LABELS).alias("来源"),
                pl.col("record_id").alias("编号"),
                pl.col("seen_at").alias("时间"),
                pl.col("platform").alias("平台"),
                pl.col("category").alias("类别"),
                pl.col("status").map_elements(c.status_label, return_dtype=pl.Utf8).alias("状态"),
                pl.col("unit").map_elements(c.unit_label, return_dtype=pl.Utf8).alias("属地单位"),
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption("12315/12358 记录的详情可在「投诉分析」页按编号查看。")
        lead_button(user, lead, names[lead], recs)
    else:
        st.query_params.pop("lead", None)

# --- export -----------------------------------------------------------------------------------------
st.subheader("导出")
if user.role not in ("analyst", "admin"):
    st.caption("导出数据仅限分析员、管理员。")
else:
    ex1, ex2, ex3 = st.columns([2, 2, 1])
    what = ex1.selectbox("导出内容", list(chart_data), key="m_export_what")
    fmt = ex2.radio("格式", list(FORMATS), format_func=FORMATS.get, key="m_export_fmt", horizontal=True)
    if ex3.button("生成导出文件", type="primary", icon=":material/download:", key="m_export_go"):
        try:
            st.session_state["m_export"] = mm.export(wh, user, chart_data[what], what, fmt, view)
        except (PermissionDenied, ValueError) as exc:
            st.error(str(exc))
    file = st.session_state.get("m_export")
    if file is not None:
        st.download_button(
            f"下载 {file.file_name}（{file.rows:,} 行）", file.data, file.file_name, file.mime, on_click="ignore"
        )
