"""系统管理 page: accounts, classification rules, working-day overrides and the audit trail. Admins only."""

import datetime as dt

import streamlit as st

from app_pages.ui.common import as_of, guard, office_time, warehouse
from app_pages.ui.notify_admin import channels_tab, outbox_tab
from app_pages.ui.session import session_admin
from auth.accounts import MIN_PASSWORD_LENGTH, AuthError, create_user, reset_password, set_active
from auth.policy import ROLES, PermissionDenied
from auth.sessions import ACTION_LABELS
from warehouse import admin as ops

user = guard("admin")
wh = warehouse()
c = wh.campaign

st.title("系统管理")
tab_users, tab_rules, tab_calendar, tab_channels, tab_outbox, tab_audit = st.tabs(
    ["账号", "分类规则", "工作日调整", "提醒渠道", "发件箱", "审计日志"]
)

ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "upload": "上传",
    "withdraw": "撤销",
    "export": "导出",
    "document": "生成文书",
    "user_change": "账号变更",
    "rule_change": "规则变更",
    "calendar_change": "日历调整",
    "followup": "督办",
    "channel_change": "渠道变更",
    **ACTION_LABELS,
}

with tab_users:
    accounts = ops.users(wh, user)
    st.dataframe(
        [
            {
                "用户名": a["username"],
                "姓名": a["display_name"],
                "角色": ROLES[a["role"]],
                "单位": c.unit_label(a["unit"]) if a["unit"] else "",
                "部门": c.agency(a["agency"]).label if a["agency"] else "",
                "邮箱": a["email"] or "",
                "状态": "启用" if a["active"] else "停用",
                "锁定至": office_time(a["locked_until"]),
            }
            for a in accounts.to_dicts()
        ],
        hide_index=True,
        width="stretch",
    )
    with st.expander("新建账号", icon=":material/person_add:"), st.form("new_user", clear_on_submit=True):
        username = st.text_input("用户名")
        display_name = st.text_input("姓名")
        role = st.selectbox("角色", list(ROLES), format_func=ROLES.get)
        unit = st.selectbox("填报单位（仅填报员）", [u.key for u in c.units], format_func=c.unit_label)
        agency = st.selectbox(
            "部门（区局填市工商局）", [a.key for a in c.agencies], format_func=lambda k: c.agency(k).label
        )
        email = st.text_input("邮箱（统一身份认证登录时使用，可不填）")
        password = st.text_input("初始密码", type="password", help=f"至少 {MIN_PASSWORD_LENGTH} 位")
        if st.form_submit_button("创建", type="primary"):
            try:
                create_user(
                    wh,
                    user,
                    username.strip(),
                    role,
                    password or None,
                    display_name=display_name,
                    unit=unit,
                    agency=agency,
                    email=email.strip() or None,
                )
            except (AuthError, PermissionDenied) as exc:
                st.error(str(exc))
            else:
                st.success(f"已创建账号 {username}。")
                st.rerun()
    names = accounts["username"].to_list()
    with st.expander("启用、停用、重置密码", icon=":material/manage_accounts:"), st.form("edit_user"):
        target = st.selectbox("账号", names)
        action = st.radio("操作", ["启用（并解锁）", "停用", "重置密码"], horizontal=True)
        new_password = st.text_input("新密码（仅重置密码时填写）", type="password")
        if st.form_submit_button("执行"):
            try:
                if action == "重置密码":
                    reset_password(wh, user, target, new_password)
                else:
                    set_active(wh, user, target, action != "停用")
            except (AuthError, PermissionDenied) as exc:
                st.error(str(exc))
            else:
                st.success("已完成。")
                st.rerun()
    session_admin(wh, user, names)

with tab_rules:
    st.caption(
        "记录按“问题类别/价格违法行为/线索类型”等字段中的关键词归入重点工作；按优先级从小到大匹配，"
        "都不匹配的归为“未分类”（F0）。规则变更对此后载入的数据生效。"
    )
    rules = ops.classification_rules(wh)
    edited = st.data_editor(
        rules.to_dicts(),
        num_rows="dynamic",
        width="stretch",
        key="rules_editor",
        column_config={
            "priority": st.column_config.NumberColumn("优先级", min_value=0, step=1, required=True),
            "focus_key": st.column_config.SelectboxColumn(
                "重点工作", options=[f.key for f in c.focus_areas], required=True
            ),
            "keyword": st.column_config.TextColumn("关键词", required=True),
        },
    )
    if st.button("保存规则", type="primary"):
        try:
            ops.replace_classification_rules(
                wh, user, [(r["priority"], r["focus_key"], r["keyword"]) for r in edited if r.get("keyword")]
            )
        except ValueError as exc:
            st.error(str(exc))
        else:
            st.success("规则已保存。")

with tab_calendar:
    st.caption("官方工作日历（含调休）由 chinesecalendar 提供；如有错误，在此更正。报送截止日期随之重算。")
    st.dataframe(ops.calendar_overrides(wh), hide_index=True, width="stretch")
    with st.form("calendar"):
        day = st.date_input(
            "日期", value=c.start, min_value=dt.date(c.start.year - 1, 1, 1), max_value=dt.date(c.end.year + 1, 12, 31)
        )
        kind = st.radio("设为", ["工作日", "休息日", "删除调整"], horizontal=True)
        note = st.text_input("说明")
        if st.form_submit_button("保存"):
            ops.set_calendar_override(wh, user, day, None if kind == "删除调整" else kind == "工作日", note)
            st.success("已保存，截止日期已重算。")

with tab_channels:
    channels_tab(wh, user)

with tab_outbox:
    outbox_tab(wh, user, as_of())

with tab_audit:
    cols = st.columns(4)
    who = cols[0].selectbox("用户", names, index=None, placeholder="全部")
    what = cols[1].selectbox("操作", list(ACTIONS), index=None, placeholder="全部", format_func=ACTIONS.get)
    start = cols[2].date_input("起", value=None)
    end = cols[3].date_input("止", value=None)
    trail = ops.audit_trail(wh, user, username=who, action=what, start=start, end=end)
    st.dataframe(
        [
            {
                "时间": office_time(r["logged_at"]),
                "用户": r["username"],
                "操作": ACTIONS.get(r["action"], r["action"]),
                "对象": r["target"] or "",
                "sha256": r["sha256"] or "",
                "说明": r["detail"] or "",
            }
            for r in trail.to_dicts()
        ],
        hide_index=True,
        width="stretch",
    )
