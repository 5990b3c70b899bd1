"""Phone layout (below 640 px): a few CSS rules, and a pair of containers of which the screen width shows one,
so a part that cannot shrink (the agency × focus-area heat map) gets a phone form instead of 15-px cells."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
import streamlit as st

PHONE_MAX_PX = 640

_CSS = f"""
<style>
@media (max-width: {PHONE_MAX_PX}px) {{
  .st-key-phone_only {{ display: flex; }}
  .st-key-desktop_only {{ display: none; }}
  /* Badges (freshness, coverage) wrap instead of cutting their text off. */
  .st-key-freshness span, .st-key-coverage span {{ white-space: normal !important; overflow: visible !important;
    text-overflow: clip !important; max-width: 100% !important; }}
}}
@media (min-width: {PHONE_MAX_PX + 1}px) {{
  .st-key-phone_only {{ display: none; }}
}}
</style>
"""


def phone_css() -> None:
    """Once per run (app.py): the rules above."""
    st.html(_CSS)


@contextmanager
def desktop_only() -> Iterator[None]:
    with st.container(key="desktop_only"):
        yield


@contextmanager
def phone_only() -> Iterator[None]:
    with st.container(key="phone_only"):
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
