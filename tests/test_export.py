"""Exports: xlsx and CSV (UTF-8 with BOM) with every formula-looking text neutralised; role check and audit."""

import csv
import datetime as dt
import io

import openpyxl
import polars as pl
import pytest

from auth.policy import PermissionDenied, Principal
from metrics.file_export import export_table, neutralise, to_csv_bytes, to_xlsx_bytes

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "正常文本", "a=b"]


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "编号": ["3204120000000201808031234", *[f"R{i}" for i in range(len(HOSTILE) - 1)]],
            "内容": HOSTILE,
            "金额（元）": [-12.5, 0.0, 1.25, None, 3.0, 4.0, 5.0],
            "时间": [dt.datetime(2018, 8, 3, 14, 22, 10)] * len(HOSTILE),
        }
    )


def test_neutralise_only_formula_like_text():
    assert [neutralise(v) for v in HOSTILE] == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "正常文本", "a=b"]
    assert neutralise(-3) == -3 and neutralise(None) is None


def test_csv_has_bom_and_neutralised_cells():
    data = to_csv_bytes(frame())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["编号", "内容", "金额（元）", "时间"]
    assert [r[1] for r in rows[1:]] == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "正常文本", "a=b"]
    assert rows[1][0] == "3204120000000201808031234"  # every digit kept
    assert rows[1][2] == "-12.5"  # a negative number is a number, not neutralised
    assert rows[1][3] == "2018-08-03 14:22:10"


def test_xlsx_cells_are_text_never_formulas():
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame(), "测试")))
    ws = wb["测试"]
    values = [row for row in ws.iter_rows(min_row=2, values_only=True)]
    assert [v[1] for v in values] == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "正常文本", "a=b"]
    assert all(ws.cell(r, 2).data_type == "s" for r in range(2, ws.max_row + 1))
    assert values[0][2] == -12.5 and values[0][3] == dt.datetime(2018, 8, 3, 14, 22, 10)


def test_export_table_requires_role_and_is_audited(wh):
    analyst = Principal("ana", "analyst")
    leader = Principal("lead", "leader")
    with pytest.raises(PermissionDenied):
        export_table(wh, leader, frame(), "明细", "csv")
    f = export_table(wh, analyst, frame(), "明细", "xlsx")
    assert f.file_name.startswith("明细_") and f.file_name.endswith(".xlsx") and f.rows == 7
    with wh.read() as cur:
        rows = cur.execute("SELECT username, action, target, sha256 FROM audit_log WHERE action = 'export'").fetchall()
    assert rows == [("ana", "export", f.file_name, f.sha256)]
