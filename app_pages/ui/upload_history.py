"""The 上报记录 tab of 数据上报: the batches this user may see, and 撤销 for those they may withdraw.

A unit's staff see their own (unit, agency)'s batches only; an analyst the exports; an admin everything. The
withdrawal list offers only batches auth.policy lets this user withdraw, and a refusal that still happens (the
batch was withdrawn in another window meanwhile) is a Chinese message.
"""

from __future__ import annotations

import streamlit as st

from app_pages.ui.common import empty_state, office_time
from auth.policy import PermissionDenied, Principal, require_withdraw
from loaders import withdraw
from warehouse import Warehouse
from warehouse.batches import list_batches

CHOICE = "withdraw_choice"
DONE = "withdraw_done"


def _visible(wh: Warehouse, user: Principal) -> list[dict]:
    """The batches this user may see, newest first."""
    if user.role == "unit_staff":
        return list_batches(wh, unit=user.unit, agency=user.agency).to_dicts()
    if user.role == "analyst":
        return list_batches(wh, list(wh.campaign.export_kinds)).to_dicts()
    return list_batches(wh).to_dicts()


def _may_withdraw(user: Principal, batch: dict) -> bool:
    try:
        require_withdraw(user, batch["kind"], batch["unit"], batch["loaded_by"])
    except PermissionDenied:
        return False
    return True


def _reporter(wh: Warehouse, batch: dict) -> str:
    c = wh.campaign
    if batch["unit"] and batch["agency"]:
        return c.reporter_label(batch["unit"], batch["agency"])
    return c.unit_label(batch["unit"]) if batch["unit"] else ""


def withdraw_batch(wh: Warehouse, user: Principal, batch: dict, done: str = DONE) -> None:
    """撤销 one batch (a dict with batch_id and file_name); on success the message waits in st.session_state[done]
    for the rerun, and a refusal is a Chinese message here."""
    try:
        withdraw(wh, batch["batch_id"], user=user)  # the summaries follow (loaders.withdraw)
    except PermissionDenied as exc:
        st.error(str(exc), icon=":material/block:")
    except ValueError as exc:  # gone meanwhile: withdrawn in another window, or never there
        st.error(f"未能撤销：{exc}。请刷新后查看最新上报记录。", icon=":material/block:")
    else:
        st.session_state[done] = f"已撤销批次 #{batch['batch_id']}（{batch['file_name']}）。"
        st.session_state.pop(CHOICE, None)
        st.rerun()


def show_done(done: str = DONE) -> None:
    """The message a withdrawal left for this run, once."""
    if done in st.session_state:
        st.success(st.session_state.pop(done), icon=":material/check_circle:")


def render(wh: Warehouse, user: Principal) -> None:
    history = _visible(wh, user)
    show_done()
    if not history:
        empty_state("尚无上报记录。")
        return
    kinds = {key: kind.label for key, kind in wh.campaign.kinds.items()}
    st.dataframe(
        [
            {
                "批次": b["batch_id"],
                "类型": kinds.get(b["kind"], b["kind"]),
                "文件": b["file_name"],
                "填报单位": _reporter(wh, b),
                "报告周": f"{b['week_start']:%Y-%m-%d}" if b["week_start"] else "",
                "入库行数": b["rows_loaded"],
                "隔离行数": b["rows_quarantined"],
                "状态": "已撤销" if b["status"] == "withdrawn" else "有效",
                "演示数据": "是" if b["is_demo"] else "",
                "上报人": b["loaded_by"],
                "上报时间": office_time(b["loaded_at"]),
            }
            for b in history
        ],
        hide_index=True,
        width="stretch",
    )
    by_id = {b["batch_id"]: b for b in history}
    mine = [b["batch_id"] for b in history if b["status"] == "loaded" and _may_withdraw(user, b)]
    chosen = st.session_state.get(CHOICE)
    if chosen in by_id and chosen not in mine:
        # Chosen before it changed (withdrawn elsewhere meanwhile): kept, so the submit is refused in words
        # instead of the form silently switching to another batch.
        mine.insert(0, chosen)
    if not mine:
        st.caption("没有可由您撤销的批次（只能撤销本人上报、仍有效的批次）。")
        return
    with st.form("withdraw"):
        st.selectbox(
            "撤销批次",
            mine,
            index=None,
            key=CHOICE,
            placeholder="选择要撤销的批次",
            format_func=lambda i: f"#{i} {by_id[i]['file_name']}（{kinds.get(by_id[i]['kind'], '')}）",
        )
        confirm = st.checkbox("确认撤销：该批次的数据将从统计中移除，被它替换的旧版本恢复生效。")
        if st.form_submit_button("撤销", type="secondary"):
            batch = by_id.get(st.session_state.get(CHOICE))
            if batch is None:
                st.warning("请先选择要撤销的批次。")
            elif not confirm:
                st.warning("请先勾选确认。")
            else:
                withdraw_batch(wh, user, batch)
