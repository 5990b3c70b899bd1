"""投诉分析 page: 12315 and 12358 records for analysts. Filters kept in the link (every view reproducible from
it), headline tiles, trends, breakdowns, top merchants and platforms, week-on-week anomalies, the record table
with its detail, and exports."""

import datetime as dt

import polars as pl
import streamlit as st

from app_pages.ui.charts import bar_chart, ranked_table, status_colour, trend_chart, trend_note
from app_pages.ui.common import as_of, cached, empty_state, guard, warehouse
from app_pages.ui.drill import arrived, keep_in_link, picking_chart, picking_rows
from app_pages.ui.followup import anomaly_button
from app_pages.ui.tiles import metric_tile
from auth.policy import PermissionDenied
from metrics import complaints as mc
from metrics import registry
from metrics.file_export import FORMATS

user = guard("complaints")
wh = warehouse()
c = wh.campaign
day = as_of()

st.title("投诉分析")
st.caption(f"统计截止 {day:%Y-%m-%d}　数据来源：12315 投诉举报、12358 价格举报（同一编号只计最新版本）")

opts = mc.options_of(cached(mc.cube, mc.Filters(), day))  # the unfiltered view: the same scan as no filter
if opts["first_day"] is None:
    empty_state(
        f"截至 {day:%Y-%m-%d} 尚无投诉举报数据：请先在「数据上报」页载入 12315 或 12358 导出文件，或把统计截止日期后移。"
    )
    st.stop()

# --- filters, kept in the link ----------------------------------------------------------------------
ALL = "全部"
CHOICES = {
    "source": list(mc.SOURCES),
    "online": [True, False],
    "unit": opts["unit"],
    "focus": opts["focus"],
    "goods": opts["goods"],
    "problem": opts["problem"],
    "platform": opts["platform"],
    "status": opts["status"],
}
LABELS = {
    "source": lambda v: {"complaints_12315": "12315 投诉举报", "price_12358": "12358 价格举报"}[v],
    "online": lambda v: "仅网络交易" if v else "非网络交易",
    "unit": c.unit_label,
    "focus": c.focus_label,
}
TITLES = {
    "source": "来源",
    "online": "网络交易",
    "unit": "属地单位",
    "focus": "重点工作",
    "goods": "商品服务类别",
    "problem": "问题类别",
    "platform": "平台",
    "status": "办理状态",
}


def _from_query(key: str, raw: str):
    """A query-parameter value, or None if the link carries something this data does not offer."""
    if key in ("start", "end"):
        try:
            d = dt.date.fromisoformat(raw)
        except ValueError:
            return None
        return min(max(d, c.start), c.end)
    if key == "online":
        return {"1": True, "0": False}.get(raw)
    return raw if raw in CHOICES[key] else None


def _to_query(key: str, value) -> str:
    if key == "online":
        return "1" if value else "0"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


if arrived("complaints") or "cf_ready" not in st.session_state:  # a drill-down, or first run: the link decides
    for key in ("start", "end", *CHOICES):
        raw = st.query_params.get(key)
        st.session_state[f"cf_{key}"] = _from_query(key, raw) if raw is not None else None
    st.session_state["cf_ready"] = True


def narrow(**values) -> None:
    """A click on a chart or table of this page: set those filters (run in the click's callback, before the filter
    widgets are drawn again; the link follows them below). Dates are kept inside the campaign, as the inputs are."""
    for key, value in values.items():
        if isinstance(value, dt.date):
            value = min(max(value, c.start), c.end)
        st.session_state[f"cf_{key}"] = value


def clear_filters() -> None:
    narrow(**dict.fromkeys(("start", "end", *CHOICES)))


with st.container(border=True):
    head, reset = st.columns([5, 1], vertical_alignment="center")
    head.markdown("**筛选条件**　点击下方图表或表格中的一项即按其筛选；链接随筛选更新，复制地址栏即可分享当前视图。")
    reset.button("清除筛选", key="cf_clear", on_click=clear_filters, icon=":material/filter_alt_off:", type="tertiary")
    with st.container(key="filters_complaints"):  # two by two on a phone (layout.py), one row of five on a desktop
        cols = [*st.columns(5), *st.columns(5)]
    cols[0].date_input("起始日期", key="cf_start", min_value=c.start, max_value=c.end, format="YYYY-MM-DD", value=None)
    cols[1].date_input("截止日期", key="cf_end", min_value=c.start, max_value=c.end, format="YYYY-MM-DD", value=None)
    for i, key in enumerate(CHOICES):
        col = cols[i + 2]
        fmt = LABELS.get(key, str)
        col.selectbox(TITLES[key], CHOICES[key], index=None, key=f"cf_{key}", format_func=fmt, placeholder=ALL)

