"""Realistic 12315 / 12358 / monitoring-hit export files of any size, with the quirks real exports have.

Everything here is invented (names, phone numbers, ID numbers, companies); seeded, so a file is reproducible.
Importable by the demo-dataset builder and the benchmark:

    write_12315_csv(path, n, seed=1, encoding="gb18030")
    write_12315_xlsx(path, n, seed=2, title=True)
    write_12358_xlsx(path, n) / write_12358_csv(path, n)
    write_monitoring_csv(path, n) / write_monitoring_xlsx(path, n)

`messy=True` mixes date forms, amounts with 元/thousands separators/full-width digits, platform spellings,
经开区 streets, addresses outside the city, invalid credit codes, and (rarely) IDs that Excel turned into
scientific notation or left empty: those rows are meant to be quarantined.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

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

HEADERS_12315 = {
    # key: (style v1 header, style v2 header)
    "record_id": ("登记编号", "工单编号"),
    "received_at": ("登记时间", "受理时间"),
    "info_type": ("信息类型", "诉求类型"),
    "channel": ("接收方式", "信息来源"),
    "consumption_mode": ("消费方式", "消费方式"),
    "name": ("投诉人", "姓名/名称"),
    "phone": ("联系电话", "手机"),
    "id_number": ("身份证号", "证件号码"),
    "address": ("通讯地址", "通讯地址"),
    "merchant_name": ("涉及主体名称", "被诉方"),
    "merchant_uscc": ("统一社会信用代码", "统一社会信用代码"),
    "platform": ("网络交易平台", "涉及平台"),
    "goods_category": ("消费类型中类", "商品服务类别"),
    "problem_category": ("投诉内容大类", "问题类别"),
    "region": ("销售地所在行政区", "所属区域"),
    "handling_dept": ("登记部门", "承办单位"),
    "status": ("办结状态", "处理状态"),
    "closed_at": ("办结时间", "办结日期"),
    "amount_involved": ("涉及金额", "争议金额"),
    "recovered_loss": ("挽回经济损失", "挽回经济损失"),
    "content": ("具体内容", "诉求内容"),
}


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a 统一社会信用代码."""
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


class _Pools:
    """Merchants, people and regions shared by all rows of one file (so merchants repeat, as in real data)."""

    def __init__(self, rnd: random.Random, merchants: int = 400) -> None:
        self.rnd = rnd
        self.merchants = []
        for i in range(merchants):
            district = rnd.choice(list(UNIT_NAMES.values()))
            body = "9" + "1" + district + "".join(rnd.choice(USCC_CHARS) for _ in range(9))
            name = f"常州市{rnd.choice(BRANDS)}{rnd.choice(TRADES)}{i:03d}有限公司"
            self.merchants.append((name, body + uscc_check_char(body)))

    def person(self) -> tuple[str, str, str]:
        r = self.rnd
        name = r.choice(SURNAMES) + r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.4 else "")
        phone = r.choice(["13", "15", "18", "19"]) + "".join(r.choice("0123456789") for _ in range(9))
        body = "3204" + "".join(r.choice("0123456789") for _ in range(13))
        id_number = body + r.choice("0123456789X")
        return name, phone, id_number


def _date_text(rnd: random.Random, when: dt.datetime, messy: bool, style: str) -> str:
    if not messy:
        return (
            when.strftime("%Y-%m-%d %H:%M:%S") if style == "v1" else f"{when.year}/{when.month}/{when.day} {when:%H:%M}"
        )
    form = rnd.random()
    if form < 0.55:
        return when.strftime("%Y-%m-%d %H:%M:%S")
    if form < 0.8:
        return f"{when.year}/{when.month}/{when.day} {when:%H:%M}"
    if form < 0.9:
        return f"{when.year}年{when.month}月{when.day}日"
    if form < 0.97:
        return when.strftime("%Y%m%d")
    return f"{(when - EXCEL_EPOCH).total_seconds() / 86400:.6f}"  # an Excel serial number, as text


def _amount_text(rnd: random.Random, value: float, messy: bool) -> str:
    if not messy:
        return f"{value:.2f}"
    form = rnd.random()
    if form < 0.6:
        return f"{value:.2f}"
    if form < 0.8:
        return f"{value:,.2f}"
    if form < 0.9:
        return f"{value:.2f}元"
    return f"{value:.2f}".translate(FULL_WIDTH)


def _record_id(rnd: random.Random, prefix: str, when: dt.datetime, seq: int, messy: bool) -> str:
    rid = f"{prefix}{when:%Y%m%d}{seq:06d}"
    if messy:
        roll = rnd.random()
        if roll < 0.0005:
            return f"{float(rid):.5E}".replace("E+", "E+")  # what Excel does to a long number: unusable
        if roll < 0.001:
            return ""
    return rid


