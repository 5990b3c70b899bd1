"""网剑行动 dashboard: the frame and the router. Page config, the warehouse, login, the shared sidebar, and the
navigation built from the pages (app_pages/) the user's role may see."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from app_pages.ui.common import warehouse
from app_pages.ui.freshness import freshness_strip
from app_pages.ui.guard import run_guarded
from app_pages.ui.layout import phone_css
from app_pages.ui.session import current_user, sign_in, sign_out
from auth.accounts import MIN_PASSWORD_LENGTH, AuthError, bootstrap_admin, has_users, login, lookup_email
from auth.audit import record
from auth.policy import PAGE_TITLES, PAGES_BY_ROLE, Principal
from campaign import CampaignError
from loaders import demo
from metrics.dates import default_as_of
from warehouse import WarehouseError

STATIC = Path(__file__).resolve().parent / "static"
# Every asset is served from here: the office network has no internet (a ":material/…:" page icon is fetched
# from a font host).
st.set_page_config(page_title="网剑行动 · 网络市场监管专项行动", page_icon=STATIC / "favicon.png", layout="wide")
st.html(
    "<style>"
    + (STATIC / "wangjian.css")
    .read_text(encoding="utf-8")
    .replace("__MAX_UPLOAD_MB__", str(st.get_option("server.maxUploadSize")))
    + "</style>"
)

try:
    wh = warehouse()
except (CampaignError, WarehouseError) as exc:
    st.error(f"无法打开数据仓库：{exc}")
    st.stop()

campaign = wh.campaign

ICONS = {
    "overview": ":material/dashboard:",
    "uploads": ":material/upload_file:",
    "complaints": ":material/forum:",
    "monitoring": ":material/radar:",
    "tracking": ":material/fact_check:",
    "followup": ":material/assignment_late:",
    "admin": ":material/admin_panel_settings:",
}


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def bootstrap_page() -> None:
    st.title("创建初始管理员")
    st.write("这是系统第一次启动，尚无任何账号。请设置管理员账号（系统没有默认密码）。")
    with st.form("bootstrap"):
        username = st.text_input("管理员用户名")
        display_name = st.text_input("姓名")
        password = st.text_input("密码", type="password", help=f"至少 {MIN_PASSWORD_LENGTH} 位")
        again = st.text_input("再次输入密码", type="password")
        if st.form_submit_button("创建并登录", type="primary"):
            if password != again:
                st.error("两次输入的密码不一致。")
            else:
                try:
                    p = bootstrap_admin(wh, username.strip(), password, display_name.strip())
                except AuthError as exc:
                    st.error(str(exc))
                else:
                    sign_in(wh, p, "bootstrap")
                    st.rerun()


def login_page() -> None:
    st.title("登录")
    st.caption(f"{campaign.name}　{campaign.office}")
    with st.form("login"):
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        if st.form_submit_button("登录", type="primary"):
            try:
                p = login(wh, username.strip(), password)
            except AuthError as exc:
                st.error(str(exc))
            else:
                sign_in(wh, p, "password")
                st.rerun()
    if _oidc_configured():
        if st.user.is_logged_in:
            p = lookup_email(wh, st.user.email or "")
            if p is None:
                st.error(f"统一身份认证账号 {st.user.email} 未在本系统开通，请联系管理员。")
                record(wh, str(st.user.email), "login_failed", detail="统一身份认证：未开通")
            else:
                record(wh, p, "login", p.username, detail="统一身份认证")
                sign_in(wh, p, "oidc")
                st.rerun()
        else:
            st.button("使用统一身份认证登录", on_click=st.login)


def demo_controls(user: Principal) -> None:
    """On an empty warehouse, one click loads the shipped demo dataset (through the real loaders);
    while demo data is in, every page says so, and one click removes it. Administrators only: the dataset holds
    every unit's weekly tables, which no other role may load."""
    has_demo = demo.has_demo(wh)
    if has_demo:
        st.warning("当前含演示数据，数字不代表真实工作情况。", icon=":material/science:")
    if user.role != "admin":
        return
    if has_demo:
        if st.button("移除演示数据", icon=":material/delete:"):
            demo.remove_demo(wh, user=user)  # each batch's withdrawal is audited; the summaries follow
            st.rerun()
    elif (
        wh.is_empty()
        and demo.manifest()
        and st.button(
            "载入演示数据",
            icon=":material/science:",
            type="primary",
            help="载入随程序提供的演示数据集（经与正式上传相同的校验入库），可随时一键移除。",
        )
    ):
        bar = st.progress(0.0, text="正在载入演示数据……")
        results = demo.load_demo(wh, user=user, progress=lambda i, n, f: bar.progress(i / n, text=f"正在载入 {f}"))
        bar.empty()
        rejected = [r for r in results if r.status == "rejected"]
        if rejected:
            st.error(f"{len(rejected)} 个演示文件未能载入：" + "；".join(r.errors[0].message for r in rejected[:3]))
        st.rerun()


