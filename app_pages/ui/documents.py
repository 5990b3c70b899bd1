"""The 工作通报 and 总结报告 pack buttons (总览, 报送进度). Generating takes seconds, so a file is made on a click
and kept in the session for its download button; a refusal is a Chinese message on the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages.ui.common import warehouse
from auth.policy import PermissionDenied, Principal, require_documents
from metrics.documents.bulletin import bulletin
from metrics.documents.context import Scope
from metrics.documents.document import DOCX_MIME, PDF_MIME, GeneratedFile, pdf_of
from metrics.documents.pack import ZIP_MIME, pack
from metrics.documents.pdf import PdfUnavailable
from metrics.tracking import reporters

KEY = "documents_files"
DOWNLOAD_LABELS = {DOCX_MIME: "下载 Word 版（.docx）", PDF_MIME: "下载 PDF 版", ZIP_MIME: "下载材料包（.zip）"}


def _files() -> dict[str, GeneratedFile]:
    return st.session_state.setdefault(KEY, {})


def _make(user: Principal, slot: str, label: str, make: Callable[[], GeneratedFile], *, pdf: bool = False) -> None:
    """A button that makes the file; once made, its download button (and, for Word, a PDF version). `slot` names
    what the file is (kind, scope, as-of date), so another date or scope never offers a file made for this one."""
    wh, files = warehouse(), _files()
    if st.button(label, key=f"make_{slot}", icon=":material/description:"):
        with st.spinner("正在生成，请稍候（含图表，约需数秒）……"):
            try:
                files[slot] = make()
                files.pop(f"{slot}.pdf", None)
            except (PermissionDenied, PdfUnavailable) as exc:
                st.warning(str(exc), icon=":material/block:")
    made = files.get(slot)
    if made is None:
        return
    cols = st.columns(2) if pdf else [st.container()]
    _download(cols[0], made, f"get_{slot}")
    st.caption(f"{made.file_name}（已记入审计日志）")
    if pdf:
        if cols[1].button("生成 PDF 版", key=f"make_{slot}_pdf"):
            with st.spinner("正在转换 PDF……"):
                try:
                    files[f"{slot}.pdf"] = pdf_of(wh, user, made)
                except PdfUnavailable as exc:
                    st.warning(str(exc), icon=":material/block:")
        converted = files.get(f"{slot}.pdf")
        if converted is not None:
            _download(cols[1], converted, f"get_{slot}_pdf")
    if made.missing:
        with st.expander(f"尚缺 {len(made.missing)} 项（已在文件中列出）"):
            st.markdown("\n".join(f"- {m}" for m in made.missing))


def _download(where: DeltaGenerator, f: GeneratedFile, key: str) -> None:
    where.download_button(
        DOWNLOAD_LABELS[f.mime], f.data, f.file_name, f.mime, key=key, on_click="ignore", icon=":material/download:"
    )


def bulletin_panel(user: Principal, day: dt.date) -> None:
    """总览: the city's 工作通报 for the sidebar's as-of date (leadership, analysts, admins)."""
    st.subheader("工作通报")
    try:
        require_documents(user)
    except PermissionDenied as exc:
        st.caption(str(exc))
        return
    st.caption(
        f"按统计截止日 {day:%Y-%m-%d} 生成全市工作通报（Word，公文格式，含图表）：总体进展、重点工作、各地区进展、"
        "迟报和未报单位、异常情况、下一步要求。所有数字与本看板一致。生成操作记入审计日志。"
    )
    wh = warehouse()
    _make(user, f"bulletin:{day}", "生成工作通报", lambda: bulletin(wh, user, day), pdf=True)


def documents_panel(user: Principal, day: dt.date) -> None:
    """报送进度: the 工作通报 and the 总结报告 pack for the city or a unit; a unit's staff only their own pack."""
    wh = warehouse()
    st.subheader("工作通报与总结报告材料包")
    st.caption(
        "材料包（.zip）含总结报告初稿（待填写处已标出）、情况统计表、各单位已报送的典型案例及行政处罚决定书、联合执法材料，"
        "以及 manifest.csv（文件、单位、类别、sha256、上传人、上传时间）和 missing.csv（尚缺材料）。"
    )
    if user.role == "unit_staff":
        scope = Scope(user.unit, user.agency)
        st.caption(f"本单位：{scope.label(wh)}（填报员只能生成本单位材料包）")
    else:
        bulletin_cols = st.columns(2)
        with bulletin_cols[0]:
            _make(user, f"bulletin:{day}", "生成全市工作通报", lambda: bulletin(wh, user, day), pdf=True)
        scopes = [("全市", Scope()), *((r.label, Scope(r.unit, r.agency)) for r in reporters(wh))]
        with bulletin_cols[1]:
            chosen = st.selectbox(
                "材料包范围", range(len(scopes)), format_func=lambda i: scopes[i][0], key="pack_scope"
            )
        scope = scopes[chosen][1]
    _make(
        user,
        f"pack:{scope.slug()}:{day}",
        f"生成总结报告材料包（{scope.label(wh)}，截至 {day:%m月%d日}）",
        lambda: pack(wh, user, day, scope=scope),
    )
