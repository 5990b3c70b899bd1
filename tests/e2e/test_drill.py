"""Drill-down in a real browser (issue 14), on the demo data: a cell of 总览's agency × focus-area heat map opens
报送进度 with that agency's cases under that focus area, adding up to the cell; on 投诉分析, a click on a breakdown
row, a trend point or a status bar narrows the page to that slice, the link carries it, and the headline count is
the slice's count worked out from the warehouse; on 监测线索 the same with its bars."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

import polars as pl
import pytest
from playwright.sync_api import expect

from metrics import complaints as mc
from metrics import monitoring as mm
from metrics import overview
from metrics.dates import default_as_of
from tests.e2e.conftest import build_demo_warehouse, run_server, screenshot
from tests.e2e.test_browser import login

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def drill_server(tmp_path_factory):
    """The demo dashboard, and the figures each click must land on, worked out before the server takes the file."""
    db = tmp_path_factory.mktemp("e2e-drill") / "wangjian.duckdb"
    wh = build_demo_warehouse(db)
    c = wh.campaign
    day = default_as_of(wh)
    matrix = overview.agency_matrix(wh, day).filter(pl.col("responsible"))
    cells = {
        "reported": matrix.filter(pl.col("cases") > 0).row(0, named=True),
        "silent": matrix.filter(pl.col("cases") == 0).row(0, named=True),
    }
    for cell in cells.values():
        cell["index"] = [a.key for a in c.agencies].index(cell["agency"]) * len(c.focus_areas) + [
            f.key for f in c.focus_areas
        ].index(cell["focus"])
        detail = overview.agency_focus_detail(wh, day, cell["agency"], cell["focus"])
        cell["missing_units"] = detail.filter(pl.col("weeks_missing") > 0).height
    # 投诉分析: the top focus area, then its 10th week, then that week's first status (the order the page draws)
    focus_rows = mc.breakdown_of(mc.cube(wh, mc.Filters(), day), "focus")
    focus = focus_rows["focus"][0]
    weeks = mc.trend_of(mc.cube(wh, mc.Filters(focus=focus), day), "week")
    week = weeks["date"][9]
    in_week = mc.Filters(focus=focus, start=max(week, c.start), end=min(week + dt.timedelta(days=6), c.end))
    status = mc.breakdown_of(mc.cube(wh, in_week, day), "status")["status"][0]
    days = mc.trend_of(mc.cube(wh, mc.Filters(), day), "day")
    expected = {
        "all": mc.totals(wh, mc.Filters(), day)["complaints_total"],
        "day": (days["date"][40], int(days["complaints_total"][40])),
        "focus": (focus, c.focus_label(focus), int(focus_rows["complaints_total"][0])),
        "week": (
            week,
            int(weeks["complaints_total"][9]),
            mc.totals(wh, in_week, day)["complaints_total"],
            weeks.height,
        ),
        "status": (status, mc.totals(wh, mc.Filters(**{**vars(in_week), "status": status}), day)["complaints_total"]),
    }
    # 监测线索: its top 属地单位 bar, then that unit's top 处置状态 bar.
    units = mm.breakdown(wh, day, "unit")
    unit = units["unit"][0]
    statuses = mm.breakdown(wh, day, "status", (("unit", unit),))
    hits = {
        "all": int(mm.summary(wh, day)["hits_received"]),
        "unit": (unit, int(units["hits_received"][0])),
        "status": (statuses["status"][0], int(statuses["hits_received"][0])),
    }
    wh.close()
    with run_server(db) as running:
        yield {
            **running,
            "cells": cells,
            "complaints": expected,
            "hits": hits,
            "agencies": {a.key: a.label for a in c.agencies},
        }


def _query(page) -> dict[str, str]:
    """The link's parameters as the browser shows them (page.url can lag behind the page's in-place rewrite)."""
    return {k: v[0] for k, v in parse_qs(page.evaluate("location.search").lstrip("?")).items()}


def _wait_query(page, part: str) -> None:
    """Wait until the link holds `part` (the page rewrites its query in place: no navigation to wait for)."""
    page.wait_for_function("part => location.search.includes(part)", arg=part)


def _click_until(page, click, part: str) -> None:
    """Click (a canvas table or a chart may take a moment to take clicks after it is drawn, and plotly may redraw
    the element between finding and clicking it) until the link holds `part`; three tries."""
    for attempt in range(3):
        try:
            click()
            page.wait_for_function("part => location.search.includes(part)", arg=part, timeout=8_000)
            return
        except Exception:
            if attempt == 2:
                screenshot(page, f"drill-click-failed-{part.split('=')[0]}")
                raise


def _total(page) -> str:
    tile = page.get_by_test_id("stMetric").filter(has_text="投诉举报总数").first
    return tile.get_by_test_id("stMetricValue").inner_text().strip()


def _wait_tile(page, tile: str, count: int) -> None:
    """Until the figure tile named `tile` reads `count`."""
    page.get_by_test_id("stMetric").filter(has_text=tile).get_by_text(f"{count:,}", exact=True).wait_for()


def _pick_bar(page, key: str, part: str, tile: str, count: int) -> None:
    """Click the first bar of the page's picking chart `key` until the link holds `part`; the tile then reads `count`."""
    bar = page.locator(f"[class*='st-key-{key}__'] .barlayer .point").first
    _click_until(page, lambda: _click_centre(page, bar), part)
    _wait_tile(page, tile, count)


