"""Upload section (rendered inside the 数据上报 page). Not a page of its own."""

import streamlit as st

from warehouse import Warehouse


def render(wh: Warehouse) -> None:
    st.info("此功能尚在建设中：暂不能在此上传。", icon=":material/construction:")
