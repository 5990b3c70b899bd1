"""The browser side of login sessions (the rules are in auth/sessions.py): the frame asks current_user() on every
run, calls sign_in() after a login and sign_out() for 退出登录; 系统管理 shows session_admin().

Reading the cookie: st.context.cookies holds the cookies of the page's own request from the very first run, so a
reload resumes the session before anything is drawn (no login form flashes by). Writing it: Streamlit has no API
for that, so a three-line script in st.html(unsafe_allow_javascript=True) sets or deletes it in the page itself
(no iframe, no package, nothing fetched). A cookie set by a script cannot be HttpOnly; it is SameSite=Strict,
Path=/, Secure over https, and lives no longer than the session may. The warehouse is the authority: a cookie
left behind after logout, or copied elsewhere, is refused there.
"""

from __future__ import annotations

import streamlit as st

from app_pages.ui.common import principal
from auth import sessions
from auth.policy import Principal
from warehouse import Warehouse

COOKIE = "wangjian_session"
_TAB_SESSION = "session_token"  # this browser tab's token (session_state lives on the server)
_TRIED = "session_cookie_tried"  # the request's cookie is looked at once per tab, not again after a logout
_FORGET = "session_cookie_forget"  # the browser still holds a cookie that must go
_HIDDEN = "wj-session-cookie"


def _request_value(mapping: object, name: str) -> str | None:
    """A header or cookie of the page's request (a string, or None: AppTest has no request and answers mocks)."""
    value = mapping.get(name)  # type: ignore[attr-defined]
    return value if isinstance(value, str) else None


def _user_agent() -> str | None:
    return _request_value(st.context.headers, "user-agent")


def _loaded_with() -> str | None:
    """The session cookie the page was loaded with (st.context keeps the first request's cookies for the tab)."""
    return _request_value(st.context.cookies, COOKIE)


def _oidc_identity() -> bool:
    """Whether Streamlit's own OIDC cookie still names a user (it would log them straight back in)."""
    try:
        return "auth" in st.secrets and bool(st.user.is_logged_in)
    except Exception:  # no secrets.toml, or no [auth] in it
        return False


def current_user(wh: Warehouse) -> Principal | None:
    """The logged-in user of this run, through the session: a live token in this tab is checked (and touched);
    a fresh tab (a reload, a new tab) resumes from its cookie; an ended or expired session logs the tab out."""
    token = st.session_state.get(_TAB_SESSION)
    if token and sessions.check(wh, token) is None:
        _forget("登录已失效（长时间未操作、超过最长登录时长，或已在别处退出、被管理员结束），请重新登录。")
    elif not token and "username" not in st.session_state and not st.session_state.get(_TRIED):
        st.session_state[_TRIED] = True
        cookie = _loaded_with()
        if cookie:
            found = sessions.check(wh, cookie, resuming=True, user_agent=_user_agent())
            if found is None:
                _forget("登录已过期，请重新登录。")
            else:
                st.session_state["username"] = found.username
                st.session_state[_TAB_SESSION] = cookie
    user = principal()
    _sync_cookie(user is not None)
    return user


def _forget(notice: str) -> None:
    for key in ("username", _TAB_SESSION):
        st.session_state.pop(key, None)
    st.session_state[_FORGET] = True
    if _oidc_identity():
        st.logout()  # else the identity provider's cookie would start a new session at once
    st.info(notice, icon=":material/lock_clock:")


def sign_in(wh: Warehouse, user: Principal, via: str) -> None:
    """Start a server-side session for a user who has just logged in (via: password, oidc or bootstrap)."""
    token = sessions.start(wh, user.username, via, _user_agent())
    st.session_state["username"] = user.username
    st.session_state[_TAB_SESSION] = token
    st.session_state.pop(_FORGET, None)


def sign_out(wh: Warehouse, user: Principal) -> None:
    """退出登录: end the session on the server (audited), forget this tab's state, and delete the cookie."""
    sessions.end(wh, st.session_state.get(_TAB_SESSION), user)
    st.session_state.clear()
    st.session_state[_TRIED] = True
    st.session_state[_FORGET] = True


def _sync_cookie(logged_in: bool) -> None:
    """Keep the browser's cookie in step: set it while this tab's token is not the one the page was loaded with;
    delete it after a logout or a refusal. The script element stays while needed (unchanged, it does not run
    again) and is hidden, so it takes no room."""
    token = st.session_state.get(_TAB_SESSION) if logged_in else None
    loaded_with = _loaded_with()
    if token and token != loaded_with:
        value, max_age = token, int(sessions.Lifetimes.from_settings().absolute.total_seconds())
    elif not logged_in and (st.session_state.get(_FORGET) or loaded_with):
        value, max_age = "", 0
    else:
        return
    st.html(f'<style>[data-testid="stLayoutWrapper"]:has(> .st-key-{_HIDDEN}) {{display: none}}</style>')
    script = (
        f"<script>document.cookie = '{COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )
    with st.container(key=_HIDDEN):
        st.html(script, unsafe_allow_javascript=True)


def session_admin(wh: Warehouse, admin: Principal, usernames: list[str]) -> None:
    """系统管理 → 账号: who is logged in where, and ending every session of one account."""
    with st.expander("登录会话", icon=":material/devices:"):
        st.caption(f"{sessions.Lifetimes.from_settings().describe()}；停用账号或重置密码时，该账号的全部会话立即结束。")
        st.dataframe(
            [
                {
                    "用户名": s["username"],
                    "登录方式": sessions.VIA.get(s["via"], s["via"]),
                    "开始": s["created_at"],
                    "最近使用": s["last_seen"],
                    "最迟结束": s["expires_at"],
                    "浏览器": s["user_agent"] or "",
                    "会话": s["tag"],
                }
                for s in sessions.open_sessions(wh, admin)
            ],
            hide_index=True,
            width="stretch",
        )
        with st.form("end_sessions"):
            target = st.selectbox("账号", usernames, key="end_sessions_user")
            if st.form_submit_button("结束该账号的全部会话"):
                n = sessions.end_all(wh, admin, target)
                st.success(f"已结束 {target} 的 {n} 个会话。" if n else f"{target} 当前没有登录会话。")
