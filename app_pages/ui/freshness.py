"""Freshness and coverage on the page: one badge per source (amber when older than its cadence, the exact load
time on hover), and the weekly tables' coverage for the week in view (不完整 with the missing units on hover).
The figures come from metrics.freshness, cached on the warehouse's data version: a withdrawal shows at once."""

from __future__ import annotations

import streamlit as st

from app_pages.ui.common import as_of, cached
from metrics import freshness
from metrics.registry import Metric

INCOMPLETE = "不完整"


def freshness_strip() -> None:
    """Every source's newest data and latest load, as a row of badges that wraps on a phone."""
    with st.container(horizontal=True, gap="small", key="freshness"):
        for s in cached(freshness.sources, as_of()):
            st.badge(
                s.text,
                icon=":material/schedule:" if s.stale else ":material/check_circle:",
                color="orange" if s.stale else "gray",
                help=s.detail,
            )


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