f = mc.Filters(**{k: st.session_state[f"cf_{k}"] for k in ("start", "end", *CHOICES)})
keep_in_link({k: None if (v := getattr(f, k)) is None else _to_query(k, v) for k in ("start", "end", *CHOICES)})

since, until = f.window(day)
if since and until and since > until:
    st.warning(f"起始日期 {since} 晚于截止日期 {until}：没有符合条件的记录。")
st.caption(f"当前视图：{mc.describe(wh, f, day)}")

# --- headline figures -------------------------------------------------------------------------------
t = cached(mc.totals, f, day)
cb = cached(mc.cube, f, day)  # trends, breakdowns and anomaly flags: one scan
for tile, (key, value) in zip(st.columns(len(t)), t.items(), strict=True):  # the figures this filter includes
    metric_tile(tile, registry.get(c, key), value)

if t["complaints_total"] == 0:
    empty_state("当前筛选条件下没有投诉举报记录：请放宽筛选条件。")
    st.stop()

chart_data: dict[str, pl.DataFrame] = {}  # every chart's data, by name, for export

# --- trends -----------------------------------------------------------------------------------------
# One chart, the grain chosen (drawing both grains in tabs drew two figures every run).
st.subheader("趋势")
GRAINS = {"day": "每日", "week": "每周"}
trends = {grain: mc.trend_of(cb, grain) for grain in GRAINS}
grain = st.radio(
    "粒度", list(GRAINS), format_func=GRAINS.get, horizontal=True, key="c_grain", label_visibility="collapsed"
)
tr = trends[grain]
series = {"投诉举报": tr["complaints_total"].to_list(), "其中网络消费": tr["complaints_online"].to_list()}
days = [d.isoformat() for d in tr["date"].to_list()]
picks = {"投诉举报": days, "其中网络消费": [f"{d}|online" for d in days]}


def pick_period(point: str) -> None:
    """A point on the trend: that day (or week), and on the 网络消费 line online records only."""
    first, _, online = point.partition("|")
    start = dt.date.fromisoformat(first)
    narrow(
        start=start, end=start + dt.timedelta(days=6 if grain == "week" else 0), **({"online": True} if online else {})
    )


span = (max(since or c.start, c.start), min(until or c.end, c.end))
chart = trend_chart(c, tr["date"].to_list(), series, "件", grain, customdata=picks, span=span)
picking_chart(chart, "c_trend", pick_period)
st.caption(trend_note(c, grain) + f"点击一个点，本页即筛选到该{'周' if grain == 'week' else '日'}。")
for g, tr in trends.items():
    chart_data[f"{GRAINS[g]}趋势"] = tr.select(
        pl.col("date").alias("日期" if g == "day" else "周（周一）"),
        pl.col("complaints_total").alias("投诉举报（件）"),
        pl.col("complaints_online").alias("其中网络消费（件）"),
    )

# --- breakdowns -------------------------------------------------------------------------------------
st.subheader("分类分布")
DIMS = {
    "focus": ("按重点工作", c.focus_label),
    "goods": ("按商品服务类别", str),
    "problem": ("按问题类别", str),
    "platform": ("按平台", str),
    "unit": ("按属地单位", c.unit_label),
    "status": ("按办理状态", str),
}
grid = st.columns(2)
for i, (dim, (title, label)) in enumerate(DIMS.items()):
    b = mc.breakdown_of(cb, dim)
    labels = [label(v) for v in b[dim].to_list()]
    name = TITLES.get(dim, "分类")
    table = pl.DataFrame({name: labels}).with_columns(
        b["complaints_total"].alias("投诉举报"), b["complaints_online"].alias("其中网络消费（件）")
    )
    with grid[i % 2]:
        st.markdown(f"**{title}**")
        if b.height == 0:
            st.caption("当前筛选下无此项数据（如 12358 无商品服务类别）。")
        elif dim == "status":  # bars, not a donut: a bar can be clicked
            colours = [status_colour(c, v) for v in labels]
            fig = bar_chart(labels, table["投诉举报"].to_list(), "件", colours, 110 + 40 * b.height, b[dim].to_list())
            picking_chart(fig, "c_pick_status", lambda v: narrow(status=v))
        else:
            pick = (f"c_pick_{dim}", b[dim].to_list(), lambda v, dim=dim: narrow(**{dim: v}))
            ranked_table(table, name, "投诉举报", "件", height=38 + 35 * min(table.height, 7), pick=pick)
    chart_data[title] = table.rename({"投诉举报": "投诉举报（件）"})
