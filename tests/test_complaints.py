"""投诉分析 on the shared sample exports: figures equal the registry and the summary CLI, filters from the
link and from the widgets, exports with exactly the filtered rows, and no personal data anywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from auth.accounts import lookup
from auth.policy import PermissionDenied
from metrics import complaints as mc
from metrics import registry
from tests.conftest import ROOT, build_sample_warehouse, copy_warehouse, new_target
from warehouse import open_warehouse

HOSTILE_NAME = '=HYPERLINK("http://evil.example","点我")'
PERSONAL = re.compile(r"1[3-9]\d{9}|\d{17}[\dXx]")  # a mobile number or an ID-card number


@pytest.fixture(scope="module")
def template(tmp_path_factory, backend, request) -> Path | str:
    """A warehouse holding the sample 12315/12358 exports (loaded once per module through the real loader)."""
    path = build_sample_warehouse(
        new_target(backend, tmp_path_factory.mktemp("complaints") / "template.duckdb", request), ("12315", "12358")
    )
    w = open_warehouse(path)
    # one merchant name that Excel would run as a formula (exports must neutralise it)
    with w.write() as cur:
        cur.execute(
            "UPDATE complaint_versions SET merchant_name = ? WHERE record_id = "
            "(SELECT min(record_id) FROM complaint_versions WHERE source = 'price_12358' AND unit = 'jingkai')",
            [HOSTILE_NAME],
        )
    w.close()
    return path


@pytest.fixture
def loaded(template: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return copy_warehouse(template, db_path, monkeypatch)


@pytest.fixture
def expected(samples: Path) -> dict:
    return json.loads((samples / "expected_totals.json").read_text(encoding="utf-8"))


def open_page(user: str = "analyst", **query: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["username"] = user
    at.run()
    at.switch_page("app_pages/complaints.py")
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun(at):
    """Rerun after a widget change, as of the campaign's last day (chosen in the frame's sidebar)."""
    at.sidebar.date_input(key="as_of_widget").set_value(dt.date(2018, 11, 30))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_one_scan_cube_equals_one_breakdown_per_dimension(loaded):
    """The page's single GROUPING SETS scan gives, set by set, exactly what a separate breakdown gives."""
    wh = open_warehouse(loaded)
    goods = mc.options(wh)["goods"][0]
    for f, as_of in ((mc.Filters(), None), (mc.Filters(goods=goods, online=True), dt.date(2018, 9, 30))):
        cb = mc.cube(wh, f, as_of)  # the first from the day summary, the second counted live
        since, until = f.window(as_of)
        for group in mc.CUBE_SETS:
            alone = registry.breakdown(wh, mc.COUNT_KEYS, list(group), until, since=since, where=f.where())
            if group == ("week", "status"):  # shown with synonyms merged (处理中 and 办理中 as 处理中)
                alone = mc.statuses_merged(wh.campaign, alone)
            assert cb[group].height > 0
            assert cb[group].sort(list(group), nulls_last=True).equals(alone.sort(list(group), nulls_last=True)), group
        opts = mc.options_of(cb) if f == mc.Filters() else None
        if opts:
            assert opts["unit"] == sorted(set(registry.breakdown(wh, ["complaints_total"], ["unit"])["unit"]))
    wh.close()


