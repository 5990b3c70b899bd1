"""Freshness and coverage on the page: one badge per source (amber when older than its cadence, the exact load
time on hover), and the weekly tables' coverage for the week in view (不完整 with the missing units on hover).
The figures come from metrics.freshness, cached on the warehouse's data version: a withdrawal shows at once."""

from __future__ import annotations

from contextlib import nullcontext

import streamlit as st

from app_pages.ui.common import as_of, cached
from app_pages.ui.layout import desktop_only, phone_only
from metrics import freshness
from metrics.registry import Metric

INCOMPLETE = "不完整"


def freshness_strip() -> None:
    """Every source's newest data and latest load, as a row of badges that wraps. A phone shows the amber ones
    only, and names the fresh sources in one line, so the page's title is not pushed below the first screen."""
    sources = cached(freshness.sources, as_of())
    with st.container(horizontal=True, gap="small", key="freshness"):
        for i, s in enumerate(sources):
            with nullcontext() if s.stale else desktop_only(f"fresh_{i}", width="content"):
                st.badge(
                    s.text,
                    icon=":material/schedule:" if s.stale else ":material/check_circle:",
                    color="orange" if s.stale else "gray",
                    help=s.detail,
                )
        if fresh := [s.label for s in sources if not s.stale]:
            with phone_only("fresh_note"):
                st.caption(f"{'、'.join(fresh)}均为最新。")


def coverage() -> freshness.Coverage:
    return cached(freshness.coverage, as_of())


def coverage_badge() -> None:
    """ "11月5日当周 7/8 单位已报": green when every reporter is in, else amber 不完整 naming who is missing."""
    cov = coverage()
    if cov.week_start is None:
        return
    with st.container(key="coverage"):
        _coverage_badge(cov)


def _coverage_badge(cov: freshness.Coverage) -> None:
    if cov.complete:
        st.badge(f"统计表：{cov.text}", icon=":material/task_alt:", color="green", help=cov.missing_text)
    else:
        st.badge(f"统计表{INCOMPLETE}：{cov.text}", icon=":material/warning:", color="orange", help=cov.missing_text)


def tile_note(m: Metric, cov: freshness.Coverage | None) -> tuple[str, str | None]:
    """(label prefix, hover text) for a tile: 不完整 where a 统计表 figure lacks reporters in the week in view. A
    prefix, not a suffix: a narrow tile cuts the end of its label off."""
    if cov is None or cov.week_start is None or cov.complete or not freshness.from_weekly_tables(m):
        return "", None
    return f":orange-badge[{INCOMPLETE}] ", f"{cov.text}。{cov.missing_text}"
