"""总览 on the sample data: the tiles equal the summary CLI and the registry; the clock follows the calendar."""

import datetime as dt
import json

import pytest

import loaders
from auth.policy import SYSTEM
from metrics import overview, registry
from metrics.dates import default_as_of
from metrics.summary_json import build_summary
from tests.conftest import run_page, tile_values
from warehouse import open_warehouse


@pytest.fixture
def loaded_app(app_env, samples):
    wh = open_warehouse(app_env)
    for f in sorted(samples.iterdir()):
        if f.suffix in (".xlsx", ".csv"):
            result = loaders.load_file(wh, f, user=SYSTEM)
            assert result.status == "loaded", (f.name, result.errors[:3])
    yield wh
    wh.close()


def test_kpi_tiles_equal_the_summary(loaded_app, samples):
    wh = loaded_app
    expected = json.loads((samples / "expected_totals.json").read_text(encoding="utf-8"))
    day = default_as_of(wh)
    summary = build_summary(wh, day)
    at = run_page(None, user="leader")
    assert not at.exception, [e.value for e in at.exception]
    tiles = tile_values(at)
    assert tiles["立案查处网络违法案件（件）"][0] == f"{expected['district_stats']['table1']['cases_filed']:,}"
    assert tiles["罚没金额（万元）"][0] == f"{expected['district_stats']['table1']['fines']:,.2f}"
    assert tiles["督促删除违法商品信息（条）"][0] == f"{summary['district_stats']['table1']['listings_removed']:,}"
    online = summary["complaints_12315"]["online"] + registry.value(
        wh, "complaints_online", day, where={"source": "price_12358"}
    )
    assert tiles["网络消费投诉举报（件）"][0] == f"{online:,}"
    disposed = sum(n for s, n in summary["monitoring"]["by_status"].items() if s in registry.DISPOSED_STATUSES)
    assert tiles[f"监测线索处置（{summary['monitoring']['total']:,} 条）"][0] == f"{disposed:,}"
    # Each tile's change is against the same figure one week earlier.
    week_before = registry.value(wh, "complaints_online", day - dt.timedelta(days=7))
    assert tiles["网络消费投诉举报（件）"][1] == f"{online - week_before:+,} 较上周"


def test_focus_progress_and_agency_matrix(loaded_app, samples):
    wh = loaded_app
    expected = json.loads((samples / "expected_totals.json").read_text(encoding="utf-8"))
    focus = {r["focus"]: r for r in overview.focus_progress(wh, dt.date(2018, 11, 30)).to_dicts()}
    assert focus["F2"]["complaints_total"] == (
        expected["complaints_12315"]["by_focus_area"]["F2"] + expected["price_12358"]["by_focus_area"].get("F2", 0)
    )
    assert focus["F1"]["hits_received"] == expected["monitoring"]["by_focus_area"]["F1"]
    assert sum(r["t2_cases_filed"] for r in focus.values()) == expected["district_stats"]["table1"]["cases_filed"]
    assert "F0" in focus  # unclassified complaints are shown, never dropped
    matrix = overview.agency_matrix(wh, dt.date(2018, 11, 30))
    aic_f1 = matrix.filter((matrix["agency"] == "aic") & (matrix["focus"] == "F1")).row(0, named=True)
    assert aic_f1["responsible"] and aic_f1["cases"] == 16
    customs_f1 = matrix.filter((matrix["agency"] == "customs") & (matrix["focus"] == "F1")).row(0, named=True)
    assert not customs_f1["responsible"]
    psb_f2 = matrix.filter((matrix["agency"] == "psb") & (matrix["focus"] == "F2")).row(0, named=True)
    assert psb_f2["responsible"] and psb_f2["cases"] == 0  # answers for F2, reported nothing: marked on the page


def test_agency_focus_detail_adds_up_to_its_heat_map_cell(loaded_app):
    """What 报送进度 shows behind a heat-map cell (issue 14): per reporter, summing to the cell, every cell."""
    wh, day = loaded_app, dt.date(2018, 11, 30)
    matrix = overview.agency_matrix(wh, day)
    for cell in matrix.to_dicts():
        detail = overview.agency_focus_detail(wh, day, cell["agency"], cell["focus"])
        assert detail["t2_cases_filed"].sum() == cell["cases"], cell
    aic = overview.agency_focus_detail(wh, day, "aic", "F1")
    assert set(aic["unit"]) == {u.key for u in wh.campaign.units}  # every unit's bureau table reports for aic
    assert aic.filter(aic["unit"] == "wujin")["weeks_in"].item() >= 1
    psb = overview.agency_focus_detail(wh, day, "psb", "F2").row(0, named=True)
    assert (psb["label"], psb["t2_cases_filed"]) == ("市公安局", 0)  # named as it reports; answers for F2, nothing in
    assert psb["weeks_missing"] == psb["weeks_due"] - psb["weeks_in"]


