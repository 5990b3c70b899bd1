"""Leadership in a real browser (issue 14): a click on a focus-area bar on 总览 lands on 投诉分析 filtered to that
area with the bar's count, and 总览 and 报送进度 fit a phone (390×844) as well as a desktop (1440×900) with nothing
scrolling sideways. On the shipped demo exports plus two weeks of its weekly tables, loaded through the loaders."""

from __future__ import annotations

import pytest

from metrics import overview
from metrics.dates import default_as_of
from tests.e2e.conftest import ARTIFACTS, build_demo_warehouse, run_server, screenshot
from tests.e2e.test_browser import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The dashboard on the demo exports and the demo's weekly tables of two weeks; with the figures the bars
    must show, worked out before the server takes the file."""
    db = tmp_path_factory.mktemp("e2e-demo") / "wangjian.duckdb"
    wh = build_demo_warehouse(db)
    day = default_as_of(wh)
    focus = {r["focus"]: int(r["complaints_total"]) for r in overview.focus_progress(wh, day).to_dicts()}
    wh.close()
    with run_server(db) as running:
        yield {**running, "focus_complaints": focus}


def screenshot_path(name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def _new_page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def _tile_value(page, label: str) -> str:
    tile = page.get_by_test_id("stMetric").filter(has_text=label).first
    return tile.get_by_test_id("stMetricValue").inner_text().strip()


def test_clicking_a_focus_bar_opens_complaints_filtered_with_the_same_count(demo_server, browser):
    context, page = _new_page(browser, DESKTOP)
    try:
        login(page, demo_server["url"], "leader")
        page.get_by_role("heading", name="重点工作进展").wait_for()
        chart = page.locator(".st-key-focus_bars")
        chart.scroll_into_view_if_needed()
        # Traces: 立案, 投诉举报, 监测线索; points in focus order F1..F6 (F0 last where present). F2's complaints bar:
        bar = chart.locator(".barlayer .trace").nth(1).locator(".point").nth(1)
        bar.wait_for()
        shown = (bar.locator("text").text_content() or "").strip() if bar.locator("text").count() else None
        box = bar.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.get_by_role("heading", name="投诉分析").wait_for()
        page.wait_for_url("**/complaints?*focus=F2*")
        expected = demo_server["focus_complaints"]["F2"]
        page.get_by_test_id("stMetric").filter(has_text="投诉举报总数").first.wait_for()
        assert _tile_value(page, "投诉举报总数") == f"{expected:,}"
        if shown is not None:  # the bar's own label, where plotly drew one
            assert shown.replace(",", "") == str(expected)
        screenshot(page, "14-drill-complaints-F2")
        assert (
            page.get_by_role("combobox", name="重点工作").input_value() == "打击侵权假冒"
        )  # the name alone, no F-code (issue 16)
    finally:
        context.close()


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
@pytest.mark.parametrize(
    ("path", "title"),
    [("overview", "总览"), ("tracking", "报送进度"), ("monitoring", "监测线索"), ("complaints", "投诉分析")],
)
def test_pages_fit_the_screen_without_sideways_scrolling(demo_server, browser, name, viewport, path, title):
    # Log in and pick the page on a desktop-sized window (the harness's login waits for the sidebar), then
    # turn the window into the screen under test: the same session, laid out for that width.
    context, page = _new_page(browser, DESKTOP)
    try:
        login(page, demo_server["url"], "leader")
        if path != "overview":  # 总览 is where a leader lands
            page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
        page.get_by_role("heading", name=title).first.wait_for()
        page.set_viewport_size(viewport)
        page.wait_for_timeout(2000)
        if page.get_by_test_id("stSidebar").get_attribute("aria-expanded") == "true" and viewport["width"] < 640:
            page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
            page.wait_for_timeout(800)
        assert page.get_by_test_id("stException").count() == 0
        widths = page.evaluate(
            "({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, view: window.innerWidth})"
        )
        screenshot(page, f"14-{path}-{name}-{viewport['width']}x{viewport['height']}")
        assert widths["doc"] <= widths["view"] and widths["body"] <= widths["view"], widths
        # Freshness: a phone shows the amber badges only and names the fresh sources in one line (the demo's
        # exports are fresh, its weekly tables not); a desktop shows every badge.
        fresh = page.locator('[class*="st-key-desktop_only_fresh_"]')
        note = page.locator(".st-key-phone_only_fresh_note")
        assert fresh.count() == 3
        phone = viewport["width"] < 640
        assert [fresh.nth(i).is_visible() for i in range(3)] == [not phone] * 3
        assert note.is_visible() == phone
        if phone:
            assert note.inner_text().strip() == "12315投诉举报、12358价格举报、网络交易监测线索均为最新。"
        if path in ("overview", "complaints"):  # figure tiles side by side: two a row on a phone, not stacked
            tiles = page.get_by_test_id("stMetric")
            first, second = tiles.nth(0).bounding_box(), tiles.nth(1).bounding_box()
            assert first["y"] == second["y"] and second["x"] > first["x"] + first["width"], (first, second)
            if phone:
                third = tiles.nth(2).bounding_box()
                assert third["y"] > first["y"] and third["x"] == first["x"], (first, third)
        if path == "complaints" and phone:  # its ten filters two a row: 起始日期 beside 截止日期
            start, end = (page.get_by_text(label, exact=True).bounding_box() for label in ("起始日期", "截止日期"))
            assert start["y"] == end["y"] and end["x"] > start["x"], (start, end)
        if path == "monitoring":
            # The weekly trend's stage and holiday labels (6) overlap on a phone: shown on a desktop only, and named
            # in the caption under the chart on both.
            labels = page.locator(".js-plotly-plot .infolayer .annotation")
            labels.first.wait_for(state="attached")
            assert [labels.nth(i).is_visible() for i in range(labels.count())] == [not phone] * 6
            assert page.get_by_text("虚线为各阶段开始（动员部署 7/1、组织实施 8/1、总结提高 11/1）").is_visible()
        if path == "overview":
            # The campaign clock: the timeline chart on a desktop; on a phone its stages and deadlines as lines.
            lines = page.locator(".st-key-phone_only_timeline")
            chart = page.locator(".st-key-desktop_only_timeline .js-plotly-plot")
            assert (lines.is_visible(), chart.is_visible()) == (phone, not phone)
            if phone:
                assert lines.inner_text().splitlines() == [
                    "动员部署阶段　7月1日—7月31日　已结束",
                    "组织实施阶段　8月1日—11月30日　进行中",
                    "总结提高阶段　11月1日—11月30日　进行中",
                    "7月31日截止：实施方案（已到期）",
                    "11月15日截止：总结报告、典型案例（附行政处罚决定书）、联合执法相关材料（已到期）",
                ]
            # The heat map on a desktop; on a phone, the list of silent responsible agencies.
            phone, desktop = page.locator(".st-key-phone_only"), page.locator(".st-key-desktop_only")
            shown, hidden = (phone, desktop) if viewport["width"] < 640 else (desktop, phone)
            shown.scroll_into_view_if_needed()
            assert shown.is_visible() and not hidden.is_visible()
            page.wait_for_timeout(500)
            page.screenshot(path=str(screenshot_path(f"14-{path}-{name}-heatmap")))
    finally:
        context.close()
