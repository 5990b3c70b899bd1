"""Hostile and foreign files: one gate refuses each with a Chinese message naming the file, before any parser; odd
but honest workbooks load with the right figures; a file in which (almost) nothing survives is refused whole; the
README's list of refused files is the code's."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import pytest

from auth.policy import SYSTEM, PermissionDenied, Principal
from loaders import load_file, load_uploads
from loaders.result import FileRejected, Upload
from loaders.weekly.deliverables import store_document
from tests.exports_helpers import FIXTURES, snapshot, zip_bomb
from tests.odd_files import ODD_FILES, Odd
from tests.test_loaders_exports import cli

ROOT = Path(__file__).resolve().parent.parent
FOREIGN = Path(__file__).resolve().parent / "fixtures" / "foreign"


@pytest.fixture(autouse=True)
def secret_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("WANGJIAN_SECRET_DIR", str(tmp_path / "secret"))
    return tmp_path / "secret"


def audit_details(wh) -> list[str]:
    with wh.read() as cur:
        return [
            d for (d,) in cur.execute("SELECT detail FROM audit_log WHERE action = 'upload' ORDER BY ALL").fetchall()
        ]


@pytest.mark.parametrize("odd", ODD_FILES, ids=lambda o: o.file_name)
def test_odd_and_hostile_workbooks(wh, tmp_path, odd: Odd):
    path = odd.make(tmp_path / odd.file_name)
    before = snapshot(wh)
    r = load_file(wh, path, user=SYSTEM)
    if odd.refused is None:
        assert (r.status, r.rows_loaded, r.rows_quarantined) == ("loaded", odd.rows, 0), r.errors
        return
    assert r.status == "rejected" and r.batch_id is None
    assert r.errors[0].message.startswith(odd.refused.format(name=odd.file_name)), r.errors[0].message
    assert snapshot(wh) == before
    if r.kind is None and odd.file_name not in ("chart_only.xlsx", "damaged.csv"):  # the gate's: for every kind
        for kind in ("complaints_12315", "monitoring", "district_stats"):
            again = load_file(wh, path, user=SYSTEM, kind=kind)
            assert again.errors[0].message == r.errors[0].message, kind


def test_loaded_odd_workbooks_carry_the_right_values(wh, tmp_path):
    """1904 dates come out as the same days; cached values under shared formulas are read; .xlsm says its macros
    never run."""
    by_name = {o.file_name: o for o in ODD_FILES}
    r = load_file(wh, by_name["mac1904.xlsx"].make(tmp_path / "mac1904.xlsx"), user=SYSTEM)
    with wh.read() as cur:
        assert cur.execute(
            "SELECT hit_id, detected_at FROM hit_versions WHERE batch_id = ? ORDER BY hit_id", [r.batch_id]
        ).fetchall() == [("JC-1", dt.datetime(2018, 8, 1, 9, 0)), ("JC-2", dt.datetime(2018, 8, 2))]
    m = load_file(wh, by_name["macro.xlsm"].make(tmp_path / "macro.xlsm"), user=SYSTEM)
    assert any("宏不会运行" in w.message for w in m.warnings)


def test_export_workbook_with_blank_rows_above_the_header(wh, tmp_path):
    """The header below two blank rows is not loaded as data, and every row number is Excel's."""
    from openpyxl import Workbook

    lines = (FIXTURES / "12358_small.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines]
    rows[2][1] = "2018-02-30"  # a bad date in the second data row
    wb = Workbook()
    ws = wb.active
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            ws.cell(row=3 + i, column=1 + j, value=v)
    wb.save(tmp_path / "12358_row3.xlsx")
    r = load_file(wh, tmp_path / "12358_row3.xlsx", user=SYSTEM)
    assert (r.status, r.kind, r.rows_loaded, r.rows_quarantined) == ("loaded", "price_12358", 1, 1)
    assert [(e.row, e.column) for e in r.errors] == [(5, "举报时间")]
    with wh.read() as cur:
        assert cur.execute("SELECT row_no FROM complaint_versions").fetchall() == [(4,)]
        assert cur.execute("SELECT header_row FROM export_batches").fetchall() == [(3,)]


# --- nothing (or almost nothing) loaded ------------------------------------------------------------------
def mangled_csv(path: Path, good: int = 0, bad: int = 5) -> Path:
    lines = ["登记编号,登记时间,办结状态,问题类别,销售地所在行政区"]
    lines += [f"3.20412E+24,2018-08-0{i % 9 + 1} 09:00:00,已办结,质量,天宁区" for i in range(bad)]
    lines += [f"32041200000002018080{i:05d},2018-08-03 09:00:00,已办结,质量,天宁区" for i in range(good)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_file_in_which_no_row_survives_is_refused(wh, tmp_path):
    before = snapshot(wh)
    r = load_file(wh, mangled_csv(tmp_path / "ids.csv"), user=SYSTEM)
    assert (r.status, r.batch_id, r.rows_loaded) == ("rejected", None, 0)
    assert r.errors[0].message == (
        "文件 ids.csv 已拒收：5 行数据全部有问题，没有一行可以导入，整个文件未导入。请将编号列设为“文本”格式后重新导出。"
    )
    assert [(e.row, e.column) for e in r.errors[1:]] == [(n, "登记编号") for n in range(2, 7)]
    assert "科学计数法" in r.errors[1].message
    assert snapshot(wh) == before  # no batch, no quarantined rows
    assert audit_details(wh)[0].startswith("拒收：文件 ids.csv 已拒收：5 行数据全部有问题")


def test_a_mostly_quarantined_file_is_refused_above_the_configured_share(wh, tmp_path, monkeypatch):
    path = mangled_csv(tmp_path / "mostly.csv", good=2, bad=3)
    r = load_file(wh, path, user=SYSTEM)
    assert r.status == "rejected"
    assert r.errors[0].message.startswith(
        "文件 mostly.csv 已拒收：5 行数据中 3 行有问题（60%，超过允许的 50%），只有 2 行可以导入，整个文件未导入。"
    )
    monkeypatch.setenv("WANGJIAN_MAX_QUARANTINE_SHARE", "1")
    r = load_file(wh, path, user=SYSTEM)
    assert (r.status, r.rows_loaded, r.rows_quarantined) == ("loaded", 2, 3)


def test_cli_exit_code_and_json_for_a_file_with_nothing_to_load(tmp_path, secret_dir):
    p = cli("load", str(mangled_csv(tmp_path / "ids.csv")), "--db", str(tmp_path / "c.duckdb"), "--json",
            env_extra={"WANGJIAN_SECRET_DIR": str(secret_dir)})  # fmt: skip
    assert p.returncode == 1
    out = json.loads(p.stdout)
    assert (out["status"], out["batch_id"], out["rows_loaded"]) == ("rejected", None, 0)
    assert "请将编号列设为“文本”格式后重新导出" in out["errors"][0]["message"]


def test_an_unfilled_weekly_template_is_refused(wh, tmp_path):
    from loaders.weekly.template import build_template

    path = tmp_path / "模板.xlsx"
    path.write_bytes(build_template(wh.campaign, "wujin", "aic", dt.date(2018, 8, 6)))
    before = snapshot(wh)
    r = load_file(wh, path, user=SYSTEM, kind="district_stats")
    assert r.status == "rejected"
    assert r.errors[0].message.startswith("文件“模板.xlsx”的2018网络市场监管专项行动情况统计表1和")
    assert (
        "都没有填写任何数值（全部为空），未导入。若本周确实没有工作量，请在各项填 0 后再上传。" in r.errors[0].message
    )
    assert snapshot(wh) == before


def test_an_upload_of_a_kind_the_page_does_not_take_is_audited(wh):
    (r,) = load_uploads(wh, [Upload.from_path(FIXTURES / "12358_small.csv")], user=SYSTEM, accept=["district_stats"])
    assert r.status == "rejected"
    assert audit_details(wh) == ["拒收：" + r.errors[0].message]


def test_a_refused_deliverable_is_audited_and_nothing_is_stored(wh):
    """A document of a format we do not store, or one a clerk sends for another unit, is refused with a Chinese
    message, writes no batch, and leaves its audit row like every refused upload."""
    clerk = Principal("wj", "unit_staff", unit="wujin", agency="aic")
    before = snapshot(wh)
    with pytest.raises(FileRejected) as bad_format:
        store_document(wh, Upload("方案.xlsx", b"PK\x03\x04"), unit="wujin", agency="aic",
                       deliverable_key="implementation_plan", user=clerk)  # fmt: skip
    with pytest.raises(PermissionDenied) as other_unit:
        store_document(wh, Upload("方案.pdf", b"%PDF-1.4"), unit="xinbei", agency="aic",
                       deliverable_key="implementation_plan", user=clerk)  # fmt: skip
    assert snapshot(wh) == before
    assert bad_format.value.problems[0].message.startswith("文件“方案.xlsx”的格式不支持")
    assert audit_details(wh) == sorted(
        ["拒收：" + bad_format.value.problems[0].message, f"拒收：文件 方案.pdf：{other_unit.value}"]
    )


def test_gate_messages_name_the_uploaded_file_not_the_temporary_one(wh, tmp_path):
    odd = next(o for o in ODD_FILES if o.file_name == "ss_dtd.xlsx")
    data = odd.make(tmp_path / "x.xlsx").read_bytes()
    for accept in (["monitoring"], ["district_stats"]):
        (r,) = load_uploads(wh, [Upload("监测线索.xlsx", data)], user=SYSTEM, accept=accept, kind=accept[0])
        assert r.errors[0].message.startswith("文件 监测线索.xlsx 含有 XML 实体声明"), r.errors[0].message


# --- files from other projects' test suites ----------------------------------------------------------------
# Each is refused deliberately: none is one of our kinds. The message says why (format or content).
NOT_OURS = "无法识别：既不是 12315/12358/监测线索导出文件，也不是情况统计表"
FOREIGN_EXPECTED = {
    "xlrd/biff4_no_format_no_window2.xls": "是 Excel 2.x–4.0 的旧格式工作簿",
    "xlsx-populate/encrypted_in.xlsx": "已加密，请另存为未加密的文件后再上传",
    "xlsx-populate/encrypted_out.xlsx": "已加密，请另存为未加密的文件后再上传",
    "xlrd/picture_in_cell.xls": "没有可见的工作表或内容",  # a picture, no cell values
    "xlrd/test_comments_excel.xlsx": "没有可见的工作表或内容",  # comments only
    "xlrd/test_comments_gdocs.xlsx": "没有可见的工作表或内容",
    "xlsx-stream-reader/nonumfmt.xlsx": "已损坏或不是有效的 Excel 工作簿（.xlsx）",  # sheet state "show": calamine refuses
}


def foreign_files() -> list[Path]:
    return sorted(p for p in FOREIGN.rglob("*") if p.is_file() and p.name not in ("README.md", "LICENSE"))


@pytest.mark.parametrize("path", foreign_files(), ids=lambda p: str(p.relative_to(FOREIGN)))
def test_foreign_workbooks_are_refused_deliberately(wh, path):
    before = snapshot(wh)
    r = load_file(wh, path, user=SYSTEM)
    assert r.status == "rejected" and snapshot(wh) == before
    expected = FOREIGN_EXPECTED.get(str(path.relative_to(FOREIGN)), NOT_OURS)
    assert r.errors[0].message.startswith(f"文件 {path.name} ") and expected in r.errors[0].message, r.errors[0].message
    weekly = load_file(wh, path, user=SYSTEM, kind="district_stats")
    assert weekly.status == "rejected" and weekly.errors[0].message.startswith(("文件 ", "文件“"))


def test_foreign_corpus_is_documented():
    notes = (FOREIGN / "README.md").read_text(encoding="utf-8")
    for folder in {p.relative_to(FOREIGN).parts[0] for p in foreign_files()}:
        assert f"`{folder}/`" in notes and (FOREIGN / folder / "LICENSE").is_file(), folder


# --- the README's list of refused files is what the code says -------------------------------------------------
def readme_refusals() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("<!-- refused-files -->") : text.index("<!-- /refused-files -->")]
    rows = re.findall(r"^\| [^|]+ \| (“.+”) \|$", section, re.M)
    return [fragment for row in rows for fragment in re.findall(r"“(.+?)”", row)]


def test_readme_lists_every_refusal_the_code_makes(wh, tmp_path, monkeypatch):
    """Every file-level refusal message (the odd files and the cases below) matches a row of the README's list,
    and every row is said by some case: the list is the code's."""
    from loaders.weekly.template import build_template

    def first(path, **kw) -> str:
        return load_file(wh, path, user=SYSTEM, **kw).errors[0].message

    said = [first(odd.make(tmp_path / odd.file_name)) for odd in ODD_FILES if odd.refused]
    bomb = zip_bomb(tmp_path / "bomb.xlsx", inflated_mb=8)
    said += [first(bomb), first(mangled_csv(tmp_path / "ids.csv")), first(mangled_csv(tmp_path / "m.csv", 1, 2))]
    said.append(first(FOREIGN / "xlrd" / "profiles.xls"))  # a workbook, but none of our kinds
    said.append(first(FOREIGN / "xlsx-stream-reader" / "nonumfmt.xlsx"))  # past the gate, calamine cannot read it
    (tmp_path / "header.csv").write_text("登记编号,登记时间,办结状态\n", encoding="utf-8")
    said.append(first(tmp_path / "header.csv", kind="complaints_12315"))
    (tmp_path / "notes.csv").write_text("会议纪要,下周二开会\n", encoding="utf-8")
    said.append(first(tmp_path / "notes.csv", kind="complaints_12315"))
    said.append(first(tmp_path / "notes.csv", kind="district_stats"))
    (tmp_path / "模板.xlsx").write_bytes(build_template(wh.campaign, "wujin", "aic", dt.date(2018, 8, 6)))
    said.append(first(tmp_path / "模板.xlsx", kind="district_stats"))
    upload = Upload.from_path(FIXTURES / "12358_small.csv")
    said.append(load_uploads(wh, [upload], user=SYSTEM, accept=["district_stats"])[0].errors[0].message)
    monkeypatch.setattr("loaders.reading.archive.MAX_COMPRESSION_RATIO", 10**9)
    monkeypatch.setattr("loaders.reading.archive.MAX_UNCOMPRESSED_BYTES", 4 << 20)
    said.append(first(bomb))
    monkeypatch.setattr("loaders.reading.archive.MAX_ZIP_MEMBERS", 3)
    said.append(first(FIXTURES / "monitoring_small.xlsx"))
    monkeypatch.setattr("loaders.reading.gate.MAX_FILE_BYTES", 100)
    said.append(first(FIXTURES / "12358_small.csv"))

    listed = readme_refusals()
    assert len(listed) >= 30

    def matches(message: str, fragment: str) -> bool:
        return all(part in message for part in fragment.split("…"))

    assert [m for m in said if not any(matches(m, f) for f in listed)] == []
    assert [f for f in listed if not any(matches(m, f) for m in said)] == []


@pytest.mark.parametrize("name", ["unnumbered.xlsx", "tab_ref.xlsx", "far_cell.xlsx", "disordered.xlsx", "strict.xlsx"])
def test_a_sheets_span_does_not_depend_on_where_the_reader_cuts_it(tmp_path, name):
    """The gate reads a sheet in pieces (cut before a '<'); a row, and its cells without a reference, may span
    pieces: the rectangle measured is the same for any cut, so padding cannot hide cells from it."""
    from loaders.reading import archive

    odd = next(o for o in ODD_FILES if o.file_name == name)
    with zipfile.ZipFile(odd.make(tmp_path / name)) as z:
        sheet = z.read(next(n for n in z.namelist() if n.startswith("xl/worksheets/")))

    def measured(size: int) -> tuple[int, bool]:
        span, tail = archive._Span(), b""
        for i in range(0, len(sheet), size):
            buf = tail + sheet[i : i + size]
            cut = buf.rfind(b"<")
            cut = len(buf) if cut <= 0 else cut
            span.add(buf[:cut])
            tail = buf[cut:]
        span.add(tail)
        return span.cells(), span.disordered()

    whole = measured(len(sheet))
    assert [measured(size) for size in (61, 97, 500, 4096)] == [whole] * 4
    if name == "unnumbered.xlsx":  # 40 cells without a reference in row 1048576: 1048576 rows × 50 columns
        assert whole == (1048576 * 50, False)
