"""Every screen as its users meet it (issue #16), in Chromium on the demo data: each role's pages carry no English
Streamlit text, make no request beyond 127.0.0.1 and log no console error; a clerk's just-uploaded week shows
按时, their history shows only their unit and a refused withdrawal is a Chinese message; 总览's 需关注 names the
units behind on the demo data's current week."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from auth.policy import PAGES_BY_ROLE, SYSTEM
from datagen.stats import write_filled_table
from loaders.demo import load_demo
from metrics import attention
from metrics.dates import default_as_of
from metrics.tracking import week_statuses
from tests.conftest import create_test_users
from tests.e2e.conftest import run_server, screenshot
from tests.e2e.test_browser import PAGES, login
from warehouse import open_warehouse

pytestmark = pytest.mark.e2e

TITLES = dict(PAGES)
# Streamlit's own English, which has no Chinese locale: none of it may reach a user (hidden by CSS is fine: not in
# the page's text). Also no traceback or exception name.
ENGLISH = (
    "Upload",
    "200MB",
    "per file",
    "Drag and drop",
    "Press Enter",
    "Choose an option",
    "Page not found",
    "Running the app",
    "Traceback",
    "PermissionDenied",
    "No results",
)
RUNNING = "[data-testid=stStatusWidgetRunningIcon]"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[dict]:
    """The dashboard on the demo data, with what the checks need to know about it: the as-of date, the week being
    chased and who is behind on it, and a week wujin has not sent yet with a filled table for it."""
    folder = tmp_path_factory.mktemp("e2e-demo")
    db = folder / "wangjian.duckdb"
    wh = open_warehouse(db)
    try:
        create_test_users(wh)
        assert {r.status for r in load_demo(wh, user=SYSTEM)} == {"loaded"}
        day = default_as_of(wh)
        concerns = attention.late_reporters(wh, day)
        statuses = week_statuses(wh, day)
        free = [s for s in statuses if (s.unit, s.agency) == ("wujin", "aic") and s.versions == 0]
        # a week already overdue (逾期未报 until now) if there is one: the table must then show as 按时 all the same
        overdue = [s.week_start for s in free if s.due_date < day]
        week = max(overdue) if overdue else max(s.week_start for s in free if s.week_start <= day)
        table = write_filled_table(folder / f"武进区统计表_{week}.xlsx", "wujin", "aic", week, campaign=wh.campaign)
        weeks = wh.campaign.report_weeks()
    finally:
        wh.close()
    with run_server(db) as s:
        yield s | {"as_of": day, "concerns": concerns, "week": week, "week_no": weeks.index(week) + 1, "table": table}


def _base_probe(message) -> bool:
    """Streamlit's own start-up, opened at a page's address (/complaints), first asks whether the app lives under
    that path (/complaints/_stcore/health, …/host-config) and gets the 404 it expects before asking the root."""
    return "/_stcore/" in message.location.get("url", "") and "404" in message.text


@pytest.fixture
def watched(browser):
    """A page that records console errors, page errors and every request leaving 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    p = context.new_page()
    p.set_default_timeout(120_000)
    p.seen = {"errors": [], "outside": []}
    p.on("console", lambda m: m.type == "error" and not _base_probe(m) and p.seen["errors"].append(m.text))
    p.on("pageerror", lambda e: p.seen["errors"].append(str(e)))

    def request(r) -> None:
        url = urlparse(r.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != "127.0.0.1":
            p.seen["outside"].append(r.url)

    p.on("request", request)
    yield p
    context.close()


def settle(page) -> None:
    """Until Streamlit has finished the run the last action started."""
    page.wait_for_timeout(600)
    page.wait_for_function(f"!document.querySelector('{RUNNING}')", polling=200)
    page.wait_for_timeout(400)


def assert_chinese(page, where: str) -> None:
    text = page.inner_text("body")
    found = [e for e in ENGLISH if e in text]
    assert not found, (where, found)
    assert page.get_by_test_id("stException").count() == 0, where


def open_page(page, title: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).first.wait_for()
    settle(page)


@pytest.mark.parametrize("user", ["admin", "leader", "analyst", "wujin_staff"])
def test_every_page_of_every_role_is_chinese_offline_and_quiet(demo, watched, user):
    page = watched
    page.goto(demo["url"] + "/complaints")  # a link from before login: the login form, no English dialog
    page.get_by_role("heading", name="登录").wait_for()
    assert_chinese(page, "login")
    login(page, demo["url"], user)
    role = {"wujin_staff": "unit_staff"}.get(user, user)
    for key in PAGES_BY_ROLE[role]:
        open_page(page, TITLES[key])
        for i in range(page.get_by_role("tab").count()):  # every tab's content, the uploaders' texts among them
            page.get_by_role("tab").nth(i).click()
            settle(page)
            assert_chinese(page, f"{user} {key} tab {i}")
        assert_chinese(page, f"{user} {key}")
        screenshot(page, f"30-{user}-{key}")
    # An unknown address: the session survives the reload (issue 14), so the role's first page, never "Page not found".
    page.goto(demo["url"] + "/no-such-page")
    page.get_by_test_id("stSidebar").get_by_text("当前用户").wait_for()
    settle(page)
    assert_chinese(page, "unknown address")
    assert page.seen["outside"] == [], page.seen["outside"][:5]
    assert page.seen["errors"] == [], page.seen["errors"][:5]


def test_attention_names_the_units_behind_this_week(demo, watched):
    page = watched
    login(page, demo["url"], "leader")
    settle(page)
    block = page.locator(".st-key-attention")
    block.get_by_text("逾期未报").first.wait_for()
    settle(page)
    missing = next(c for c in demo["concerns"] if c.level == "error")
    names = missing.text.split("：", 1)[1].split(" 等 ")[0].split("、")
    text = block.inner_text()
    assert "需关注" in text and "逾期未报" in text
    assert all(name in text for name in names), (names, text)
    assert block.get_by_role("link", name="查看详情").count() >= 1
    screenshot(page, "31-overview-attention")
    page.set_viewport_size({"width": 390, "height": 844})
    settle(page)
    screenshot(page, "31-overview-attention-390")
    block.get_by_role("link", name="查看详情").first.click()
    page.get_by_role("heading", name="报送进度").first.wait_for()


def _history_tab(page) -> None:
    open_page(page, "数据上报")
    page.get_by_role("tab", name="上报记录").click()
    settle(page)


def history_rows(page) -> list[dict]:
    """The rows the 上报记录 grid shows (from its accessible table: the grid itself is drawn on a canvas)."""
    table = page.get_by_role("tabpanel", name="上报记录").locator("table").first
    table.wait_for(state="attached")
    cells = table.evaluate("t => [...t.querySelectorAll('tr')].map(r => [...r.children].map(c => c.textContent))")
    return [dict(zip(cells[0], row, strict=True)) for row in cells[1:]]


def _choose_withdrawal(page, file_name: str) -> None:
    form = page.get_by_test_id("stForm").filter(has_text="撤销批次")
    form.get_by_test_id("stSelectbox").click()
    page.get_by_role("option").filter(has_text=file_name).click()
    form.get_by_text("确认撤销").click()


def test_a_clerk_uploads_a_week_on_time_sees_only_their_unit_and_is_refused_in_chinese(demo, browser, watched):
    page = watched
    login(page, demo["url"], "wujin_staff")
    open_page(page, "数据上报")
    week = demo["week"]
    page.get_by_test_id("stSelectbox").filter(has_text="报告周").click()
    page.get_by_role("option").filter(has_text=f"第{demo['week_no']}周　{week:%Y-%m-%d}").click()
    settle(page)
    page.locator("input[type=file]").first.set_input_files(str(demo["table"]))
    page.get_by_role("button", name="上传并校验").click()
    done = page.get_by_test_id("stAlertContentSuccess").filter(has_text="已入库")
    done.wait_for()
    assert "该周报送进度：按时报送" in done.inner_text()  # the default 收到日期 is inside the week's deadline
    screenshot(page, "32-clerk-upload-on-time")

    _history_tab(page)
    rows = history_rows(page)
    assert rows[0]["文件"] == demo["table"].name  # newest first
    assert {r["填报单位"] for r in rows} == {"武进区"}, rows  # the demo has every unit's tables and the exports
    file_name = demo["table"].name
    _choose_withdrawal(page, file_name)

    # Meanwhile the same clerk withdraws it in another window: the first window's 撤销 is then refused in words.
    other = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    other.set_default_timeout(120_000)
    login(other, demo["url"], "wujin_staff")
    _history_tab(other)
    _choose_withdrawal(other, file_name)
    other.get_by_role("button", name="撤销", exact=True).click()
    other.get_by_text("已撤销批次").wait_for()
    other.context.close()

    page.get_by_role("button", name="撤销", exact=True).click()
    refused = page.get_by_test_id("stAlertContentError").filter(has_text="未能撤销")
    refused.wait_for()
    settle(page)
    screenshot(page, "33-clerk-withdrawal-refused")
    assert_chinese(page, "refused withdrawal")
    assert page.seen["errors"] == []
