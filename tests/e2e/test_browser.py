"""The dashboard in a real browser: health, login, every page, screenshots as test artifacts."""

import urllib.request

import pytest

from auth.policy import PAGE_TITLES
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

PAGES = list(PAGE_TITLES.items())  # (url path, title), in menu order


def login(page, base: str, user: str = "admin") -> None:
    page.goto(base)
    page.get_by_role("heading", name="登录").wait_for()
    for attempt in range(3):
        # The first script run may still replace the form just after it appears: fill once it has settled.
        page.wait_for_timeout(800)
        page.get_by_label("用户名").fill(user)
        page.get_by_label("密码").fill(TEST_PASSWORD)
        page.get_by_role("button", name="登录").click()
        try:
            page.get_by_test_id("stSidebar").get_by_text("当前用户").wait_for(timeout=10_000)
            return
        except Exception:
            if attempt == 2:
                screenshot(page, f"login-failed-{user}")
                raise


def test_health_answers_ok(server):
    with urllib.request.urlopen(server["url"] + "/_stcore/health") as r:
        assert r.read().decode().strip() == "ok"


def test_login_form_before_anything_else(server, page):
    # Streamlit draws its own menu of a folder named pages/ as the page loads, before app.py has run: record
    # whether that menu shows at any moment, not only once the login form has settled.
    page.add_init_script(
        "window.__menus = 0; new MutationObserver(() => {"
        " window.__menus += document.querySelectorAll('[data-testid=stSidebarNav]').length;"
        " }).observe(document, {subtree: true, childList: true});"
    )
    page.goto(server["url"])
    page.get_by_role("heading", name="登录").wait_for()
    page.wait_for_timeout(1500)
    assert page.evaluate("window.__menus") == 0
    assert page.get_by_test_id("stSidebarNav").count() == 0
    assert page.get_by_role("link").filter(has_text="系统管理").count() == 0
    screenshot(page, "00-login")


def test_every_page_renders_for_admin(server, page):
    login(page, server["url"])
    nav = page.get_by_test_id("stSidebar")
    for i, (path, title) in enumerate(PAGES, start=1):
        # Click through the navigation: a reload starts a new session, which must log in again.
        nav.get_by_role("link", name=title).click()
        page.get_by_role("heading", name=title).first.wait_for()
        page.wait_for_timeout(500)
        assert page.get_by_test_id("stException").count() == 0, path
        screenshot(page, f"{i:02d}-{path}")


@pytest.mark.parametrize(
    ("user", "menu"),
    [
        ("leader", ["总览", "投诉分析", "监测线索", "报送进度", "督办"]),
        ("wujin_staff", ["数据上报", "报送进度", "督办"]),
    ],
)
def test_each_role_sees_only_its_pages_in_the_one_menu(server, page, user, menu):
    login(page, server["url"], user)
    links = page.get_by_test_id("stSidebar").get_by_role("link")
    links.first.wait_for()
    assert [title for _, title in PAGES if links.filter(has_text=title).count()] == menu
    assert links.count() == len(menu)
    assert page.get_by_test_id("stSidebarNav").count() == 0  # app.py's page links are the only menu


def test_upload_a_sample_export_through_the_page(server, page, samples):
    login(page, server["url"], "analyst")
    page.get_by_test_id("stSidebar").get_by_role("link", name="数据上报").click()
    page.get_by_role("heading", name="数据上报").first.wait_for()
    page.get_by_role("tab", name="投诉举报与监测线索导出").click()
    sample = samples / "12358_价格举报导出_2018.xlsx"
    page.locator("input[type=file]").first.set_input_files(str(sample))
    page.get_by_role("button", name="开始导入").click()
    page.get_by_text("12358_价格举报导出_2018.xlsx").first.wait_for()
    page.get_by_text("已导入").first.wait_for(timeout=60_000)
    page.get_by_text("入库 500 行").first.wait_for()
    screenshot(page, "20-upload-result")
    page.get_by_role("tab", name="上报记录").click()
    history = page.get_by_test_id("stDataFrame").first
    history.wait_for()
    screenshot(page, "21-upload-history")
    page.get_by_test_id("stSidebar").get_by_role("link", name="总览").click()
    page.get_by_role("heading", name="总览").first.wait_for()
    page.get_by_text("核心指标").wait_for()
    screenshot(page, "22-overview-after-upload")
