"""Shared helpers for the export-loader tests: fixture builders, warehouse snapshots and scans.

The committed files in tests/fixtures/exports/ are written by `build_fixtures()`
(python -m tests.exports_helpers rebuilds them); tests read the committed files.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

from warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "exports"

# 12315, style 2 headers (GB18030 CSV as Chinese Excel saves it), one quirk per row.
Q_HEADER = [
    "工单编号", "受理时间", "诉求类型", "消费方式", "姓名/名称", "手机", "证件号码", "被诉方", "统一社会信用代码",
    "涉及平台", "问题类别", "所属区域", "承办单位", "处理状态", "办结日期", "争议金额", "挽回经济损失", "诉求内容", "备注",
]  # fmt: skip
VALID_USCC = "91320412MA1MXXXX0Y"  # fixed below by _uscc()
QUIRK_ROWS = [
    # id, received, type, mode, name, phone, idno, merchant, uscc, platform, problem, region, dept, status, closed, amount, recovered, content
    ["3204120000000201808031234", "2018-08-03 14:22:10", "投诉", "网络购物", "张三丰", "13812345678", "320402199001011234", "常州市甲公司", "@valid", "淘宝网", "质量", "常州市武进区横林镇", "常州经济开发区市场监督管理局", "已办结", "2018/8/10 09:00", "1,234.50元", "100", "消费者张三丰反映质量问题，联系电话13812345678，身份证320402199001011234。"],
    ["3204120000000201808031235", "2018/8/3", "举报", "网络购物", "李四", "139-1234-5678", "", "常州市乙公司", "@valid", "天猫商城", "虚假宣传", "江苏省无锡市梁溪区", "市网监分局", "处理中", "", "１２３４", "0", "李四说对方虚假宣传，电话139-1234-5678"],
    ["3204120000000201808031236", "2018年8月3日", "咨询", "电视购物", "王五", "", "", "常州市丙公司", "@invalid", "", "其他", "常州市", "市网监分局", "已受理", "", "—", "", "咨询退货"],
    ["3204120000000201808031237", "20180803", "投诉", "网络购物", "赵六", "15000000000", "", "常州市丁公司", "", "https://item.jd.com/1.html", "商标", "", "钟楼区市场监督管理局", "已办结", "", "1.2万元", "", "赵六反映侵犯商标"],
    ["3204120000000201808031238", "43315.5", "投诉", "网络购物", "钱七", "", "", "常州市戊公司", "", "拼多多", "合同", "新北区三井街道", "新北区市场监督管理局", "已办结", "", "88", "", "合同纠纷"],
    ["3.20412E+24", "2018-08-04 10:00:00", "投诉", "网络购物", "孙八", "", "", "常州市己公司", "", "京东", "质量", "天宁区红梅街道", "天宁区市场监督管理局", "已受理", "", "10", "", "编号被科学计数"],
    ["", "2018-08-04 11:00:00", "投诉", "网络购物", "周九", "", "", "常州市庚公司", "", "京东", "质量", "天宁区红梅街道", "天宁区市场监督管理局", "已受理", "", "10", "", "没有编号"],
    ["3204120000000201808031239", "2018-02-30", "投诉", "网络购物", "吴十", "", "", "常州市辛公司", "", "京东", "质量", "天宁区红梅街道", "天宁区市场监督管理局", "已受理", "", "10", "", "日期不存在"],
    ["3204120000000201808031240", "2018-08-05 09:00:00", "投诉", "网络购物", "郑十一", "", "", "常州市壬公司", "", "京东", "质量", "天宁区红梅街道", "天宁区市场监督管理局", "已受理", "", "abc", "", "金额不是数字"],
    ["3204120000000201808031241", "2018-08-06 09:00:00", "投诉", "网络购物", "冯十二", "", "", "常州市癸公司", "", "京东", "质量", "溧阳市天目湖镇", "溧阳市市场监督管理局", "已受理", "", "5", "", "先出现的一行"],
    ["3204120000000201808031241", "2018-08-06 09:00:00", "投诉", "网络购物", "冯十二", "", "", "常州市癸公司", "", "京东", "质量", "溧阳市天目湖镇", "溧阳市市场监督管理局", "已办结", "", "5", "", "同一编号后出现的一行"],
]  # fmt: skip
QUIRK_TITLE = ["全国12315互联网平台 投诉举报信息导出", "导出时间：2018-08-31 17:00:00"]
PERSONAL_IN_QUIRKS = [
    "张三丰",
    "13812345678",
    "320402199001011234",
    "李四",
    "139-1234-5678",
    "13912345678",
    "赵六",
    "15000000000",
]


def _uscc(valid: bool) -> str:
    from loaders.reading.values import uscc_check_char

    body = "91320412MA1MXXXX0"
    good = uscc_check_char(body)
    return body + (good if valid else ("1" if good != "1" else "2"))


def quirk_rows() -> list[list[str]]:
    out = []
    for r in QUIRK_ROWS:
        r = list(r)
        r[8] = {"@valid": _uscc(True), "@invalid": _uscc(False)}.get(r[8], r[8])
        out.append([*r, ""])
    return out


def quirk_csv_bytes(encoding: str = "gb18030") -> bytes:
    import csv

    buf = io.StringIO()
    for t in QUIRK_TITLE:
        buf.write(t + "\r\n")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(Q_HEADER)
    rows = quirk_rows()
    w.writerows(rows[:5])
    buf.write("\r\n")  # a blank line in the middle
    w.writerows(rows[5:])
    buf.write("注：本表由系统自动导出\r\n")
    return buf.getvalue().encode(encoding)


# The 12315 workbook quirks (quirk_xlsx, quirk_xls): a table at B3 under a title, style 1 headers.
SHEET_HEADER = ["登记编号", "登记时间", "信息类型", "投诉人", "联系电话", "涉及主体名称", "销售地所在行政区", "办结状态", "涉及金额", "具体内容"]  # fmt: skip
SHEET_ROWS = [
    ["3204110000000201809010001", dt.datetime(2018, 9, 1, 10, 30), "投诉", "陈一", "18600000001", "常州市子公司", "新北区三井街道", "已办结", 100, "陈一反映，电话18600000001"],
    ["3204110000000201809010002", 43345, "投诉", "陈二", "18600000002", "常州市丑公司", "常州市武进区遥观镇", "处理中", "=1000+234", "一般问题"],
    [3204110000000201809010003, dt.date(2018, 9, 3), "举报", "陈三", "18600000003", "常州市寅公司", "金坛区直溪镇", "已受理", 5.5, "编号被存成数字"],
    ["3204110000000201809010004", "2018/9/4 8:00", "咨询", "陈四", "18600000004", "常州市卯公司", "江苏省溧阳市社渚镇", "已办结", "1,000", "普通咨询"],
]  # fmt: skip
HIDDEN_HEADER = ["登记编号", "登记时间", "信息类型", "消费方式", "涉及主体名称", "统一社会信用代码", "网络交易平台", "投诉内容大类"]  # fmt: skip
HIDDEN_ROW = ["HIDDEN-1", "2018-09-01", "投诉", "网络购物", "不应导入", "", "", ""]


def quirk_xlsx(path: Path) -> Path:
    """12315, style 1 headers, table starting at B3 under a title, real date cells, a numeric (mangled) ID,
    a formula, a hidden sheet that matches better and a visible notes sheet."""
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["本文件由全国12315平台导出"])
    ws = wb.create_sheet("投诉举报")
    ws["B1"] = "全国12315互联网平台 投诉举报信息导出"
    for i, row in enumerate([SHEET_HEADER, *SHEET_ROWS]):
        for j, v in enumerate(row):
            ws.cell(row=3 + i, column=2 + j, value=v)
    hidden = wb.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden.append(HIDDEN_HEADER)
    hidden.append(HIDDEN_ROW)
    wb.save(path)
    return path


def overlap_csv(path: Path, statuses: dict[str, str], title_time: str | None = None) -> Path:
    """A small 12315 CSV with given record → status (UTF-8 with BOM)."""
    lines = [title_time and f"导出时间：{title_time}"] if title_time else []
    lines.append("登记编号,登记时间,办结状态,问题类别,销售地所在行政区,投诉人,联系电话")
    for i, (rid, status) in enumerate(statuses.items()):
        lines.append(f"{rid},2018-08-{1 + i:02d} 09:00:00,{status},质量,天宁区红梅街道,某人{i},1390000{i:04d}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


def monitoring_xlsx(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "线索"
    ws.append(["网络交易监测线索导出"])
    ws.append(
        [
            "线索编号",
            "发现时间",
            "监测来源",
            "平台名称",
            "经营者名称",
            "属地",
            "线索类型",
            "承办单位",
            "处置状态",
            "处置结果",
        ]
    )
    ws.append(
        [
            "JC-1",
            "2018-08-01 09:00",
            "省网络交易监测中心",
            "淘宝网",
            "常州市甲公司",
            "经开区",
            "刷单炒信",
            "常州经济开发区市场监督管理局",
            "已立案",
            "已联系经营者，电话13800001111",
        ]
    )
    ws.append(
        [
            "JC-2",
            "2018/8/2",
            "全国互联网广告监测中心",
            "美团外卖",
            "常州市乙公司",
            "",
            "违法广告",
            "武进区市场监督管理局",
            "待核查",
            "",
        ]
    )
    ws.append(
        [
            "JC-3",
            "2018年8月3日",
            "省网络交易监测中心",
            "抖音",
            "常州市丙公司",
            "上海市浦东新区",
            "其他",
            "市网监分局",
            "非本辖区",
            "",
        ]
    )
    wb.save(path)
    return path


def price_csv_bytes() -> bytes:
    rows = [
        "举报编号,举报时间,诉求类型,举报人姓名,联系电话,被举报方,涉及平台,价格违法行为,被举报方地址,办理状态,退还金额,举报内容",
        "123582018080100001,2018-08-01 10:00:00,举报,刘一,13700000001,常州市甲公司,https://detail.tmall.com/x,虚构原价,常州市钟楼区南大街,已办结,12.5,刘一举报虚构原价，电话13700000001",
        "123582018080200002,2018/8/2 10:00,投诉,刘二,13700000002,常州市乙公司,,乱收费,常州市武进区丁堰街道,办理中,,收费问题",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def quirk_xls(path: Path) -> Path:
    """The same workbook as quirk_xlsx in the old binary .xls format (BIFF8) that older platform exports still
    use, but with a text amount for the formula (xlwt stores no cached result). Written with xlwt, which is
    needed only to rebuild this fixture (`pip install xlwt==1.3.0`); the tests read the committed file."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    wb.add_sheet("说明").write(0, 0, "本文件由全国12315平台导出")
    ws = wb.add_sheet("投诉举报")
    ws.write(0, 1, "全国12315互联网平台 投诉举报信息导出")
    when = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
    for i, row in enumerate([SHEET_HEADER, *SHEET_ROWS]):
        for j, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write(2 + i, 1 + j, dt.datetime.combine(v, dt.time()) if not isinstance(v, dt.datetime) else v, when)
            elif isinstance(v, str) and v.startswith("="):
                ws.write(2 + i, 1 + j, "1,234元")
            else:
                ws.write(2 + i, 1 + j, float(v) if isinstance(v, int) and v > 2**53 else v)
    hidden = wb.add_sheet("隐藏")
    hidden.visibility = 1  # hidden
    for i, row in enumerate([HIDDEN_HEADER, HIDDEN_ROW]):
        for j, v in enumerate(row):
            hidden.write(i, j, v)
    wb.save(str(path))
    return path


