"""AppTest: the 工作通报 and 材料包 buttons on 总览 and 报送进度, per role, and refusals as Chinese messages."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx

from tests.conftest import run_page
from tests.stats_helpers import make_and_load
from warehouse import open_warehouse


def _load(db_path, tmp_path):
    w = open_warehouse(db_path)
    try:
        make_and_load(w, tmp_path, "wujin", received_on=dt.date(2018, 8, 13), table1={"cases_filed": 4})
        make_and_load(w, tmp_path, "tianning", received_on=dt.date(2018, 8, 14), table1={"cases_filed": 9})
    finally:
        w.close()


def _downloads(at) -> dict[str, object]:
    return {b.label: b for b in at.get("download_button")}


def test_leader_makes_the_bulletin_on_the_overview(app_env, tmp_path):
    _load(app_env, tmp_path)
    at = run_page("overview", user="leader")
    assert not at.exception, [e.value for e in at.exception]
    assert "工作通报" in [s.value for s in at.subheader]
    at.button(key=next(b.key for b in at.button if b.label == "生成工作通报")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "下载 Word 版（.docx）" in _downloads(at)
    # the sidebar's as-of date: the data's latest day
    assert any(c.value.startswith("2018网剑行动工作通报_第2期_截至2018-08-12.docx") for c in at.caption)
    assert any(b.label == "生成 PDF 版" for b in at.button)


def test_pdf_refusal_is_a_chinese_message_on_the_page(app_env, tmp_path, monkeypatch):
    from metrics.documents import pdf

    _load(app_env, tmp_path)
    monkeypatch.setattr(pdf, "soffice", lambda: None)  # a server without LibreOffice
    at = run_page("tracking", user="analyst")
    at.button(key=next(b.key for b in at.button if b.label == "生成全市工作通报")).click().run()
    at.button(key=next(b.key for b in at.button if b.label == "生成 PDF 版")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("未安装 LibreOffice" in w.value for w in at.warning)


def test_unit_staff_gets_only_their_own_pack(app_env, tmp_path):
    _load(app_env, tmp_path)
    at = run_page("tracking", user="wujin_staff")
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.label for b in at.button]
    assert not any("工作通报" in x for x in labels)  # the city bulletin is not offered
    assert not [s for s in at.selectbox if s.key == "pack_scope"]  # nor another unit's pack
    assert any(c.value.startswith("本单位：武进区") for c in at.caption)
    at.button(key=next(b.key for b in at.button if b.label.startswith("生成总结报告材料包（武进区"))).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "下载材料包（.zip）" in _downloads(at)
    assert any(c.value.startswith("2018网剑行动总结报告材料包_武进区_截至2018-08-12.zip") for c in at.caption)
    assert any("尚缺" in e.label for e in at.expander)  # wujin has sent no deliverables yet


def test_leader_picks_a_unit_pack_and_it_holds_that_units_draft(app_env, tmp_path):
    from auth.accounts import lookup
    from metrics.documents.context import Scope
    from metrics.documents.pack import pack

    _load(app_env, tmp_path)
    at = run_page("tracking", user="leader")
    scope = at.selectbox(key="pack_scope")
    scope.set_value(scope.options.index("天宁区")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(b.label.startswith("生成总结报告材料包（天宁区") for b in at.button)
    w = open_warehouse(app_env)
    try:
        f = pack(w, lookup(w, "leader"), dt.date(2018, 8, 12), scope=Scope("tianning", "aic"), with_charts=False)
    finally:
        w.close()
    z = zipfile.ZipFile(io.BytesIO(f.data))
    draft = next(n for n in z.namelist() if n.endswith(".docx"))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(z.read(draft))).paragraphs)
    assert "天宁区累计" in text and "立案查处网络违法案件 9 件" in text
