"""The generated sections of the 工作通报 and the 总结报告. Each writes sentences, tables and charts from the
functions the pages call (overview, tracking, complaints, monitoring) and formats every figure through its
registry metric: a document and the dashboard cannot disagree."""

from __future__ import annotations

import datetime as dt

import polars as pl

from metrics import complaints, monitoring, overview, registry, tracking
from metrics.documents import charts
from metrics.documents.context import Context
from metrics.documents.sentences import amount, cumulative, day, full_day, names, span

# 统计表1 figures named in the opening paragraph (all of them are in the table below it).
HEADLINE = (
    "staff_deployed",
    "sites_checked_online",
    "listings_removed",
    "sites_ordered_rectify",
    "cases_filed",
    "fines",
)
AREA_KEYS = ["complaints_online", "complaints_total", "complaints_12315", "price_12358", "recovered_loss"]
HIT_KEYS = ["hits_received", "hits_disposed"]
LEAGUE_COLUMNS = [*overview.LEAGUE_KEYS, "complaints_total"]
TOP = 3  # units named at the head of the league
MAX_ANOMALIES = 5


def _chart(ctx: Context, fig, caption: str) -> None:
    image = charts.png(fig) if ctx.charts else None
    if image is None:
        ctx.missing.append(f"图表“{caption}”未能生成（本机无可用的 Chromium）")
        ctx.doc.note(f"（图：{caption}——未能生成图表，数字见上文。）")
    else:
        ctx.doc.figure(image, caption)


def _wrap(label: str, width: int = 5) -> str:
    return "<br>".join(label[i : i + width] for i in range(0, len(label), width))


def stats_changes(ctx: Context) -> dict[str, overview.Change]:
    keys = [m.key for m in ctx.wh.campaign.table1]
    return {ch.key: ch for ch in overview.changes(ctx.wh, keys, ctx.as_of, ctx.scope.stats_where())}


def overall(ctx: Context) -> None:
    """Stage, the weekly tables' headline figures with their week, complaints and monitoring hits."""
    wh, c, as_of = ctx.wh, ctx.wh.campaign, ctx.as_of
    running = overview.campaign_clock(wh, as_of).stages
    stages = "、".join(f"{s.label}（{span(s.start, s.end)}）" for s in c.stages if s.label in running)
    ctx.doc.paragraph(f"截至{full_day(as_of)}，{c.short_name}{'处于' + stages if stages else '已不在行动期内'}。")
    stats = stats_changes(ctx)
    parts = [cumulative(ctx.metric(k), stats[k].value, stats[k].this_week, stats[k].last_week) for k in HEADLINE]
    ctx.doc.paragraph(f"{ctx.who}{'各单位' if ctx.scope.is_city else ''}累计" + "；".join(parts) + "。")
    rows = []
    for m in c.table1:
        ch, metric = stats[m.key], ctx.metric(m.key)
        rows.append([m.label, metric.unit, *(metric.format(v) for v in (ch.value, ch.this_week, ch.last_week))])
    ctx.doc.table(f"{ctx.who}情况统计表1累计数", ["指标", "单位", "累计", "本周新增", "上周新增"], rows, 2)
    if not ctx.scope.covers_area(wh):
        return
    area = {ch.key: ch for ch in overview.changes(wh, AREA_KEYS, as_of, ctx.scope.area_where())}
    online, total = area["complaints_online"], area["complaints_total"]
    m = ctx.metric
    ctx.doc.paragraph(
        f"{ctx.who}共受理{cumulative(m('complaints_online'), online.value, online.this_week, online.last_week)}；"
        f"{m('complaints_total').label} {amount(m('complaints_total'), total.value)}（"
        f"{m('complaints_12315').label} {amount(m('complaints_12315'), area['complaints_12315'].value)}，"
        f"{m('price_12358').label} {amount(m('price_12358'), area['price_12358'].value)}），"
        f"为消费者{m('recovered_loss').label} {amount(m('recovered_loss'), area['recovered_loss'].value)}。"
    )
    hits = {ch.key: ch for ch in overview.changes(wh, HIT_KEYS, as_of, ctx.scope.area_where())}
    received, rate = hits["hits_received"], m("hit_disposal_rate")
    ctx.doc.paragraph(
        f"{cumulative(m('hits_received'), received.value, received.this_week, received.last_week)}；"
        f"{m('hits_disposed').label} {amount(m('hits_disposed'), hits['hits_disposed'].value)}，"
        f"{rate.label} {rate.format(registry.value(wh, rate.key, as_of, where=ctx.scope.area_where()))}%。"
    )


