"""网剑行动 dashboard: the frame. Page config, the warehouse, the shared sidebar and the navigation."""

from __future__ import annotations

import streamlit as st

from campaign import CampaignError
from metrics.dates import default_as_of
from pages.common import warehouse
from warehouse import WarehouseError

st.set_page_config(page_title="网剑行动 · 网络市场监管专项行动", page_icon=":material/shield:", layout="wide")

try:
    wh = warehouse()
except (CampaignError, WarehouseError) as exc:
    st.error(f"无法打开数据仓库：{exc}")
    st.stop()

campaign = wh.campaign

PAGES = [
    st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/uploads.py", title="数据上报", icon=":material/upload_file:", url_path="uploads"),
    st.Page("pages/complaints.py", title="投诉分析", icon=":material/forum:", url_path="complaints"),
    st.Page("pages/monitoring.py", title="监测线索", icon=":material/radar:", url_path="monitoring"),
    st.Page("pages/tracking.py", title="报送进度", icon=":material/fact_check:", url_path="tracking"),
]
navigation = st.navigation(PAGES)

with st.sidebar:
    st.markdown(f"**{campaign.short_name}**")
    st.caption(f"{campaign.office}　{campaign.start:%Y年%-m月%-d日}—{campaign.end:%Y年%-m月%-d日}")
    default = default_as_of(wh)
    if st.session_state.get("as_of_data_version") != wh.data_version():
        # New data moves the default forward; a date the user picked stays as long as the data does not change.
        st.session_state["as_of"] = default
        st.session_state["as_of_data_version"] = wh.data_version()
    st.date_input(
        "统计截止日期",
        key="as_of",
        min_value=campaign.start,
        max_value=campaign.end,
        format="YYYY-MM-DD",
        help="默认取已入库数据的最新日期。",
    )

navigation.run()
