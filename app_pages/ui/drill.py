"""Drill-down: a click on a chart or a table row opens the page that holds the records behind it, filtered to that
slice, with the filter in the link (st.query_params), so the view can be shared like any other.

A page that reads its filters from the link only on a session's first visit asks `arrived(page)` too: it is True
once, on the run that a drill-down switched to it, so the link's filters win over what the page last showed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def keep_in_link(filters: Mapping[str, str | None]) -> None:
    """Write a page's filters into the link in one step (None: not in the link), keeping its other parameters: a
    link copied at any moment is a whole view (one message, not one per filter)."""
    link = {k: v for k, v in st.query_params.to_dict().items() if k not in filters}
    link |= {k: v for k, v in filters.items() if v is not None}
    if link != st.query_params.to_dict():
        st.query_params.from_dict(link)


def may_open(page: str) -> bool:
    return can_see_page(require_principal(), page)


def _picked(points: list[dict], whole: bool = False) -> Any:
    """The customdata of the first clicked point. Plotly sends a list when a point carries several fields: the
    first of them, or with `whole` all of them."""
    chosen = next((p.get("customdata") for p in points if p.get("customdata") is not None), None)
    if isinstance(chosen, list) and not whole:
        chosen = chosen[0] if chosen else None
    return chosen


def clickable_chart(fig: go.Figure, key: str, page: str, param: str | tuple[str, ...]) -> None:
    """A plotly chart whose bars (or cells) carry their slice's key as customdata: clicking one opens `page` filtered
    by `param` = that key; with several params, the customdata holds one value for each. Where the user may not see
    `page`, the chart is a plain chart."""
    if not may_open(page):
        st.plotly_chart(fig, width="stretch", key=key)
        return
    event: Any = st.plotly_chart(fig, width="stretch", key=key, on_select="rerun", selection_mode="points")
    chosen = _picked(event.selection.points if event else [], whole=isinstance(param, tuple))
    if chosen is None:
        return
    if isinstance(param, tuple):
        open_page(page, {name: str(v) for name, v in zip(param, chosen, strict=True)})
    else:
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


# --- picking a slice on the page itself -------------------------------------------------------------------
# A chart or table that narrows the page it is on: the click is handled in a callback, before the page's filter
# widgets are drawn again, so the callback may set them; the widget then comes back under a new key, unselected,
# because the page now shows the slice and the filter says so.


def _pick_key(key: str) -> str:
    return f"{key}__{st.session_state.get(f'{key}__picks', 0)}"


def _picked_once(key: str, value: Any, pick: Callable[[Any], None]) -> None:
    if value is None:
        return
    pick(value)
    st.session_state[f"{key}__picks"] = st.session_state.get(f"{key}__picks", 0) + 1


def picking_chart(fig: go.Figure, key: str, pick: Callable[[Any], None], **kwargs: Any) -> None:
    """A plotly chart whose points carry a slice as customdata; a click calls `pick(slice)`."""
    wkey = _pick_key(key)

    def _on_select() -> None:
        _picked_once(key, _picked(st.session_state[wkey].selection.points), pick)

    st.plotly_chart(fig, width="stretch", key=wkey, on_select=_on_select, selection_mode="points", **kwargs)


def picking_rows(frame: Any, keys: list[Any], key: str, pick: Callable[[Any], None], **kwargs: Any) -> None:
    """A table whose rows are slices (one entry of `keys` per row); clicking a row calls `pick(its key)`."""
    wkey = _pick_key(key)

    def _on_select() -> None:
        rows = st.session_state[wkey].selection.rows
        _picked_once(key, keys[rows[0]] if rows else None, pick)

    st.dataframe(frame, key=wkey, on_select=_on_select, selection_mode="single-row", **kwargs)


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
