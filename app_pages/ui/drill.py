"""Drill-down: a click on a chart or a table row opens the page that holds the records behind it, filtered to that
slice, with the filter in the link (st.query_params), so the view can be shared like any other.

A page that reads its filters from the link only on a session's first visit asks `arrived(page)` too: it is True
once, on the run that a drill-down switched to it, so the link's filters win over what the page last showed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages.ui.common import require_principal
from auth.policy import can_see_page
from metrics import freshness
from metrics.registry import Metric

_FLAG = "drill_into"


def open_page(page: str, params: Mapping[str, str]) -> None:
    """Switch to app_pages/<page>.py with these filters in the link (ends this run)."""
    st.session_state[_FLAG] = page
    st.switch_page(f"app_pages/{page}.py", query_params=dict(params))


def arrived(page: str) -> bool:
    """True on the one run a drill-down opened `page`: its filters come from the link."""
    if st.session_state.get(_FLAG) != page:
        return False
    del st.session_state[_FLAG]
    return True


def may_open(page: str) -> bool:
    return can_see_page(require_principal(), page)


def clickable_chart(fig: go.Figure, key: str, page: str, param: str) -> None:
    """A plotly chart whose bars carry their slice's key as customdata: clicking one opens `page` filtered by
    `param` = that key. Where the user may not see `page`, the chart is a plain chart."""
    if not may_open(page):
        st.plotly_chart(fig, width="stretch", key=key)
        return
    event: Any = st.plotly_chart(fig, width="stretch", key=key, on_select="rerun", selection_mode="points")
    points = event.selection.points if event else []
    chosen = next((p.get("customdata") for p in points if p.get("customdata") is not None), None)
    if isinstance(chosen, list):  # plotly sends a point's customdata as a list when it has several fields
        chosen = chosen[0] if chosen else None
    if chosen is not None:
        open_page(page, {param: str(chosen)})


def clickable_rows(frame: Any, keys: list[str], key: str, page: str, param: str, **kwargs: Any) -> None:
    """A table whose rows open `page` filtered by `param` = the row's entry in `keys` (one per row)."""
    if not may_open(page):
        st.dataframe(frame, key=key, **kwargs)
        return
    event: Any = st.dataframe(frame, key=key, on_select="rerun", selection_mode="single-row", **kwargs)
    rows = event.selection.rows if event else []
    if rows:
        open_page(page, {param: keys[rows[0]]})


# Where a figure is explained: the page holding its records, and the filter that narrows them to it.
_EXPLAINED_BY = {
    "v_complaints_current": ("complaints", "查看投诉分析"),
    "v_hits_current": ("monitoring", "查看监测线索"),
}


def explain_link(where: DeltaGenerator, m: Metric) -> None:
    """Under a KPI tile: a link to the page that explains the figure (统计表 figures: 报送进度)."""
    page, label = (
        ("tracking", "查看报送进度") if freshness.from_weekly_tables(m) else _EXPLAINED_BY.get(m.relation, (None, ""))
    )
    if page is None or not may_open(page):
        return
    params = {"online": "1"} if (page == "complaints" and m.where == "online") else {}
    # A button, not st.page_link: the drill-down flag makes 投诉分析 take the link's filters on arrival.
    if where.button(label, key=f"explain_{m.key}", icon=":material/arrow_forward:", type="tertiary"):
        open_page(page, params)