def build_fixtures(folder: Path = FIXTURES) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "12315_quirks_gb18030.csv").write_bytes(quirk_csv_bytes("gb18030"))
    (folder / "12315_quirks_utf8.csv").write_bytes(quirk_csv_bytes("utf-8"))
    quirk_xlsx(folder / "12315_sheets.xlsx")
    try:
        quirk_xls(folder / "12315_sheets.xls")
    except ImportError:
        print("xlwt is not installed: 12315_sheets.xls keeps its committed version")
    monitoring_xlsx(folder / "monitoring_small.xlsx")
    (folder / "12358_small.csv").write_bytes(price_csv_bytes())
    return sorted(folder.iterdir())


# --- hostile files ------------------------------------------------------------------------------------
def zip_bomb(path: Path, inflated_mb: int = 64) -> Path:
    """A structurally plausible .xlsx whose sheet inflates to `inflated_mb` MB of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open("xl/worksheets/sheet1.xml", "w") as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(inflated_mb):
                f.write(chunk)
    return path


def with_entities(src: Path, dst: Path) -> Path:
    """A copy of a workbook whose sheet XML declares entities (billion laughs)."""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                body = data.decode("utf-8")
                body = body[body.index("?>") + 2 :] if body.startswith("<?xml") else body
                data = (laughs + body.replace("</sheetData>", "</sheetData>", 1)).encode("utf-8")
            zout.writestr(item, data)
    return dst


# --- warehouse inspection --------------------------------------------------------------------------------
def snapshot(wh: Warehouse, with_audit: bool = False) -> dict[str, list]:
    """Every row of every base table (ordered), to prove that a failed load changed nothing."""
    with wh.read() as cur:
        tables = [
            r[0]
            for r in cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        # The audit trail records every attempt, refused ones included, and each committed write moves the
        # cache key (meta.data_version) and the audit row's sequence (on DuckLake a row of lake_sequences): none is data.
        tables = [t for t in tables if (with_audit or t != "audit_log") and t != "lake_sequences"]
        out = {t: cur.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in sorted(tables)}
        out["meta"] = [row for row in out.get("meta", []) if row[0] != "data_version"]
        return out


def all_text(wh: Warehouse) -> str:
    """Every value of every column of every base table, as one text blob (for personal-data scans)."""
    parts = []
    for table, rows in snapshot(wh, with_audit=True).items():
        parts.append(f"\n## {table}\n")
        for row in rows:
            parts.append("\x1f".join("" if v is None else str(v) for v in row))
    return "\n".join(parts)


if __name__ == "__main__":
    for p in build_fixtures():
        print(p)
