"""督办 page: open an item (office; prefilled when it comes from a lead, an anomaly, an overdue hit or a late unit),
the items as they stood on the as-of date with their lights, and one item's history and next step. Unit staff see
and act on their own unit's items only; actions.items checks every step again."""

import streamlit as st

from actions import board
from actions import items as fi
from app_pages.ui.common import as_of, cached, empty_state, guard, warehouse
from app_pages.ui.followup import LEGEND, PREFILL, can_open, items_view, light_text, plain
from auth.policy import FOLLOWUP_OFFICE, PermissionDenied
from loaders.result import Upload

user = guard("followup")
wh = warehouse()
c = wh.campaign
day = as_of()

st.title("督办")
st.caption(
    f"统计截止 {day:%Y-%m-%d}　·　办理时限按法定工作日计算（含调休）：{LEGEND}。"
    "已反馈的事项按反馈日期定灯。移动统计截止日期可查看当日的状态。"
)
if user.role == "unit_staff":
    st.info(
        f"您看到的是本单位（{board.assignee_label(c, user.unit, user.agency)}）的督办事项。", icon=":material/info:"
    )

# --- open an item (the office) ---------------------------------------------------------------------
prefill = st.session_state.get(PREFILL)
if can_open(user):
    origin: fi.Origin = prefill["origin"] if prefill else fi.Origin()
    # On a phone the form drops its own frame inside the expander's (layout.py), so its fields keep the width.
    with (
        st.container(key="fu_new"),
        st.expander("新建督办事项", expanded=bool(prefill), icon=":material/assignment_add:"),
    ):
        if prefill:
            st.caption(f"来源：{fi.ORIGINS[origin.kind]}　{origin.note or ''}　{'、'.join(origin.record_ids[:10])}")
        with st.form("fu_open"):
            title = st.text_input("事项标题", value=prefill["title"] if prefill else "")
            description = st.text_area("督办要求", value=prefill.get("description", "") if prefill else "")
            cols = st.columns(4)
            units = [u.key for u in c.units]
            unit = cols[0].selectbox(
                "承办单位", units, index=units.index(prefill["unit"]) if prefill else 0, format_func=c.unit_label
            )
            agencies = [a.key for a in c.agencies]
            lead = next(a.key for a in c.agencies if a.lead)
            agency = cols[1].selectbox(
                "承办部门（市本级可选成员单位）",
                agencies,
                index=agencies.index(prefill.get("agency", lead) if prefill else lead),
                format_func=lambda k: c.agency(k).label,
            )
            workdays = cols[2].number_input(
                "办理时限（工作日）",
                1,
                fi.MAX_WORKDAYS,
                int(prefill.get("workdays", fi.DEFAULT_WORKDAYS) if prefill else 5),
            )
            levels = ["normal", "listed"] if user.role == "admin" else ["normal"]
            level = cols[3].selectbox("级别", levels, format_func=fi.LEVELS.get)
            st.caption(f"下发日期：{day:%Y-%m-%d}（统计截止日期）；反馈期限按工作日自动计算。")
            if st.form_submit_button("下发", type="primary"):
                try:
                    item_id = fi.open_item(
                        wh, user, title=title, unit=unit, agency=agency, opened_on=day, workdays=int(workdays),
                        origin=origin, description=description, level=level,
                    )  # fmt: skip
                except (PermissionDenied, fi.FollowupError) as exc:
                    st.error(str(exc))
                else:
                    st.session_state.pop(PREFILL, None)
                    st.session_state["fu_item"] = item_id
                    st.session_state["fu_flash"] = f"已下发督办事项 #{item_id}。"
                    st.rerun()
        if prefill and st.button("放弃预填内容", key="fu_clear"):
            st.session_state.pop(PREFILL, None)
            st.rerun()

if flash := st.session_state.pop("fu_flash", None):
    st.success(flash, icon=":material/check_circle:")

# --- the items on the as-of date ----------------------------------------------------------------------
items = cached(board.items, user, day)
if not items:
    empty_state(
        f"截至 {day:%Y-%m-%d} 没有督办事项。"
        + ("可从监测线索、投诉分析、报送进度页一键开督办，或在上方新建。" if can_open(user) else "")
    )
    st.stop()

show_closed = st.toggle("显示已办结的事项", value=False, key="fu_show_closed")
shown = [i for i in items if show_closed or i.is_open]
st.subheader(f"督办事项（{len(shown)} 项）")
if shown:
    items_view(shown, c)
else:
    st.caption("没有未办结的事项。")

# --- one item ------------------------------------------------------------------------------------------
by_id = {i.item_id: i for i in items}
if st.session_state.get("fu_item") not in by_id:
    linked = st.query_params.get("item", "")
    st.session_state["fu_item"] = int(linked) if linked.isdigit() and int(linked) in by_id else None
item_id = st.selectbox(
    "查看和办理",
    [None, *by_id],
    key="fu_item",
    format_func=lambda k: "（选择事项）" if k is None else f"#{k} {by_id[k].title}",
    placeholder="（选择事项）",
)
if item_id is None:
    st.query_params.pop("item", None)
    st.stop()
st.query_params["item"] = str(item_id)
item = by_id[item_id]

