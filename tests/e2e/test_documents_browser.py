"""The 工作通报 and the 材料包 in a real browser, on the demo data: a leader at 1440 px makes and downloads the
通报 on 报送进度; a unit's staff member on a 390 px phone gets their own unit's pack. Screenshots to test-artifacts/."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest

from auth.policy import SYSTEM
from tests.conftest import create_test_users
from tests.e2e.conftest import run_server, screenshot
from tests.e2e.test_browser import login
from warehouse import open_warehouse

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    from loaders import demo
    from metrics import summary_tables

    db = tmp_path_factory.mktemp("e2e-documents") / "wangjian.duckdb"
    wh = open_warehouse(db)
    assert all(r.status == "loaded" for r in demo.load_demo(wh, user=SYSTEM))
    summary_tables.refresh(wh)
    create_test_users(wh)
    wh.close()
    with run_server(db) as app:
        yield app


def _open_tracking(page, base: str, user: str, phone: bool = False) -> None:
    login(page, base, user)
    if phone:  # on a phone the sidebar folds away once the first page has drawn
        page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebar").get_by_role("link", name="报送进度").click()
    if phone:  # and stays over the page until folded again
        page.get_by_test_id("stSidebarHeader").get_by_role("button").first.click()
    page.get_by_role("heading", name="工作通报与总结报告材料包").wait_for(timeout=60_000)


def test_leader_makes_and_downloads_the_bulletin(demo_server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _open_tracking(page, demo_server["url"], "leader")
        page.get_by_role("button", name="生成全市工作通报").click()
        button = page.get_by_role("button", name="下载 Word 版（.docx）")
        button.wait_for(timeout=120_000)
        assert page.get_by_test_id("stException").count() == 0
        button.scroll_into_view_if_needed()
        screenshot(page, "30-bulletin-made-1440")
        with page.expect_download() as got:
            button.click()
        d = docx.Document(got.value.path())
        assert d.paragraphs[0].text == "2018网剑行动工作通报"
        assert len(d.inline_shapes) == 3
        assert re.fullmatch(r"2018网剑行动工作通报_第\d+期_截至2018-\d\d-\d\d\.docx", got.value.suggested_filename)
    finally:
        context.close()


def test_unit_staff_gets_their_own_pack_on_a_phone(demo_server, browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", accept_downloads=True, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _open_tracking(page, demo_server["url"], "wujin_staff", phone=True)
        assert page.get_by_role("button", name="生成全市工作通报").count() == 0
        page.get_by_role("button", name="生成总结报告材料包（武进区", exact=False).click()
        button = page.get_by_role("button", name="下载材料包（.zip）")
        button.wait_for(timeout=120_000)
        button.scroll_into_view_if_needed()
        screenshot(page, "31-unit-pack-390")
        with page.expect_download() as got:
            button.click()
        z = zipfile.ZipFile(io.BytesIO(open(got.value.path(), "rb").read()))  # noqa: SIM115
        assert {"manifest.csv", "missing.csv"} <= set(z.namelist())
        assert "wujin" in z.read("missing.csv").decode("utf-8-sig")
    finally:
        context.close()
