"""AppTest: 数据上报 as a district clerk meets it — only their unit's batches, 撤销 only of their own, refusals in
Chinese; the 收到日期 defaults to the due date; a refused 典型案例 form keeps what was typed; sizes and no sha256."""

from __future__ import annotations

import datetime as dt

import pytest

import loaders
from auth.accounts import lookup
from datagen.stats import write_filled_table
from loaders.result import Upload
from loaders.weekly.deliverables import store_document
from tests.conftest import run_page
from tests.exports_helpers import FIXTURES
from warehouse import open_warehouse

W0806 = dt.date(2018, 8, 6)
PDF = b"%PDF-1.4\n" + b"x" * 3000


@pytest.fixture
def loaded(app_env, tmp_path, monkeypatch):
    """wujin: one table by its clerk, one by the admin on its behalf; liyang: one by the admin; an analyst's export;
    one 实施方案 of wujin's."""
    monkeypatch.setenv("WANGJIAN_SECRET_DIR", str(tmp_path / "secret"))
    wh = open_warehouse(app_env)
    try:
        staff, admin, analyst = (lookup(wh, n) for n in ("wujin_staff", "admin", "analyst"))
        ids = {}
        for name, unit, week, user in (
            ("own", "wujin", W0806, staff),
            ("admins", "wujin", dt.date(2018, 8, 13), admin),
            ("liyang", "liyang", W0806, admin),
        ):
            path = write_filled_table(tmp_path / f"{name}.xlsx", unit, "aic", week, campaign=wh.campaign)
            r = loaders.load_file(wh, path, user=user, kind="district_stats", received_on=dt.date(2018, 8, 14))
            assert r.status == "loaded", r.errors
            ids[name] = r.batch_id
        r = loaders.load_file(wh, FIXTURES / "12358_small.csv", user=analyst)
        ids["export"] = r.batch_id
        r = store_document(
            wh, Upload("方案.pdf", PDF), unit="wujin", agency="aic", deliverable_key="implementation_plan", user=staff,
            received_on=dt.date(2018, 7, 30),
        )  # fmt: skip
        ids["plan"] = r.batch_id
    finally:
        wh.close()
    return ids


def _history(at):
    return next(d.value for d in at.dataframe if "上报时间" in d.value.columns and "填报单位" in d.value.columns)


def test_a_clerk_sees_and_withdraws_only_their_own_units_batches(loaded):
    at = run_page("uploads", user="wujin_staff")
    assert not at.exception, [e.value for e in at.exception]
    history = _history(at)
    assert set(history["批次"]) == {loaded["own"], loaded["admins"], loaded["plan"]}
    assert set(history["填报单位"]) == {"武进区"}
    assert not history.astype(str).apply(lambda col: col.str.contains("None|wujin,|liyang")).any().any()
    (choice,) = [s for s in at.selectbox if s.label == "撤销批次"]
    assert choice.options and set(choice.options) == {
        choice.format_func(loaded["own"]),
        choice.format_func(loaded["plan"]),
    }  # not the admin's table for wujin, not liyang's, not the analyst's export


def test_an_analyst_sees_the_exports_and_an_admin_everything(loaded):
    at = run_page("uploads", user="analyst")
    assert set(_history(at)["批次"]) == {loaded["export"]}
    at = run_page("uploads", user="admin")
    assert set(_history(at)["批次"]) == set(loaded.values())


def test_a_withdrawal_refused_meanwhile_is_a_chinese_message(loaded, app_env):
    at = run_page("uploads", user="wujin_staff")
    (choice,) = [s for s in at.selectbox if s.label == "撤销批次"]
    choice.set_value(loaded["own"])
    next(c for c in at.checkbox if c.label.startswith("确认撤销")).check()
    # Withdrawn in another window before this clerk submits.
    wh = open_warehouse(app_env)
    try:
        loaders.withdraw(wh, loaded["own"], user=lookup(wh, "admin"))
    finally:
        wh.close()
    at.button(key="FormSubmitter:withdraw-撤销").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        f"未能撤销：批次 {loaded['own']} 已撤销，不能重复撤销。请刷新后查看最新上报记录。"
    ]
    # … and it withdrew nothing else.
    history = _history(at)
    assert list(history.loc[history["批次"] == loaded["plan"], "状态"]) == ["有效"]


def test_a_withdrawal_goes_through_and_says_so(loaded):
    at = run_page("uploads", user="wujin_staff")
    (choice,) = [s for s in at.selectbox if s.label == "撤销批次"]
    choice.set_value(loaded["own"])
    next(c for c in at.checkbox if c.label.startswith("确认撤销")).check()
    at.button(key="FormSubmitter:withdraw-撤销").click()
    at.run()
    assert not at.exception and not at.error
    assert any(f"已撤销批次 #{loaded['own']}" in s.value for s in at.success)
    history = _history(at)
    assert list(history.loc[history["批次"] == loaded["own"], "状态"]) == ["已撤销"]


def _received(at):
    return next(d for d in at.date_input if d.label == "收到日期")


def test_received_date_defaults_to_the_due_date_or_the_as_of_date(loaded):
    at = run_page("uploads", user="wujin_staff")
    at.selectbox(key="stats_week").set_value(W0806)
    at.sidebar.date_input(key="as_of_widget").set_value(dt.date(2018, 9, 30))
    at.run()
    assert _received(at).value == dt.date(2018, 8, 13)  # the week's due date, not the machine's today
    at.selectbox(key="stats_week").set_value(dt.date(2018, 9, 24))  # due 10-08, after 国庆
    at.run()
    assert _received(at).value == dt.date(2018, 9, 30)  # the as-of date is earlier


def test_documents_show_their_size_and_no_sha256_to_a_clerk(loaded):
    at = run_page("uploads", user="wujin_staff")
    line = next(m.value for m in at.markdown if "方案.pdf" in m.value)
    assert line.startswith("**实施方案** · 方案.pdf（2.9 KB，收到 2018-07-30，批次 #")
    assert not any(c.value.startswith("sha256") for c in at.caption)
    at = run_page("uploads", user="admin")
    at.selectbox(key="stats_unit").set_value("wujin")
    at.run()
    assert any(c.value.startswith("sha256 ") for c in at.caption)


def test_a_refused_typical_case_keeps_what_was_typed(loaded):
    at = run_page("uploads", user="wujin_staff")
    at.selectbox(key="deliv_kind").set_value("typical_cases")
    at.run()
    name = next(t for t in at.text_input if t.label == "案件名称")
    name.input("某网店销售假冒商标商品案")
    next(t for t in at.text_input if t.label == "行政处罚决定书文号").input("常武市监案字〔2018〕9号")
    next(b for b in at.button if b.label == "上传材料").click()
    at.run()
    assert not at.exception
    assert any(e.value.startswith("未保存") and "行政处罚决定书" in e.value for e in at.error)
    assert next(t for t in at.text_input if t.label == "案件名称").value == "某网店销售假冒商标商品案"
    assert next(t for t in at.text_input if t.label == "行政处罚决定书文号").value == "常武市监案字〔2018〕9号"
