"""The pages' guard (app_pages/ui/guard.py): a refusal under a page is a Chinese message, an unexpected error a
reference number that is in the server log with its traceback, and Streamlit's own st.stop / st.rerun pass."""

from __future__ import annotations

import logging
import re

import pytest
from streamlit.testing.v1 import AppTest


def _page(what: str) -> None:
    import streamlit as st

    from app_pages.ui.guard import run_guarded
    from auth.policy import PermissionDenied
    from loaders.result import FileRejected, Problem

    def page() -> None:
        st.write("页面开始")
        if what == "denied":
            raise PermissionDenied("测试员（填报员） 只能撤销自己上报的批次。")
        if what == "rejected":
            raise FileRejected([Problem("文件 a.xlsx 第 3 行：数值为负"), Problem("文件 a.xlsx 缺少“合计”行")])
        if what == "bug":
            raise KeyError("wujin")
        if what == "stop":
            st.stop()
        if what == "rerun" and not st.session_state.get("again"):
            st.session_state["again"] = True
            st.rerun()
        st.write("页面结束")

    run_guarded(page)


def _run(what: str) -> AppTest:
    at = AppTest.from_function(_page, args=(what,), default_timeout=30)
    return at.run()


@pytest.mark.parametrize(
    ("what", "shown"),
    [
        ("denied", "测试员（填报员） 只能撤销自己上报的批次。"),
        ("rejected", "文件 a.xlsx 第 3 行：数值为负\n\n文件 a.xlsx 缺少“合计”行"),
    ],
)
def test_a_refusal_is_its_chinese_message(what, shown):
    at = _run(what)
    assert not at.exception
    assert [e.value for e in at.error] == [shown]


def test_an_unexpected_error_is_a_reference_number_logged_with_its_traceback():
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("wangjian.pages")
    logger.addHandler(handler)
    try:
        at = _run("bug")
    finally:
        logger.removeHandler(handler)
    assert not at.exception  # no English error box
    (error,) = at.error
    ref = re.fullmatch(r"系统出错（参考编号 ([0-9A-F]{6})），请联系管理员。", error.value)
    assert ref, error.value
    (logged,) = records
    assert ref.group(1) in logged.getMessage()
    assert logged.exc_info and logged.exc_info[0] is KeyError  # the traceback is in the server log only
    assert "wujin" not in error.value


def test_st_stop_and_st_rerun_pass_through_untouched():
    at = _run("stop")
    assert not at.exception and not at.error
    assert [m.value for m in at.markdown] == ["页面开始"]
    at = _run("rerun")
    assert not at.exception and not at.error
    assert [m.value for m in at.markdown] == ["页面开始", "页面结束"]