@pytest.mark.both_backends
def test_day_summary_equals_the_live_count_and_follows_every_change(loaded):
    """The unfiltered view (and its source and date cuts) is read from complaint_day_counts: it equals the live
    GROUPING SETS scan, and a withdrawal since it was built makes it rebuild before it is read again."""
    from auth.policy import SYSTEM
    from loaders import withdraw
    from metrics import summary_tables

    wh = open_warehouse(loaded)

    def live(f, as_of):
        since, until = f.window(as_of)
        out = registry.breakdown_sets(wh, mc.COUNT_KEYS, mc.CUBE_SETS, until, since=since, where=f.where())
        out[("week", "status")] = mc.statuses_merged(wh.campaign, out[("week", "status")])
        return out

    def same(a, b):
        for group in mc.CUBE_SETS:
            key = list(group)
            assert a[group].sort(key, nulls_last=True).equals(b[group].sort(key, nulls_last=True)), group

    cuts = [
        (mc.Filters(), None),
        (mc.Filters(source="price_12358"), None),
        (mc.Filters(start=dt.date(2018, 8, 1), source="complaints_12315"), dt.date(2018, 10, 15)),
        (mc.Filters(unit="wujin", online=True), None),
        (mc.Filters(unit="jingkai", online=False, source="price_12358"), dt.date(2018, 11, 1)),
        (mc.Filters(status="已办结", unit="wujin"), None),
    ]
    for f, as_of in cuts:
        assert summary_tables.covers(f.where())
        same(mc.cube(wh, f, as_of), live(f, as_of))
    assert mc.cube(wh, mc.Filters(status="已办结"), None)[("day",)].height > 0
    assert summary_tables.refresh(wh) == []  # built by the first read, still fresh
    with wh.read() as cur:
        (rows,) = cur.execute("SELECT count(*) FROM complaint_day_counts").fetchone()
        (batch,) = cur.execute("SELECT min(batch_id) FROM batches WHERE kind = 'price_12358'").fetchone()
    assert rows > 0
    before = mc.totals(wh, mc.Filters(), None)["complaints_total"]
    withdraw(wh, batch, user=SYSTEM)
    after = mc.cube(wh, mc.Filters(), None)
    assert after[("day",)]["complaints_total"].sum() == mc.totals(wh, mc.Filters(), None)["complaints_total"] < before
    same(after, live(mc.Filters(), None))
    wh.close()


def test_refresh_command_builds_the_summaries_after_a_command_line_load(loaded, capsys):
    from metrics.__main__ import main

    assert main(["refresh", "--db", str(loaded)]) == 0
    assert "complaint_day_counts" in capsys.readouterr().out
    assert main(["refresh", "--db", str(loaded)]) == 0
    assert "无需重建" in capsys.readouterr().out
    wh = open_warehouse(loaded)
    with wh.read() as cur:
        assert {r[0] for r in cur.execute("SELECT name FROM summary_state").fetchall()} == {
            "complaint_day_counts",
            "merchant_counts",
        }
    wh.close()


@pytest.mark.both_backends
def test_metrics_equal_expected_totals_and_registry(loaded, expected):
    wh = open_warehouse(loaded)
    e = expected["complaints_12315"]
    f = mc.Filters(source="complaints_12315")
    t = mc.totals(wh, f, None)
    assert (t["complaints_total"], t["complaints_online"]) == (e["total"], e["online"])
    by_unit = mc.breakdown(wh, f, None, "unit")
    assert dict(zip(by_unit["unit"], by_unit["complaints_total"], strict=True)) == e["by_unit"]
    by_status = mc.breakdown(wh, f, None, "status")
    assert dict(zip(by_status["status"], by_status["complaints_total"], strict=True)) == e["by_status"]
    by_focus = mc.breakdown(wh, mc.Filters(source="price_12358"), None, "focus")
    assert (
        dict(zip(by_focus["focus"], by_focus["complaints_total"], strict=True))
        == expected["price_12358"]["by_focus_area"]
    )
    assert mc.totals(wh, mc.Filters(), None)["complaints_total"] == registry.value(wh, "complaints_total")
    # the trend adds up to the total, day by day and week by week
    for grain in ("day", "week"):
        assert mc.trend(wh, f, None, grain)["complaints_total"].sum() == e["total"]
    wh.close()


