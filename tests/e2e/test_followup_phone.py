"""督办 on a phone (issue 14): the page at 390×844 and 1440×900 as the leader, the office and a unit's staff, with
nothing scrolling sideways and the items table's key columns first. On the demo data plus 督办 items in every
state (下发, 签收, 核查中, 已反馈 after a 退回, 办结, 挂牌督办, past their limit), made through actions.items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import polars as pl
import pytest

from actions import board
from actions import items as fi
from auth.accounts import create_user, lookup
from loaders.result import Upload
from metrics import monitoring as mm
from metrics.dates import default_as_of
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import build_demo_warehouse, run_server, screenshot
from tests.e2e.test_browser import login
from tests.e2e.test_leadership import DESKTOP, PHONE, _new_page, screenshot_path

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4 \xe6\xa0\xb8\xe6\x9f\xa5\xe6\x8a\xa5\xe5\x91\x8a"
# The item each role opens on the page: 武进区's, with the longest history (two feedbacks with a file each, a return).
HISTORY_ITEM = "核查“儿童玩具”网店销售不合格商品（3C认证缺失）"
MASKED = "核查个人网店“王**小店”“李**百货”无照经营"
PHONE_COLUMNS = ["事项", "承办单位", "时限", "状态", "期限"]
ROLES = ("leader", "admin", "wujin_staff")


def _back(cal, day: dt.date, n: int) -> dt.date:
    """The working day n working days before `day`."""
    d = day
    while n > 0:
        d -= dt.timedelta(days=1)
        n -= cal.is_workday(d)
    return d


def add_items(wh, day: dt.date) -> dict[str, int]:
    """督办 items as an office meets them a few weeks into the work, each step taken by its own user on its own
    day (all on or before `day`, the as-of date). Returns the item ids by a short name."""
    admin = lookup(wh, "admin")
    for unit in ("liyang", "tianning", "xinbei"):  # the staff of three more districts, to act on their items
        create_user(wh, admin, f"{unit}_staff", "unit_staff", TEST_PASSWORD, display_name=f"{unit}_staff",
                    unit=unit, agency="aic")  # fmt: skip
    cal = wh.calendar()
    ids: dict[str, int] = {}

    def open_(name: str, title: str, unit: str, workdays: int, opened: int, agency: str = "aic", **kw) -> None:
        ids[name] = fi.open_item(
            wh, lookup(wh, "analyst"), title=title, unit=unit, agency=agency, opened_on=_back(cal, day, opened),
            workdays=workdays, **kw,
        )  # fmt: skip

    def step(name: str, user: str, action: str, n: int, note: str = "", files: tuple[str, ...] = ()) -> None:
        cite = fi.Citation(files=[Upload(f, PDF) for f in files])
        fi.act(wh, lookup(wh, user), ids[name], action, on_date=_back(cal, day, n), note=note, cite=cite)

    # 下发 only, within its limit: what 武进区's staff must sign.
    open_("issued", "核查某直播间虚构原价促销（双十一预热）", "wujin", 5, 1,
          description="监测发现该直播间标注“原价 1999 元”却无成交记录，请核查是否构成虚构原价并反馈处置情况。")  # fmt: skip
    # 签收, then past its limit: red.
    open_("overdue", "督促删除违法商品信息：电子烟向未成年人销售", "liyang", 3, 12)
    step("overdue", "liyang_staff", "sign", 11)
    # An overdue monitoring hit of the demo data in 武进区; 签收, 核查中, then 挂牌督办 by the leader.
    hit = mm.overdue(wh, day)["rows"].filter(pl.col("unit") == "wujin").row(0, named=True)
    shop = hit["shop_name"] or hit["merchant_name"]
    open_("listed", f"超期待核查线索 {hit['hit_id']}：{shop}", "wujin", 10, 8,
          origin=fi.Origin("overdue_hit", None, (hit["hit_id"],), note=hit["platform"]),
          description=f"{hit['hit_type']}线索自 {hit['detected_at']:%Y-%m-%d} 发现以来仍为待核查，请核查处置并反馈。")  # fmt: skip
    step("listed", "wujin_staff", "sign", 7)
    step("listed", "wujin_staff", "start", 6, "已调取平台交易记录。")
    step("listed", "leader", "list", 4, "涉及面广，挂牌督办。")
    # Fed back with a file, returned with a reason, fed back again after its limit: 已反馈, a long history.
    open_("answered", HISTORY_ITEM, "wujin", 5, 15)
    step("answered", "wujin_staff", "sign", 14)
    step("answered", "wujin_staff", "answer", 10, "已责令下架 3 个链接，立案调查。", ("核查报告.pdf",))
    step("answered", "analyst", "return", 8, "未附行政处罚决定书，请补充。")
    step("answered", "wujin_staff", "answer", 5, "补充行政处罚决定书（常工商案字〔2018〕第123号）。",
         ("行政处罚决定书.pdf",))  # fmt: skip
    # 办结: shown with the toggle.
    open_("closed", "核查外卖平台无照经营餐饮店铺 12 家", "tianning", 5, 20)
    step("closed", "tianning_staff", "sign", 19)
    step("closed", "tianning_staff", "answer", 16, "12 家均已办理登记或下线。")
    step("closed", "analyst", "close", 15, "核查属实，办结。")
    # A city member agency's late weekly table: 催报, 签收.
    monday = day - dt.timedelta(days=day.weekday() + 14)
    open_("late", f"催报：市本级·市公安局 {monday:%m月%d日}当周情况统计表", "city", 2, 3, agency="psb",
          origin=fi.Origin("late_report", unit="city", agency="psb", week=monday))  # fmt: skip
    step("late", "psb_staff", "sign", 2)
    # Another district, 核查中, close to its limit: yellow. Personal names come masked, asterisks and all.
    open_("checking", MASKED, "xinbei", 5, 3)
    step("checking", "xinbei_staff", "sign", 3)
    step("checking", "xinbei_staff", "start", 2)
    return ids


@pytest.fixture(scope="module")
def followup_server(tmp_path_factory) -> Iterator[dict]:
    """The dashboard on the demo data and the items above; with the rows each role's phone table must show (open
    items: number and title, 承办单位, 时限, 状态, 期限), worked out before the server takes the file."""
    db = tmp_path_factory.mktemp("e2e-followup-phone") / "wangjian.duckdb"
    wh = build_demo_warehouse(db)
    day = default_as_of(wh)
    ids = add_items(wh, day)
    c = wh.campaign
    rows = {
        role: [
            [f"#{i.item_id} {i.title}" + ("（挂牌督办）" if i.level == "listed" else ""),
             board.assignee_label(c, i.unit, i.agency), i.light_label, i.state_label, f"{i.due_date:%m-%d}"]
            for i in board.items(wh, lookup(wh, role), day)
            if i.is_open
        ]
        for role in ROLES
    }  # fmt: skip
    wh.close()
    with run_server(db) as s:
        yield {**s, "day": day, "ids": ids, "rows": rows}


def _settle(page) -> None:
    page.wait_for_timeout(500)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached")


def _sideways(page) -> list[str]:
    """Whatever in the main area scrolls sideways inside itself (a table wider than its frame), and the page."""
    return page.evaluate(
        """() => {
          const out = [];
          const d = document.documentElement, b = document.body;
          if (d.scrollWidth > innerWidth || b.scrollWidth > innerWidth) out.push(`page ${d.scrollWidth}/${innerWidth}`);
          for (const e of document.querySelectorAll('[data-testid=stMain] *')) {
            const x = getComputedStyle(e).overflowX;
            if (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1 && (x === 'auto' || x === 'scroll'))
              out.push(`${e.closest('[data-testid]')?.dataset.testid} ${e.scrollWidth}/${e.clientWidth}`);
          }
          return out;
        }"""
    )


def _open_page(browser, base: str, user: str, viewport: dict):
    """Log in on a desktop-sized window (the harness's login waits for the sidebar), open 督办 and the item with
    the long history, and, for the office, the new-item form; then turn the window into the screen under test."""
    context, page = _new_page(browser, DESKTOP)
    page.set_default_timeout(120_000)  # two shared cores: a busy renderer can take a while
    login(page, base, user)
    page.get_by_test_id("stSidebar").get_by_role("link", name="督办").click()
    page.get_by_role("heading", name="督办").first.wait_for()
    _settle(page)
    page.get_by_test_id("stSelectbox").filter(has_text="查看和办理").click()
    page.keyboard.type(HISTORY_ITEM)
    page.get_by_role("option").filter(has_text=HISTORY_ITEM).first.click()
    page.get_by_text("办理记录").wait_for()
    _settle(page)
    if user == "admin":
        page.get_by_test_id("stExpander").filter(has_text="新建督办事项").locator("summary").click()
        page.get_by_test_id("stForm").filter(has_text="事项标题").wait_for()
    page.set_viewport_size(viewport)
    page.wait_for_timeout(2000)
    if viewport["width"] < 640 and page.get_by_test_id("stSidebar").get_attribute("aria-expanded") == "true":
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        page.wait_for_timeout(800)
    return context, page


def _shot(page, locator, name: str) -> None:
    """The part of the page in view (the main area scrolls inside the window, so a full-page shot stops at it)."""
    locator.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshot_path(name)))


@pytest.mark.parametrize("user", ROLES)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_followup_fits_the_screen_with_its_key_columns_first(followup_server, browser, user, viewport):
    context, page = _open_page(browser, followup_server["url"], user, viewport)
    name = "phone" if viewport["width"] < 640 else "desktop"
    tag = f"14-followup-{user}-{name}-{viewport['width']}x{viewport['height']}"
    try:
        assert page.get_by_test_id("stException").count() == 0
        screenshot(page, tag)
        phone_table = page.locator(".st-key-phone_only_fu_items table")
        desktop_table = page.locator(".st-key-desktop_only_fu_items").get_by_test_id("stDataFrame")
        if viewport["width"] < 640:
            assert phone_table.is_visible() and not desktop_table.is_visible()
            _shot(page, phone_table, f"{tag}-table")
            # The key columns, in this order, each whole inside the screen; the rows this user may see.
            heads = phone_table.locator("thead th")
            assert [t.strip() for t in heads.all_inner_texts()] == PHONE_COLUMNS
            for k in range(heads.count()):
                box = heads.nth(k).bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (PHONE_COLUMNS[k], box)
            rows = [
                [cell.strip() for cell in row.locator("td").all_inner_texts()]
                for row in phone_table.locator("tbody tr").all()
            ]
            assert rows == followup_server["rows"][user]  # 王**小店 as typed: the cells are markdown, escaped
        else:
            assert desktop_table.is_visible() and not phone_table.is_visible()
            # The grid keeps an accessible copy of the header cells it draws: the key columns are among them.
            drawn = desktop_table.locator("th").all_text_contents()
            assert drawn == ["编号", "事项", "承办单位", "级别", "状态", "时限", "反馈期限", "来源"], drawn
            # Every column inside the grid's width: nothing to scroll sideways to at 1440 px.
            scroll, client = desktop_table.locator(".dvn-scroller").evaluate("s => [s.scrollWidth, s.clientWidth]")
            assert scroll <= client, (scroll, client)
        # The item and its history: every step, the files to download, nothing cut off.
        history = page.get_by_test_id("stMarkdown").filter(has_text="录入")
        assert [line.split()[0] for line in history.all_inner_texts()] == ["下发", "签收", "反馈", "退回", "反馈"]
        assert page.get_by_role("button", name="下载附件", exact=False).count() == 2
        _shot(page, page.get_by_text("办理记录"), f"{tag}-item")
        if user == "admin":  # the new-item form: four fields side by side on a desktop, one under another on a phone
            fields = [
                page.get_by_test_id("stForm").get_by_text(label, exact=True).bounding_box()
                for label in ("承办单位", "承办部门（市本级可选成员单位）", "办理时限（工作日）", "级别")
            ]
            if viewport["width"] < 640:
                assert len({round(f["x"]) for f in fields}) == 1 and sorted(f["y"] for f in fields) == [
                    f["y"] for f in fields
                ]
            else:
                assert len({round(f["y"]) for f in fields}) == 1
            _shot(page, page.get_by_test_id("stForm").filter(has_text="事项标题"), f"{tag}-new-item")
        overflow = _sideways(page)
        if viewport["width"] >= 640:  # on a desktop the dataframe may scroll its last columns inside itself
            overflow = [o for o in overflow if not o.startswith("stDataFrame")]
        assert overflow == []
    finally:
        context.close()


def test_tracking_shows_the_same_phone_table_of_open_items(followup_server, browser):
    """报送进度's 督办 section on a phone: the same key columns and rows as 督办, whole inside the screen."""
    context, page = _new_page(browser, DESKTOP)
    page.set_default_timeout(120_000)
    try:
        login(page, followup_server["url"], "leader")
        page.get_by_test_id("stSidebar").get_by_role("link", name="报送进度").click()
        page.get_by_role("heading", name="督办事项").wait_for()
        _settle(page)
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(2000)
        if page.get_by_test_id("stSidebar").get_attribute("aria-expanded") == "true":
            page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
            page.wait_for_timeout(800)
        table = page.locator(".st-key-phone_only_fu_items table")
        assert table.is_visible()
        assert not page.locator(".st-key-desktop_only_fu_items").get_by_test_id("stDataFrame").is_visible()
        assert [t.strip() for t in table.locator("thead th").all_inner_texts()] == PHONE_COLUMNS
        rows = [[c.strip() for c in r.locator("td").all_inner_texts()] for r in table.locator("tbody tr").all()]
        assert rows == followup_server["rows"]["leader"]
        box = table.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        _shot(page, table, "14-followup-tracking-leader-phone-table")
    finally:
        context.close()
