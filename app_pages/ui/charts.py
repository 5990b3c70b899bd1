"""Charts shared by the pages: Plotly figures (Chinese labels, large type for the projector, campaign markers) and
ranked tables with in-cell bars.

A Plotly figure costs the browser far more than a table: a page draws only the few figures that need a chart (a
trend over time, a share of statuses) and shows rankings as tables with bars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from app_pages.ui.drill import picking_rows
from campaign import Campaign

FONT = dict(family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif", size=16)
STAGE_COLOURS = {"mobilize": "#4C78A8", "implement": "#F58518", "summarize": "#54A24B"}
# One colour family per status meaning (the campaign's [[statuses]]): amber waits for someone, blue is under way,
# green is finished with a result, grey is closed without one. The statuses of one meaning take its shades in the
# campaign file's order, so a status has the same colour on every page.
MEANING_SHADES = {
    "pending": ("#E69F00", "#F2C46D"),
    "active": ("#2F6FB0", "#86B6E3"),
    "done": ("#2E7D32", "#81C784", "#B9E2BA"),
    "dismissed": ("#7F7F7F", "#BDBDBD", "#DDDDDD"),
}
UNLISTED = "#B279A2"


def status_colour(c: Campaign, label: str) -> str:
    """The colour of a status (as users see it) on every chart."""
    status = c.status(label)
    if status is None:
        return UNLISTED
    same = [s.label for s in c.statuses if s.meaning == status.meaning]
    shades = MEANING_SHADES[status.meaning]
    return shades[same.index(status.label) % len(shades)]


def style(fig: go.Figure, height: int = 380) -> go.Figure:
    fig.update_layout(
        font=FONT,
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", y=-0.15),
        separators=".,",
    )
    return fig


def mark_campaign(fig: go.Figure, c: Campaign, stages: bool = True) -> go.Figure:
    """Shade the time nodes (中秋, 国庆, 双十一) and mark stage starts on a date axis."""
    for i, node in enumerate(c.time_nodes):
        # Alternate label sides: 中秋 and 国庆 are a week apart and would overlap.
        fig.add_vrect(
            x0=node.start,
            x1=node.end + dt.timedelta(days=1),
            fillcolor="#E45756",
            opacity=0.12,
            line_width=0,
            annotation_text=node.label,
            annotation_position="top left" if i % 2 == 0 else "top right",
        )
    if stages:
        for s in c.stages:
            fig.add_vline(
                x=dt.datetime.combine(s.start, dt.time()).timestamp() * 1000,
                line_dash="dot",
                line_color=STAGE_COLOURS.get(s.key, "#888"),
                annotation_text=s.label,
                annotation_position="bottom right",
            )
    return fig


def timeline(c: Campaign, as_of: dt.date) -> go.Figure:
    """The three stages as bars, deadlines as lines, time nodes shaded, and today's as-of date."""
    fig = go.Figure()
    for s in c.stages:
        fig.add_trace(
            go.Bar(
                x=[((s.end - s.start).days + 1) * 86_400_000],
                base=[s.start.isoformat()],
                y=[s.label],
                orientation="h",
                marker_color=STAGE_COLOURS.get(s.key, "#888"),
                name=s.label,
                showlegend=False,
                hovertemplate=f"{s.label}<br>{s.start:%m月%d日}—{s.end:%m月%d日}<br>{s.task}<extra></extra>",
                text=f"{s.start:%m/%d}—{s.end:%m/%d}",
                textposition="inside",
                width=0.5,
            )
        )
    fig = mark_campaign(fig, c, stages=False)
    for d in sorted({d.due for d in c.deliverables}):
        labels = "、".join(x.label for x in c.deliverables if x.due == d)
        fig.add_vline(
            x=dt.datetime.combine(d, dt.time()).timestamp() * 1000,
            line_color="#B22222",
            annotation_text=f"{d:%m/%d} 截止：{labels}",
            # below the bars (the holidays are labelled above), and to the left near the end so it is not cut
            annotation_position="bottom left" if d > c.start + (c.end - c.start) * 2 / 3 else "bottom right",
            annotation_font_size=13,
        )
    fig.add_vline(
        x=dt.datetime.combine(as_of, dt.time()).timestamp() * 1000,
        line_width=3,
        line_color="#222",
        annotation_text="统计截止",
        annotation_position="top left",
    )
    fig.update_xaxes(
        type="date", range=[c.start - dt.timedelta(days=3), c.end + dt.timedelta(days=3)], tickformat="%m月%d日"
    )
    fig.update_yaxes(autorange="reversed")
    return style(fig, height=300)


# --- analyst pages (投诉分析, 监测线索) ------------------------------------------------------------------


def week_days(weeks: list[dt.date], span: tuple[dt.date, dt.date]) -> list[int]:
    """How many days of each week (a Monday) fall in `span` (first, last day the figures can cover): 7 but for
    a week cut by the campaign's start or end, the as-of date or a date filter."""
    first, last = span
    return [max(0, (min(w + dt.timedelta(days=6), last) - max(w, first)).days + 1) for w in weeks]