def test_date_range_and_as_of_cut(loaded):
    wh = open_warehouse(loaded)
    f = mc.Filters(start=dt.date(2018, 9, 1), end=dt.date(2018, 9, 30))
    t = mc.totals(wh, f, dt.date(2018, 11, 30))
    assert t["complaints_total"] == registry.value(
        wh, "complaints_total", dt.date(2018, 9, 30), since=dt.date(2018, 9, 1)
    )
    assert mc.totals(wh, f, dt.date(2018, 9, 15))["complaints_total"] == registry.value(
        wh, "complaints_total", dt.date(2018, 9, 15), since=dt.date(2018, 9, 1)
    )
    wh.close()


@pytest.mark.both_backends
def test_page_shows_registry_figures(loaded, expected):
    at = open_page()
    got = tiles(at)
    assert got["投诉举报总数（件）"] == f"{expected['complaints_12315']['total'] + expected['price_12358']['total']:,}"
    assert got["12315 投诉举报（件）"] == "2,200"
    assert got["12358 价格举报（件）"] == "500"
    assert [s.value for s in at.subheader][:4] == ["趋势", "分类分布", "投诉集中的主体和平台", "周环比异常"]


def test_filter_from_link(loaded, expected):
    at = open_page(source="complaints_12315", online="1")
    assert tiles(at)["投诉举报总数（件）"] == "1,656"
    at = open_page(source="complaints_12315", unit="wujin")
    assert tiles(at)["投诉举报总数（件）"] == f"{expected['complaints_12315']['by_unit']['wujin']:,}"
    assert at.selectbox(key="cf_unit").value == "wujin"
    # a value the data does not offer is ignored, not an error
    at = open_page(unit="nowhere")
    assert tiles(at)["投诉举报总数（件）"] == "2,700"


def test_filter_by_widget_updates_counts_and_link(loaded, expected):
    at = open_page()
    at.selectbox(key="cf_source").select("complaints_12315")
    rerun(at)
    at.selectbox(key="cf_status").select("已办结")
    rerun(at)
    assert not at.exception
    assert tiles(at)["投诉举报总数（件）"] == f"{expected['complaints_12315']['by_status']['已办结']:,}"
    assert at.query_params["source"] == ["complaints_12315"] or at.query_params["source"] == "complaints_12315"
    assert "status" in at.query_params


