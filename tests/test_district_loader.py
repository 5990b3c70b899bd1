"""Weekly 统计表: layouts, blocking errors (exact messages), warnings, versions and withdrawal, template."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import openpyxl
import pytest

from auth.policy import SYSTEM
from datagen.stats import write_filled_table
from loaders import load_file, withdraw
from loaders.reading.text import fold
from loaders.result import FileRejected
from loaders.weekly.district_stats import load, sniff
from loaders.weekly.identity import parse_period, resolve_reporter
from loaders.weekly.labels import fold_trimmed, norm_label
from loaders.weekly.parse import parse_workbook
from loaders.weekly.template import build_template
from metrics.district import district_summary, version_diff, versions, warnings_of
from tests.conftest import ROOT
from tests.stats_helpers import W0806, batch_count, expected_summary, make_and_load, values

W0813 = dt.date(2018, 8, 13)


# --- the shared samples ----------------------------------------------------------------------------


@pytest.mark.both_backends
def test_samples_give_expected_district_stats(wh, samples):
    for f in sorted(samples.glob("统计表_*.xlsx")):
        r = load_file(wh, f, user=SYSTEM, kind="district_stats")
        assert r.status == "loaded", [e.message for e in r.errors]
        assert r.warnings == []
    expected = json.loads((samples / "expected_totals.json").read_text(encoding="utf-8"))["district_stats"]
    assert district_summary(wh) == expected


@pytest.mark.both_backends
def test_samples_through_summary_cli(wh, db_path, samples):
    pytest.importorskip("metrics.load_counts", reason="metrics.load_counts (issue 3) not landed yet")
    for f in sorted(samples.glob("统计表_*.xlsx")):
        assert load_file(wh, f, user=SYSTEM, kind="district_stats").status == "loaded"
    wh.close()
    out = subprocess.run(
        [sys.executable, "-m", "metrics", "summary", "--json", "--db", str(db_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads((samples / "expected_totals.json").read_text(encoding="utf-8"))["district_stats"]
    assert json.loads(out.stdout)["district_stats"] == expected


def test_sniff_recognises_weekly_tables_only(samples, tmp_path):
    for f in samples.glob("统计表_*.xlsx"):
        assert sniff(f) >= 0.9
    for f in samples.iterdir():
        if not f.name.startswith("统计表") and f.suffix in (".xlsx", ".csv"):
            assert sniff(f) == 0.0
    bogus = tmp_path / "x.xlsx"
    bogus.write_bytes(b"not a workbook")
    assert sniff(bogus) == 0.0
    assert sniff(tmp_path / "missing.xlsx") == 0.0


def test_empty_warehouse_summary_has_every_key_at_zero(wh):
    s = district_summary(wh)
    assert s["weeks_loaded"] == 0
    assert set(s["table1"]) == {m.key for m in wh.campaign.table1}
    assert all(v == 0 for v in s["table1"].values())
    assert set(s["table2"]) == {v.key for v in wh.campaign.violation_types}


# --- layout variations -------------------------------------------------------------------------------

VARIATIONS = {
    "standard": {},
    "offset_start_row_and_column": dict(start_row=4, start_col=3),
    "alternative_labels_指标名称_本期数": dict(alt_labels=True),
    "rows_in_any_order": dict(shuffle=True),
    "total_row_not_added": dict(total_row=True),
    "dash_means_zero": dict(zero_as="—"),
    "slash_means_zero": dict(zero_as="/"),
    "blank_means_zero": dict(zero_as=""),
    "full_width_digits": dict(fullwidth=True, as_text=True),
    "wan_yuan_in_amount_cells": dict(wan_suffix=True),
    "yuan_in_amount_cells": dict(yuan=True),
    "numbers_typed_as_text": dict(as_text=True),
    "chinese_period": dict(period_style="chinese"),
    "blank_rows_inside": dict(blank_rows=True),
    "both_tables_on_one_sheet": dict(one_sheet=True),
    "other_sheet_names": dict(sheet_names=("Sheet1", "Sheet2")),
    "everything_at_once": dict(
        start_row=3,
        start_col=2,
        alt_labels=True,
        shuffle=True,
        total_row=True,
        zero_as="/",
        fullwidth=True,
        wan_suffix=True,
        period_style="chinese",
        blank_rows=True,
    ),
}


@pytest.mark.parametrize("variation", list(VARIATIONS))
def test_layout_variation_loads_the_same_values(wh, tmp_path, variation):
    r = make_and_load(wh, tmp_path, "wujin", seed=3, **VARIATIONS[variation])
    assert r.status == "loaded", [e.message for e in r.errors]
    assert r.warnings == [], [w.message for w in r.warnings]
    t1, t2 = expected_summary(wh, [values(wh, "wujin", W0806, seed=3)])
    s = district_summary(wh)
    assert s == {"weeks_loaded": 1, "table1": t1, "table2": t2}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("武进区市场监督管理局", ("wujin", "aic")),
        ("武进", ("wujin", "aic")),
        ("溧阳市市场监督管理局（盖章）", ("liyang", "aic")),
        ("常州经开区市场监督管理局", ("jingkai", "aic")),
        ("常州市天宁区市场监督管理局", ("tianning", "aic")),
        ("高新区（新北）", ("xinbei", "aic")),
        ("市本级", ("city", "aic")),
        ("常州市市场监督管理局", ("city", "aic")),
        ("市公安局", ("city", "psb")),
        ("常州市公安局", ("city", "psb")),
        ("常州海关", ("city", "customs")),
        ("南京市玄武区市场监督管理局", None),
        ("武进区公安局", None),
    ],
)
def test_reporter_any_alias(wh, text, expected):
    assert resolve_reporter(wh.campaign, text) == expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2018-08-06至2018-08-12", dt.date(2018, 8, 6), dt.date(2018, 8, 12)),
        ("2018年8月6日至8月12日", dt.date(2018, 8, 6), dt.date(2018, 8, 12)),
        ("2018年8月6日-2018年8月12日", dt.date(2018, 8, 6), dt.date(2018, 8, 12)),
        ("2018.8.6—8.12", dt.date(2018, 8, 6), dt.date(2018, 8, 12)),
        ("２０１８－０８－０６至２０１８－０８－１２", dt.date(2018, 8, 6), dt.date(2018, 8, 12)),
        ("2018-08-06 00:00:00", dt.date(2018, 8, 6), None),
    ],
)
def test_period_written_forms(text, start, end):
    assert parse_period(text, 2018) == (start, end)


def test_weekly_text_folds_like_the_core_but_keeps_inner_blanks(wh, tmp_path):
    """The weekly tables fold full-width text like every loader (reading.text.fold) but keep the blanks inside a
    cell: the reporter is stored as written, and numbering before a label still reads as part of it."""
    cell = "\u3000１ 、出动执法人员（人次）\u3000"
    assert fold(cell) == "1、出动执法人员(人次)"
    assert fold_trimmed(cell) == "1 、出动执法人员(人次)"
    assert norm_label(cell) == "1出动执法人员人次"
    p = write_filled_table(
        tmp_path / "t.xlsx", "wujin", reporter="武进区 市场监督管理局（盖 章）", campaign=wh.campaign
    )
    parsed = parse_workbook(p, wh.campaign, p.name)
    assert [f.text for f in parsed.reporters] == ["武进区 市场监督管理局(盖 章)"] * 2
    assert resolve_reporter(wh.campaign, parsed.reporters[0].text) == ("wujin", "aic")


def test_member_agency_table(wh, tmp_path):
    r = make_and_load(wh, tmp_path, "city", "psb")
    assert r.status == "loaded"
    with wh.read() as cur:
        assert cur.execute("SELECT unit, agency FROM v_stats_tables_current").fetchall() == [("city", "psb")]


# --- blocking errors: exact messages, nothing stored ----------------------------------------------


def _rejected(wh, path, **kw) -> list[str]:
    before = batch_count(wh)
    with pytest.raises(FileRejected) as exc:
        load(wh, path, user="tester", **kw)
    assert batch_count(wh) == before  # nothing half-written
    return [p.message for p in exc.value.problems]


def test_negative_value_is_refused(wh, tmp_path):
    p = write_filled_table(tmp_path / "neg.xlsx", "wujin", table1={"staff_deployed": -3})
    assert _rejected(wh, p) == [
        "文件“neg.xlsx”工作表“统计表1”第6行D列（出动执法人员·本周数）：“-3”是负数，应为不小于 0 的整数（人次）"
    ]


def test_non_numeric_values_are_refused_with_sheet_row_column(wh, tmp_path):
    p = write_filled_table(tmp_path / "text.xlsx", "wujin")
    wb = openpyxl.load_workbook(p)
    wb["统计表1"]["D15"] = "约20万"  # 案值
    wb["统计表2"]["D7"] = "2.5"  # 伪造、冒用企业名称的非法主体网站 · 结案(件)
    wb.save(p)
    problems = _rejected(wh, p)
    assert problems == [
        "文件“text.xlsx”工作表“统计表1”第15行D列（案值·本周数）：“约20万”不是数字，应为不小于 0 的金额（万元）",
        "文件“text.xlsx”工作表“统计表2”第7行D列（伪造、冒用企业名称的非法主体网站·结案(件)）：“2.5”不是整数，应为不小于 0 的整数（件）",
    ]


def test_error_problems_carry_sheet_row_column(wh, tmp_path):
    p = write_filled_table(tmp_path / "neg.xlsx", "wujin", table1={"fines": -1})
    with pytest.raises(FileRejected) as exc:
        load(wh, p, user="tester")
    (problem,) = exc.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("统计表1", 16, "本周数")


def test_unknown_unit_is_refused(wh, tmp_path):
    p = write_filled_table(tmp_path / "u.xlsx", "wujin", reporter="南京市玄武区市场监督管理局")
    assert _rejected(wh, p) == [
        "文件“u.xlsx”工作表“统计表1”第2行：填报单位“南京市玄武区市场监督管理局”无法识别，"
        "应为以下之一：天宁区、钟楼区、新北区、武进区、金坛区、溧阳市、经开区、市本级，或市级成员单位（如市公安局）",
        "文件“u.xlsx”工作表“统计表2”第2行：填报单位“南京市玄武区市场监督管理局”无法识别，"
        "应为以下之一：天宁区、钟楼区、新北区、武进区、金坛区、溧阳市、经开区、市本级，或市级成员单位（如市公安局）",
    ]


def test_week_outside_campaign_is_refused(wh, tmp_path):
    p = write_filled_table(tmp_path / "w.xlsx", "wujin", period="2018-12-03至2018-12-09", one_sheet=True)
    assert _rejected(wh, p) == [
        "文件“w.xlsx”工作表“统计表1”第2行：统计周期“2018-12-03至2018-12-09”（2018-12-03起的一周）"
        "不在本次行动的报告周内（2018-07-30至2018-12-02）"
    ]


def test_missing_table_is_refused(wh, tmp_path):
    p = write_filled_table(tmp_path / "only1.xlsx", "wujin", omit_table=2)
    assert _rejected(wh, p) == [
        "文件“only1.xlsx”中找不到2018网络市场监管专项行动情况统计表2：应有含“违法类型”和“立案(件)”“结案(件)”“案值(万元)”等表头、"
        "各行为违法类型的表格。请使用下载的模板填报。"
    ]
    p = write_filled_table(tmp_path / "only2.xlsx", "wujin", omit_table=1)
    assert _rejected(wh, p) == [
        "文件“only2.xlsx”中找不到2018网络市场监管专项行动情况统计表1：应有含“指标”和“本周数”（或“本期数”）表头、"
        "各行为统计表1指标的表格。请使用下载的模板填报。"
    ]


def test_not_an_excel_file_is_refused(wh, tmp_path):
    p = tmp_path / "bad.xlsx"
    p.write_bytes(b"hello")
    assert _rejected(wh, p) == [
        "文件 bad.xlsx 扩展名是 .xlsx，但内容是文本，不是 Excel 工作簿。请上传 .xlsx 或 .xls 文件。"
    ]


def test_form_unit_disagreeing_with_sheet_is_refused_showing_both(wh, tmp_path):
    p = write_filled_table(tmp_path / "f.xlsx", "wujin", one_sheet=True)
    assert _rejected(wh, p, unit="liyang") == [
        "文件“f.xlsx”工作表“统计表1”第2行：表内填报单位为“武进区市场监督管理局”（武进区），"
        "与上传时选择的“溧阳市”不一致，请核对后重新上传"
    ]


def test_form_week_disagreeing_with_sheet_is_refused_showing_both(wh, tmp_path):
    p = write_filled_table(tmp_path / "f.xlsx", "wujin", one_sheet=True)
    assert _rejected(wh, p, unit="wujin", week=W0813) == [
        "文件“f.xlsx”工作表“统计表1”第2行：表内统计周期为“2018-08-06至2018-08-12”（2018-08-06至2018-08-12），"
        "与上传时选择的报告周（2018-08-13至2018-08-19）不一致，请核对后重新上传"
    ]


def test_form_fills_in_what_the_sheet_leaves_out(wh, tmp_path):
    p = write_filled_table(tmp_path / "bare.xlsx", "wujin", reporter="", period="")
    assert _rejected(wh, p) == [
        "文件“bare.xlsx”中找不到填报单位：请在表头填写“填报单位：××区市场监督管理局”，或在上传时选择填报单位",
        "文件“bare.xlsx”中找不到统计周期：请在表头填写“统计周期：2018-08-06至2018-08-12”，或在上传时选择报告周",
    ]
    r = load(wh, p, user="tester", unit="wujin", week=W0806)
    assert r.status == "loaded"


def test_unknown_indicator_row_with_a_number_is_refused(wh, tmp_path):
    p = write_filled_table(tmp_path / "x.xlsx", "wujin")
    wb = openpyxl.load_workbook(p)
    wb["统计表1"]["B10"] = "约谈平台"
    wb.save(p)
    (msg,) = _rejected(wh, p)
    assert msg.startswith(
        "文件“x.xlsx”工作表“统计表1”第10行B列：无法识别的指标“约谈平台”，应为统计表1的指标之一：出动执法人员、"
    )


# --- warnings: stored and returned, never blocking ----------------------------------------------------


def _kinds(wh, batch_id):
    return [w["kind"] for w in warnings_of(wh, batch_id)]


def test_table2_not_adding_up_to_table1_is_a_stored_warning(wh, tmp_path):
    t1, _ = values(wh, "wujin", W0806)
    r = make_and_load(wh, tmp_path, table1={"cases_filed": t1["cases_filed"] + 2, "fines": t1["fines"] + 1.5})
    assert r.status == "loaded"
    assert [w.message for w in r.warnings] == [
        f"统计表2各违法类型“立案”之和为 {t1['cases_filed']:.0f}件，与统计表1“立案查处网络违法案件”{t1['cases_filed'] + 2:.0f}件 不一致",
        f"统计表2各违法类型“罚没金额”之和为 {t1['fines']:.2f}万元，与统计表1“罚没金额”{t1['fines'] + 1.5:.2f}万元 不一致",
    ]
    assert _kinds(wh, r.batch_id) == ["reconcile", "reconcile"]
    assert district_summary(wh)["table1"]["cases_filed"] == t1["cases_filed"] + 2  # stored as reported


def test_total_row_disagreeing_is_a_stored_warning(wh, tmp_path):
    _, t2 = values(wh, "wujin", W0806)
    filed = sum(row["cases_filed"] for row in t2.values())
    r = make_and_load(wh, tmp_path, total_row=True, total_override={"cases_filed": filed + 5})
    assert r.status == "loaded"
    assert [w.message for w in r.warnings] == [
        f"工作表“统计表2”第27行C列：合计行“立案”为 {filed + 5:.0f}件，各行之和为 {filed:.0f}件（合计行不计入统计，以各行数据为准）"
    ]
    assert (r.warnings[0].sheet, r.warnings[0].row, r.warnings[0].column) == ("统计表2", 27, "立案(件)")
    assert _kinds(wh, r.batch_id) == ["total_row"]
    assert district_summary(wh)["table2"] == expected_summary(wh, [values(wh, "wujin", W0806)])[1]


def test_value_far_above_usual_weeks_is_a_stored_warning(wh, tmp_path):
    for week in (dt.date(2018, 7, 30), W0806, W0813):
        assert make_and_load(wh, tmp_path, week=week, table1={"staff_deployed": 40}).warnings == []
    r = make_and_load(wh, tmp_path, week=dt.date(2018, 8, 20), table1={"staff_deployed": 400})
    assert r.status == "loaded"
    assert [w.message for w in r.warnings] == [
        "统计表1“出动执法人员”本周为 400人次，远高于该单位以往 3 周的中位数 40人次（超过 5 倍），请核实"
    ]
    assert _kinds(wh, r.batch_id) == ["far_above"]


# --- versions and withdrawal -------------------------------------------------------------------------


@pytest.mark.both_backends
def test_reupload_is_a_new_version_and_withdrawal_brings_back_the_previous(wh, tmp_path):
    v1 = make_and_load(wh, tmp_path, table1={"staff_deployed": 50})
    v2 = make_and_load(wh, tmp_path, table1={"staff_deployed": 55, "joint_actions": 9})
    assert (v1.status, v2.status) == ("loaded", "loaded")
    assert district_summary(wh)["weeks_loaded"] == 1
    assert district_summary(wh)["table1"]["staff_deployed"] == 55
    vs = versions(wh, "wujin", "aic", W0806)
    assert [(v["version"], v["is_current"]) for v in vs] == [(1, False), (2, True)]
    changes = version_diff(wh, v2.batch_id)
    t1, _ = values(wh, "wujin", W0806)
    assert [(ch.row_label, ch.old, ch.new, ch.cell) for ch in changes] == [
        ("出动执法人员", 50, 55, "统计表1!D6"),
        ("联合执法行动", t1["joint_actions"], 9, "统计表1!D18"),
    ]
    withdraw(wh, v2.batch_id, user=SYSTEM)
    assert district_summary(wh)["table1"]["staff_deployed"] == 50
    assert [(v["version"], v["is_current"], v["status"]) for v in versions(wh, "wujin", "aic", W0806)] == [
        (1, True, "loaded"),
        (2, False, "withdrawn"),
    ]
    withdraw(wh, v1.batch_id, user=SYSTEM)
    assert district_summary(wh)["weeks_loaded"] == 0


def test_same_file_again_is_a_duplicate_not_a_version(wh, tmp_path):
    p = write_filled_table(tmp_path / "a.xlsx", "wujin")
    first = load(wh, p, user="tester")
    again = load(wh, p, user="tester")
    assert again.status == "duplicate" and again.batch_id == first.batch_id
    assert len(versions(wh, "wujin", "aic", W0806)) == 1


def test_version_is_per_unit_agency_and_week(wh, tmp_path):
    make_and_load(wh, tmp_path, "wujin")
    make_and_load(wh, tmp_path, "wujin", week=W0813)
    make_and_load(wh, tmp_path, "city", "aic")
    make_and_load(wh, tmp_path, "city", "psb")
    assert district_summary(wh)["weeks_loaded"] == 4
    assert district_summary(wh, dt.date(2018, 8, 18))["weeks_loaded"] == 3  # week 08-13 ends on the 19th


# --- template round trip --------------------------------------------------------------------------


def test_template_filled_with_openpyxl_loads_back_the_same_values(wh, tmp_path):
    c = wh.campaign
    data = build_template(c, "jintan", "aic", W0813)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws1, ws2 = wb["统计表1"], wb["统计表2"]
    assert ws1.protection.sheet and ws2.protection.sheet
    assert "金坛区" in ws1["A2"].value and "2018-08-13至2018-08-19" in ws1["C2"].value
    t1, t2 = values(wh, "jintan", W0813, seed=9)
    label_row1 = {ws1.cell(r, 2).value: r for r in range(1, ws1.max_row + 1)}
    for m in c.table1:
        cell = ws1.cell(label_row1[m.label], 4)
        assert cell.protection.locked is False
        cell.value = t1[m.key]
    label_row2 = {ws2.cell(r, 2).value: r for r in range(1, ws2.max_row + 1)}
    for v in c.violation_types:
        for j, m in enumerate(c.table2_columns, 3):
            ws2.cell(label_row2[v.label], j).value = t2[v.key][m.key]
    assert ws1.cell(label_row1[c.table1[0].label], 2).protection.locked is True
    assert {dv.type for dv in ws2.data_validations.dataValidation} == {"whole", "decimal"}
    assert all(dv.operator == "greaterThanOrEqual" and dv.formula1 == "0" for dv in ws1.data_validations.dataValidation)
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    r = load(wh, path, user="tester", unit="jintan", agency="aic", week=W0813)
    assert r.status == "loaded", [e.message for e in r.errors]
    assert r.warnings == []  # the 合计 formulas were never calculated: they claim nothing
    t1e, t2e = expected_summary(wh, [(t1, t2)])
    assert district_summary(wh) == {"weeks_loaded": 1, "table1": t1e, "table2": t2e}


def test_template_for_member_agency_names_the_agency(wh):
    wb = openpyxl.load_workbook(io.BytesIO(build_template(wh.campaign, "city", "psb", W0806)))
    assert wb["统计表1"]["A2"].value == "填报单位：市公安局"


def test_cumulative_column_next_to_weekly_is_ignored(wh, tmp_path):
    p = write_filled_table(tmp_path / "cum.xlsx", "wujin", seed=4)
    wb = openpyxl.load_workbook(p)
    ws = wb["统计表1"]
    ws["E5"] = "累计数"
    for r in range(6, 19):
        ws.cell(r, 5, 9999)
    wb.save(p)
    assert load(wh, p, user="tester").status == "loaded"
    t1, _ = expected_summary(wh, [values(wh, "wujin", W0806, seed=4)])
    assert district_summary(wh)["table1"] == t1