st.caption("点击表格中的一行或办理状态的条形，本页即按该项筛选。")

# --- top merchants and platforms --------------------------------------------------------------------
st.subheader("投诉集中的主体和平台")
left, right = st.columns([3, 2])
tm = cached(mc.top_merchants, f, day, 20)
merchants = tm.select(
    pl.col("merchant_name").alias("主体名称"),
    pl.when(pl.col("uscc_valid"))
    .then(pl.col("merchant_key"))
    .otherwise(pl.lit("（无有效代码，按名称归并）"))
    .alias("统一社会信用代码"),
    pl.col("complaints").alias("投诉举报（件）"),
    pl.col("online").alias("其中网络消费（件）"),
    pl.col("platform_list").alias("涉及平台"),
    (pl.col("amount_involved") / 10_000).round(2).alias("涉及金额（万元）"),
    pl.col("last_received_at").alias("最近一次"),
)
chart_data["投诉最多的主体"] = merchants
with left:
    st.markdown("**投诉最多的主体（前 20）**　主体以有效统一社会信用代码识别，无有效代码的按规范化名称归并。")
    st.dataframe(merchants, hide_index=True, width="stretch")
tp = mc.breakdown_of(cb, "platform", top=10).select(
    pl.col("platform").alias("平台"), pl.col("complaints_total").alias("投诉举报")
)
chart_data["投诉最多的平台"] = tp.rename({"投诉举报": "投诉举报（件）"})
with right:
    st.markdown("**投诉最多的平台（前 10）**")
    ranked_table(
        tp, "平台", "投诉举报", "件", pick=("c_pick_top_platform", tp["平台"].to_list(), lambda v: narrow(platform=v))
    )

# --- anomalies --------------------------------------------------------------------------------------
st.subheader("周环比异常")
st.caption(
    f"规则：某商品服务类别、问题类别、平台或属地单位在某周的件数 ≥ {mc.ANOMALY_MIN_COUNT} 件，且 ≥ 前 {mc.ANOMALY_WEEKS} 周均值的 "
    f"{mc.ANOMALY_FACTOR:g} 倍、≥ 均值 + {mc.ANOMALY_SIGMAS:g} 倍标准差（无投诉的周按 0 计），即标为异常。"
)
an = mc.anomalies_of(cb)
anomaly_table = an.select(
    pl.col("week").alias("周（周一）"),
    pl.col("dimension").replace_strict(mc.ANOMALY_DIMS).alias("维度"),
    pl.when(pl.col("dimension") == "unit")
    .then(pl.col("value").map_elements(c.unit_label, return_dtype=pl.Utf8))
    .otherwise(pl.col("value"))
    .alias("对象"),
    pl.col("count").alias("本周（件）"),
    pl.col("trailing_mean").round(1).alias(f"前{mc.ANOMALY_WEEKS}周均值（件）"),
    pl.col("trailing_std").round(1).alias("标准差"),
    pl.col("threshold").round(1).alias("异常阈值（件）"),
    pl.col("ratio").round(1).alias("为均值的倍数"),
)
chart_data["周环比异常"] = anomaly_table
if an.height:
    latest = an["week"].max()
    st.warning(
        f"共 {an.height} 处异常，最近一周（{latest:%m月%d日} 起）{an.filter(pl.col('week') == latest).height} 处。",
        icon=":material/trending_up:",
    )
    picking_rows(
        anomaly_table,
        list(zip(an["dimension"], an["value"], an["week"], strict=True)),
        "c_pick_anomaly",
        lambda k: narrow(**{k[0]: k[1]}, start=k[2], end=k[2] + dt.timedelta(days=6)),
        hide_index=True,
        width="stretch",
    )
    st.caption("点击一行，本页即筛选到该周、该对象。")
    anomaly_button(user, an, mc.ANOMALY_DIMS)
else:
    st.success("当前筛选下没有周环比异常。", icon=":material/check_circle:")

# --- record table and detail ------------------------------------------------------------------------
st.subheader("记录明细")
shown = cached(mc.records, f, day, 500)
table = mc.labelled_records(wh, shown)
keys = [f"{s}|{r}" for s, r in zip(shown["source"], shown["record_id"], strict=True)]
st.caption(
    f"共 {t['complaints_total']:,.0f} 件，按登记时间倒序显示最近 {min(500, shown.height):,} 件。"
    "表中不含投诉人姓名、电话、证件号、地址和诉求原文；点选一行或在下方选择编号查看详情。"
)


