"""Charts as PNG images for Word: plotly figures rendered by kaleido 1.x in Debian's Chromium.

kaleido drives a headless Chromium. Starting it costs seconds on a 2-core machine, so one browser is kept per
process (kaleido's sync server) and `warm_up` starts it before the figures are queried: the launch overlaps
the warehouse work. MathJax is off (kaleido would fetch it from a CDN; nothing here needs it), plotly.js comes
from the installed plotly package, and the browser is Debian's (BROWSER_PATH, else `chromium` on PATH), so
nothing is downloaded. Where no browser can run, `png` returns None and the document says the chart is missing.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import shutil
import threading

import plotly.graph_objects as go

from campaign import Campaign
from metrics.documents.layout import font_for

log = logging.getLogger(__name__)
PALETTE = ["#2F5597", "#C55A11", "#548235", "#7F6000"]
_lock = threading.Lock()
_state = {"started": False}


def warm_up() -> None:
    """Start the process's browser now (a no-op once started)."""
    with _lock:
        if _state["started"]:
            return
        import kaleido

        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser and "BROWSER_PATH" not in os.environ:
            os.environ["BROWSER_PATH"] = browser
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _state["started"] = True


def png(fig: go.Figure, width: int = 900, height: int = 480) -> bytes | None:
    """The figure as a PNG at twice its pixel size (sharp in print), or None where no browser can run."""
    import kaleido

    warm_up()
    try:
        with _lock:
            return kaleido.calc_fig_sync(fig, opts=dict(format="png", width=width, height=height, scale=2))
    except Exception as exc:  # a missing or crashing browser must not cost the user the whole document
        log.warning("图表未能生成：%s", exc)
        return None


def _style(fig: go.Figure, unit: str) -> go.Figure:
    fig.update_layout(
        font=dict(family=font_for("heading"), size=15, color="#222222"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=10, r=20, t=20, b=10),
        legend=dict(orientation="h", y=-0.12, x=0),
        separators=".,",
    )
    fig.update_xaxes(showline=True, linecolor="#888888", gridcolor="#E5E5E5", automargin=True)
    fig.update_yaxes(showline=True, linecolor="#888888", gridcolor="#E5E5E5", automargin=True, title_text=unit)
    return fig


def bars(labels: list[str], series: dict[str, list[float]], unit: str, decimals: int = 0) -> go.Figure:
    """Vertical bars per label, one colour per series, each value printed on its bar."""
    fig = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=values,
                name=name,
                marker_color=PALETTE[i % len(PALETTE)],
                text=[f"{v:,.{decimals}f}" for v in values],
                textposition="outside",
                cliponaxis=False,
            )
        )
    fig.update_layout(barmode="group", showlegend=len(series) > 1)
    return _style(fig, unit)


def weekly_lines(
    c: Campaign, weeks: list[dt.date], series: dict[str, list[float]], unit: str, until: dt.date
) -> go.Figure:
    """Weekly counts up to `until`, the campaign's time nodes (中秋, 国庆, 双十一) before it shaded and named."""
    fig = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        fig.add_trace(
            go.Scatter(x=weeks, y=values, name=name, mode="lines+markers", line=dict(color=PALETTE[i], width=3))
        )
    for node in (n for n in c.time_nodes if n.start <= until):
        fig.add_vrect(x0=node.start, x1=node.end + dt.timedelta(days=1), fillcolor="#C00000", opacity=0.1)
        fig.add_annotation(x=node.start, y=1, yref="paper", text=node.label, showarrow=False, yanchor="bottom")
    fig.update_xaxes(type="date", tickformat="%m月%d日", range=[c.start, until])
    fig.update_yaxes(rangemode="tozero", tickformat=",d")
    fig.update_layout(margin=dict(t=40))
    return _style(fig, unit)
