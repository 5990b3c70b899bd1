"""The invented world the generated exports draw from: people, merchants (with valid 统一社会信用代码),
regions, platforms, goods, problems and hit types. Seeded pools, so merchants repeat across rows as in real data."""

from __future__ import annotations

import datetime as dt
import random

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "平",
]
BRANDS = ["龙城", "红梅", "天目", "淹城", "紫荆", "运河", "青果", "恐龙", "优品", "惠民"]
TRADES = ["科技", "贸易", "电子商务", "食品", "服饰", "旅游"]
# (region text, handling department): 经开区 streets/towns lie inside 武进区 but belong to 经开区.
REGIONS = [
    ("天宁区红梅街道", "天宁区市场监督管理局"),
    ("常州市天宁区青龙街道", "天宁区市场监督管理局"),
    ("钟楼区五星街道", "钟楼区市场监督管理局"),
    ("江苏省常州市钟楼区邹区镇", "钟楼区市场监督管理局"),
    ("新北区三井街道", "新北区市场监督管理局"),
    ("常州国家高新区河海街道", "新北区市场监督管理局"),
    ("武进区嘉泽镇", "武进区市场监督管理局湖塘分局"),
    ("江苏省常州市武进区湖塘镇", "武进区市场监督管理局湖塘分局"),
    ("金坛区直溪镇", "金坛区市场监督管理局"),
    ("常州市金坛区金城镇", "金坛区市场监督管理局"),
    ("溧阳市天目湖镇", "溧阳市市场监督管理局"),
    ("江苏省溧阳市社渚镇", "溧阳市市场监督管理局"),
    ("常州市武进区横林镇", "常州经济开发区市场监督管理局"),
    ("江苏省常州市武进区戚墅堰街道", "常州经济开发区市场监督管理局"),
    ("常州经济开发区潞城街道", "常州经济开发区市场监督管理局"),
    ("武进区遥观镇", "常州经济开发区市场监督管理局"),
]
MESSY_REGIONS = [
    ("江苏省无锡市梁溪区", "市网监分局"),  # outside the city
    ("上海市浦东新区", "市网监分局"),  # outside the city
    ("常州市", "市网监分局"),  # names only the city: city, inferred
    ("", "钟楼区市场监督管理局"),  # no region: inferred from the department
]
PLATFORMS = ["淘宝", "天猫", "京东", "拼多多", "美团", "饿了么", "唯品会", "苏宁易购", "携程", "微信小程序"]
MESSY_PLATFORMS = {"淘宝": "淘宝网", "天猫": "天猫商城", "京东": "京东商城", "美团": "美团外卖", "苏宁易购": "苏宁"}
GOODS = ["家用电器", "儿童用品", "餐饮和住宿服务", "一般食品", "旅游服务", "通讯产品", "化妆品", "服装鞋帽", "医疗器械"]
PROBLEMS = [
    "质量",
    "安全",
    "计量",
    "合同",
    "售后服务",
    "广告",
    "虚假宣传",
    "假冒",
    "商标",
    "无照经营",
    "人格尊严",
    "其他",
]
STATUSES_12315 = ["已办结", "已受理", "处理中"]
PRICE_VIOLATIONS = [
    "不按规定明码标价",
    "价格欺诈",
    "虚构原价",
    "虚假优惠折价",
    "哄抬价格",
    "价格串通",
    "价格歧视",
    "变相提价",
    "乱收费",
    "其他",
]
HIT_TYPES = ["刷单炒信", "价格欺诈", "未亮照", "虚假宣传", "侵权假冒", "不合格商品", "无照经营", "禁售商品", "违法广告"]
HIT_STATUSES = ["待核查", "核查中", "已立案", "已整改", "不属实", "非本辖区"]
MONITOR_SOURCES = ["省网络交易监测中心", "全国互联网广告监测中心", "电子商务产品质量风险监测中心"]
SUBJECT_TYPES = ["网店", "网站", "小程序", "微信公众号", "APP"]
UNIT_NAMES = {
    "天宁区": "320402",
    "钟楼区": "320404",
    "新北区": "320411",
    "武进区": "320412",
    "金坛区": "320413",
    "溧阳市": "320481",
}

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CAMPAIGN_START = dt.datetime(2018, 7, 1, 8, 0, 0)
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a 统一社会信用代码."""
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def _uscc(rnd: random.Random) -> str:
    body = "9" + "1" + rnd.choice(list(UNIT_NAMES.values())) + "".join(rnd.choice(USCC_CHARS) for _ in range(9))
    return body + uscc_check_char(body)


def repeat_offenders(n: int = 12) -> list[tuple[str, str]]:
    """Merchants that turn up in every source (12315, 12358 and web monitoring), as the worst offenders do: the
    same names and codes in every file whatever its seed, so the pages' 跨来源线索 have something to find."""
    rnd = random.Random(20180701)
    return [(f"常州市{brand}{trade}网络经营有限公司", _uscc(rnd)) for brand, trade in rnd.sample(_BRAND_TRADES, n)]


_BRAND_TRADES = [(b, t) for b in BRANDS for t in TRADES]
REPEAT_SHARE = 0.03  # of a file's rows name a repeat offender


class Pools:
    """Merchants, people and regions shared by all rows of one file (so merchants repeat, as in real data)."""

    def __init__(self, rnd: random.Random, merchants: int = 400) -> None:
        self.rnd = rnd
        self.merchants = []
        for i in range(merchants):
            uscc = _uscc(rnd)
            name = f"常州市{rnd.choice(BRANDS)}{rnd.choice(TRADES)}{i:03d}有限公司"
            self.merchants.append((name, uscc))
        # Its own generator (seeded by the pool), so a file's other columns come out as they did before.
        self._repeat = random.Random(self.merchants[0][1] if self.merchants else 0)
        self._offenders = repeat_offenders()

    def merchant(self) -> tuple[str, str]:
        """A merchant of this file's pool, or now and then (REPEAT_SHARE) a repeat offender."""
        drawn = self.rnd.choice(self.merchants)
        return self._repeat.choice(self._offenders) if self._repeat.random() < REPEAT_SHARE else drawn

    def person(self) -> tuple[str, str, str]:
        r = self.rnd
        name = r.choice(SURNAMES) + r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.4 else "")
        phone = r.choice(["13", "15", "18", "19"]) + "".join(r.choice("0123456789") for _ in range(9))
        body = "3204" + "".join(r.choice("0123456789") for _ in range(13))
        id_number = body + r.choice("0123456789X")
        return name, phone, id_number
