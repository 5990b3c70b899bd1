"""数据上报: office staff upload weekly 统计表; analysts load 12315 / 12358 / monitoring exports; everyone sees the
batches they may see and withdraws their own."""

import streamlit as st

from app_pages.ui import upload_exports, upload_history, upload_stats
from app_pages.ui.common import guard, warehouse

user = guard("uploads")
wh = warehouse()

st.title("数据上报")

tab_stats, tab_exports, tab_history = st.tabs(["情况统计表（周报）", "投诉举报与监测线索导出", "上报记录"])
with tab_stats:
    upload_stats.render(wh)
with tab_exports:
    upload_exports.render(wh)
with tab_history:
    upload_history.render(wh, user)
