"""The metric registry: one definition per figure, consistent with the summary, as-of aware."""

import datetime as dt
import json

import pytest

from metrics import registry
from metrics.district import district_summary


@pytest.fixture
def stats_wh(wh, samples):
    from loaders.weekly import district_stats

    for f in sorted(samples.glob("统计表_*.xlsx")):
        assert district_stats.load(wh, f, user="admin").status == "loaded"
    return wh


def test_every_metric_has_a_label_unit_description_and_sql(wh):
    reg = registry.registry(wh.campaign)
    assert {"cases_filed", "fines", "t2_cases_filed", "complaints_online", "hits_disposed"} <= set(reg)
    for m in reg.values():
        assert m.label and m.unit and m.description and m.relation.startswith("v_")
        assert "{f}" not in m.sql and "$" not in m.where


@pytest.mark.both_backends
def test_registry_agrees_with_the_summary(stats_wh, samples):
    expected = json.loads((samples / "expected_totals.json").read_text(encoding="utf-8"))["district_stats"]
    summary = district_summary(stats_wh)
    for key, total in expected["table1"].items():
        assert registry.value(stats_wh, key) == pytest.approx(total), key
        assert summary["table1"][key] == pytest.approx(registry.value(stats_wh, key)), key
    by_focus = registry.breakdown(stats_wh, ["t2_cases_filed"], ["focus"])
    assert by_focus["t2_cases_filed"].sum() == expected["table1"]["cases_filed"]
    f1 = sum(expected["table2"][k]["cases_filed"] for k in ("unlicensed", "fake_entity", "unqualified"))
    assert dict(by_focus.iter_rows())["F1"] == f1


def test_as_of_cuts_by_the_weeks_sunday(stats_wh):
    # The three sample tables: two for the week of 08-06 (ends 08-12), one for 08-13 (ends 08-19).
    by_unit = registry.breakdown(stats_wh, ["cases_filed"], ["unit"], dt.date(2018, 8, 12))
    assert set(by_unit["unit"]) == {"wujin", "liyang"}
    assert registry.value(stats_wh, "cases_filed", dt.date(2018, 8, 11)) == 0
    assert registry.value(stats_wh, "cases_filed", dt.date(2018, 8, 19)) == registry.value(stats_wh, "cases_filed")


def test_breakdown_refuses_unknown_dimensions_and_mixed_sources(wh):
    with pytest.raises(ValueError, match="不能按 colour 分组"):
        registry.breakdown(wh, ["cases_filed"], ["colour"])
    with pytest.raises(ValueError, match="同一数据源"):
        registry.breakdown(wh, ["cases_filed", "complaints_total"], [])
    with pytest.raises(KeyError, match="未定义的指标"):
        registry.value(wh, "no_such_metric")


def test_filters_are_parameters_not_sql(stats_wh):
    assert registry.value(stats_wh, "cases_filed", where={"unit": "wujin' OR '1'='1"}) == 0
    assert registry.value(stats_wh, "cases_filed", where={"unit": "wujin"}) > 0


def test_display_scale_unit_and_decimals_are_registry_data(wh):
    reg = registry.registry(wh.campaign)
    amount = reg["amount_involved"]  # kept in 元, shown in 万元 to two places
    assert (amount.unit, amount.display_unit) == ("元", "万元")
    assert amount.format(1_234_567.0) == "123.46"
    assert reg["fines"].format(12.3) == "12.30"  # 统计表 amounts are 万元 already
    assert reg["cases_filed"].format(12_345) == "12,345"
    assert reg["cases_filed"].format(-3, signed=True) == "-3"
    assert reg["complaints_online"].format(7, signed=True) == "+7"
    assert reg["hit_disposal_rate"].format(None) == "—"
