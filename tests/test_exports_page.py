"""The exports section of 数据上报 in AppTest. st.file_uploader cannot be driven in AppTest, so the loading
function the page calls is tested directly and its results are rendered by the page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.ui.upload_exports import RESULTS_KEY, load_uploads
from auth.accounts import lookup
from tests.conftest import ROOT, run_page
from tests.exports_helpers import FIXTURES


@pytest.fixture(autouse=True)
def secret_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("WANGJIAN_SECRET_DIR", str(tmp_path / "secret"))


def page_with(results: list[dict] | None, user: str = "analyst") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["username"] = user
    if results is not None:
        at.session_state[RESULTS_KEY] = results
    at.run()
    at.switch_page("app_pages/uploads.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_section_renders_for_analysts_and_is_closed_to_unit_staff(app_env):
    at = run_page("uploads", user="analyst")
    assert not at.exception
    assert any("支持 12315、12358 导出文件" in c.value for c in at.caption)
    assert [s.label for s in at.selectbox if s.label == "数据类型"]
    assert any("最近的导入没有被隔离的行" in c.value for c in at.caption)
    staff = run_page("uploads", user="wujin_staff")
    assert not staff.exception
    assert any("由分析员或管理员载入" in i.value for i in staff.info)


def test_loading_and_showing_results(app_env, wh):
    analyst = lookup(wh, "analyst")
    seen = []
    files = [
        (name, (FIXTURES / name).read_bytes())
        for name in ("12315_quirks_gb18030.csv", "12358_small.csv", "12358_small.csv")
    ]
    files.append(("空的.csv", b""))
    results = load_uploads(wh, files, kind="auto", user=analyst, progress=lambda i, name: seen.append((i, name)))
    assert [r["status"] for r in results] == ["loaded", "loaded", "duplicate", "rejected"]
    assert seen[0] == (0, "12315_quirks_gb18030.csv") and seen[-1] == (4, "")
    assert results[0]["rows_quarantined"] == 5

    at = page_with(results)
    assert any("12315_quirks_gb18030.csv" in w.value and "隔离 5 行" in w.value for w in at.warning)
    assert any("12358_small.csv" in s.value and "入库 2 行" in s.value for s in at.success)
    assert any("重复文件" in i.value for i in at.info)
    assert any("空的.csv" in e.value for e in at.error)
    errors = at.table[0].value
    assert list(errors.columns) == ["行", "列", "问题"] and len(errors) == 5
    # The reason itself, in full, without the file and row the other columns give.
    first = errors.iloc[0]
    assert (first["行"], first["列"]) == (10, "工单编号")
    assert first["问题"].startswith("“工单编号”列的值“3.20412E+24”被 Excel 改成了科学计数法")
    assert first["问题"].endswith("（该行已隔离，其余行照常导入）")
    # The quarantine viewer: the batch with quarantined rows, its rows, and a CSV download.
    (batch,) = [s for s in at.selectbox if s.label == "批次"]
    assert "12315_quirks_gb18030.csv" in batch.format_func(batch.value)
    (quarantine,) = [d.value for d in at.dataframe if "该行内容（不含个人信息）" in d.value.columns]
    assert len(quarantine) == 5 and list(quarantine["行"]) == [10, 11, 12, 13, 14]
    # Readable values: no None, no JSON.
    assert "None" not in quarantine.to_csv() and "{" not in quarantine.to_csv()
    assert quarantine.iloc[0]["该行内容（不含个人信息）"].startswith("工单编号：3.20412E+24；")
    assert not any("13812345678" in str(v) for v in quarantine.to_numpy().ravel())
    assert at.get("download_button")


def test_statistics_tables_and_permissions_are_refused_here(app_env, wh, samples):
    analyst = lookup(wh, "analyst")
    stats = next(p for p in samples.iterdir() if p.name.startswith("统计表"))
    (r,) = load_uploads(wh, [(stats.name, stats.read_bytes())], kind="auto", user=analyst)
    assert r["status"] == "rejected" and "情况统计表（周报）”标签页" in r["errors"][0]["message"]
    staff = lookup(wh, "wujin_staff")
    (r,) = load_uploads(wh, [("a.csv", (FIXTURES / "12358_small.csv").read_bytes())], kind="auto", user=staff)
    assert r["status"] == "rejected" and "无权载入" in r["errors"][0]["message"]