def _csv_rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_export_has_exactly_filtered_rows_neutralised(loaded, expected):
    wh = open_warehouse(loaded)
    analyst = lookup(wh, "analyst")
    f = mc.Filters(source="price_12358", unit="jingkai")
    want = set(mc.records(wh, f, dt.date(2018, 11, 30), limit=None)["record_id"])
    assert len(want) == expected["price_12358"]["by_unit"]["jingkai"]

    out = mc.export_records(wh, analyst, f, dt.date(2018, 11, 30), "csv")
    rows = _csv_rows(out.data)
    assert {r["编号"] for r in rows} == want and len(rows) == len(want)
    assert {r["来源"] for r in rows} == {"12358"} and {r["属地单位"] for r in rows} == {"经开区"}
    assert "'" + HOSTILE_NAME in {r["被投诉（举报）主体"] for r in rows}
    assert not any(
        PERSONAL.search(v or "") for r in rows for k, v in r.items() if k not in ("编号", "统一社会信用代码")
    )
    assert not {"complainant_hash", "content", "诉求内容"} & set(rows[0])

    out = mc.export_records(wh, analyst, f, dt.date(2018, 11, 30), "xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(out.data)).active
    header = [c.value for c in ws[1]]
    body = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert {r["编号"] for r in body} == want
    hostile = [r for r in body if "HYPERLINK" in (r["被投诉（举报）主体"] or "")]
    assert [r["被投诉（举报）主体"] for r in hostile] == ["'" + HOSTILE_NAME]
    col = header.index("被投诉（举报）主体") + 1
    assert all(ws.cell(i, col).data_type == "s" for i in range(2, ws.max_row + 1))

    with wh.read() as cur:
        audit = cur.execute(
            "SELECT username, target, sha256 FROM audit_log WHERE action = 'export' ORDER BY audit_id"
        ).fetchall()
    assert [a[0] for a in audit] == ["analyst", "analyst"] and audit[-1][1:] == (out.file_name, out.sha256)
    wh.close()


def test_export_from_page(loaded, expected):
    at = open_page(source="complaints_12315", unit="wujin")
    at.radio(key="c_export_fmt").set_value("csv")
    at.button(key="c_export_go").click()
    rerun(at)
    assert not at.exception
    out = at.session_state["c_export"]
    rows = _csv_rows(out.data)
    assert len(rows) == expected["complaints_12315"]["by_unit"]["wujin"]
    assert {r["属地单位"] for r in rows} == {"武进区"}
    # a chart's data too
    at.selectbox(key="c_export_what").select("按属地单位")
    at.button(key="c_export_go").click()
    rerun(at)
    rows = _csv_rows(at.session_state["c_export"].data)
    assert rows == [
        {"属地单位": "武进区", "投诉举报（件）": "279", "其中网络消费（件）": rows[0]["其中网络消费（件）"]}
    ]


def test_leader_cannot_export(loaded):
    at = open_page(user="leader")
    assert not [b for b in at.button if b.label == "生成导出文件"]
    assert any("仅限分析员、管理员" in c.value for c in at.caption)
    wh = open_warehouse(loaded)
    leader = lookup(wh, "leader")
    with pytest.raises(PermissionDenied):
        mc.export_records(wh, leader, mc.Filters(), None, "csv")
    with pytest.raises(PermissionDenied):
        mc.export_chart(wh, leader, pl.DataFrame({"a": [1]}), "图表", "xlsx")
    with wh.read() as cur:
        assert cur.execute("SELECT count(*) FROM audit_log WHERE action = 'export'").fetchone()[0] == 0
    wh.close()


def test_record_table_free_of_personal_data_and_detail_opens(loaded):
    at = open_page(source="complaints_12315")
    (table,) = [d for d in at.dataframe if "编号" in d.value.columns]
    df = table.value
    assert len(df) == 500
    assert not {"complainant_hash", "content", "投诉人", "联系电话"} & set(df.columns)
    text_cols = [c for c in df.columns if c not in ("编号", "统一社会信用代码") and df[c].dtype == object]
    assert not any(PERSONAL.search(str(v)) for c in text_cols for v in df[c])
    record_id = df["编号"].iloc[0]
    at.selectbox(key="c_record").select(f"complaints_12315|{record_id}")
    rerun(at)
    assert not at.exception
    assert any(record_id in m.value for m in at.markdown)
    assert at.query_params["record"] in (f"complaints_12315|{record_id}", [f"complaints_12315|{record_id}"])
    # the link opens the same detail
    at = open_page(source="complaints_12315", record=f"complaints_12315|{record_id}")
    assert any(record_id in m.value for m in at.markdown)


def test_anomaly_rule():
    weeks = [dt.date(2018, 8, 6) + dt.timedelta(weeks=i) for i in range(6)]
    weekly = pl.DataFrame(
        {
            "week": weeks * 2,
            "platform": ["淘宝"] * 6 + ["京东"] * 6,
            "complaints_total": [5, 6, 5, 4, 24, 5, 10, 10, 10, 10, 19, 10],  # 京东: 19 < 2 × 10
        }
    )
    flags = mc.flag_jumps(weekly, "platform")
    assert flags.select("value", "week", "count").rows() == [("淘宝", weeks[4], 24)]
    assert flags["trailing_mean"][0] == 5.0
    # below the minimum count, nothing is flagged however steep the jump
    small = pl.DataFrame({"week": weeks, "platform": ["美团"] * 6, "complaints_total": [1, 1, 1, 1, 9, 1]})
    assert mc.flag_jumps(small, "platform").height == 0


def test_anomalies_from_one_scan_equal_each_dimension_on_its_own(loaded):
    from warehouse import open_warehouse

    wh = open_warehouse(loaded)
    found = mc.anomalies(wh, mc.Filters(), None)
    for dim in mc.ANOMALY_DIMS:
        alone = registry.breakdown(wh, ["complaints_total"], ["week", dim]).filter(pl.col(dim).is_not_null())
        expected = mc.flag_jumps(alone, dim)
        got = found.filter(pl.col("dimension") == dim) if found.height else found
        key = ["value", "week", "count"]
        assert sorted(got.select(key).rows()) == sorted(expected.select(key).rows() if expected.height else []), dim
    assert found.height > 0  # the samples do have jumps (e.g. 广告 in the week of 08-06)


def test_a_status_and_its_synonyms_count_as_one(loaded):
    """处理中 (12315) and 办理中 (12358) are one status in the campaign file: one bar, one filter, both words."""
    wh = open_warehouse(loaded)
    raw = registry.breakdown(wh, ["complaints_total"], ["status"])
    words = dict(zip(raw["status"], raw["complaints_total"], strict=True))
    assert words.get("办理中") and words.get("处理中")
    merged = mc.breakdown(wh, mc.Filters(), None, "status")
    shown = dict(zip(merged["status"], merged["complaints_total"], strict=True))
    assert "办理中" not in shown and shown["处理中"] == words["处理中"] + words["办理中"]
    for f in (mc.Filters(status="处理中"), mc.Filters(status="处理中", goods=None, platform="淘宝")):
        live = registry.value(wh, "complaints_total", where={**f.where(), "status": ("处理中", "办理中")})
        assert mc.totals(wh, f, None)["complaints_total"] == live > 0
        assert mc.cube(wh, f, None)[("day",)]["complaints_total"].sum() == live
    assert mc.totals(wh, mc.Filters(status="处理中"), None)["complaints_total"] == shown["处理中"]
    records = mc.labelled_records(wh, mc.records(wh, mc.Filters(status="处理中"), None, limit=None))
    assert set(records["办理状态"]) == {"处理中"} and len(records) == shown["处理中"]
    wh.close()


def test_tiles_show_only_what_the_source_filter_includes(loaded):
    both = set(tiles(open_page()))
    assert {"12315 投诉举报（件）", "12358 价格举报（件）", "涉及金额（万元）"} <= both
    only_12315 = set(tiles(open_page(source="complaints_12315")))
    assert only_12315 == both - {"12358 价格举报（件）"}
    only_12358 = set(tiles(open_page(source="price_12358")))
    assert only_12358 == both - {"12315 投诉举报（件）", "涉及金额（万元）"}  # 12358 exports carry no 涉及金额


def test_every_filter_not_set_reads_all_in_chinese(loaded):
    at = open_page(source="complaints_12315")
    filters = [s for s in at.selectbox if s.key and s.key.startswith("cf_")]
    assert len(filters) == 8
    assert {s.proto.placeholder for s in filters} == {"全部"}
    assert [s.value for s in filters if s.value is not None] == ["complaints_12315"]
    (detail,) = [s for s in at.selectbox if s.key == "c_record"]
    assert detail.proto.placeholder == "选择记录编号" and detail.value is None


def test_the_view_is_described_in_words_a_reader_takes_as_dates(loaded):
    wh = open_warehouse(loaded)
    day = dt.date(2018, 11, 28)
    assert mc.describe(wh, mc.Filters(), day) == "截至2018-11-28（全部日期）"
    assert mc.describe(wh, mc.Filters(), None) == "全部日期"
    assert mc.describe(wh, mc.Filters(start=dt.date(2018, 8, 1), unit="wujin"), day) == "2018-08-01至2018-11-28，武进区"
    assert mc.describe(wh, mc.Filters(start=dt.date(2018, 8, 1)), None) == "2018-08-01至最新"
