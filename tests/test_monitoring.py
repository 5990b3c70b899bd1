"""监测线索 on the shared samples: figures equal the expected totals and the registry; overdue hits aged in
working days; cross-source leads matched by credit code or name, each opening its records."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from auth.accounts import lookup
from auth.policy import PermissionDenied
from metrics import monitoring as mm
from metrics import registry, summary_tables
from tests.conftest import ROOT, SAMPLES, build_sample_warehouse, copy_warehouse, new_target
from warehouse import open_warehouse

AS_OF = dt.date(2018, 11, 30)


@pytest.fixture(scope="module")
def template(tmp_path_factory, backend, request) -> Path | str:
    return build_sample_warehouse(
        new_target(backend, tmp_path_factory.mktemp("monitoring") / "template.duckdb", request),
        ("12315", "12358", "网络交易监测线索"),
    )


@pytest.fixture
def loaded(template: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return copy_warehouse(template, db_path, monkeypatch)


@pytest.fixture
def expected() -> dict:
    return json.loads((SAMPLES / "expected_totals.json").read_text(encoding="utf-8"))["monitoring"]


def open_page(user: str = "analyst", **query: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["username"] = user
    at.run()
    at.switch_page("app_pages/monitoring.py")
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.both_backends
def test_figures_equal_expected_totals(loaded, expected):
    wh = open_warehouse(loaded)
    s = mm.summary(wh, None)
    disposed = sum(expected["by_status"][k] for k in registry.DISPOSED_STATUSES)
    assert (s["hits_received"], s["hits_disposed"]) == (expected["total"], disposed)
    assert s["hit_disposal_rate"] == pytest.approx(100 * disposed / expected["total"])
    for dim, key in (("status", "by_status"), ("unit", "by_unit"), ("focus", "by_focus_area")):
        b = mm.breakdown(wh, None, dim)
        assert dict(zip(b[dim], b["hits_received"], strict=True)) == expected[key]
    wh.close()


@pytest.mark.both_backends
def test_page_shows_registry_figures(loaded, expected):
    at = open_page()
    got = tiles(at)
    disposed = sum(expected["by_status"][k] for k in registry.DISPOSED_STATUSES)
    assert got["收到监测线索（条）"] == f"{expected['total']:,}"
    assert got["已处置（条）"] == f"{disposed:,}"
    assert got["处置率"] == f"{100 * disposed / expected['total']:.1f}%"
    status = next(d.value for d in at.dataframe if "收到（条）" in d.value.columns)
    assert int(status["收到（条）"].sum()) == expected["total"]


def test_overdue_in_working_days(loaded, expected):
    wh = open_warehouse(loaded)
    cal = wh.calendar()
    with wh.read() as cur:
        days = [
            r[0]
            for r in cur.execute(
                "SELECT CAST(detected_at AS DATE) FROM v_hits_current WHERE status = '待核查'"
            ).fetchall()
        ]
    assert len(days) == expected["by_status"]["待核查"]
    for n in (5, 20):
        want = sum(cal.workdays_between(d, AS_OF) > n for d in days)
        got = mm.overdue(wh, AS_OF, n, limit=None)
        assert got["total"] == want and got["rows"].height == want
        assert got["rows"]["workdays"].min() > n
    # a stricter rule lists at least as many hits; none of them is anything but 待核查
    assert mm.overdue(wh, AS_OF, 3)["total"] >= mm.overdue(wh, AS_OF, 30)["total"]
    assert set(mm.overdue(wh, AS_OF, 3)["rows"]["status"]) == {"待核查"}
    wh.close()


def test_overdue_threshold_from_link_and_widget(loaded):
    wh = open_warehouse(loaded)
    want10 = mm.overdue(wh, AS_OF, 10)["total"]
    wh.close()
    at = open_page(overdue_days="10")
    label = next(k for k in tiles(at) if k.startswith("超期待核查"))
    assert ">10个工作日" in label
    assert tiles(at)[label] == f"{want10:,}"


def test_leads_and_top_merchants_from_the_summary_equal_the_live_count(loaded, monkeypatch):
    """With the as-of date on or after the latest record, leads and top merchants read merchant_counts; the
    result is the one the live count gives (forced here by pretending the summary does not cover)."""
    from metrics import complaints as mc

    wh = open_warehouse(loaded)
    assert summary_tables.merchants_cover(wh, AS_OF) and not summary_tables.merchants_cover(wh, dt.date(2018, 8, 1))
    fast_leads = mm.cross_source_leads(wh, AS_OF, 500)
    fast_top = {s: mc.top_merchants(wh, mc.Filters(source=s), AS_OF, 50) for s in (None, "price_12358")}
    monkeypatch.setattr(summary_tables, "merchants_cover", lambda wh, as_of: False)
    slow_leads = mm.cross_source_leads(wh, AS_OF, 500)
    assert fast_leads.height > 0 and fast_leads.equals(slow_leads)
    for s, fast in fast_top.items():
        slow = mc.top_merchants(wh, mc.Filters(source=s), AS_OF, 50)
        assert fast.height > 0 and fast.equals(slow), s
    wh.close()


def test_cross_source_leads_match_by_code_and_name(loaded):
    wh = open_warehouse(loaded)
    leads = mm.cross_source_leads(wh, AS_OF, 500)
    assert leads.height > 0 and (leads["sources"] >= 2).all()
    w = mm.SOURCE_WEIGHTS
    assert (
        leads["weight"]
        == leads["n_12315"] * w["complaints_12315"]
        + leads["n_12358"] * w["price_12358"]
        + leads["n_monitoring"] * w["monitoring"]
    ).all()
    assert leads["weight"].is_sorted(descending=True)
    top = leads.row(0, named=True)
    recs = mm.lead_records(wh, tuple(top["keys"]), AS_OF)
    counts = recs.group_by("source").len()
    got = dict(zip(counts["source"], counts["len"], strict=True))
    assert got.get("complaints_12315", 0) == top["n_12315"]
    assert got.get("monitoring", 0) == top["n_monitoring"]
    assert recs.height == top["n_12315"] + top["n_12358"] + top["n_monitoring"]

    # A hit that names the merchant but carries no valid credit code still joins it (by name).
    name = top["merchant_name"]
    with wh.write() as cur:
        cur.execute(
            "UPDATE hit_versions SET merchant_uscc = NULL, uscc_valid = false, merchant_key = ?, merchant_name = ? "
            "WHERE hit_id = (SELECT min(hit_id) FROM hit_versions WHERE merchant_key <> ?)",
            [name, name, top["entity"]],
        )
        summary_tables.invalidate(cur)  # a change that is not a load: the summaries must follow it
    after = mm.cross_source_leads(wh, AS_OF, 500).filter(pl.col("entity") == top["entity"]).row(0, named=True)
    assert after["n_monitoring"] == top["n_monitoring"] + 1
    assert name in after["keys"]
    wh.close()


def test_lead_opens_its_records_on_the_page(loaded):
    wh = open_warehouse(loaded)
    top = mm.cross_source_leads(wh, AS_OF, 1).row(0, named=True)
    wh.close()
    at = open_page(lead=top["entity"])
    frames = [d.value for d in at.dataframe if "来源" in d.value.columns and "编号" in d.value.columns]
    assert frames, "lead records not shown"
    assert len(frames[0]) == top["n_12315"] + top["n_12358"] + top["n_monitoring"]
    assert set(frames[0]["来源"]) <= {"12315", "12358", "监测线索"}


def test_leader_sees_page_but_cannot_export(loaded):
    at = open_page(user="leader")
    assert not [b for b in at.button if b.label == "生成导出文件"]
    wh = open_warehouse(loaded)
    with pytest.raises(PermissionDenied):
        mm.export(wh, lookup(wh, "leader"), pl.DataFrame({"a": ["=1"]}), "线索", "csv")
    f = mm.export(wh, lookup(wh, "analyst"), pl.DataFrame({"a": ["=1"]}), "线索", "csv")
    assert f.data.decode("utf-8-sig").splitlines()[1] == "'=1"
    # A filtered table says which slice it is in the audit trail.
    mm.export(wh, lookup(wh, "analyst"), pl.DataFrame({"a": [1]}), "按线索类型", "csv", view="待核查，武进区")
    with wh.read() as cur:
        details = [
            r[0]
            for r in cur.execute("SELECT detail FROM audit_log WHERE action = 'export' ORDER BY audit_id").fetchall()
        ]
    assert details[-2:] == ["监测线索：线索；1 行", "监测线索：按线索类型（筛选：待核查，武进区）；1 行"]
    wh.close()


@pytest.mark.both_backends
def test_filters_narrow_every_figure_to_the_slice(loaded, expected):
    """A unit, a status or both: the counts are the samples' own (expected_totals.json), the breakdowns add up to
    them, and the overdue list holds only that slice's 待核查 hits."""
    wh = open_warehouse(loaded)
    for unit, n in expected["by_unit"].items():
        picks = (("unit", unit),)
        assert mm.summary(wh, None, picks)["hits_received"] == n
        for dim in ("status", "hit_type", "source_system"):
            assert mm.breakdown(wh, None, dim, picks)["hits_received"].sum() == n
        assert mm.weekly(wh, None, picks)["hits_received"].sum() == n
        rows = mm.overdue(wh, AS_OF, 5, limit=None, picks=picks)["rows"]
        everyone = mm.overdue(wh, AS_OF, 5, limit=None)["rows"]
        assert rows.height and rows.equals(everyone.filter(pl.col("unit") == unit))
    for status, n in expected["by_status"].items():
        assert mm.summary(wh, None, (("status", status),))["hits_received"] == n
    # Two at once; a status other than 待核查 leaves no overdue hit.
    both = (("status", "待核查"), ("unit", "wujin"))
    pending_wujin = mm.breakdown(wh, None, "status", (("unit", "wujin"),)).filter(pl.col("status") == "待核查")
    assert mm.summary(wh, None, both)["hits_received"] == pending_wujin["hits_received"][0]
    assert mm.overdue(wh, AS_OF, 5, picks=(("status", "已立案"),))["total"] == 0
    wh.close()


def test_page_filters_come_from_the_link_and_narrow_the_tiles(loaded, expected):
    at = open_page(unit="wujin", status="待核查", hit_type="不在数据里")  # a value the data lacks is dropped
    wh = open_warehouse(loaded)
    picks = (("status", "待核查"), ("unit", "wujin"))
    want = mm.summary(wh, None, picks)["hits_received"]
    wh.close()
    assert tiles(at)["收到监测线索（条）"] == f"{want:,.0f}" and 0 < want < expected["by_unit"]["wujin"]
    assert at.query_params["unit"] == "wujin" and "hit_type" not in at.query_params
    at.button(key="mf_clear").click().run()
    assert tiles(at)["收到监测线索（条）"] == f"{expected['total']:,}"
    assert not {"unit", "status"} & set(at.query_params)
