"""The 需关注 block at the top of 总览: the lines of metrics.attention's providers, each with a link to the page
that explains it (only pages this user may open; a section of 总览 by its anchor)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app_pages.ui.common import cached
from auth.policy import Principal, can_see_page
from metrics import attention

ICONS = {"error": ":material/error:", "warning": ":material/warning:"}
COLOURS = {"error": "red", "warning": "orange"}


def render(user: Principal, day: dt.date) -> None:
    concerns = [line for provider in attention.PROVIDERS for line in cached(provider, day)]
    with st.container(border=True, key="attention"):
        st.markdown("**需关注**")
        if not concerns:
            st.markdown(":green[:material/check_circle:] 截至统计日没有逾期未报、异常增长或超期待核查的事项。")
        for line in concerns:
            text, link = st.columns([5, 1], vertical_alignment="center")
            text.markdown(f":{COLOURS[line.level]}[{ICONS[line.level]}] {line.text}")
            if line.page.startswith("#"):
                link.markdown(f"[见下方]({line.page})")
            elif can_see_page(user, line.page):
                link.page_link(f"app_pages/{line.page}.py", label="查看详情", icon=":material/arrow_forward:")
