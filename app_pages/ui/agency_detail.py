"""报送进度 opened from a cell of 总览's agency × focus-area heat map (the link carries ?agency=…&focus=…): what
that agency's reporters put under that focus area in their 统计表2, and how many of their weekly tables are in, so a
leader sees whether a ⚠ 未报 cell means no cases or no tables."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from app_pages.ui.common import cached, warehouse
from app_pages.ui.drill import arrived, may_open
from metrics import overview

PARAMS = ("agency", "focus")


def _close() -> None:
    for name in PARAMS:
        st.query_params.pop(name, None)


def agency_focus_panel(day: dt.date) -> None:
    """The panel, where the link asks for one; nothing otherwise."""
    arrived("tracking")  # the panel follows the link on every run: nothing to take over from the session
    agency, focus = (st.query_params.get(name) for name in PARAMS)
    if agency is None and focus is None:
        return
    c = warehouse().campaign
    agencies = {a.key: a for a in c.agencies}
    areas = {f.key: f for f in c.focus_areas}
    if agency not in agencies or focus not in areas:
        st.warning("链接中的成员单位或重点工作不存在，未显示立案明细。", icon=":material/link_off:")
        return
    if not may_open("overview"):  # the same figures as the heat map, for the same people
        st.info("各单位的立案明细仅限可查看总览的用户。", icon=":material/lock:")
        return
    a, f = agencies[agency], areas[focus]
    d = cached(overview.agency_focus_detail, day, agency, focus)
    cases, fines = d["t2_cases_filed"].sum(), d["t2_fines"].sum()
    with st.container(border=True, key="agency_focus"):
        head, close = st.columns([5, 1], vertical_alignment="center")
        head.markdown(f"#### {a.label} · {f.label}")
        close.button("关闭明细", key="agency_focus_close", on_click=_close, icon=":material/close:", type="tertiary")
        duty = "方案要求该单位负责此项工作" if agency in f.agencies else "方案未要求该单位负责此项工作"
        st.markdown(f"截至 {day:%Y-%m-%d}，统计表2 立案 **{cases:,.0f} 件**，罚没 {fines:,.2f} 万元。{duty}。")
        missing = d.filter(pl.col("weeks_missing") > 0)
        if agency in f.agencies and cases == 0:
            why = (
                f"其中 {missing.height} 个填报单位有逾期未报的周统计表，先催报。"
                if missing.height
                else "各填报单位的周统计表均已报送，此项立案为 0。"
            )
            st.warning(f"负有责任但尚无立案上报。{why}", icon=":material/warning:")
        st.dataframe(
            d.select(
                pl.col("label").alias("填报单位"),
                pl.col("t2_cases_filed").alias("立案（件）"),
                pl.col("t2_fines").round(2).alias("罚没（万元）"),
                pl.col("weeks_due").alias("应报（周）"),
                pl.col("weeks_in").alias("已报（周）"),
                pl.col("weeks_missing").alias("逾期未报（周）"),
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption("立案、罚没为各填报单位当前有效版本周统计表中该项工作的合计；周数为截至统计日已到截止日的周。")
