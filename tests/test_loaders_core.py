"""The shared reading and normalising core: dates, amounts, IDs, credit codes, units, platforms, encodings."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from campaign import load_campaign
from loaders.exports import privacy
from loaders.reading import encodings, grids, headers, mapping
from loaders.reading.gate import FileFormat
from loaders.reading.values import (
    SCI_RE,
    clean_ids,
    find_datetime,
    parse_amounts,
    parse_datetimes,
    uscc_check_char,
    uscc_valid,
)
from loaders.result import FileRejected


@pytest.fixture(scope="module")
def c():
    return load_campaign()


def dates(values):
    return parse_datetimes(pl.Series(values, dtype=pl.String)).to_list()


def test_dates_in_every_form_domain_md_lists():
    got = dates(
        [
            "2018-08-03 14:22:10",
            "2018/8/3",
            "2018/8/3 14:22",
            "2018年8月3日",
            "2018年8月3日 9时5分",
            "20180803",
            "43315",  # Excel serial
            "43315.5",
            "２０１８－０８－０３",  # full-width
            "2018-08-03T14:22:10.250",
            "2018.8.3",
        ]
    )
    d = dt.datetime(2018, 8, 3)
    assert got == [
        dt.datetime(2018, 8, 3, 14, 22, 10),
        d,
        dt.datetime(2018, 8, 3, 14, 22),
        d,
        dt.datetime(2018, 8, 3, 9, 5),
        d,
        d,
        dt.datetime(2018, 8, 3, 12),
        d,
        dt.datetime(2018, 8, 3, 14, 22, 10),
        d,
    ]


def test_impossible_dates_are_null_not_guessed():
    assert dates(["2018-02-30", "x", "2018-13-01", None, "12345678"]) == [None, None, None, None, None]


def test_amounts(c):
    ep = c.export_parsing
    got = parse_amounts(
        pl.Series(["1,234.50", "88元", "１２３４", "1.2万元", "￥66", " 7 ", "abc", None]),
        ep.amount_units,
        ep.ten_thousand_units,
    ).to_list()
    assert got == [1234.5, 88.0, 1234.0, 12000.0, 66.0, 7.0, None, None]


def test_ids_keep_every_digit_and_lose_excel_wrappers():
    got = clean_ids(
        pl.Series(["3204120000000201808031234", '="3204120000000201808031234"', "'0012", "３２０４"])
    ).to_list()
    assert got == ["3204120000000201808031234", "3204120000000201808031234", "0012", "3204"]
    assert pl.Series(["3.20412E+24", "3204"]).str.contains(SCI_RE).to_list() == [True, False]


def test_uscc_check_character_gb32100():
    good = "91350100M000100Y43"  # a published example of a valid code
    assert uscc_check_char(good[:17]) == good[17]
    codes = pl.Series([good, good[:17] + "0", "91350100M000100Y4", "91350100M000100YI3", None])
    assert pl.select(uscc_valid(pl.lit(codes))).to_series().to_list() == [True, False, False, False, False]


@pytest.mark.parametrize(
    ("text", "unit", "inferred"),
    [
        ("常州市武进区横林镇", "jingkai", False),  # an 经开区 town inside 武进区
        ("江苏省常州市武进区戚墅堰街道", "jingkai", False),
        ("常州经济开发区潞城街道", "jingkai", False),
        ("武进区湖塘镇", "wujin", False),
        ("江苏省溧阳市社渚镇", "liyang", False),
        ("常州国家高新区河海街道", "xinbei", False),
        ("经开区", "jingkai", False),
        ("钟楼区市场监督管理局", "zhonglou", False),
        ("江苏省无锡市梁溪区", "outside", False),
        ("上海市虹口区武进路", "outside", False),  # a road named 武进 in another city
        ("浙江省杭州市", "outside", False),
        ("常州市", "city", True),
        ("湖塘镇某小区", "city", True),  # no district named
        ("市网监分局", "city", False),
    ],
)
def test_region_to_unit(c, text, unit, inferred):
    assert mapping.UnitResolver(c).resolve(text) == (unit, inferred)


def test_platforms_are_normalised(c):
    p = mapping.PlatformNormalizer(c)
    assert [
        p.normalize(x)
        for x in ["淘宝网", "天猫商城", "ＪＤ", "https://item.jd.com/1.html", "detail.tmall.com", "某某商城", None]
    ] == [
        "淘宝",
        "天猫",
        "京东",
        "京东",
        "天猫",
        "某某商城",
        None,
    ]


def test_classification_first_rule_wins_and_unmatched_is_f0():
    rules = [("F2", "假冒"), ("F3", "质量"), ("F3", "安全"), ("F5", "虚假宣传")]
    assert mapping.classify(rules, "F0", "质量", "假冒") == "F2"
    assert mapping.classify(rules, "F0", "食品安全") == "F3"
    assert mapping.classify(rules, "F0", "其他") == "F0"
    assert mapping.classify(rules, "F0", None) == "F0"


def test_masking_free_text():
    df = pl.DataFrame(
        {
            "t": [
                "消费者张三反映，电话13812345678，身份证32040219900101123X，座机0519-88888888",
                "电话１３８１２３４５６７８",
                None,
            ],
            "name": ["张三", None, "李四"],
        }
    )
    got = privacy.mask_text(df.get_column("t"), [df.get_column("name")]).to_list()
    assert got == ["消费者***反映，电话***，身份证***，座机***", "电话***", None]


def test_phone_normalisation_and_hmac_key_outside_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv("WANGJIAN_SECRET_DIR", str(tmp_path / "secret"))
    phones = pl.DataFrame({"p": ["138-1234-5678", "+86 13812345678", "13812345678", "12"]})
    assert privacy.normalize_phones(phones.get_column("p")).to_list() == ["13812345678"] * 3 + [None]
    key = privacy.hmac_key()
    assert (tmp_path / "secret" / "hmac.key").read_bytes() == key and len(key) == 32
    assert privacy.hmac_key() == key  # created once
    assert (tmp_path / "secret" / "hmac.key").stat().st_mode & 0o077 == 0


def test_encoding_detection(tmp_path):
    text = "登记编号,登记时间\n1,2018-08-03\n"
    cases = {
        "bom.csv": ("utf-8-sig", text.encode("utf-8-sig")),
        "utf8.csv": ("utf-8", text.encode("utf-8")),
        "gb.csv": ("gb18030", text.encode("gb18030")),
    }
    for name, (enc, data) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert encodings.detect_text_encoding(tmp_path / name, name)[0] == enc


def test_replacement_characters_reject_the_file(tmp_path):
    f = tmp_path / "broken.csv"
    f.write_bytes("登记编号,登记时间\n1,2018-08-03\n2,\ufffd\ufffd\n".encode())
    with pytest.raises(FileRejected, match="第 3 行含有无法识别的字符"):
        grids.csv_grid(f, f.name)


def test_header_found_below_title_lines(c):
    rows = [["某某平台导出", None], ["导出时间：2018-09-01", None], ["登记编号", "登记时间"], ["1", "2018-08-03"]]
    g = grids.Grid("Sheet1", rows)
    fmt = FileFormat("xlsx")
    loc = headers.locate(None, "x.xlsx", headers.HeaderIndex(c.sources["complaints_12315"]), [g], fmt, None)
    assert loc.header_index == 2 and loc.header_row == 3
    assert loc.title_lines == ["某某平台导出", "导出时间：2018-09-01"]
    assert find_datetime(loc.title_lines[1]) == dt.datetime(2018, 9, 1)


def test_header_synonyms_fold_width_blanks_and_units(c):
    idx = headers.HeaderIndex(c.sources["complaints_12315"])
    m = idx.match(["工单编号", " 受理 时间 ", "争议金额（元）", "手机", "序号"])
    assert m.fields == {"record_id": 0, "received_at": 1, "amount_involved": 2}
    assert m.personal == {3: "手机"} and m.phone == [3]
    assert m.ignored == ["序号"]
