"""报送进度"""

import streamlit as st

from pages.common import as_of, empty_state, warehouse

wh = warehouse()

st.title("报送进度")
st.caption(f"统计截止 {as_of():%Y-%m-%d}")
empty_state("尚无报送记录：各单位上报统计表后，这里显示每周报送情况。")
