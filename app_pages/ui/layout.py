"""Phone layout (below 640 px): a few CSS rules, and pairs of containers of which the screen width shows one,
so a part that cannot shrink (the agency × focus-area heat map, a wide table) gets a phone form instead of 15-px
cells or columns off the screen's edge."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import polars as pl
import streamlit as st

PHONE_MAX_PX = 640
ITEMS_KEY = "fu_items"  # the 督办 items table (app_pages/ui/followup.py), once on a page
_ITEMS = f".st-key-phone_only_{ITEMS_KEY}"


_PAIRS = (
    ':is([class*="st-key-filters_"] [data-testid="stHorizontalBlock"], '
    '[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]))'
)


def _selector(kind: str) -> str:
    """The containers of one kind, and the wrapper Streamlit puts around each: hidden with it, so the page's gap
    is not left behind."""
    return f'[class*="st-key-{kind}"], [data-testid="stLayoutWrapper"]:has(> [class*="st-key-{kind}"])'


_CSS = f"""
<style>
@media (max-width: {PHONE_MAX_PX}px) {{
  [class*="st-key-phone_only"] {{ display: flex; }}
  {_selector("desktop_only")} {{ display: none; }}
  /* The 督办 items on a phone (事项, 承办单位, 时限, 状态, 期限): the others take the least they need, the title
     the rest (a long record number in it breaks too); a unit keeps three characters a line, 时限 breaks between
     words only, 状态 and 期限 stay on one line. */
  {_ITEMS} :is(td, th):nth-child(1) * {{ overflow-wrap: anywhere; }}
  {_ITEMS} :is(td, th):nth-child(n+2) {{ width: 1%; }}
  {_ITEMS} :is(td, th):nth-child(2) p {{ min-width: 3em; }}
  {_ITEMS} :is(td, th):nth-child(3) * {{ word-break: keep-all; }}
  {_ITEMS} :is(td, th):nth-child(n+4) * {{ white-space: nowrap; }}
  /* 督办's new-item form inside its expander: one frame, not two. */
  .st-key-fu_new [data-testid="stForm"] {{ border: none; padding: 0; }}
  /* A page's filters (a container keyed filters_ and the page) and any row of figure tiles two by two, not one under
     another (投诉分析's filters took a screen and a half, six stacked tiles most of two more). */
  {_PAIRS} {{ flex-wrap: wrap; }}
  {_PAIRS} > [data-testid="stColumn"] {{ flex: 1 1 calc(50% - 0.5rem) !important;
    min-width: calc(50% - 0.5rem) !important; width: calc(50% - 0.5rem) !important; }}
  /* A trend's stage and holiday labels overlap at this width: its caption names them (charts.trend_note). */
  .js-plotly-plot .infolayer .annotation {{ display: none; }}
  /* Badges (freshness, coverage) wrap instead of cutting their text off. */
  .st-key-freshness span, .st-key-coverage span {{ white-space: normal !important; overflow: visible !important;
    text-overflow: clip !important; max-width: 100% !important; }}
}}
@media (min-width: {PHONE_MAX_PX + 1}px) {{
  {_selector("phone_only")} {{ display: none; }}
}}
</style>
"""


def phone_css() -> None:
    """Once per run (app.py): the rules above."""
    st.html(_CSS)


def _key(kind: str, name: str) -> str:
    return f"{kind}_{name}" if name else kind


@contextmanager
def desktop_only(name: str = "", width: Literal["stretch", "content"] = "stretch") -> Iterator[None]:
    """What a screen wider than PHONE_MAX_PX shows; `name` tells apart several pairs on one page; `width="content"`
    for a part in a row (a badge) that must keep its own width."""
    with st.container(key=_key("desktop_only", name), width=width):
        yield


@contextmanager
def phone_only(name: str = "") -> Iterator[None]:
    """The phone form of the desktop_only part of the same name."""
    with st.container(key=_key("phone_only", name)):
        yield


def silent_agencies(matrix: pl.DataFrame) -> None:
    """The heat map's message on a phone: each responsible agency's focus areas with nothing reported."""
    silent = matrix.filter(pl.col("responsible") & (pl.col("cases") == 0))
    if silent.height == 0:
        st.success("各责任单位在其负责的重点工作上均已有立案上报。")
        return
    st.markdown("**负有责任但尚无立案上报**")
    lines = [
        f"- {row['agency_label']}：{'、'.join(row['focus'])}"
        for row in silent.group_by("agency", "agency_label", maintain_order=True).agg(pl.col("focus")).to_dicts()
    ]
    st.markdown("\n".join(lines))
