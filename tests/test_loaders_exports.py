"""Export loaders end to end on real files: quirks, quarantine, versions, duplicates, withdrawal, atomicity,
hostile files, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from auth.policy import SYSTEM
from loaders import detect_kind, load_file, withdraw
from tests.exports_helpers import (
    FIXTURES,
    PERSONAL_IN_QUIRKS,
    all_text,
    overlap_csv,
    quirk_csv_bytes,
    snapshot,
    with_entities,
    zip_bomb,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def secret_dir(tmp_path, monkeypatch):
    """Each test gets its own HMAC key, outside the database file."""
    monkeypatch.setenv("WANGJIAN_SECRET_DIR", str(tmp_path / "secret"))
    return tmp_path / "secret"


def current(wh, where: str = "TRUE", params=()):
    with wh.read() as cur:
        return cur.execute(f"SELECT * FROM v_complaints_current WHERE {where} ORDER BY record_id", list(params)).pl()


def test_quirks_in_a_gb18030_csv_with_title_lines(wh):
    r = load_file(wh, FIXTURES / "12315_quirks_gb18030.csv", user=SYSTEM)
    assert (r.status, r.kind, r.rows_loaded, r.rows_quarantined) == ("loaded", "complaints_12315", 6, 5)
    rows = {d["record_id"]: d for d in current(wh).to_dicts()}
    first = rows["3204120000000201808031234"]
    assert first["unit"] == "jingkai" and first["platform"] == "淘宝" and first["amount_involved"] == 1234.5
    assert first["focus_key"] == "F3" and first["online"] and first["uscc_valid"]
    assert first["content"] == "消费者***反映质量问题，联系电话***，身份证***。"
    assert first["complainant_hash"] and len(first["complainant_hash"]) == 64
    second = rows["3204120000000201808031235"]
    assert (second["unit"], second["platform"], second["amount_involved"], second["focus_key"]) == (
        "outside",
        "天猫",
        1234.0,
        "F5",
    )
    third = rows["3204120000000201808031236"]
    assert (third["unit"], third["unit_inferred"], third["uscc_valid"], third["focus_key"], third["online"]) == (
        "city",
        True,
        False,
        "F0",
        False,
    )
    assert third["amount_involved"] is None  # "—" means no value
    fourth = rows["3204120000000201808031237"]
    assert (fourth["unit"], fourth["unit_inferred"], fourth["platform"], fourth["amount_involved"]) == (
        "zhonglou",
        True,
        "京东",
        12000.0,
    )
    assert str(rows["3204120000000201808031238"]["received_at"]) == "2018-08-03 12:00:00"  # Excel serial
    assert rows["3204120000000201808031241"]["status"] == "已办结"  # the later of two rows with one ID
    # Row numbers are the file's own lines (two title lines, header on line 3, a blank line after line 8).
    errors = {(e.row, e.column): e.message for e in r.errors}
    assert set(errors) == {(10, "工单编号"), (11, "工单编号"), (12, "受理时间"), (13, "争议金额"), (14, "工单编号")}
    assert errors[(10, "工单编号")] == (
        "12315_quirks_gb18030.csv第 10 行：“工单编号”列的值“3.20412E+24”被 Excel 改成了科学计数法或丢失了末尾数字，无法还原，"
        "应为文本格式的完整编号（请在原系统导出时将编号列设为文本）（该行已隔离，其余行照常导入）"
    )
    assert "“受理时间”列的值“2018-02-30”不是可识别的日期" in errors[(12, "受理时间")]
    assert "“争议金额”列的值“abc”不是可识别的金额" in errors[(13, "争议金额")]
    assert "在本文件第 15 行再次出现" in errors[(14, "工单编号")]
    warnings = " ".join(w.message for w in r.warnings)
    assert "个人信息列已丢弃" in warnings and "跳过 2 行" in warnings and "备注" in warnings
    with wh.read() as cur:
        q = cur.execute("SELECT row_no, column_name, value, record FROM export_quarantine ORDER BY row_no").fetchall()
        exported = cur.execute("SELECT exported_at, exported_at_basis, encoding FROM export_batches").fetchone()
    assert [row[:3] for row in q][:2] == [(10, "工单编号", "3.20412E+24"), (11, "工单编号", None)]
    assert json.loads(q[0][3])["所属区域"] == "天宁区红梅街道"
    assert (str(exported[0]), exported[1], exported[2]) == ("2018-08-31 17:00:00", "title", "gb18030")


def test_utf8_and_gb18030_copies_load_the_same(wh):
    a = load_file(wh, FIXTURES / "12315_quirks_gb18030.csv", user=SYSTEM)
    b = load_file(wh, FIXTURES / "12315_quirks_utf8.csv", user=SYSTEM)
    assert (a.rows_loaded, a.rows_quarantined) == (b.rows_loaded, b.rows_quarantined)
    assert current(wh).height == 6  # same records: versions, never counted twice


def test_workbook_quirks(wh):
    r = load_file(wh, FIXTURES / "12315_sheets.xlsx", user=SYSTEM)
    assert (r.status, r.rows_loaded, r.rows_quarantined) == ("loaded", 3, 1)
    (err,) = r.errors
    # The table starts at B3 under a title in B1: rows are Excel's; the numeric 25-digit ID is refused.
    assert (err.row, err.column, err.sheet) == (6, "登记编号", "投诉举报")
    assert err.message.startswith("12315_sheets.xlsx（工作表“投诉举报”）第 6 行")
    df = current(wh)
    assert df.get_column("row_no").to_list() == [4, 5, 7]
    assert "HIDDEN-1" not in df.get_column("record_id").to_list()  # hidden sheet skipped
    by_id = {d["record_id"]: d for d in df.to_dicts()}
    assert str(by_id["3204110000000201809010002"]["received_at"]) == "2018-09-02 00:00:00"  # serial cell
    assert by_id["3204110000000201809010002"]["amount_involved"] is None  # a formula is never evaluated
    assert by_id["3204110000000201809010002"]["unit"] == "jingkai"
    assert by_id["3204110000000201809010004"]["amount_involved"] == 1000.0


def test_old_binary_xls_workbook(wh):
    """.xls (BIFF8) goes through the same reader: title rows, date cells, a numeric ID refused, hidden sheet skipped."""
    r = load_file(wh, FIXTURES / "12315_sheets.xls", user=SYSTEM)
    assert (r.status, r.kind, r.rows_loaded, r.rows_quarantined) == ("loaded", "complaints_12315", 3, 1)
    (err,) = r.errors
    assert (err.row, err.column, err.sheet) == (6, "登记编号", "投诉举报")
    df = current(wh)
    assert df.get_column("row_no").to_list() == [4, 5, 7]
    assert "HIDDEN-1" not in df.get_column("record_id").to_list()
    by_id = {d["record_id"]: d for d in df.to_dicts()}
    assert str(by_id["3204110000000201809010001"]["received_at"]) == "2018-09-01 10:30:00"  # a date cell
    assert str(by_id["3204110000000201809010002"]["received_at"]) == "2018-09-02 00:00:00"  # a serial number
    assert by_id["3204110000000201809010002"]["amount_involved"] == 1234.0
    assert by_id["3204110000000201809010002"]["unit"] == "jingkai"
    with wh.read() as cur:
        assert cur.execute("SELECT file_format FROM export_batches").fetchone()[0] == "xls"


def test_monitoring_and_12358(wh):
    m = load_file(wh, FIXTURES / "monitoring_small.xlsx", user=SYSTEM)
    p = load_file(wh, FIXTURES / "12358_small.csv", user=SYSTEM)
    assert (m.kind, m.rows_loaded, p.kind, p.rows_loaded) == ("monitoring", 3, "price_12358", 2)
    with wh.read() as cur:
        hits = {
            r[0]: r[1:]
            for r in cur.execute(
                "SELECT hit_id, unit, unit_inferred, platform, focus_key, result FROM v_hits_current"
            ).fetchall()
        }
    assert hits == {
        "JC-1": ("jingkai", False, "淘宝", "F4", "已联系经营者，电话***"),
        "JC-2": ("wujin", True, "美团", "F5", None),
        "JC-3": ("outside", False, "抖音", "F0", None),
    }
    price = current(wh, "source = 'price_12358'").select("record_id", "unit", "platform", "focus_key", "online").rows()
    assert price == [
        ("123582018080100001", "zhonglou", "天猫", "F5", True),
        ("123582018080200002", "jingkai", None, "F6", False),
    ]


def test_kind_detection_and_wrong_kind(wh):
    assert detect_kind(FIXTURES / "12315_quirks_gb18030.csv") == "complaints_12315"
    assert detect_kind(FIXTURES / "12358_small.csv") == "price_12358"
    assert detect_kind(FIXTURES / "monitoring_small.xlsx") == "monitoring"
    r = load_file(wh, FIXTURES / "12358_small.csv", user=SYSTEM, kind="monitoring")
    assert r.status == "rejected" and "缺少" in r.errors[0].message and "线索编号" in r.errors[0].message
    r = load_file(wh, FIXTURES / "12315_quirks_utf8.csv", user=SYSTEM, kind="price_12358")
    assert r.status == "rejected"
    assert snapshot(wh)["batches"] == []


@pytest.mark.both_backends
def test_duplicate_file_changes_nothing(wh):
    first = load_file(wh, FIXTURES / "12358_small.csv", user=SYSTEM)
    before = snapshot(wh)
    again = load_file(wh, FIXTURES / "12358_small.csv", user=SYSTEM, display_name="改了名字.csv")
    assert (again.status, again.batch_id, again.rows_loaded) == ("duplicate", first.batch_id, 0)
    assert snapshot(wh) == before


@pytest.mark.both_backends
def test_newer_export_wins_and_withdrawal_restores_earlier_versions(wh, tmp_path):
    old = overlap_csv(tmp_path / "old.csv", {"A1": "已受理", "A2": "处理中", "A3": "已受理"}, "2018-08-10 09:00:00")
    new = overlap_csv(tmp_path / "new.csv", {"A2": "已办结", "A3": "已办结", "A4": "已受理"}, "2018-09-10 09:00:00")
    r_new = load_file(wh, new, user=SYSTEM)  # loaded first, but exported later: it still wins
    r_old = load_file(wh, old, user=SYSTEM)
    status = dict(current(wh).select("record_id", "status").rows())
    assert status == {"A1": "已受理", "A2": "已办结", "A3": "已办结", "A4": "已受理"}
    with wh.read() as cur:
        assert cur.execute("SELECT count(*) FROM complaint_versions").fetchone()[0] == 6  # earlier versions kept
    withdraw(wh, r_new.batch_id, user=SYSTEM)
    assert dict(current(wh).select("record_id", "status").rows()) == {"A1": "已受理", "A2": "处理中", "A3": "已受理"}
    withdraw(wh, r_old.batch_id, user=SYSTEM)
    assert current(wh).height == 0


@pytest.mark.both_backends
def test_a_failure_mid_load_leaves_the_warehouse_as_it_was(wh, monkeypatch):
    load_file(wh, FIXTURES / "12358_small.csv", user=SYSTEM)
    before = snapshot(wh)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("loaders.exports.load.set_counts", boom)  # after the versions and quarantine are inserted
    with pytest.raises(RuntimeError):
        load_file(wh, FIXTURES / "12315_quirks_gb18030.csv", user=SYSTEM)
    assert snapshot(wh) == before


@pytest.mark.both_backends
def test_no_personal_data_from_the_fixtures_in_any_table(wh):
    for f in sorted(FIXTURES.iterdir()):
        assert load_file(wh, f, user=SYSTEM).status == "loaded", f
    blob = all_text(wh)
    found = [v for v in [*PERSONAL_IN_QUIRKS, "陈一", "18600000001", "刘一", "13700000001", "13800001111"] if v in blob]
    assert found == []


# --- hostile files --------------------------------------------------------------------------------------
def rejected(wh, path, kind="auto"):
    before = snapshot(wh)
    r = load_file(wh, path, user=SYSTEM, kind=kind)
    assert r.status == "rejected", r
    assert snapshot(wh) == before
    return r.errors[0].message


def test_zip_bomb(wh, tmp_path, monkeypatch):
    bomb = zip_bomb(tmp_path / "bomb.xlsx", inflated_mb=64)
    assert bomb.stat().st_size < 1 << 20
    assert "压缩炸弹" in rejected(wh, bomb)
    assert "压缩炸弹" in rejected(wh, bomb, kind="complaints_12315")
    assert "压缩炸弹" in rejected(wh, bomb, kind="district_stats")  # the weekly-table reader checks too
    monkeypatch.setattr("loaders.reading.archive.MAX_UNCOMPRESSED_BYTES", 8 << 20)
    monkeypatch.setattr("loaders.reading.archive.MAX_COMPRESSION_RATIO", 10**9)
    assert "解压后约 64 MB，超过上限 8 MB" in rejected(wh, bomb, kind="complaints_12315")


def test_xml_entities(wh, tmp_path):
    evil = with_entities(FIXTURES / "monitoring_small.xlsx", tmp_path / "lol.xlsx")
    assert "XML 实体声明" in rejected(wh, evil, kind="monitoring")
    assert "XML 实体声明" in rejected(wh, evil)
    assert "XML 实体声明" in rejected(wh, evil, kind="district_stats")


def test_truncated_files(wh, tmp_path):
    data = (FIXTURES / "12315_sheets.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    assert "已损坏或不完整" in rejected(wh, cut, kind="complaints_12315")
    assert "已损坏或不完整" in rejected(wh, cut)
    gb = quirk_csv_bytes("gb18030")
    half = tmp_path / "half.csv"
    half.write_bytes(gb[: gb.index("李四".encode("gb18030")) + 1])  # ends inside a two-byte character
    msg = rejected(wh, half, kind="complaints_12315")
    assert "不是有效的" in msg or "编码" in msg


def test_renamed_files(wh, tmp_path):
    text = tmp_path / "notes.xlsx"
    text.write_text("会议纪要：下周二开会。\n请各单位准时参加。\n", encoding="utf-8")
    assert rejected(wh, text)
    assert "找不到包含必需列的表头" in rejected(wh, text, kind="complaints_12315")
    csv_as_xls = tmp_path / "export.xls"
    csv_as_xls.write_bytes((FIXTURES / "12358_small.csv").read_bytes())
    r = load_file(wh, csv_as_xls, user=SYSTEM)
    assert (r.status, r.kind, r.rows_loaded) == ("loaded", "price_12358", 2)
    assert any("内容是文本表格，已按 CSV 读取" in w.message for w in r.warnings)


def test_empty_and_header_only_files(wh, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "空文件" in rejected(wh, empty)
    assert "空文件" in rejected(wh, empty, kind="complaints_12315")
    header = tmp_path / "header.csv"
    header.write_text("导出时间：2018-09-01\n登记编号,登记时间,办结状态\n\n", encoding="utf-8")
    assert rejected(wh, header, kind="complaints_12315") == "文件 header.csv 只有表头（第 2 行），没有数据行。"


def test_oversized_file_is_refused(wh, monkeypatch):
    monkeypatch.setattr("loaders.reading.gate.MAX_FILE_BYTES", 100)
    assert "超过上限" in rejected(wh, FIXTURES / "12358_small.csv", kind="price_12358")


def test_binary_garbage_is_refused(wh, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 10)
    assert rejected(wh, junk, kind="complaints_12315")


# --- the command line ------------------------------------------------------------------------------------
def cli(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "loaders", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_cli_json_lines_and_exit_codes(tmp_path, secret_dir):
    db = tmp_path / "cli.duckdb"
    env = {"WANGJIAN_SECRET_DIR": str(secret_dir)}
    files = [FIXTURES / "12315_quirks_gb18030.csv", FIXTURES / "12358_small.csv"]
    p = cli("load", *map(str, files), "--db", str(db), "--json", env_extra=env)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    assert [(d["file"], d["kind"], d["status"], d["rows_loaded"], d["rows_quarantined"]) for d in lines] == [
        (str(files[0]), "complaints_12315", "loaded", 6, 5),
        (str(files[1]), "price_12358", "loaded", 2, 0),
    ]
    assert {"file", "kind", "status", "rows_loaded", "rows_quarantined", "batch_id", "errors"} <= set(lines[0])
    first_error = lines[0]["errors"][0]
    assert (first_error["row"], first_error["column"]) == (10, "工单编号")
    assert first_error["message"].startswith("12315_quirks_gb18030.csv第 10 行")
    assert not any(v in p.stdout + p.stderr for v in PERSONAL_IN_QUIRKS)

    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    p = cli("load", str(files[1]), str(bad), "--db", str(db), "--json", "--kind", "price_12358", env_extra=env)
    assert p.returncode == 1
    dup, rej = (json.loads(line) for line in p.stdout.splitlines())
    assert (dup["status"], dup["batch_id"]) == ("duplicate", lines[1]["batch_id"])
    assert (rej["status"], rej["batch_id"], rej["errors"][0]["row"]) == ("rejected", None, None)

    p = cli("load", str(files[1]), "--db", str(db), env_extra=env)  # human-readable form
    assert p.returncode == 0 and "重复文件" in p.stdout


def test_cli_passes_district_stats_through(tmp_path, secret_dir):
    p = cli(
        "load",
        str(FIXTURES / "12358_small.csv"),
        "--kind",
        "district_stats",
        "--db",
        str(tmp_path / "d.duckdb"),
        "--json",
        env_extra={"WANGJIAN_SECRET_DIR": str(secret_dir)},
    )
    assert p.returncode == 1
    assert json.loads(p.stdout)["kind"] == "district_stats"


def test_workbook_archive_check_only_reads_xml_parts(tmp_path):
    """Sanity of the helper: the bomb really is a zip whose member inflates past the limit."""
    bomb = zip_bomb(tmp_path / "b.xlsx", inflated_mb=2)
    with zipfile.ZipFile(bomb) as zf:
        assert sum(i.file_size for i in zf.infolist()) >= 2 << 20


def test_uploads_are_checked_against_the_kinds_accepted_and_refresh_the_summaries(wh, tmp_path):
    """loaders.load_uploads: bytes in, the kind checked against what the page accepts (refused by name), then the
    summary tables follow the load, and the withdrawal, with no page involved."""
    from datagen.stats import write_filled_table
    from loaders import load_uploads
    from loaders.result import Upload
    from metrics import summary_tables

    weekly = Upload.from_path(write_filled_table(tmp_path / "统计表.xlsx", "wujin", campaign=wh.campaign))
    export = Upload.from_path(FIXTURES / "12358_small.csv")
    refused, loaded = load_uploads(wh, [weekly, export], user=SYSTEM, accept=wh.campaign.export_kinds)
    assert (refused.status, refused.kind, loaded.status) == ("rejected", "district_stats", "loaded")
    assert [e.message for e in refused.errors] == [
        "文件 统计表.xlsx 看起来是情况统计表（周报），这里只接收12315投诉举报、12358价格举报、网络交易监测线索。"
    ]
    assert summary_tables.refresh(wh) == []  # already rebuilt by the upload
    withdraw(wh, loaded.batch_id, user=SYSTEM)
    assert summary_tables.refresh(wh) == []  # and by the withdrawal
    with wh.read() as cur:
        assert cur.execute("SELECT count(*) FROM complaint_day_counts").fetchone() == (0,)


def test_staging_needs_no_database():
    """exports.staging turns a slice of text rows into typed, checked, masked rows with polars alone: no
    warehouse (the repeated ID's earlier row is quarantined later, in SQL)."""
    from campaign import load_campaign
    from loaders.exports.complaints_12315 import SPEC
    from loaders.exports.staging import stage_rows
    from loaders.reading.grids import preview
    from loaders.reading.headers import HeaderIndex, locate
    from loaders.reading.tables import iter_table

    c = load_campaign()
    path = FIXTURES / "12315_quirks_utf8.csv"
    fmt, grids, text = preview(path, path.name)
    loc = locate(path, path.name, HeaderIndex(c.sources[SPEC.kind]), grids, fmt, text)
    fields = loc.match.fields
    rules = [(r.focus, k) for r in c.classification_rules for k in r.keywords]
    (frame,) = iter_table(loc, sorted({*fields.values(), *loc.match.personal}), [fields["record_id"]], 1000)
    staged = stage_rows(loc, SPEC, c, rules, frame)
    assert (staged.rows_loaded, staged.quarantined.height, staged.skipped) == (7, 4, 2)
    assert staged.quarantined.select("row_no", "column_name").rows() == [
        (10, "工单编号"),
        (11, "工单编号"),
        (12, "受理时间"),
        (13, "争议金额"),
    ]
    good = staged.stage.filter(~staged.stage["__bad"])
    assert good.select("unit", "focus_key", "amount_involved").rows()[:2] == [
        ("jingkai", "F3", 1234.5),
        ("outside", "F5", 1234.0),
    ]
    assert not any(p in str(v) for v in good["content"].to_list() for p in PERSONAL_IN_QUIRKS)