def focus_areas(ctx: Context) -> None:
    """Each focus area: cases and fines from 统计表2, complaints and hits classified to it; one chart."""
    with_area = ctx.scope.covers_area(ctx.wh)
    where = ctx.scope.stats_where()
    df = overview.focus_progress(ctx.wh, ctx.as_of, where).filter(pl.col("focus") != ctx.wh.campaign.unclassified_key)
    m = ctx.metric
    for i, r in enumerate(df.iter_rows(named=True)):
        text = f"（{'一二三四五六七八九十'[i]}）{r['label']}：立案 {amount(m('t2_cases_filed'), r['t2_cases_filed'])}"
        text += f"，罚没 {amount(m('t2_fines'), r['t2_fines'])}"
        if with_area:
            text += f"；相关投诉举报 {amount(m('complaints_total'), r['complaints_total'])}"
            text += f"、监测线索 {amount(m('hits_received'), r['hits_received'])}"
        ctx.doc.paragraph(text + "。")
    series = {"立案（件）": df["t2_cases_filed"].to_list()}
    if with_area:
        series |= {"投诉举报（件）": df["complaints_total"].to_list(), "监测线索（条）": df["hits_received"].to_list()}
    labels = [f"{k}<br>{_wrap(label)}" for k, label in zip(df["focus"], df["label"], strict=True)]
    _chart(ctx, charts.bars(labels, series, "件（条）"), f"{ctx.who}各项重点工作进展")


def districts(ctx: Context) -> None:
    """The league of units with their weekly-table compliance, the leaders named; one chart."""
    c, m = ctx.wh.campaign, ctx.metric
    league = overview.district_league(ctx.wh, ctx.as_of).fill_null(0)
    cases = m("cases_filed")
    top = [f"{r['label']}（{amount(cases, r['cases_filed'])}）" for r in league.head(TOP).iter_rows(named=True)]
    none = league.filter(pl.col("cases_filed") == 0)["label"].to_list()
    text = f"{cases.label}数居前{TOP}位的是{names(top)}"
    ctx.doc.paragraph(text + (f"；{names(none)}尚无立案。" if none else "。"))
    header = ["单位", *(f"{m(k).label}（{m(k).display_unit or m(k).unit}）" for k in LEAGUE_COLUMNS), "按时报送（周）"]
    rows = [
        [r["label"], *(m(k).format(r[k]) for k in LEAGUE_COLUMNS), f"{r['weeks_on_time']}/{r['weeks_due']}"]
        for r in league.iter_rows(named=True)
    ]
    ctx.doc.table("各地区主要工作进展（累计）", header, rows)
    labels = [c.unit_label(u) for u in league["unit"]]
    fig = charts.bars(labels, {cases.label: league["cases_filed"].to_list()}, cases.unit)
    _chart(ctx, fig, f"各地区{cases.label}（{cases.unit}）")


def reporting(ctx: Context) -> None:
    """The latest due week's tables (late and missing reporters named), each reporter's record, deliverables."""
    wh, c, as_of = ctx.wh, ctx.wh.campaign, ctx.as_of
    mine = {(r.unit, r.agency): r.label for r in ctx.scope.reporters(wh)}
    statuses = [s for s in tracking.week_statuses(wh, as_of) if (s.unit, s.agency) in mine]
    due = [s for s in statuses if s.due_date < as_of]  # a table due today is not late yet
    if not due:
        ctx.doc.paragraph(f"截至{full_day(as_of)}，尚无到期应报的周报。")
    else:
        latest = max(s.week_start for s in due)
        week = [s for s in due if s.week_start == latest]
        counts = tracking.status_counts(week)
        late = [f"{mine[(s.unit, s.agency)]}（{s.label}）" for s in week if s.status == "late"]
        missing = [mine[(s.unit, s.agency)] for s in week if s.status == "missing"]
        number = c.report_weeks().index(latest) + 1
        ctx.doc.paragraph(
            f"第{number}周（{span(latest, latest + dt.timedelta(days=6))}）情况统计表应于{day(week[0].due_date)}前报送："
            f"按时报送 {counts['on_time']} 家；迟报 {counts['late']} 家{_listed(late)}；"
            f"逾期未报 {counts['missing']} 家{_listed(missing)}。"
        )
        rows = []
        for key, label in mine.items():
            n = tracking.status_counts([s for s in due if (s.unit, s.agency) == key])
            rows.append([label, *(str(n[k]) for k in ("on_time", "late", "missing"))])
        ctx.doc.table("各报送单位周报报送情况（已到期各周）", ["报送单位", "按时报送", "迟报", "逾期未报"], rows)
    deliverables = [s for s in tracking.deliverable_statuses(wh, as_of) if (s.unit, s.agency) in mine]
    for d in c.deliverables:
        st = [s for s in deliverables if s.deliverable_key == d.key]
        done = [s for s in st if s.status in ("on_time", "late")]
        short = [
            mine[(s.unit, s.agency)] + (f"（{s.have}/{s.need}）" if s.need > 1 else "") for s in st if s not in done
        ]
        if as_of > d.due:
            text = f"已过截止日（{day(d.due)}），已报送 {len(done)} 家，逾期未报 {len(short)} 家{_listed(short)}"
        else:
            text = f"应于{day(d.due)}前报送，已报送 {len(done)} 家，尚未报送 {len(short)} 家"
        ctx.doc.paragraph(f"{d.label}：{text}。")


