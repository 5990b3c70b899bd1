"""总览: what leadership opens every morning."""

import streamlit as st

from pages.common import as_of, empty_state, guard, warehouse

guard("overview")
wh = warehouse()
c = wh.campaign

st.title("总览")
st.caption(f"{c.name}　统计截止 {as_of():%Y-%m-%d}")

if wh.is_empty():
    empty_state("尚无数据：还没有任何统计表、投诉举报或监测线索入库。请到「数据上报」页上传文件。")
    st.subheader("活动阶段")
    st.table(
        {
            "阶段": [s.label for s in c.stages],
            "起止": [f"{s.start:%Y-%m-%d} 至 {s.end:%Y-%m-%d}" for s in c.stages],
            "主要任务": [s.task for s in c.stages],
        }
    )
    st.stop()