def trend_chart(
    c: Campaign,
    dates: list,
    series: dict[str, list],
    unit: str,
    grain: str = "day",
    height: int = 420,
    customdata: dict[str, list] | None = None,
    span: tuple[dt.date, dt.date] | None = None,
) -> go.Figure:
    """Counts over time, one line per series, with the time nodes shaded and the stages marked. Where a series has
    `customdata` (one entry per date), its points carry it, so a click can pick one. Weekly: a week `span` cuts
    (the campaign's first week holds only 7月1日, the last one runs to the as-of date) is drawn hollow and its
    hover says how many days it holds, so its low count does not read as a drop."""
    fig = go.Figure()
    palette = ["#4C78A8", "#F58518", "#54A24B", "#B279A2"]
    days = week_days(dates, span) if grain == "week" and span else [7] * len(dates)
    part = [f"（不完整周：仅含 {n} 天）" if n < 7 else "" for n in days]
    for i, (name, ys) in enumerate(series.items()):
        picks = (customdata or {}).get(name)
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=ys,
                name=name,
                customdata=picks,
                text=part,
                mode="lines+markers" if grain == "week" or picks else "lines",
                # A daily line keeps its look: its points are selectable but not drawn (one hidden marker; drawing
                # ~150 a line cost the page 0.2 s in the browser). A click picks the point nearest the pointer.
                marker=(
                    dict(size=8, symbol=["circle-open" if n < 7 else "circle" for n in days])
                    if grain == "week"
                    else dict(size=6, opacity=0, maxdisplayed=1)
                ),
                line=dict(width=3 if i == 0 else 2, color=palette[i % len(palette)]),
                hovertemplate=(
                    "%{x|%Y-%m-%d}"
                    + (" 起一周%{text}" if grain == "week" else "")
                    + f"<br>{name}：%{{y:,}} {unit}<extra></extra>"
                ),
            )
        )
    mark_campaign(fig, c)
    fig.update_xaxes(type="date", tickformat="%m月%d日")
    fig.update_yaxes(title_text=unit, rangemode="tozero", tickformat=",d")
    return style(fig, height=height)


def trend_note(c: Campaign, grain: str) -> str:
    """The caption under a trend chart: what its marks mean (on a phone the chart's own labels are hidden, so this
    names the stages and the shaded days)."""
    stages = "、".join(f"{s.label.removesuffix('阶段')} {s.start:%-m/%-d}" for s in c.stages)
    nodes = "、".join(n.label for n in c.time_nodes)
    note = f"红色阴影为集中促销期和节假日（{nodes}），虚线为各阶段开始（{stages}）。"
    return note + (
        "空心点为不完整的周（被活动起止、统计截止日或日期筛选截断；悬停可见所含天数）。" if grain == "week" else ""
    )


def clickable_cells(fig: go.Figure, xs: list, ys: list, customdata: list[list], hover: list[list[str]]) -> go.Figure:
    """A heat map's cells made clickable: plotly cannot select a heat-map cell, so an invisible square marker sits on
    each cell, carrying the cell's customdata (row by row, as the heat map's z) and its hover text."""
    fig.update_traces(hoverinfo="skip", selector=dict(type="heatmap"))
    invisible = dict(marker=dict(opacity=0))
    fig.add_trace(
        go.Scatter(
            x=[x for _ in ys for x in xs],
            y=[y for y in ys for _ in xs],
            customdata=[cell for row in customdata for cell in row],
            text=[h for row in hover for h in row],
            hovertemplate="%{text}<extra></extra>",
            mode="markers",
            marker=dict(symbol="square", size=36, opacity=0),
            selected=invisible,
            unselected=invisible,
            showlegend=False,
        )
    )
    fig.update_layout(hoverdistance=60)
    return fig


def bar_chart(
    labels: list[str],
    values: list[float],
    unit: str,
    colour: str | list[str] = "#4C78A8",
    height: int | None = None,
    customdata: list | None = None,
) -> go.Figure:
    """Horizontal bars, largest on top, the value printed on each bar (readable on a projector); one colour, or one
    per bar; `customdata`, one per bar, for a click to pick."""
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=values,
            orientation="h",
            marker_color=colour,
            customdata=customdata,
            text=[f"{v:,.0f}" for v in values],
            textposition="auto",
            textangle=0,  # a short bar keeps its number level (plotly turns it on its side to fit)
            hovertemplate=f"%{{y}}：%{{x:,}} {unit}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title_text=unit, tickformat=",d")
    return style(fig, height=height or max(260, 60 + 34 * len(labels)))


def ranked_table(
    frame: pl.DataFrame,
    label: str,
    value: str,
    unit: str,
    *,
    height: int | None = None,
    pick: tuple[str, list[Any], Callable[[Any], None]] | None = None,
) -> None:
    """A ranking as a table: the label column, then `value` as a bar in each row (the largest full width), then any
    other columns. Columns are named as users read them; `unit` goes into the bar column's name. With `pick` =
    (widget key, one key per row, callback), clicking a row calls the callback with that row's key."""
    top = frame[value].max() if frame.height else 0
    show: Any = st.dataframe if pick is None else (lambda f, **kw: picking_rows(f, pick[1], pick[0], pick[2], **kw))
    show(
        frame,
        hide_index=True,
        width="stretch",
        height=height or "auto",
        column_config={
            label: st.column_config.TextColumn(label, width="medium"),
            value: st.column_config.ProgressColumn(
                f"{value}（{unit}）",
                format="%d",
                min_value=0,
                max_value=max(top or 0, 1),
                color="#4C78A8",
                width="small",
            ),
            # the other figures narrow, so they show beside the bar instead of past the table's right edge
            **{
                col: st.column_config.NumberColumn(col, width="small")
                for col in frame.columns
                if col not in (label, value)
            },
        },
    )
