"""督办 in a real browser, each step as its user meets it: an analyst opens an item from a cross-source lead on
监测线索, 武进区's staff sign it and feed back with a file, the office closes it. Loaded: the shared sample
exports (12315, 12358, monitoring)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics import monitoring as mm
from metrics.dates import default_as_of
from tests.conftest import build_sample_warehouse
from tests.e2e.conftest import run_server, screenshot
from tests.e2e.test_browser import login
from warehouse import open_warehouse

pytestmark = pytest.mark.e2e
PDF = b"%PDF-1.4 \xe6\xa0\xb8\xe6\x9f\xa5\xe6\x8a\xa5\xe5\x91\x8a"


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory) -> Iterator[dict]:
    db = build_sample_warehouse(tmp_path_factory.mktemp("e2e-followup") / "wangjian.duckdb", ("12315", "12358", "网络"))
    wh = open_warehouse(db)
    day = default_as_of(wh)
    # A lead whose records point mostly at 武进区, so the prefilled item goes to 武进区's staff.
    lead = None
    for row in mm.cross_source_leads(wh, day, 50).to_dicts():
        units = Counter(u for u in mm.lead_records(wh, tuple(row["keys"]), day)["unit"].to_list() if u)
        if units and units.most_common(1)[0][0] == "wujin":
            lead = row
            break
    wh.close()
    assert lead is not None, "样例数据中应有属地为武进区的跨来源线索"
    with run_server(db) as s:
        yield {**s, "lead": lead}


def _idle(page) -> None:
    """Wait until the script run is over (Streamlit shows its status widget while a run is going on)."""
    page.wait_for_timeout(500)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached")


def _open_as(browser, base: str, user: str, title: str):
    """A fresh browser session of `user`, logged in, on the page `title`. Timeouts are generous: the machine's
    two cores are shared, and a busy renderer can take many seconds to take a click."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 1600}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    login(page, base, user)
    _idle(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).first.wait_for()
    _idle(page)
    return ctx, page


def _choose(page, label: str, option: str) -> None:
    """Pick an option of the Streamlit selectbox labelled `label`."""
    page.get_by_test_id("stSelectbox").filter(has_text=label).click()
    page.keyboard.type(option)  # the list is virtual: filter it down to the one wanted
    page.get_by_role("option").filter(has_text=option).first.click()
    _idle(page)


def _select_item(page, item_title: str) -> None:
    _choose(page, "查看和办理", item_title)
    page.get_by_text("办理记录").wait_for()


def _step(page, action: str) -> None:
    page.get_by_test_id("stRadio").get_by_text(action, exact=True).click()
    _idle(page)


def _take(page, action: str, done: str) -> None:
    """Choose a step, submit its form as it is, and wait for the page to say it was done."""
    _step(page, action)
    page.get_by_test_id("stForm").get_by_role("button", name=action).click()
    page.get_by_text(done).wait_for()


def test_open_from_a_lead_act_as_the_unit_close_as_the_office(sample_server, browser, tmp_path: Path):
    base, lead = sample_server["url"], sample_server["lead"]
    title = f"核查跨来源线索：{lead['merchant_name']}"

    # 1. The analyst finds the lead on 监测线索 and opens an item from it.
    ctx, page = _open_as(browser, base, "analyst", "监测线索")
    _choose(page, "查看经营者的全部记录", lead["entity"])
    page.get_by_role("button", name="对该经营者开督办").click()
    page.get_by_role("heading", name="督办").first.wait_for()
    form = page.get_by_test_id("stForm")
    assert form.get_by_label("事项标题").input_value() == title
    assert page.get_by_test_id("stSelectbox").filter(has_text="承办单位").locator("input").input_value() == "武进区"
    screenshot(page, "30-followup-open-from-lead")
    form.get_by_role("button", name="下发").click()
    page.get_by_text("已下发督办事项 #1").wait_for()
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "31-followup-issued")
    ctx.close()

    # 2. 武进区's staff sign it and feed back with a file (on a phone-sized screen as well).
    ctx, page = _open_as(browser, base, "wujin_staff", "督办")
    _select_item(page, title)
    _take(page, "签收", "#1 已签收")
    _step(page, "反馈")
    form = page.get_by_test_id("stForm")
    form.get_by_label("核查处置情况（必填）").fill("已现场检查，责令下架违法商品信息 12 条，已立案调查。")
    report = tmp_path / "核查报告.pdf"
    report.write_bytes(PDF)
    form.locator("input[type=file]").set_input_files(str(report))
    page.get_by_text("核查报告.pdf").first.wait_for()
    form.get_by_role("button", name="反馈").click()
    page.get_by_text("#1 已反馈").wait_for()
    page.get_by_role("button", name="下载附件 核查报告.pdf", exact=False).wait_for()
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "32-followup-unit-feedback")
    page.set_viewport_size({"width": 390, "height": 1600})
    page.wait_for_timeout(1500)
    screenshot(page, "33-followup-unit-feedback-390")
    ctx.close()

    # 3. The office closes it.
    ctx, page = _open_as(browser, base, "analyst", "督办")
    _select_item(page, title)
    _take(page, "办结", "#1 已办结")
    _idle(page)
    # The history, as the office sees it: who did each step, and the unit's file to download again.
    log = page.get_by_test_id("stMarkdown").filter(has_text="录入").all_inner_texts()
    assert [line.split()[0] for line in log] == ["下发", "签收", "反馈", "办结"]
    assert [line.split()[2].split("（")[0] for line in log] == ["analyst", "wujin_staff", "wujin_staff", "analyst"]
    assert "已现场检查" in log[2]
    page.get_by_role("button", name="下载附件 核查报告.pdf", exact=False).wait_for()
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "34-followup-closed")
    ctx.close()
