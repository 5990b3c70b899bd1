"""AppTest: the 报送进度 page and the weekly-table section of 数据上报, on a temporary warehouse."""

from __future__ import annotations

import datetime as dt

from tests.conftest import run_page
from tests.stats_helpers import make_and_load
from warehouse import open_warehouse


def _load(db_path, tmp_path):
    w = open_warehouse(db_path)
    try:
        make_and_load(w, tmp_path, "wujin", received_on=dt.date(2018, 8, 13), table1={"staff_deployed": 5})
        make_and_load(w, tmp_path, "wujin", received_on=dt.date(2018, 8, 15), table1={"staff_deployed": 7})
        make_and_load(w, tmp_path, "liyang", week=dt.date(2018, 8, 13), received_on=dt.date(2018, 8, 22))
    finally:
        w.close()


def test_tracking_page_empty_state_keeps_the_matrix(app_env):
    at = run_page("tracking")
    assert not at.exception, [e.value for e in at.exception]
    assert any("尚无报送记录" in i.value for i in at.info)
    matrix = at.dataframe[0].value
    assert len(matrix) == 19 and len(matrix.columns) == 18


def _rerun(at, as_of: dt.date):
    """Rerun with an as-of date chosen in the frame's sidebar."""
    at.sidebar.date_input(key="as_of_widget").set_value(as_of)
    return at.run()


def test_tracking_page_shows_statuses_and_report_button(app_env, tmp_path):
    _load(app_env, tmp_path)
    at = run_page("tracking", user="leader")
    assert not at.exception, [e.value for e in at.exception]
    assert not any("尚无报送记录" in i.value for i in at.info)
    matrix = at.dataframe[0].value
    assert matrix.loc["武进区", "08-06"] == "按时报送"
    # As of the data's latest day (08-19), 溧阳市's table for week 08-13 (received 08-22) is not in yet.
    assert matrix.loc["溧阳市", "08-13"] == "未到期"
    at = _rerun(at, dt.date(2018, 8, 30))
    assert not at.exception, [e.value for e in at.exception]
    matrix = at.dataframe[0].value
    assert matrix.loc["溧阳市", "08-13"] == "迟报2个工作日"
    assert matrix.loc["天宁区", "08-06"].startswith("逾期未报")
    assert matrix.loc["市公安局", "08-06"].startswith("逾期未报")
    deliverables = at.dataframe[1].value
    assert deliverables.loc["武进区"].iloc[0] == "逾期未报"  # 实施方案 was due 07-31
    assert [b.label for b in at.get("download_button")] == ["下载全市汇总报表（.xlsx）"]


def test_unit_staff_sees_tracking_without_report_download(app_env, tmp_path):
    _load(app_env, tmp_path)
    at = run_page("tracking", user="wujin_staff")
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("download_button") == [] or all(
        b.label != "下载全市汇总报表（.xlsx）" for b in at.get("download_button")
    )
    # Not even the section: a clerk is not shown a heading that only says the download is not theirs.
    assert "全市汇总上报" not in [h.value for h in at.subheader]
    assert "全市汇总上报" in [h.value for h in run_page("tracking", user="leader").subheader]


def test_upload_section_renders_for_unit_staff_with_versions_and_diff(app_env, tmp_path):
    _load(app_env, tmp_path)
    at = run_page("uploads", user="wujin_staff")
    assert not at.exception, [e.value for e in at.exception]
    assert "每周情况统计表" in [s.value for s in at.subheader]
    assert any(c.value == "填报单位：武进区" for c in at.caption)
    labels = [b.label for b in at.get("download_button")]
    assert "下载填报模板（已填好填报单位和统计周期）" in labels
    # The as-of date defaults to the data's latest day (08-19), so week 08-13 is chosen: choose 08-06.
    at.selectbox(key="stats_week").set_value(dt.date(2018, 8, 6))
    at = _rerun(at, dt.date(2018, 8, 19))
    assert not at.exception, [e.value for e in at.exception]
    frames = [f.value for f in at.dataframe]
    diff = next(f for f in frames if "上一版本" in f.columns)
    assert diff.to_dict("records") == [
        {"表": "统计表1", "行": "出动执法人员", "列": "本周数", "上一版本": "5", "本版本": "7", "单元格": "统计表1!D6"}
    ]
    history = next(f for f in frames if "版本" in f.columns)
    assert list(history["版本"]) == ["第1版", "第2版"]
    assert list(history["状态"]) == ["有效", "当前有效"]


def test_upload_section_for_analyst_is_read_only(app_env):
    at = run_page("uploads", user="analyst")
    assert not at.exception, [e.value for e in at.exception]
    assert any("无权上报统计表" in c.value for c in at.caption)


def test_latest_weeks_first_and_the_clerks_own_row_on_top(app_env, tmp_path):
    _load(app_env, tmp_path)
    at = run_page("tracking", user="wujin_staff")
    assert not at.exception, [e.value for e in at.exception]
    matrix = at.dataframe[0].value
    assert list(matrix.columns[:2]) == ["11-26", "11-19"] and matrix.columns[-1] == "07-30"
    assert matrix.index[0] == "武进区（本单位）" and "武进区" not in list(matrix.index)
    assert matrix.loc["武进区（本单位）", "08-06"] == "按时报送"
    assert at.dataframe[1].value.index[0] == "武进区（本单位）"
    leader = run_page("tracking", user="leader").dataframe[0].value
    assert leader.index[0] == "天宁区" and not any("本单位" in i for i in leader.index)
