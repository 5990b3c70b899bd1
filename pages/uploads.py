"""数据上报: office staff upload weekly 统计表; analysts load 12315 / 12358 / monitoring exports."""

import streamlit as st

from pages.common import empty_state, warehouse
from warehouse.batches import list_batches

wh = warehouse()

st.title("数据上报")

history = list_batches(wh)
st.subheader("上报记录")
if history.is_empty():
    empty_state("尚无上报记录。")
else:
    st.dataframe(history, hide_index=True, width="stretch")