def test_district_league_has_every_unit_with_compliance(loaded_app):
    league = overview.district_league(loaded_app, dt.date(2018, 8, 20)).to_dicts()
    assert [r["unit"] for r in league][:1] == ["wujin"]  # most cases first
    assert {r["unit"] for r in league} == {u.key for u in loaded_app.campaign.units}
    wujin = next(r for r in league if r["unit"] == "wujin")
    assert wujin["weeks_due"] == 3 and wujin["weeks_in"] == 1  # weeks of 07-30, 08-06, 08-13 due by 08-20


def test_campaign_clock_counts_working_days(wh):
    clock = overview.campaign_clock(wh, dt.date(2018, 9, 28))
    assert clock.stages == ["组织实施阶段"]
    weekly = next(d for d in clock.next_deadlines if d.label.startswith("周报"))
    # The week of 09-24 is due 10-08; from Friday 09-28: 09-29, 09-30 (调休) and 10-08 are working days.
    assert weekly.due == dt.date(2018, 10, 8) and weekly.working_days_left == 3
    final = next(d for d in clock.next_deadlines if not d.label.startswith("周报"))
    assert final.due == dt.date(2018, 11, 15) and "总结报告" in final.label
    # Every deliverable date (总览's phone form lists them): the past one without days left, the next as above.
    assert [(d.due, d.working_days_left) for d in clock.deliverables] == [
        (dt.date(2018, 7, 31), -1),
        (final.due, final.working_days_left),
    ]
    assert clock.deliverables[0].label == "实施方案" and clock.deliverables[1].label == final.label


def test_overview_empty_state_still_shows_the_clock(app_env):
    at = run_page(None, user="leader")
    assert any("尚无数据" in i.value for i in at.info)
    # They overlap in November: one line says which is current and which is ending, then the next deadline.
    (line,) = [m.value for m in at.markdown if "当前阶段" in m.value]
    assert "总结提高阶段（组织实施阶段至" in line and "结束）" in line
    assert "**下一截止**" in line and line.count("\n") == 0


def test_attention_names_who_is_behind_for_the_week_being_chased(loaded_app, tmp_path):
    from metrics import attention
    from tests.stats_helpers import make_and_load

    wh = loaded_app
    day = dt.date(2018, 8, 20)  # the week of 08-06 (due 08-13) is the latest one due
    missing = attention.late_reporters(wh, day)[0]
    assert missing.level == "error" and missing.page == "tracking" and "8月6日起一周" in missing.text
    assert "天宁区" in missing.text and "钟楼区" in missing.text and "武进区" not in missing.text  # wujin sent it
    assert make_and_load(wh, tmp_path, unit="tianning", received_on=dt.date(2018, 8, 10)).status == "loaded"
    assert make_and_load(wh, tmp_path, unit="zhonglou", received_on=dt.date(2018, 8, 16)).status == "loaded"
    after = {c.level: c.text for c in attention.late_reporters(wh, day) if "8月6日" in c.text}
    assert "天宁区" not in after["error"] and "钟楼区" not in after["error"]
    assert after["warning"] == "8月6日起一周的统计表迟报：钟楼区"
    silent = attention.silent_agencies(wh, day)
    assert silent and "市公安局" in silent[0].text and silent[0].page == "#agencies"  # psb answers for F2, none filed
    assert not attention.late_reporters(wh, dt.date(2018, 7, 30))  # nothing due yet: nothing to chase


def test_attention_block_tops_the_overview_with_links(loaded_app):
    at = run_page(None, user="leader")
    assert not at.exception, [e.value for e in at.exception]
    texts = [m.value for m in at.markdown]
    assert texts.index("**需关注**") < min(i for i, t in enumerate(texts) if "逾期未报" in t)
    assert any("逾期未报" in t and "11月19日起一周" in t for t in texts)
    assert any("监测线索待核查超过" in t for t in texts)
    league = next(d.value for d in at.dataframe if "逾期未报（周）" in d.value.columns)
    missing = list(league["逾期未报（周）"])
    assert missing == sorted(missing, reverse=True) and missing[0] > 0  # who is behind comes first
    assert set(league["单位"]) == {u.label for u in loaded_app.campaign.units}
