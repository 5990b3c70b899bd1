"""监测线索"""

import streamlit as st

from pages.common import as_of, empty_state, guard, warehouse

guard("monitoring")
wh = warehouse()

st.title("监测线索")
st.caption(f"统计截止 {as_of():%Y-%m-%d}")
empty_state("尚无监测线索数据：请先在「数据上报」页载入网络交易监测线索导出文件。")