def stray_paths() -> list[str]:
    """The address asked for when it names no page ("/no-such-page"), to be routed like a known one: Streamlit
    would otherwise show its English "Page not found" dialog, and has no option for it. (The intended page name is
    what Streamlit's own resolver reads; a nested or unusual path still gets the dialog.)"""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    name = ((ctx and ctx.pages_manager.intended_page_name) or "").strip("/")
    return [name] if re.fullmatch(r"[A-Za-z0-9_-]+", name) and name not in ("login", *PAGE_TITLES) else []


user = current_user(wh)  # the server-side session: survives a reload, ends on idle, logout or an admin's order
if user is None:
    st.session_state.pop("username", None)  # a deactivated or deleted account loses its session here
    # Always navigate, even to the login page alone: no page script and no data runs before login.
    # Whatever page the URL asks for, only the login form is drawn: every known path routes to it (a link to
    # /complaints opens the login form, not Streamlit's English "Page not found"), and once logged in the same
    # path opens that page.
    entry = login_page if has_users(wh) else bootstrap_page
    entry()
    st.navigation(
        [
            st.Page(entry, title="登录", url_path=path, default=(path == "login"))
            for path in ("login", *PAGE_TITLES, *stray_paths())
        ],
        position="hidden",
    )
    st.stop()


def not_allowed() -> None:
    """Where a link to a page this role may not see leads (instead of Streamlit's "Page not found")."""
    st.title("无权访问")
    st.warning(f"{user.label}无权访问该页面。请从左侧菜单选择可访问的页面。", icon=":material/lock:")


allowed = PAGES_BY_ROLE[user.role]
pages = [
    st.Page(f"app_pages/{key}.py", title=PAGE_TITLES[key], icon=ICONS[key], url_path=key, default=(key == allowed[0]))
    for key in allowed
]
# Every other known path still routes somewhere: /login (the page just logged in from) to the default page, a
# page of another role to a Chinese refusal.
elsewhere = [st.Page(lambda: st.switch_page(pages[0]), title="登录", url_path="login")]
elsewhere += [st.Page(not_allowed, title="无权访问", url_path=key) for key in PAGE_TITLES if key not in allowed]
elsewhere += [st.Page(lambda: st.switch_page(pages[0]), title="首页", url_path=path) for path in stray_paths()]
# Only this script builds the menu: page links to the pages this role may see (position="hidden" keeps
# st.navigation from drawing a second one). The pages live in app_pages/, not pages/: Streamlit lists a folder
# named pages/ by itself, at the login form too, before this script has run.
navigation = st.navigation(pages + elsewhere, position="hidden")

with st.sidebar:
    with st.container(key="menu"):
        for page in pages:
            st.page_link(page)
    st.divider()
    st.markdown(f"**{campaign.short_name}**")
    st.caption(f"{campaign.office}　{campaign.start:%Y年%-m月%-d日}—{campaign.end:%Y年%-m月%-d日}")
    version = wh.data_version()
    if st.session_state.get("as_of_data_version") != version or "as_of_widget" not in st.session_state:
        # New data moves the default date forward, and the date of a user who kept the default with it; a date the
        # user picked stays, whoever loads what, until they pick another.
        default, picked = default_as_of(wh), st.session_state.get("as_of")
        kept_default = picked is None or picked == st.session_state.get("as_of_default")
        st.session_state["as_of_widget"] = default if kept_default else picked
        st.session_state["as_of_default"] = default
        st.session_state["as_of_data_version"] = version
    st.session_state["as_of"] = st.date_input(
        "统计截止日期",
        key="as_of_widget",
        min_value=campaign.start,
        max_value=campaign.end,
        format="YYYY-MM-DD",
        help="默认取已入库数据的最新日期。",
    )
    demo_controls(user)
    st.divider()
    unit_note = f" · {campaign.unit_label(user.unit)}" if user.unit else ""
    st.caption(f"当前用户：{user.label}{unit_note}")
    if st.button("退出登录", icon=":material/logout:"):
        sign_out(wh, user)
        if _oidc_configured() and st.user.is_logged_in:
            st.logout()
        st.rerun()

phone_css()  # below 640 px: one column, the heat map's phone form, wrapping badges (issue 14)
if not wh.is_empty():
    freshness_strip()  # every page: how fresh each source is (issue 14)
run_guarded(navigation.run)  # a refusal or an error under a page: a Chinese message