def _pick_row() -> None:
    rows = st.session_state["c_table"].selection.rows
    if rows:
        st.session_state["c_record"] = keys[rows[0]]


st.dataframe(table, hide_index=True, width="stretch", key="c_table", on_select=_pick_row, selection_mode="single-row")
if "c_record" not in st.session_state:
    linked = st.query_params.get("record")
    st.session_state["c_record"] = linked if linked in keys or (linked and "|" in linked) else None
record_key = st.selectbox(
    "查看记录详情",
    list(dict.fromkeys([*(k for k in [st.session_state["c_record"]] if k), *keys])),
    index=None,
    key="c_record",
    placeholder="选择记录编号",
    format_func=lambda k: f"{mc.SOURCES[k.split('|')[0]]} · {k.split('|', 1)[1]}",
)
if record_key:
    st.query_params["record"] = record_key
    source, record_id = record_key.split("|", 1)
    d = cached(mc.record_detail, source, record_id)
    if d is None:
        st.warning(f"未找到记录 {record_id}（可能已被新版本替换或所在批次已撤销）。")
    else:
        with st.container(border=True):
            st.markdown(f"#### {mc.SOURCES[d['source']]} · {d['record_id']}")
            a, b, e = st.columns(3)
            a.markdown(
                f"**登记时间**　{d['received_at']:%Y-%m-%d %H:%M}  \n**信息类型**　{d['info_type'] or '—'}  \n"
                f"**接收方式**　{d['channel'] or '—'}  \n**消费方式**　{d['consumption_mode'] or '—'}  \n"
                f"**网络交易**　{'是' if d['online'] else '否'}"
            )
            b.markdown(
                f"**被投诉（举报）主体**　{d['merchant_name'] or '—'}  \n**统一社会信用代码**　{d['merchant_uscc'] or '—'}"
                f"{'' if d['uscc_valid'] else '（校验未通过）'}  \n**平台**　{d['platform'] or '—'}  \n"
                f"**商品服务类别**　{d['goods_category'] or '—'}  \n"
                f"**问题类别**　{d['problem_category'] or d['price_violation'] or '—'}"
                f"{' / ' + d['problem_subcategory'] if d['problem_subcategory'] else ''}"
            )
            closed = "" if d["closed_at"] is None else f"（{d['closed_at']:%Y-%m-%d} 办结）"
            amount = "—" if d["amount_involved"] is None else f"{d['amount_involved']:,.2f} 元"
            recovered = "—" if d["recovered_loss"] is None else f"{d['recovered_loss']:,.2f} 元"
            e.markdown(
                f"**重点工作**　{c.focus_label(d['focus_key'])}  \n"
                f"**属地单位**　{c.unit_label(d['unit'])}{'（推定）' if d['unit_inferred'] else ''}  \n"
                f"**承办部门**　{d['handling_dept'] or '—'}  \n"
                f"**办理状态**　{c.status_label(d['status']) or '—'}{closed}  \n"
                f"**涉及金额**　{amount}　**挽回损失**　{recovered}"
            )
            st.markdown(f"**诉求内容（已脱敏）**　{d['content'] or '—'}")
            st.caption(f"来自文件 {d['file_name']} 第 {d['row_no']} 行（批次 {d['batch_id']}）。")
else:
    st.query_params.pop("record", None)

# --- export -----------------------------------------------------------------------------------------
st.subheader("导出")
if user.role not in ("analyst", "admin"):
    st.caption("导出明细和图表数据仅限分析员、管理员。")
else:
    options = ["筛选后的记录明细", *chart_data]
    ex1, ex2, ex3 = st.columns([2, 2, 1])
    what = ex1.selectbox("导出内容", options, key="c_export_what")
    fmt = ex2.radio("格式", list(FORMATS), format_func=FORMATS.get, key="c_export_fmt", horizontal=True)
    if ex3.button("生成导出文件", type="primary", icon=":material/download:", key="c_export_go"):
        try:
            if what == "筛选后的记录明细":
                st.session_state["c_export"] = mc.export_records(wh, user, f, day, fmt)
            else:
                st.session_state["c_export"] = mc.export_chart(wh, user, chart_data[what], what, fmt)
        except (PermissionDenied, ValueError) as exc:
            st.error(str(exc))
    file = st.session_state.get("c_export")
    if file is not None:
        st.download_button(
            f"下载 {file.file_name}（{file.rows:,} 行）", file.data, file.file_name, file.mime, on_click="ignore"
        )
        st.caption("文本以 = + - @ 或制表符开头的单元格已加单引号，在 Excel 中不会作为公式执行。已记入审计日志。")
