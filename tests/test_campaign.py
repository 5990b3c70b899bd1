import datetime as dt
import re
from pathlib import Path

import pytest

from campaign import CampaignError, load_campaign
from settings import DEFAULT_CAMPAIGN_FILE


def test_definition_loads_with_the_plan_contents():
    c = load_campaign()
    assert c.key == "wangjian-2018"
    assert [s.key for s in c.stages] == ["mobilize", "implement", "summarize"]
    assert c.stages[0].end == dt.date(2018, 7, 31)
    assert {d.key: d.due for d in c.deliverables}["summary_report"] == dt.date(2018, 11, 15)
    assert {d.key: d.min_count for d in c.deliverables}["typical_cases"] == 2
    assert [u.key for u in c.units] == [
        "tianning",
        "zhonglou",
        "xinbei",
        "wujin",
        "jintan",
        "liyang",
        "jingkai",
        "city",
    ]
    assert c.unit("liyang").nbs_code == "320481"
    assert c.unit("jingkai").nbs_code is None
    assert {a.name for a in c.unit("jingkai").areas} == {
        "戚墅堰街道",
        "丁堰街道",
        "潞城街道",
        "遥观镇",
        "横林镇",
        "横山桥镇",
    }
    assert len(c.agencies) == 12 and [a.key for a in c.agencies if a.lead] == ["aic"]
    assert c.focus_area("F4").agencies == ("aic", "drc", "eitc", "psb", "qts", "fda", "price", "post")
    assert len(c.table1) == 13 and len(c.violation_types) == 21
    assert {m.key: m.unit for m in c.table1}["fines"] == "万元"
    assert c.sources["complaints_12315"].headers["record_id"][0] == "登记编号"
    assert "身份证号" in c.sources["price_12358"].personal
    assert [r.focus for r in c.classification_rules] == ["F1", "F2", "F3", "F4", "F5", "F6"]
    assert {t.key: (t.start, t.end) for t in c.time_nodes}["national_day"] == (
        dt.date(2018, 10, 1),
        dt.date(2018, 10, 7),
    )


def test_report_weeks_are_the_18_mondays():
    weeks = load_campaign().report_weeks()
    assert len(weeks) == 18
    assert weeks[0] == dt.date(2018, 7, 30) and weeks[-1] == dt.date(2018, 11, 26)
    assert all(w.weekday() == 0 for w in weeks)


def test_stages_overlap_in_november():
    c = load_campaign()
    assert [s.key for s in c.stage_on(dt.date(2018, 11, 5))] == ["implement", "summarize"]
    assert [s.key for s in c.stage_on(dt.date(2018, 7, 10))] == ["mobilize"]


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_CAMPAIGN_FILE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('key = "wangjian-2018"\n', "", "campaign.key 缺失（必填项）"),
        ("start = 2018-07-01\nend = 2018-11-30", 'start = "七月"\nend = 2018-11-30', "campaign.start 应为日期"),
        (
            'focus = "F2"\nlabel = "侵犯注册商标专用权"',
            'focus = "F9"\nlabel = "侵犯注册商标专用权"',
            "table2.violation_types[3].focus 引用了不存在的重点工作 “F9”",
        ),
        (
            'agencies = ["aic", "psb", "qts", "fda", "customs", "post"]',
            'agencies = ["aic", "police", "qts", "fda", "customs", "post"]',
            "focus_areas[1].agencies[1] 引用了不存在的成员单位 “police”",
        ),
        ("first_week = 2018-07-30", "first_week = 2018-07-31", "reporting.first_week （2018-07-31）应为星期一"),
        ('key = "zhonglou"', 'key = "tianning"', "units 中的 key “tianning” 重复"),
        ('kind = "amount"', 'kind = "money"', "table1.indicators[9].kind 应为 count 或 amount"),
        ('record_id = ["举报编号", "受理编号", "编号"]\n', "", "sources.price_12358.required 中的字段 “record_id”"),
        ('records = "hits"', 'records = "leads"', "sources.monitoring.records 应为 complaints 或 hits"),
        ('[unit_kinds.deliverable]\nlabel = "报送材料"\n', "", "unit_kinds.deliverable 缺失（必填项）"),
        ("[unit_kinds.deliverable]", "[unit_kinds.documents]", "unit_kinds.documents 不是本程序的上报类型"),
        (
            "[sources.monitoring]",
            "[sources.district_stats]",
            "sources.district_stats 与上报类型 unit_kinds.district_stats 重名",
        ),
    ],
)
def test_broken_definition_names_the_key(tmp_path, old, new, expected):
    with pytest.raises(CampaignError) as err:
        load_campaign(_broken(tmp_path, old, new))
    assert expected in str(err.value)
    assert "broken.toml" in str(err.value)


def test_upload_kinds_are_the_sources_and_the_unit_bound_kinds():
    c = load_campaign()
    assert c.export_kinds == tuple(c.sources) == ("complaints_12315", "price_12358", "monitoring")
    assert list(c.kinds) == [*c.export_kinds, "district_stats", "deliverable"]
    assert c.complaint_sources == ("complaints_12315", "price_12358")
    assert c.kind_label("price_12358") == c.sources["price_12358"].label == "12358价格举报"
    assert (c.kind_label("district_stats"), c.kind_label("deliverable")) == ("情况统计表（周报）", "报送材料")


def test_invalid_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[campaign\nkey=1", encoding="utf-8")
    with pytest.raises(CampaignError, match=re.escape("bad.toml 不是合法的 TOML")):
        load_campaign(bad)
    with pytest.raises(CampaignError, match="找不到活动定义文件"):
        load_campaign(tmp_path / "nope.toml")


def test_next_years_campaign_is_just_a_new_file(tmp_path):
    text = DEFAULT_CAMPAIGN_FILE.read_text(encoding="utf-8")
    path = tmp_path / "2019.toml"
    path.write_text(
        text.replace('key = "wangjian-2018"', 'key = "wangjian-2019"')
        .replace("first_week = 2018-07-30", "first_week = 2019-07-29")
        .replace("last_week = 2018-11-26", "last_week = 2019-11-25"),
        encoding="utf-8",
    )
    c = load_campaign(path)
    assert c.key == "wangjian-2019" and c.report_weeks()[0] == dt.date(2019, 7, 29)


def test_statuses_have_one_meaning_and_synonyms_merge():
    c = load_campaign()
    assert c.status_label("办理中") == "处理中" and c.status_label("处理中") == "处理中"
    assert c.status_spellings("处理中") == ("处理中", "办理中")
    assert c.status("待核查").meaning == "pending" and c.status("已整改").meaning == "done"
    assert c.status_label("未列出的状态") == "未列出的状态" and c.status_label(None) is None


def test_a_status_with_an_unknown_meaning_or_a_word_twice_is_refused(tmp_path):
    text = Path(DEFAULT_CAMPAIGN_FILE).read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        text.replace('label = "已受理"\nmeaning = "pending"', 'label = "已受理"\nmeaning = "waiting"'), "utf-8"
    )
    with pytest.raises(CampaignError, match=r"statuses\[0\]\.meaning"):
        load_campaign(bad)
    bad.write_text(text.replace('synonyms = ["办理中"]', 'synonyms = ["办理中", "已受理"]'), "utf-8")
    with pytest.raises(CampaignError, match="statuses 中的名称 “已受理” 同时属于"):
        load_campaign(bad)
