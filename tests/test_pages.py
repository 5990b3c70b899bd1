"""Every page renders through AppTest on an empty warehouse, with an honest empty state; app_pages/ holds pages only."""

import pytest

from auth.policy import PAGES_BY_ROLE
from tests.conftest import ROOT, run_page

pytestmark = pytest.mark.both_backends

PAGES = {
    None: ("总览", "尚无数据"),
    "uploads": ("数据上报", "尚无上报记录"),  # the history tab
    "complaints": ("投诉分析", "尚无投诉举报数据"),
    "monitoring": ("监测线索", "尚无监测线索数据"),
    "tracking": ("报送进度", "尚无报送记录"),
    "followup": ("督办", "没有督办事项"),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_empty_state(app_env, page):
    at = run_page(page)
    title, empty = PAGES[page]
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [title]
    assert any(empty in i.value for i in at.info), [i.value for i in at.info]


def test_sidebar_shows_campaign_and_as_of(app_env):
    at = run_page()
    assert any("2018网剑行动" in m.value for m in at.sidebar.markdown)
    (as_of,) = at.sidebar.date_input
    assert str(as_of.value) == "2018-11-30"  # no data: today, clipped to the campaign's end


def test_app_pages_holds_the_routed_pages_only():
    # Shared UI parts live in app_pages/ui/. No page file in a folder named pages/: Streamlit would list it itself.
    files = {p.stem for p in (ROOT / "app_pages").glob("*.py")} - {"__init__"}
    assert files == {key for keys in PAGES_BY_ROLE.values() for key in keys}
    assert not list((ROOT / "pages").glob("*.py"))


def test_each_status_has_one_colour_from_its_meaning():
    """A status looks the same on every page: its colour follows what it means, a synonym takes its status's."""
    from app_pages.ui.charts import MEANING_SHADES, UNLISTED, status_colour
    from campaign import load_campaign

    c = load_campaign()
    assert status_colour(c, "办理中") == status_colour(c, "处理中") in MEANING_SHADES["active"]
    assert (
        status_colour(c, "待核查") in MEANING_SHADES["pending"]
        and status_colour(c, "已受理") in MEANING_SHADES["pending"]
    )
    assert {status_colour(c, s) for s in ("已整改", "已立案", "已办结")} <= set(MEANING_SHADES["done"])
    assert status_colour(c, "不属实") in MEANING_SHADES["dismissed"]
    assert status_colour(c, "不是状态") == UNLISTED
    done = [status_colour(c, s.label) for s in c.statuses if s.meaning == "done"]
    assert len(set(done)) == len(done)  # two statuses of one meaning stay apart on one chart


def test_a_week_cut_short_is_drawn_hollow_and_says_how_many_days_it_holds():
    """The campaign's first week holds only 7月1日 and the last runs to the as-of date: their low counts must not
    read as a drop, so a weekly trend marks them."""
    import datetime as dt

    from app_pages.ui.charts import trend_chart, week_days
    from campaign import load_campaign

    c = load_campaign()
    weeks = [dt.date(2018, 6, 25), dt.date(2018, 7, 2), dt.date(2018, 11, 19), dt.date(2018, 11, 26)]
    span = (c.start, dt.date(2018, 11, 28))
    assert week_days(weeks, span) == [1, 7, 7, 3]  # 07-01 a Sunday; 11-26..11-28
    assert week_days(weeks, (dt.date(2018, 7, 4), dt.date(2018, 11, 25))) == [
        0,
        5,
        7,
        0,
    ]  # a date filter cuts too (07-04..07-08)
    fig = trend_chart(c, weeks, {"a": [3, 60, 61, 15], "b": [1, 2, 3, 4]}, "件", "week", span=span)
    for trace in fig.data:
        assert list(trace.marker.symbol) == ["circle-open", "circle", "circle", "circle-open"]
        assert list(trace.text) == ["（不完整周：仅含 1 天）", "", "", "（不完整周：仅含 3 天）"]
        assert "%{text}" in trace.hovertemplate
    daily = trend_chart(c, weeks, {"a": [1, 2, 3, 4]}, "件", "day", span=span)
    assert daily.data[0].marker.symbol is None and set(daily.data[0].text) == {""}


def test_the_phone_rules_hold_no_markup():
    """st.html sanitises what it is given: a '<' inside the <style> (a '<page>' in a comment, say) ends the style
    sheet there, and every phone_only part shows on a desktop too."""
    from app_pages.ui.layout import _CSS

    inner = _CSS.strip().removeprefix("<style>").removesuffix("</style>")
    assert "<" not in inner and _CSS.count("<style>") == 1