def rows_12315(n: int, seed: int = 1, messy: bool = True, first_seq: int = 0) -> Iterator[dict[str, str]]:
    """Rows keyed by field key (plus the personal keys name/phone/id_number/address)."""
    rnd = random.Random(seed)
    pools = _Pools(rnd)
    regions = REGIONS + (MESSY_REGIONS if messy else [])
    span = 150 * 86400
    for i in range(n):
        when = CAMPAIGN_START + dt.timedelta(seconds=rnd.randrange(span))
        region, dept = rnd.choice(regions)
        district = next((c for name, c in UNIT_NAMES.items() if name in dept), "320400")
        merchant, uscc = rnd.choice(pools.merchants)
        if messy and rnd.random() < 0.02:
            uscc = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")  # wrong check character: flagged, kept
        online = rnd.random() < 0.77
        platform = rnd.choice(PLATFORMS) if online else ""
        if messy and platform in MESSY_PLATFORMS and rnd.random() < 0.3:
            platform = MESSY_PLATFORMS[platform]
        problem = rnd.choice(PROBLEMS)
        status = rnd.choice(STATUSES_12315)
        amount = round(rnd.uniform(10, 5000), 2)
        recovered = round(rnd.uniform(0, amount), 2) if status == "已办结" else 0.0
        closed = when + dt.timedelta(days=rnd.randrange(1, 20)) if status == "已办结" else None
        name, phone, id_number = pools.person()
        extra = f"，身份证号{id_number}" if rnd.random() < 0.1 else ""
        yield {
            "record_id": _record_id(rnd, district + "0000000", when, first_seq + i, messy),
            "received_at": _date_text(rnd, when, messy, "v1"),
            "info_type": rnd.choice(["投诉", "投诉", "举报", "咨询"]),
            "channel": rnd.choice(["全国12315平台转件", "12345转件", "电话", "互联网络"]),
            "consumption_mode": "网络购物" if online else rnd.choice(["电视购物", "实体店铺销售"]),
            "name": name,
            "phone": phone,
            "id_number": id_number,
            "address": f"{region or '常州市'}某小区{rnd.randrange(1, 30)}幢",
            "merchant_name": merchant,
            "merchant_uscc": uscc,
            "platform": platform,
            "goods_category": rnd.choice(GOODS),
            "problem_category": problem,
            "region": region,
            "handling_dept": dept,
            "status": status,
            "closed_at": _date_text(rnd, closed, messy, "v1") if closed else "",
            "amount_involved": _amount_text(rnd, amount, messy),
            "recovered_loss": _amount_text(rnd, recovered, messy),
            "content": f"消费者{name}反映在{platform or '商场'}购买的商品存在{problem}问题，联系电话{phone}{extra}，要求退款。",
        }


def _write_csv(
    path: Path, header: Sequence[str], rows: Iterator[Sequence[str]], encoding: str, bom: bool, title: str | None
) -> Path:
    path = Path(path)
    enc = "utf-8-sig" if (bom and encoding.replace("_", "-").lower() in ("utf-8", "utf8")) else encoding
    with open(path, "w", encoding=enc, newline="") as f:
        if title:
            f.write(title + "\r\n")
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def _write_xlsx(
    path: Path, header: Sequence[str], rows: Iterator[Sequence], title: str | None, sheet: str = "Sheet1"
) -> Path:
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    if title:
        ws.append([title])
        ws.append([f"导出时间：{dt.datetime(2018, 12, 1, 9, 0):%Y-%m-%d %H:%M:%S}"])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def _table(
    rows: Iterator[dict[str, str]], headers: dict[str, tuple[str, str]], style: str
) -> tuple[list[str], Iterator[list[str]]]:
    idx = 0 if style == "v1" else 1
    keys = list(headers)
    return [headers[k][idx] for k in keys], ([row[k] for k in keys] for row in rows)


def write_12315_csv(
    path: str | Path,
    n: int,
    *,
    seed: int = 1,
    encoding: str = "utf-8",
    bom: bool = False,
    messy: bool = True,
    style: str = "v2",
    title: str | None = None,
    first_seq: int = 0,
) -> Path:
    """A 12315 export as Chinese Excel or the platform saves it: GB18030 without BOM, or UTF-8 with/without BOM."""
    header, rows = _table(rows_12315(n, seed, messy, first_seq), HEADERS_12315, style)
    return _write_csv(Path(path), header, rows, encoding, bom, title)


def write_12315_xlsx(
    path: str | Path,
    n: int,
    *,
    seed: int = 2,
    messy: bool = True,
    style: str = "v1",
    title: bool = True,
    first_seq: int = 0,
) -> Path:
    header, rows = _table(rows_12315(n, seed, messy, first_seq), HEADERS_12315, style)
    return _write_xlsx(Path(path), header, rows, "全国12315互联网平台 投诉举报信息导出" if title else None)


HEADERS_12358 = {
    "record_id": ("举报编号", "受理编号"),
    "received_at": ("举报时间", "受理时间"),
    "info_type": ("诉求类型", "诉求类型"),
    "name": ("举报人姓名", "举报人"),
    "phone": ("联系电话", "联系电话"),
    "merchant_name": ("被举报方", "被举报单位"),
    "merchant_uscc": ("统一社会信用代码", "统一社会信用代码"),
    "platform": ("涉及平台", "网站名称"),
    "price_violation": ("价格违法行为", "举报类别"),
    "region": ("被举报方地址", "所在区域"),
    "status": ("办理状态", "处理状态"),
    "recovered_loss": ("退还金额", "挽回经济损失"),
    "content": ("举报内容", "举报内容"),
}


