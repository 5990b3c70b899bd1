"""Sessions that last, in a real browser: a reload keeps the user in without showing the login form, 退出登录
ends the session for every copy of its cookie, and an idle session times out (a server with a short timeout)."""

import pytest

from tests.conftest import create_test_users
from tests.e2e.conftest import run_server, screenshot
from tests.e2e.test_browser import login
from warehouse import open_warehouse

pytestmark = pytest.mark.e2e

COOKIE = "wangjian_session"
IDLE_SECONDS = 9

# Counts, from the first byte of every page load, how often a login form's user-name field appears.
COUNT_LOGIN_FORMS = (
    "window.__loginForms = 0; new MutationObserver(() => {"
    " window.__loginForms += document.querySelectorAll('input[aria-label=\"用户名\"]').length;"
    " }).observe(document, {subtree: true, childList: true});"
)


@pytest.fixture(scope="module")
def short_idle_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("e2e-idle") / "wangjian.duckdb"
    wh = open_warehouse(db)
    create_test_users(wh)
    wh.close()
    with run_server(db, WANGJIAN_SESSION_IDLE_MINUTES=f"{IDLE_SECONDS / 60:.4f}") as running:
        yield running


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def _session_cookie(page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == COOKIE), None)


def _logged_in(page) -> None:
    page.get_by_test_id("stSidebar").get_by_text("当前用户").wait_for()
    assert page.get_by_test_id("stException").count() == 0


def _at_login_form(page) -> None:
    page.get_by_role("heading", name="登录").wait_for()
    page.get_by_label("用户名").wait_for()
    # The sidebar of the run before stays on screen (stale) until the login page's run ends: wait it out.
    page.get_by_test_id("stSidebar").get_by_text("当前用户").wait_for(state="hidden")


def _wait_for_cookie(page, present: bool) -> dict | None:
    for _ in range(50):
        cookie = _session_cookie(page)
        if (cookie is not None) == present:
            return cookie
        page.wait_for_timeout(200)
    raise AssertionError(f"session cookie {'never set' if present else 'never deleted'}")


def test_reload_and_a_new_tab_keep_the_user_in_without_a_login_form(server, page):
    login(page, server["url"], "leader")
    cookie = _wait_for_cookie(page, present=True)
    assert (cookie["path"], cookie["sameSite"], cookie["secure"]) == ("/", "Strict", False)  # http here
    assert 11.9 * 3600 < cookie["expires"] - page.evaluate("Date.now() / 1000") <= 12 * 3600

    page.add_init_script(COUNT_LOGIN_FORMS)
    page.reload()
    _logged_in(page)
    page.get_by_role("heading", name="总览").first.wait_for()
    assert page.evaluate("window.__loginForms") == 0  # the first run already knew the user: no flash
    screenshot(page, "40-session-after-reload")

    tab = page.context.new_page()
    tab.goto(server["url"] + "/tracking")
    _logged_in(tab)
    tab.get_by_role("heading", name="报送进度").first.wait_for()


def test_logout_ends_the_session_and_deletes_the_cookie(server, page):
    login(page, server["url"], "analyst")
    _wait_for_cookie(page, present=True)
    page.get_by_role("button", name="退出登录").click()
    _at_login_form(page)
    _wait_for_cookie(page, present=False)
    page.reload()
    _at_login_form(page)
    screenshot(page, "41-session-after-logout-reload")


def test_a_copied_cookie_is_the_session_until_logout(server, page, browser):
    login(page, server["url"], "leader")
    stolen = _wait_for_cookie(page, present=True)

    # Copied before logout: another browser is in, as the same user.
    before = _new_page(browser)
    before.context.add_cookies([stolen])
    before.goto(server["url"])
    _logged_in(before)
    assert before.get_by_test_id("stSidebar").get_by_text("当前用户：leader").count() == 1

    page.get_by_role("button", name="退出登录").click()
    _at_login_form(page)

    # Copied, then used after logout: refused, and the browser is told to drop it.
    after = _new_page(browser)
    after.context.add_cookies([stolen])
    after.goto(server["url"])
    _at_login_form(after)
    after.get_by_text("登录已过期").wait_for()
    _wait_for_cookie(after, present=False)
    screenshot(after, "42-session-stolen-token-refused")

    # The browser that was in is out at its next step.
    before.get_by_test_id("stSidebar").get_by_role("link", name="投诉分析").click()
    _at_login_form(before)
    for p in (before, after):
        p.context.close()


def test_an_idle_session_times_out(short_idle_server, page):
    login(page, short_idle_server["url"], "leader")
    _wait_for_cookie(page, present=True)
    page.reload()
    _logged_in(page)  # within the timeout: still in
    page.wait_for_timeout((IDLE_SECONDS + 2) * 1000)
    page.reload()
    _at_login_form(page)
    page.get_by_text("登录已过期").wait_for()
    _wait_for_cookie(page, present=False)
    screenshot(page, "43-session-idle-timeout")


def test_an_idle_tab_is_logged_out_at_its_next_click(short_idle_server, page):
    login(page, short_idle_server["url"], "leader")
    page.wait_for_timeout((IDLE_SECONDS + 2) * 1000)
    page.get_by_test_id("stSidebar").get_by_role("link", name="报送进度").click()
    _at_login_form(page)
    page.get_by_text("登录已失效").wait_for()