with st.container(border=True):
    st.markdown(f"#### #{item.item_id} {plain(item.title)}")
    a, b, e = st.columns(3)
    a.markdown(
        f"**承办单位**　{board.assignee_label(c, item.unit, item.agency)}  \n**级别**　{item.level_label}  \n"
        f"**状态**　{item.state_label}"
    )
    b.markdown(
        f"**下发**　{item.opened_on:%Y-%m-%d}（{item.opened_by}）  \n**时限**　{item.workdays} 个工作日，"
        f"{item.due_date:%Y-%m-%d} 前反馈  \n**时限状态**　{light_text(item)}"
    )
    o = item.origin
    link = {
        "lead": f"[在监测线索页查看](/monitoring?lead={o.merchant_key})" if o.merchant_key else "",
        "late_report": "[在报送进度页查看](/tracking)",
        "anomaly": "[在投诉分析页查看](/complaints)",
        "overdue_hit": "[在监测线索页查看](/monitoring)",
    }.get(o.kind, "")
    e.markdown(
        f"**来源**　{fi.ORIGINS[o.kind]} {link}  \n"
        + (f"**经营者**　{plain(o.note or '')} {o.merchant_key or ''}  \n" if o.kind == "lead" else "")
        + (
            f"**记录编号**　{'、'.join(o.record_ids[:8])}{' 等' if len(o.record_ids) > 8 else ''}  \n"
            if o.record_ids
            else ""
        )
        + (f"**报告周**　{o.week:%Y-%m-%d}" if o.week else "")
    )
    if item.description:
        st.markdown(f"**督办要求**　{plain(item.description)}")

st.markdown("**办理记录**")
violations = {v.key: v.label for v in c.violation_types}
for s in board.step_log(wh, user, item_id):
    cites = []
    if s["cited_case_name"]:
        cites.append(f"引用典型案例“{s['cited_case_name']}”（{s['cited_decision_number']}）")
    if s["cited_week"]:
        cites.append(
            f"引用统计表2 {s['cited_week']:%m-%d}周“{violations.get(s['cited_violation'], s['cited_violation'])}”立案"
        )
    st.markdown(
        f"- **{fi.ACTIONS[s['action']]}**　{s['on_date']:%Y-%m-%d}　{s['display_name'] or s['username']}"
        f"（录入 {s['recorded_at']:%m-%d %H:%M}）　{plain(s['note'] or '')}　{'；'.join(cites)}"
    )
    for f in s["files"] or []:
        name, mime, data, sha = board.file_content(wh, user, f["file_id"])
        n = f["size_bytes"]
        size = f"{n} 字节" if n < 1024 else f"{n / 1024:,.1f} KB"
        st.download_button(
            f"下载附件 {name}（{size}，sha256 {sha[:12]}…）", data, name, mime,
            key=f"fu_file_{f['file_id']}", on_click="ignore",
        )  # fmt: skip

# --- the next step -------------------------------------------------------------------------------------
state, level, last_on = fi.current(wh, item_id)
actions = fi.available_actions(user, item.unit, item.agency, state, level)
if not actions:
    if state != "closed":
        who = "承办单位" if state in ("issued", "signed", "checking") else "联席办"
        st.caption(f"当前为“{fi.STATES[state]}”，等待{who}办理。")
    st.stop()
if day < last_on:
    st.warning(
        f"统计截止日期 {day:%Y-%m-%d} 早于该事项最近一次办理（{last_on:%Y-%m-%d}）：请把侧边栏的统计截止日期调到该日或之后再办理。"
    )
    st.stop()

st.markdown("**办理**")
action = st.radio("操作", actions, format_func=fi.ACTIONS.get, horizontal=True, key=f"fu_action_{item_id}")
with st.form(f"fu_step_{item_id}", clear_on_submit=True):
    placeholder = {"return": "退回原因（必填）", "answer": "核查处置情况（必填）"}.get(action, "说明（可不填）")
    note = st.text_area(placeholder)
    cite = fi.Citation()
    if action == "answer":
        files = st.file_uploader(
            "反馈材料（PDF、Word、图片，可多个）", accept_multiple_files=True, key=f"fu_files_{item_id}"
        )
        cases = fi.citable_cases(wh, item.unit, item.agency)
        case = st.selectbox(
            "引用本单位已报送的典型案例（可不选）", [None, *[x["batch_id"] for x in cases]],
            format_func=lambda b: "不引用" if b is None else next(
                f"{x['case_name']}（{x['decision_number']}）" for x in cases if x["batch_id"] == b),
        )  # fmt: skip
        filings = fi.citable_filings(wh, item.unit, item.agency).to_dicts()
        filing = st.selectbox(
            "引用本单位统计表2中的立案（可不选）", [None, *range(len(filings))],
            format_func=lambda k: "不引用" if k is None else
            f"{filings[k]['week_start']:%m-%d}周 {violations.get(filings[k]['violation_key'])} 立案 {filings[k]['cases_filed']:.0f} 件",
        )  # fmt: skip
    st.caption(f"办理日期：{day:%Y-%m-%d}（统计截止日期）。")
    if st.form_submit_button(fi.ACTIONS[action], type="primary"):
        if action == "answer":
            cite = fi.Citation(
                case,
                filings[filing]["week_start"] if filing is not None else None,
                filings[filing]["violation_key"] if filing is not None else None,
                [Upload(f.name, f.getvalue()) for f in files or []],
            )
        try:
            fi.act(wh, user, item_id, action, on_date=day, note=note, cite=cite)
        except (PermissionDenied, fi.FollowupError) as exc:
            st.error(str(exc))
        else:
            st.session_state["fu_flash"] = f"#{item_id} 已{fi.ACTIONS[action]}。"
            st.rerun()

if user.role in FOLLOWUP_OFFICE and state == "answered":
    st.caption("核查不到位的，选择“退回”并写明原因；反馈属实完整的，选择“办结”。")