def _click_centre(page, locator) -> None:
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.parametrize("which", ["reported", "silent"])
def test_a_heat_map_cell_opens_tracking_with_what_adds_up_to_it(drill_server, page, which):
    cell = drill_server["cells"][which]
    login(page, drill_server["url"], "leader")
    chart = page.locator(".st-key-agency_cells")
    chart.scroll_into_view_if_needed()
    target = chart.locator(".scatterlayer .point").nth(cell["index"])
    target.wait_for(state="attached")
    _click_centre(page, target)
    page.get_by_role("heading", name="报送进度").wait_for()
    page.wait_for_url(f"**/tracking?*agency={cell['agency']}*")
    assert _query(page) == {"agency": cell["agency"], "focus": cell["focus"]}
    panel = page.locator(".st-key-agency_focus")
    panel.get_by_role("heading", name=drill_server["agencies"][cell["agency"]]).wait_for()
    assert f"立案 {cell['cases']:,.0f} 件" in panel.inner_text()
    screenshot(page, f"14-drill-heatmap-{which}")
    if which == "silent":
        warning = panel.get_by_text("负有责任但尚无立案上报").inner_text()
        assert (f"{cell['missing_units']} 个填报单位" in warning) == (cell["missing_units"] > 0)
    panel.get_by_role("button", name="关闭明细").click()
    panel.wait_for(state="detached")
    assert "agency" not in _query(page)


def _point_position(page, chart, x: str, y: float) -> tuple[float, float]:
    """Where plotly draws the data point (x, y) of `chart`, in page pixels (its own axis conversion): the daily line
    draws no markers to click on."""
    return chart.locator(".js-plotly-plot").evaluate(
        """(gd, [x, y]) => {
          const L = gd._fullLayout, r = gd.getBoundingClientRect();
          return [r.left + L._size.l + L.xaxis.d2p(x), r.top + L._size.t + L.yaxis.d2p(y)];
        }""",
        [x, y],
    )


def test_a_point_of_the_daily_trend_narrows_the_page_to_that_day(drill_server, page):
    when, count = drill_server["complaints"]["day"]
    login(page, drill_server["url"], "analyst")
    page.get_by_test_id("stSidebar").get_by_role("link", name="投诉分析").click()
    page.get_by_role("heading", name="趋势").wait_for()
    chart = page.locator("[class*='st-key-c_trend__']")
    chart.locator(".scatterlayer .trace").first.wait_for(state="attached")
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)

    def click() -> None:
        x, y = _point_position(page, chart, when.isoformat(), count)
        page.mouse.move(x, y)
        page.mouse.click(x, y)

    _click_until(page, click, f"end={when}")
    assert _query(page) == {"start": when.isoformat(), "end": when.isoformat()}
    page.get_by_test_id("stMetric").filter(has_text="投诉举报总数").get_by_text(f"{count:,}", exact=True).wait_for()


