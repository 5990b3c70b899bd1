"""数据上报: office staff upload weekly 统计表; analysts load 12315 / 12358 / monitoring exports."""

import streamlit as st

from app_pages.ui import upload_exports, upload_stats
from app_pages.ui.common import empty_state, guard, warehouse
from loaders import withdraw
from warehouse.batches import list_batches

user = guard("uploads")
wh = warehouse()
KIND_LABELS = {key: kind.label for key, kind in wh.campaign.kinds.items()}

st.title("数据上报")

tab_stats, tab_exports, tab_history = st.tabs(["情况统计表（周报）", "投诉举报与监测线索导出", "上报记录"])
with tab_stats:
    upload_stats.render(wh)
with tab_exports:
    upload_exports.render(wh)

with tab_history:
    history = list_batches(wh)
    if history.is_empty():
        empty_state("尚无上报记录。")
    else:
        c = wh.campaign
        units = {u.key: u.label for u in c.units}
        view = history.to_dicts()
        st.dataframe(
            [
                {
                    "批次": b["batch_id"],
                    "类型": KIND_LABELS.get(b["kind"], b["kind"]),
                    "文件": b["file_name"],
                    "单位": units.get(b["unit"] or "", ""),
                    "周": b["week_start"],
                    "入库行数": b["rows_loaded"],
                    "隔离行数": b["rows_quarantined"],
                    "状态": "已撤销" if b["status"] == "withdrawn" else "有效",
                    "演示数据": "是" if b["is_demo"] else "",
                    "上报人": b["loaded_by"],
                    "上报时间": b["loaded_at"],
                }
                for b in view
            ],
            hide_index=True,
            width="stretch",
        )
        live = [b for b in view if b["status"] == "loaded"]
        if live:
            with st.form("withdraw"):
                choice = st.selectbox("撤销批次", live, format_func=lambda b: f"#{b['batch_id']} {b['file_name']}")
                confirm = st.checkbox("确认撤销：该批次的数据将从统计中移除，被它替换的旧版本恢复生效。")
                if st.form_submit_button("撤销", type="secondary"):
                    if not confirm:
                        st.warning("请先勾选确认。")
                    else:
                        withdraw(wh, choice["batch_id"], user=user)  # the summaries follow (loaders.withdraw)
                        st.success(f"已撤销批次 #{choice['batch_id']}（{choice['file_name']}）。")
                        st.rerun()