def _listed(items: list[str]) -> str:
    return f"（{names(items)}）" if items else ""


def anomalies(ctx: Context) -> None:
    """The weekly complaint trend (chart), categories that jumped in the last two weeks, overdue 待核查 hits."""
    wh, as_of = ctx.wh, ctx.as_of
    f = complaints.Filters(unit=ctx.scope.unit)
    last_full_week = overview.current_week(as_of) - dt.timedelta(days=0 if as_of.weekday() == 6 else 7)
    trend = complaints.trend(wh, f, as_of, grain="week").filter(pl.col("date") <= last_full_week)
    m = ctx.metric("complaints_total")
    fig = charts.weekly_lines(
        wh.campaign,
        trend["date"].to_list(),
        {
            m.label: trend["complaints_total"].to_list(),
            ctx.metric("complaints_online").label: trend["complaints_online"].to_list(),
        },
        m.unit,
        until=as_of,
    )
    _chart(ctx, fig, f"{ctx.who}投诉举报每周件数（按周一所在周，至最近一个完整周）")
    since = overview.current_week(as_of) - dt.timedelta(days=7)
    flags = complaints.anomalies(wh, f, as_of).filter(pl.col("week") >= since).head(MAX_ANOMALIES)
    if flags.height == 0:
        ctx.doc.paragraph(f"{span(since, as_of)}，未发现投诉举报异常增长。")
    for r in flags.iter_rows(named=True):
        value = wh.campaign.unit_label(r["value"]) if r["dimension"] == "unit" else r["value"]
        before = (
            f"为此前{complaints.ANOMALY_WEEKS}周平均（{r['trailing_mean']:.1f} {m.unit}）的 {r['ratio']:.1f} 倍"
            if r["trailing_mean"]
            else f"此前{complaints.ANOMALY_WEEKS}周均无此类投诉举报"
        )
        ctx.doc.paragraph(
            f"{day(r['week'])}起一周，{complaints.ANOMALY_DIMS[r['dimension']]}“{value}”投诉举报 {amount(m, r['count'])}，"
            f"{before}，请属地单位关注。"
        )
    if ctx.scope.is_city:
        late = monitoring.overdue(wh, as_of, limit=1)
        ctx.doc.paragraph(
            f"待核查监测线索共 {amount(ctx.metric('hits_received'), late['pending'])}，其中超过"
            f" {monitoring.DEFAULT_OVERDUE_WORKDAYS} 个工作日仍未核查的 {amount(ctx.metric('hits_received'), late['total'])}。"
        )


def next_steps(ctx: Context) -> None:
    """The next deadlines in working days, from the campaign clock."""
    for d in overview.campaign_clock(ctx.wh, ctx.as_of).next_deadlines:
        left = "今日截止" if d.working_days_left == 0 else f"还有 {d.working_days_left} 个工作日"
        ctx.doc.paragraph(f"{d.label}应于{full_day(d.due)}前报送，{left}。请各单位按时报送，逾期未报的单位抓紧补报。")
    ctx.doc.paragraph("各单位要对照实施方案查漏补缺，突出网络集中促销期监管，确保统计数据真实、准确、及时。")


def typical_cases(ctx: Context) -> None:
    """Every live 典型案例 of the scope's reporters, and which reporters still lack them."""
    c, fines = ctx.wh.campaign, ctx.metric("fines")
    labels = {v.key: v.label for v in c.violation_types}
    rows = []
    for r in ctx.scope.reporters(ctx.wh):
        for case in tracking.unit_cases(ctx.wh, r.unit, r.agency):
            if case["received_on"] > ctx.as_of:
                continue
            rows.append(
                [
                    r.label,
                    case["case_name"],
                    labels.get(case["violation_key"], case["violation_key"]),
                    case["decision_number"]
                    if case["has_decision_document"]
                    else f"{case['decision_number']}（未附决定书）",
                    fines.format(case["fine"]),
                    "是" if case["joint_enforcement"] else "否",
                    "是" if case["transferred"] else "否",
                ]
            )
    if rows:
        header = [
            "报送单位",
            "案件名称",
            "违法类型",
            "行政处罚决定书文号",
            f"罚没（{fines.unit}）",
            "联合执法",
            "移送司法",
        ]
        ctx.doc.table("典型案例", header, rows, numeric_from=4)
    else:
        ctx.doc.paragraph(f"截至{full_day(ctx.as_of)}，{ctx.who}尚未报送典型案例。")
    ctx.doc.fill_in("逐一概述典型案例的案情、查处经过和处理结果，突出联合执法和移送司法的做法。")
