"""系统管理's 提醒渠道 and 发件箱 tabs: what the channel file says (and what is wrong with it, in Chinese), the
routes an admin adds here, what is due, a send-now button, and every message with its delivery outcome."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import polars as pl
import streamlit as st

from actions import outbox, reminders
from actions.board import assignee_label
from actions.config import (
    AUDIENCES,
    CHANNELS,
    ROBOT_KINDS,
    add_route,
    load_config,
    remove_route,
    routes_frame,
    safe_url,
)
from auth.policy import PermissionDenied, Principal
from warehouse import Warehouse

KINDS = {"weekly_table": "统计表催报", "deliverable": "报送材料催报", "followup": "督办提醒", "digest": "领导周报"}
STATUS = {**outbox.STATUS_LABELS, "unrouted": "未配置渠道"}
SCHEDULE = "30 8 * * 1-5  cd /srv/wangjian && WANGJIAN_DB=/srv/wangjian/data/wangjian.duckdb python -m actions send"


def channels_tab(wh: Warehouse, user: Principal) -> None:
    c = wh.campaign
    cfg = load_config(c)
    st.caption(
        f"渠道配置文件：{cfg.path}（{'已找到' if cfg.path.is_file() else '不存在，邮件和群机器人尚未配置'}）。"
        "邮件服务器、机器人地址和密钥只写在该文件或环境变量中，不进入数据库；示例见 data/channels.example.toml。"
    )
    for problem in cfg.problems:
        st.error(problem, icon=":material/error:")
    smtp = cfg.smtp
    st.markdown(
        "**邮件服务器**　"
        + (
            f"{smtp.host}:{smtp.port}　STARTTLS {'开' if smtp.starttls else '关'}　"
            f"登录 {smtp.username or '不登录'}{'（密码已设置）' if smtp.password else ''}　发件人 {smtp.sender}"
            if smtp
            else "未配置"
        )
    )
    st.markdown(
        "**群机器人**　"
        + (
            "；".join(
                f"{r.name}：{ROBOT_KINDS[r.kind]} {safe_url(r.url)}{'（加签）' if r.secret else ''}"
                for r in cfg.robots.values()
            )
            or "未配置"
        )
    )
    routes = routes_frame(wh, cfg)
    st.markdown("**提醒路由**（哪些邮箱、机器人收到哪个单位的催报和督办提醒，领导周报发给谁）")
    st.dataframe(routes.drop("route_id"), hide_index=True, width="stretch")
    with st.form("route_add", clear_on_submit=True):
        cols = st.columns(5)
        audience = cols[0].selectbox("对象", list(AUDIENCES), format_func=AUDIENCES.get)
        unit = cols[1].selectbox("单位（承办单位时）", [u.key for u in c.units], format_func=c.unit_label)
        agency = cols[2].selectbox(
            "部门",
            [None, *[a.key for a in c.agencies]],
            format_func=lambda k: "全部" if k is None else c.agency(k).label,
        )
        channel = cols[3].selectbox("渠道", list(CHANNELS), format_func=CHANNELS.get)
        target = cols[4].text_input("邮箱地址或机器人名称", help="机器人名称即配置文件中 [robots.名称] 的名称")
        if st.form_submit_button("添加路由"):
            try:
                add_route(wh, user, cfg, audience=audience, channel=channel, target=target, unit=unit, agency=agency)
            except (ValueError, PermissionDenied) as exc:
                st.error(f"未添加：{exc}")
            else:
                st.success("已添加。")
                st.rerun()
    mine = routes.filter(pl.col("route_id").is_not_null())
    if mine.height:
        cols = st.columns([3, 1], vertical_alignment="bottom")
        ids = mine["route_id"].to_list()
        labels = dict(zip(ids, (f"{r['单位'] or r['对象']} · {r['渠道']} {r['地址或机器人']}" for r in mine.to_dicts()),
                          strict=True))  # fmt: skip
        rid = cols[0].selectbox("删除在此添加的路由", ids, format_func=labels.get)
        if cols[1].button("删除", key="route_remove"):
            try:
                remove_route(wh, user, rid)
            except (ValueError, PermissionDenied) as exc:
                st.error(str(exc))
            else:
                st.rerun()


def outbox_tab(wh: Warehouse, user: Principal, day: dt.date) -> None:
    c = wh.campaign
    st.caption(
        "催报提醒、督办提醒和每周一的领导周报由定时任务调用 `python -m actions send` 发送（见 README）；同一提醒只发送一次，"
        "发送失败的在下次运行时重试。也可在此按侧边栏的统计截止日期立即计算和发送。"
    )
    st.code(SCHEDULE, language="bash")
    due = reminders.reminders(wh, day)
    cols = st.columns([2, 1])
    cols[0].markdown(f"截至 {day:%Y-%m-%d} 应发提醒 **{len(due)}** 条（含已发送过的，不会重复发送）。")
    if cols[1].button("立即发送", type="primary", icon=":material/send:", key="outbox_send"):
        if user.role != "admin":
            st.error("仅管理员可以发送提醒。")
        else:
            report = outbox.send(wh, day)
            msg = f"新提醒 {report.composed} 条；发送成功 {report.sent} 次，失败 {report.failed} 次"
            (st.warning if report.failed or report.unrouted else st.success)(
                msg + (f"；{report.unrouted} 条因单位未配置渠道暂未发送" if report.unrouted else "") + "。"
            )
            for e, n in Counter(report.errors).most_common(10):  # one line per distinct failure
                st.error(e + (f"（{n} 条）" if n > 1 else ""))
    box = outbox.outbox(wh)
    if box.height == 0:
        st.info("发件箱为空。", icon=":material/inbox:")
        return
    units = {u.key for u in c.units}
    st.dataframe(
        [
            {
                "生成时间": r["created_at"],
                "类型": KINDS.get(r["kind"], r["kind"]),
                "对象": "领导"
                if r["audience"] == "leadership"
                else (assignee_label(c, r["unit"], r["agency"]) if r["unit"] in units and r["agency"] else ""),
                "标题": r["subject"],
                "状态": STATUS.get(r["status"], r["status"]),
                "错误": r["last_error"] or "",
                "渠道": CHANNELS.get(r["channel"], "—"),
                "发往": r["target"] or "",
                "尝试次数": r["attempts"],
                "发送时间": r["sent_at"],
                "统计日期": r["as_of"],
            }
            for r in box.to_dicts()
        ],
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * box.height, 700),
    )