def rows_12358(n: int, seed: int = 3, messy: bool = True) -> Iterator[dict[str, str]]:
    rnd = random.Random(seed)
    pools = _Pools(rnd, merchants=300)
    regions = REGIONS + (MESSY_REGIONS[:3] if messy else [])
    for i in range(n):
        when = CAMPAIGN_START + dt.timedelta(seconds=rnd.randrange(150 * 86400))
        merchant, uscc = rnd.choice(pools.merchants)
        name, phone, _ = pools.person()
        yield {
            "record_id": _record_id(rnd, "12358", when, i, messy),
            "received_at": _date_text(rnd, when, messy, "v1"),
            "info_type": rnd.choice(["举报", "投诉"]),
            "name": name,
            "phone": phone,
            "merchant_name": merchant,
            "merchant_uscc": uscc,
            "platform": rnd.choice(PLATFORMS),
            "price_violation": rnd.choice(PRICE_VIOLATIONS),
            "region": rnd.choice(regions)[0] or "常州市",
            "status": rnd.choice(["办理中", "已办结"]),
            "recovered_loss": _amount_text(rnd, round(rnd.uniform(0, 800), 2), messy),
            "content": f"举报{merchant}的网店存在价格问题，请核查。举报人电话{phone}。",
        }


def write_12358_xlsx(
    path: str | Path, n: int, *, seed: int = 3, messy: bool = True, style: str = "v1", title: bool = True
) -> Path:
    header, rows = _table(rows_12358(n, seed, messy), HEADERS_12358, style)
    return _write_xlsx(Path(path), header, rows, "12358价格监管平台举报件导出" if title else None)


def write_12358_csv(
    path: str | Path,
    n: int,
    *,
    seed: int = 3,
    encoding: str = "utf-8",
    bom: bool = True,
    messy: bool = True,
    style: str = "v1",
) -> Path:
    header, rows = _table(rows_12358(n, seed, messy), HEADERS_12358, style)
    return _write_csv(Path(path), header, rows, encoding, bom, None)


HEADERS_MONITORING = {
    "hit_id": ("线索编号", "监测编号"),
    "detected_at": ("发现时间", "监测时间"),
    "source_system": ("监测来源", "监测来源"),
    "subject_type": ("主体类型", "主体类型"),
    "platform": ("平台名称", "平台名称"),
    "shop_name": ("网店名称", "网店名称"),
    "url": ("网址", "链接"),
    "merchant_name": ("经营者名称", "经营者名称"),
    "merchant_uscc": ("统一社会信用代码", "统一社会信用代码"),
    "region": ("属地", "所属区域"),
    "hit_type": ("线索类型", "违法类型"),
    "keyword": ("命中关键词", "命中关键词"),
    "assigned_unit": ("承办单位", "下发单位"),
    "status": ("处置状态", "处置状态"),
}


def rows_monitoring(n: int, seed: int = 4, messy: bool = True) -> Iterator[dict[str, str]]:
    rnd = random.Random(seed)
    pools = _Pools(rnd, merchants=350)
    districts = ["天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市", "经开区"]
    for i in range(n):
        when = CAMPAIGN_START + dt.timedelta(seconds=rnd.randrange(150 * 86400))
        merchant, uscc = rnd.choice(pools.merchants)
        district = rnd.choice(districts)
        yield {
            "hit_id": f"JCXS2018{i:06d}",
            "detected_at": _date_text(rnd, when, messy, "v1"),
            "source_system": rnd.choice(MONITOR_SOURCES),
            "subject_type": rnd.choice(SUBJECT_TYPES),
            "platform": rnd.choice(PLATFORMS),
            "shop_name": merchant.replace("有限公司", "旗舰店"),
            "url": f"https://shop{rnd.randrange(10000, 99999)}.example.cn/item",
            "merchant_name": merchant,
            "merchant_uscc": uscc,
            "region": district,
            "hit_type": rnd.choice(HIT_TYPES),
            "keyword": rnd.choice(["原单", "最低价", "高仿", "特效", "秒杀", "根治", ""]),
            "assigned_unit": ("常州经济开发区" if district == "经开区" else district) + "市场监督管理局",
            "status": rnd.choice(HIT_STATUSES),
        }


def write_monitoring_csv(
    path: str | Path,
    n: int,
    *,
    seed: int = 4,
    encoding: str = "utf-8",
    bom: bool = True,
    messy: bool = True,
    style: str = "v1",
) -> Path:
    header, rows = _table(rows_monitoring(n, seed, messy), HEADERS_MONITORING, style)
    return _write_csv(Path(path), header, rows, encoding, bom, None)


def write_monitoring_xlsx(
    path: str | Path, n: int, *, seed: int = 4, messy: bool = True, style: str = "v1", title: bool = True
) -> Path:
    header, rows = _table(rows_monitoring(n, seed, messy), HEADERS_MONITORING, style)
    return _write_xlsx(Path(path), header, rows, "网络交易监测线索导出" if title else None)
