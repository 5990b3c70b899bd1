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

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from datagen.quirks import amount_text, date_text, record_id, table, write_csv, write_xlsx
from datagen.vocabulary import (
    CAMPAIGN_START,
    GOODS,
    HIT_STATUSES,
    HIT_TYPES,
    MESSY_PLATFORMS,
    MESSY_REGIONS,
    MONITOR_SOURCES,
    PLATFORMS,
    PRICE_VIOLATIONS,
    PROBLEMS,
    REGIONS,
    STATUSES_12315,
    SUBJECT_TYPES,
    UNIT_NAMES,
    Pools,
)

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


def rows_12315(n: int, seed: int = 1, messy: bool = True, first_seq: int = 0) -> Iterator[dict[str, str]]:
    """Rows keyed by field key (plus the personal keys name/phone/id_number/address)."""
    rnd = random.Random(seed)
    pools = Pools(rnd)
    regions = REGIONS + (MESSY_REGIONS if messy else [])
    span = 150 * 86400
    for i in range(n):
        when = CAMPAIGN_START + dt.timedelta(seconds=rnd.randrange(span))
        region, dept = rnd.choice(regions)
        district = next((c for name, c in UNIT_NAMES.items() if name in dept), "320400")
        merchant, uscc = pools.merchant()
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
            "record_id": record_id(rnd, district + "0000000", when, first_seq + i, messy),
            "received_at": date_text(rnd, when, messy, "v1"),
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
            "closed_at": date_text(rnd, closed, messy, "v1") if closed else "",
            "amount_involved": amount_text(rnd, amount, messy),
            "recovered_loss": amount_text(rnd, recovered, messy),
            "content": f"消费者{name}反映在{platform or '商场'}购买的商品存在{problem}问题，联系电话{phone}{extra}，要求退款。",
        }


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
    header, rows = table(rows_12315(n, seed, messy, first_seq), HEADERS_12315, style)
    return write_csv(Path(path), header, rows, encoding, bom, title)


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
    header, rows = table(rows_12315(n, seed, messy, first_seq), HEADERS_12315, style)
    return write_xlsx(Path(path), header, rows, "全国12315互联网平台 投诉举报信息导出" if title else None)


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
    pools = Pools(rnd, merchants=300)
    regions = REGIONS + (MESSY_REGIONS[:3] if messy else [])
    for i in range(n):
        when = CAMPAIGN_START + dt.timedelta(seconds=rnd.randrange(150 * 86400))
        merchant, uscc = pools.merchant()
        name, phone, _ = pools.person()
        yield {
            "record_id": record_id(rnd, "12358", when, i, messy),
            "received_at": date_text(rnd, when, messy, "v1"),
            "info_type": rnd.choice(["举报", "投诉"]),
            "name": name,
            "phone": phone,
            "merchant_name": merchant,
            "merchant_uscc": uscc,
            "platform": rnd.choice(PLATFORMS),
            "price_violation": rnd.choice(PRICE_VIOLATIONS),
            "region": rnd.choice(regions)[0] or "常州市",
            "status": rnd.choice(["办理中", "已办结"]),
            "recovered_loss": amount_text(rnd, round(rnd.uniform(0, 800), 2), messy),
            "content": f"举报{merchant}的网店存在价格问题，请核查。举报人电话{phone}。",
        }


def write_12358_xlsx(
    path: str | Path, n: int, *, seed: int = 3, messy: bool = True, style: str = "v1", title: bool = True
) -> Path:
    header, rows = table(rows_12358(n, seed, messy), HEADERS_12358, style)
    return write_xlsx(Path(path), header, rows, "12358价格监管平台举报件导出" if title else None)


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
    header, rows = table(rows_12358(n, seed, messy), HEADERS_12358, style)
    return write_csv(Path(path), header, rows, encoding, bom, None)


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
    pools = Pools(rnd, merchants=350)
    districts = ["天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市", "经开区"]
    for i in range(n):
        when = CAMPAIGN_START + dt.timedelta(seconds=rnd.randrange(150 * 86400))
        merchant, uscc = pools.merchant()
        district = rnd.choice(districts)
        yield {
            "hit_id": f"JCXS2018{i:06d}",
            "detected_at": date_text(rnd, when, messy, "v1"),
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
    header, rows = table(rows_monitoring(n, seed, messy), HEADERS_MONITORING, style)
    return write_csv(Path(path), header, rows, encoding, bom, None)


def write_monitoring_xlsx(
    path: str | Path, n: int, *, seed: int = 4, messy: bool = True, style: str = "v1", title: bool = True
) -> Path:
    header, rows = table(rows_monitoring(n, seed, messy), HEADERS_MONITORING, style)
    return write_xlsx(Path(path), header, rows, "网络交易监测线索导出" if title else None)
