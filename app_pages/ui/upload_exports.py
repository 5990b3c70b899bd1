"""Upload section for 12315 / 12358 / monitoring-hit exports (rendered inside 数据上报). Not a page of its own.

The page only moves files to the loaders and shows what came back; all parsing lives in loaders/.
Batch history and withdrawal (撤销) are in the 上报记录 tab (ui/upload_history.py).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

import loaders
from app_pages.ui.common import require_principal
from app_pages.ui.problems import problem_table
from campaign import Campaign
from loaders import file_kinds
from loaders.result import Upload
from metrics.load_counts import quarantine_batches, quarantine_rows
from warehouse import Warehouse

AUTO = "auto"
STATUS_TEXT = {"loaded": "已导入", "duplicate": "重复文件，未改动", "rejected": "已拒绝"}
RESULTS_KEY = "export_upload_results"


def load_uploads(
    wh: Warehouse,
    files: list[tuple[str, bytes]],
    *,
    kind: str,
    user,
    progress: Callable[[int, str], None] | None = None,
) -> list[dict]:
    """Load (name, content) pairs in order through the loaders' upload entry; one LoadResult (as JSON, for the
    session state) per file. Never raises for bad input."""
    results = loaders.load_uploads(
        wh,
        [Upload(name, content) for name, content in files],
        user=user,
        accept=wh.campaign.export_kinds,
        kind=kind,
        elsewhere={"district_stats": "“情况统计表（周报）”标签页"},
        progress=progress,
    )
    return [r.as_json() for r in results]


def render_results(results: list[dict], c: Campaign) -> None:
    """Per file: loaded / quarantined / rejected rows, with the reasons."""
    kinds = file_kinds(c)
    for r in results:
        kind = kinds.get(r.get("kind") or "", "未识别")
        status = STATUS_TEXT[r["status"]]
        head = f"**{r['file']}**（{kind}）：{status}"
        if r["status"] == "loaded":
            head += f"，入库 {r['rows_loaded']} 行，隔离 {r['rows_quarantined']} 行，批次 #{r['batch_id']}"
            (st.warning if r["rows_quarantined"] else st.success)(head)
        elif r["status"] == "duplicate":
            st.info(head + f"，与批次 #{r['batch_id']} 内容相同")
        else:
            st.error(head)
        if r.get("errors"):
            problem_table(r["errors"])
        for w in r.get("warnings") or []:
            st.caption(w["message"])


def render_quarantine(wh: Warehouse) -> None:
    batches = quarantine_batches(wh)
    st.subheader("隔离行")
    if batches.is_empty():
        st.caption("最近的导入没有被隔离的行。")
        return
    rows = batches.to_dicts()
    choice = st.selectbox(
        "批次",
        rows,
        format_func=lambda b: f"#{b['batch_id']} {b['file_name']}（隔离 {b['rows_quarantined']} 行）",
        key="export_quarantine_batch",
    )
    q = quarantine_rows(wh, choice["batch_id"])
    view = q.select(
        pl.col("row_no").alias("行"),
        pl.col("sheet").alias("工作表"),
        pl.col("column_name").alias("列"),
        pl.col("reason").alias("原因"),
        pl.col("value").alias("值"),
        pl.col("record").alias("该行内容（不含个人信息）"),
    )
    st.dataframe(view, hide_index=True, width="stretch")
    st.download_button(
        "下载隔离行（CSV）",
        data=view.write_csv().encode("utf-8-sig"),  # with a BOM, so that Excel opens it as UTF-8
        file_name=f"隔离行_批次{choice['batch_id']}.csv",
        mime="text/csv",
        key="export_quarantine_download",
    )


def render(wh: Warehouse) -> None:
    user = require_principal()
    if user.role not in ("analyst", "admin"):
        st.info("投诉举报与监测线索导出文件由分析员或管理员载入。", icon=":material/lock:")
        return
    st.caption(
        "支持 12315、12358 导出文件和网络交易监测线索（.xlsx / .xls / .csv）。个人信息列不会入库；"
        "有问题的行会被隔离，其余行照常导入；同一文件重复上传不会重复计数。"
    )
    with st.form("export_upload", clear_on_submit=True):
        files = st.file_uploader("选择文件（可多选）", type=["xlsx", "xls", "csv"], accept_multiple_files=True)
        kind = st.selectbox(
            "数据类型",
            [AUTO, *wh.campaign.export_kinds],
            format_func=lambda k: "自动识别" if k == AUTO else wh.campaign.kind_label(k),
        )
        submitted = st.form_submit_button("开始导入", type="primary")
    if submitted and files:
        bar = st.progress(0.0, text="正在导入……")

        def progress(i: int, name: str) -> None:
            bar.progress(i / len(files), text=f"正在导入 {name}（{i + 1}/{len(files)}）" if name else "导入完成")

        with st.spinner("正在导入，请稍候……"):
            st.session_state[RESULTS_KEY] = load_uploads(
                wh, [(f.name, f.getvalue()) for f in files], kind=kind, user=user, progress=progress
            )
    elif submitted:
        st.warning("请先选择文件。")
    if st.session_state.get(RESULTS_KEY):
        render_results(st.session_state[RESULTS_KEY], wh.campaign)
    render_quarantine(wh)
