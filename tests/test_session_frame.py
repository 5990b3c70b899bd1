"""Sessions in the frame (AppTest): a login through the form or OIDC opens a server-side session and hands its
token to the cookie script, 退出登录 ends it and deletes the cookie, a session ended elsewhere logs the tab out, and
系统管理 ends every session of a user. The browser half (reload, copied cookies, idle) is in e2e/test_sessions.py."""

import pytest

from auth import sessions
from auth.accounts import create_user, lookup
from tests.conftest import TEST_PASSWORD, run_page
from warehouse import open_warehouse


@pytest.fixture
def wh(app_env):
    w = open_warehouse(app_env)
    yield w
    w.close()


def _sessions(wh):
    with wh.read() as cur:
        return cur.execute(
            "SELECT username, via, ended_at IS NULL, end_reason FROM sessions ORDER BY created_at"
        ).fetchall()


def _cookie_scripts(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if "document.cookie" in h.proto.body]


def _log_in(user: str = "leader"):
    at = run_page(None, user=None)
    at.text_input[0].input(user)
    at.text_input[1].input(TEST_PASSWORD)
    at.button[0].click().run()
    assert [t.value for t in at.title] == ["总览"]
    return at


def test_a_login_opens_a_session_and_hands_its_token_to_the_cookie(wh):
    at = _log_in()
    token = at.session_state["session_token"]
    assert _sessions(wh) == [("leader", "password", True, None)]
    ((script,),) = [_cookie_scripts(at)]
    assert f"wangjian_session={token}; Path=/; Max-Age=43200; SameSite=Strict" in script
    assert "location.protocol === 'https:' ? '; Secure'" in script
    assert sessions.check(wh, token).username == "leader"


def test_logout_ends_the_session_and_deletes_the_cookie(wh):
    at = _log_in()
    token = at.session_state["session_token"]
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert [t.value for t in at.title] == ["登录"]
    assert _sessions(wh) == [("leader", "password", False, "logout")]
    assert sessions.check(wh, token) is None
    assert "session_token" not in at.session_state
    ((script,),) = [_cookie_scripts(at)]
    assert "wangjian_session=; Path=/; Max-Age=0; SameSite=Strict" in script


def test_a_session_ended_elsewhere_logs_the_tab_out_at_its_next_run(wh):
    at = _log_in()
    assert sessions.end_all(wh, lookup(wh, "admin"), "leader") == 1
    at.run()
    assert [t.value for t in at.title] == ["登录"]
    assert any("登录已失效" in i.value for i in at.info)
    assert any("Max-Age=0" in s for s in _cookie_scripts(at))


def test_an_admin_sees_the_sessions_and_ends_all_of_a_user(wh):
    _log_in("leader")
    _log_in("leader")
    at = run_page("admin", user="admin")
    table = next(df.value for df in at.dataframe if "最近使用" in df.value.columns)
    assert sorted(table["用户名"]) == ["leader", "leader"]
    assert set(table["登录方式"]) == {"密码登录"}
    at.selectbox(key="end_sessions_user").select("leader")
    next(b for b in at.button if b.label == "结束该账号的全部会话").click().run()
    assert "已结束 leader 的 2 个会话。" in [s.value for s in at.success]
    assert [r[2:] for r in _sessions(wh)] == [(False, "admin"), (False, "admin")]


def test_an_oidc_login_gets_the_same_session(wh):
    create_user(wh, lookup(wh, "admin"), "sso_leader", "leader", None, email="leader@example.gov.cn")
    at = run_page(None, user=None)
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1/oauth2callback", "cookie_secret": "x" * 32}
    at.user = {"is_logged_in": True, "email": "leader@example.gov.cn"}
    at.run()
    assert [t.value for t in at.title] == ["总览"]
    assert _sessions(wh) == [("sso_leader", "oidc", True, None)]
    assert sessions.check(wh, at.session_state["session_token"]).via == "oidc"