def test_clicks_on_complaints_charts_narrow_the_page_and_the_link(drill_server, page):
    want = drill_server["complaints"]
    focus, focus_label, focus_count = want["focus"]
    week, week_point, week_count, n_weeks = want["week"]  # a week inside the campaign: no clamping
    status, status_count = want["status"]
    login(page, drill_server["url"], "analyst")
    page.get_by_test_id("stSidebar").get_by_role("link", name="投诉分析").click()
    page.get_by_role("heading", name="分类分布").wait_for()
    assert _total(page) == f"{want['all']:,.0f}"

    # A row of 按重点工作 (the row-selection box at its left): the page shows that focus area.
    table = page.locator("[class*='st-key-c_pick_focus__']")
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    _click_until(page, lambda: page.mouse.click(box["x"] + 15, box["y"] + 35 + 17), f"focus={focus}")
    page.get_by_role("combobox", name="重点工作").and_(page.locator(f"[value='{focus_label}']")).wait_for()
    assert _total(page) == f"{focus_count:,}"

    # A point of the weekly trend: that week, the same focus area; the tile is the point's count.
    page.get_by_text("每周", exact=True).click()
    chart = page.locator("[class*='st-key-c_trend__']")
    points = chart.locator(".scatterlayer .trace").first.locator(".point")
    expect(points).to_have_count(n_weeks)  # the weekly chart has replaced the daily one
    point = points.nth(9)
    _click_until(page, lambda: _click_centre(page, point), "start=")
    assert _query(page) | {"end": ""} == {"focus": focus, "start": week.isoformat(), "end": ""}
    _wait_query(page, f"end={week + dt.timedelta(days=6)}")
    assert week_point == week_count  # the point's own count is what the narrowed page counts
    page.get_by_test_id("stMetric").filter(has_text="投诉举报总数").get_by_text(
        f"{week_count:,}", exact=True
    ).wait_for()

    # A bar of 按办理状态: that status too.
    _pick_bar(page, "c_pick_status", "status=", "投诉举报总数", status_count)
    assert _query(page)["status"] == status
    screenshot(page, "14-drill-complaints-narrowed")

    # 清除筛选: the whole campaign again, and a clean link.
    page.get_by_role("button", name="清除筛选").click()
    page.wait_for_function("() => !location.search.includes('focus=')")
    _wait_tile(page, "投诉举报总数", want["all"])
    assert not {"focus", "start", "end", "status"} & set(_query(page))


def test_clicks_on_monitoring_bars_narrow_the_page_and_the_link(drill_server, page):
    want = drill_server["hits"]
    (unit, unit_count), (status, status_count) = want["unit"], want["status"]
    login(page, drill_server["url"], "analyst")
    page.get_by_test_id("stSidebar").get_by_role("link", name="监测线索").click()
    page.get_by_role("heading", name="线索分布").wait_for()

    _wait_tile(page, "收到监测线索", want["all"])
    _pick_bar(page, "m_pick_unit", f"unit={unit}", "收到监测线索", unit_count)
    _pick_bar(page, "m_pick_status", "status=", "收到监测线索", status_count)
    assert _query(page) == {"overdue_days": "5", "unit": unit, "status": status}
    screenshot(page, "14-drill-monitoring-narrowed")
    page.get_by_role("button", name="清除筛选").click()
    page.wait_for_function("() => !location.search.includes('unit=')")
    _wait_tile(page, "收到监测线索", want["all"])
    assert _query(page) == {"overdue_days": "5"}
