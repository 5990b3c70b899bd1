"""投诉分析"""

import streamlit as st

from pages.common import as_of, empty_state, guard, warehouse

guard("complaints")
wh = warehouse()

st.title("投诉分析")
st.caption(f"统计截止 {as_of():%Y-%m-%d}")
empty_state("尚无投诉举报数据：请先在「数据上报」页载入 12315 或 12358 导出文件。")
