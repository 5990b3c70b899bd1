"""A refused file's problems as a table a clerk can read: where (sheet, row, column) in their own columns, and the
reason itself, in full, in the last (a table that wraps, so nothing is cut where the reason is)."""

from __future__ import annotations

import re

import streamlit as st

# The loaders write a problem as "<where>：<reason>", where = 文件“…”工作表“…”第N行X列（context） or "<file>第 N 行".
_WHERE = re.compile(r"^.*?第\s*\d+\s*行(?:[A-Z]{1,3}列)?(?:（(?P<context>[^）]*)）)?：")


def reason(problem: dict) -> str:
    """The reason of a problem whose place is given in its own fields (row, column, sheet): its message without
    the place repeated in front. A file-level problem (no row) keeps its whole message."""
    message = problem["message"]
    if problem.get("row") is None:
        return message
    where = _WHERE.match(message)
    if where is None or where.end() == len(message):
        return message
    rest = message[where.end() :]
    return f"{where['context']}：{rest}" if where["context"] else rest


def problem_table(problems: list[dict]) -> None:
    """Sheet, row, column and reason of each problem (`Problem.as_dict()`), the columns a file has only."""
    rows = []
    for p in problems:
        row = {"工作表": p.get("sheet") or "", "行": p["row"] or "", "列": p.get("column") or ""}
        rows.append(row | {"问题": reason(p)})
    shown = [k for k in ("工作表", "行", "列") if any(r[k] != "" for r in rows)]
    st.table([{k: r[k] for k in (*shown, "问题")} for r in rows])
