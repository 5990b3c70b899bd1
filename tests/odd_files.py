"""Odd and hostile files, made from the committed fixtures: the kinds of workbook other projects' test suites hold
(encrypted, macro-enabled, binary, OpenDocument, Strict, 1904 dates, shared formulas, chart sheets, huge
dimensions …) and the tricks a hostile file plays (entities in any part, lying sizes, duplicate parts, far cells).

Each maker writes one file and returns its path. ODD_FILES lists them with what the loaders must do: load it
(and how many rows) or refuse it with a message that starts as the README's list of refused files says.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.exports_helpers import FIXTURES

MONITORING_XLSX = FIXTURES / "monitoring_small.xlsx"  # 3 rows, inline strings
XLS = FIXTURES / "12315_sheets.xls"
LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
SHARED_STRINGS_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def rezip(src: Path, dst: Path, edit: Callable[[str, bytes], bytes | list[bytes] | None], extra=()) -> Path:
    """A copy of a zip with each member's bytes passed through edit (None drops it, a list repeats it), then
    `extra` (name, bytes) members added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            out = edit(item.filename, zin.read(item.filename))
            for data in [] if out is None else out if isinstance(out, list) else [out]:
                zout.writestr(item.filename, data)
        for name, data in extra:
            zout.writestr(name, data)
    return dst


def shared_strings(src: Path, dst: Path, prefix: bytes = b"", encoding: str = "utf-8") -> Path:
    """The workbook with its inline strings moved into xl/sharedStrings.xml (as Excel writes them), the part
    starting with `prefix` (e.g. a DTD) and encoded in `encoding`."""
    import re

    strings: dict[bytes, int] = {}

    def to_index(m: re.Match) -> bytes:
        return b'<c r="%s" t="s"><v>%d</v></c>' % (m.group(1), strings.setdefault(m.group(2), len(strings)))

    def edit(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            return re.sub(rb'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>(.*?)</t></is></c>', to_index, data)
        if name == "[Content_Types].xml":
            return data.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/></Types>' % SHARED_STRINGS_TYPE,
            )
        if name == "xl/_rels/workbook.xml.rels":
            rel = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
            return data.replace(
                b"</Relationships>",
                b'<Relationship Type="%s" Target="sharedStrings.xml" Id="rId99"/></Relationships>' % rel,
            )
        return data

    with zipfile.ZipFile(src) as zin:
        for name in zin.namelist():
            edit(name, zin.read(name))  # collect the strings first
    body = b"".join(b"<si><t>%s</t></si>" % s for s in strings)
    sst = b'<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>' % (MAIN, len(strings), len(strings), body)
    xml = f'<?xml version="1.0" encoding="{encoding}" standalone="yes"?>\n'.encode() + prefix + sst
    if encoding != "utf-8":
        xml = xml.decode("utf-8").encode(encoding)
    return rezip(src, dst, edit, extra=[("xl/sharedStrings.xml", xml)])


def with_dtd_in(member: str) -> Callable[[Path], Path]:
    def make(dst: Path) -> Path:
        def edit(name: str, data: bytes) -> bytes:
            if name != member:
                return data
            if data.startswith(b"<?xml"):
                end = data.index(b"?>") + 2
                return data[:end] + LAUGHS + data[end:]
            return LAUGHS + data

        return rezip(MONITORING_XLSX, dst, edit)

    return make


def xlsm(dst: Path) -> Path:
    macro_type = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    main_type = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

    def edit(name: str, data: bytes) -> bytes:
        return data.replace(main_type, macro_type) if name == "[Content_Types].xml" else data

    return rezip(MONITORING_XLSX, dst, edit, extra=[("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + bytes(508))])


def xlsb(dst: Path) -> Path:
    types = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>'
    )
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("xl/workbook.bin", bytes(64))
        z.writestr("xl/worksheets/sheet1.bin", bytes(64))
    return dst


def ods(dst: Path) -> Path:
    with zipfile.ZipFile(dst, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content/>')
    return dst


def docx(dst: Path) -> Path:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return dst


def plain_zip(dst: Path) -> Path:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("报表/说明.txt", "不是工作簿")
    return dst


def strict(dst: Path) -> Path:
    """Strict Open XML: the same parts under the ISO namespaces."""

    def edit(name: str, data: bytes) -> bytes:
        return data.replace(MAIN, b"http://purl.oclc.org/ooxml/spreadsheetml/main").replace(
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships",
        )

    return rezip(MONITORING_XLSX, dst, edit)


def monitoring_rows() -> list[list]:
    return [
        ["线索编号", "发现时间", "监测来源", "平台名称", "经营者名称", "属地", "线索类型", "处置状态"],
        ["JC-1", dt.datetime(2018, 8, 1, 9, 0), "省网络交易监测中心", "淘宝网", "常州市甲公司", "经开区", "刷单炒信", "已立案"],
        ["JC-2", dt.datetime(2018, 8, 2), "全国互联网广告监测中心", "美团外卖", "常州市乙公司", "武进区", "违法广告", "待核查"],
    ]  # fmt: skip


def date1904(dst: Path) -> Path:
    """A workbook on the 1904 date system (old Mac Excel): the same dates must come out."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.epoch = dt.datetime(1904, 1, 1)
    ws = wb.active
    ws.title = "线索"
    for r in monitoring_rows():
        ws.append(r)
    wb.save(dst)
    return dst


def with_chart_sheet(dst: Path, *, data_visible: bool = True) -> Path:
    """A data sheet and a chart sheet (with data_visible=False: only the chart is visible)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.title = "线索"
    for r in monitoring_rows():
        ws.append(r)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=3))
    wb.create_chartsheet("图表").add_chart(chart)
    if not data_visible:
        ws.sheet_state = "hidden"
    wb.save(dst)
    return dst


def shared_formulas(dst: Path) -> Path:
    """Cached values under a shared formula in column K of the data rows (as Excel writes a filled-down column):
    the values are read, nothing is evaluated."""

    def edit(name: str, data: bytes) -> bytes:
        if not name.startswith("xl/worksheets/"):
            return data
        parts = data.split(b"</row>")
        for row in (3, 4, 5):
            f = b'<f t="shared" ref="K3:K5" si="0">1+1</f>' if row == 3 else b'<f t="shared" si="0"/>'
            parts[row - 1] += b'<c r="K%d">%s<v>2</v></c>' % (row, f)
        return b"</row>".join(parts).replace(b'ref="A1:J5"', b'ref="A1:K5"')

    return rezip(MONITORING_XLSX, dst, edit)


def sheet_edit(old: bytes, new: bytes) -> Callable[[Path], Path]:
    def make(dst: Path) -> Path:
        return rezip(MONITORING_XLSX, dst, lambda n, d: d.replace(old, new, 1) if n.startswith("xl/worksheets/") else d)

    return make


def duplicate_member(dst: Path) -> Path:
    return rezip(MONITORING_XLSX, dst, lambda n, d: [d, d] if n.startswith("xl/worksheets/") else d)


def lying_size(dst: Path) -> Path:
    """The sheet's declared uncompressed size (local header and central directory) cut to a tenth."""
    rezip(MONITORING_XLSX, dst, lambda n, d: d)
    data = bytearray(dst.read_bytes())
    with zipfile.ZipFile(dst) as z:
        info = next(i for i in z.infolist() if i.filename.startswith("xl/worksheets/"))
    small = info.file_size // 10
    struct.pack_into("<I", data, info.header_offset + 22, small)
    at = struct.unpack_from("<I", data, data.rindex(b"PK\x05\x06") + 16)[0]  # the central directory
    while data[at : at + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46 : at + 46 + n].decode() == info.filename:
            struct.pack_into("<I", data, at + 24, small)
        at += 46 + n + m + k
    dst.write_bytes(bytes(data))
    return dst


def encrypted_member(dst: Path) -> Path:
    rezip(MONITORING_XLSX, dst, lambda n, d: d)
    data = bytearray(dst.read_bytes())
    at = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, at + 8, struct.unpack_from("<H", data, at + 8)[0] | 1)
    dst.write_bytes(bytes(data))
    return dst


def _xls_patched(dst: Path, patch: Callable[[bytearray], None]) -> Path:
    data = bytearray(XLS.read_bytes())
    patch(data)
    dst.write_bytes(bytes(data))
    return dst


def xls_with_password(dst: Path) -> Path:
    """The .xls fixture with the record after its first BOF turned into FILEPASS (a password to open)."""

    def patch(data: bytearray) -> None:
        bof = data.index(b"\x09\x08\x10\x00\x00\x06")  # BOF, length 16, BIFF8 globals
        struct.pack_into("<H", data, bof + 20, 0x002F)

    return _xls_patched(dst, patch)


def ole_word_document(dst: Path) -> Path:
    """The .xls fixture's container with its Workbook stream renamed WordDocument: a .doc to the gate."""

    def patch(data: bytearray) -> None:
        at = data.index("Workbook".encode("utf-16-le"))
        name = "WordDocument".encode("utf-16-le") + b"\x00\x00"
        data[at : at + len(name)] = name
        struct.pack_into("<H", data, at + 0x40, len(name))

    return _xls_patched(dst, patch)


def xls_without_bof(dst: Path) -> Path:
    return _xls_patched(
        dst, lambda d: d.__setitem__(slice(d.index(b"\x09\x08\x10\x00"), d.index(b"\x09\x08\x10\x00") + 2), b"\x00\x00")
    )


def bzip2_member(dst: Path) -> Path:
    with zipfile.ZipFile(MONITORING_XLSX) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            method = zipfile.ZIP_BZIP2 if item.filename.startswith("xl/worksheets/") else zipfile.ZIP_DEFLATED
            zout.writestr(item.filename, zin.read(item.filename), compress_type=method)
    return dst


def zip_with(members: dict[str, str]) -> Callable[[Path], Path]:
    def make(dst: Path) -> Path:
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in members.items():
                z.writestr(name, text)
        return dst

    return make


def truncated(dst: Path) -> Path:
    data = MONITORING_XLSX.read_bytes()
    dst.write_bytes(data[: len(data) // 2])
    return dst


def xls_renamed_stream(dst: Path) -> Path:
    def patch(data: bytearray) -> None:
        at = data.index("Workbook".encode("utf-16-le"))
        data[at : at + 2] = "X".encode("utf-16-le")

    return _xls_patched(dst, patch)


def xls_biff_version(dst: Path) -> Path:
    def patch(data: bytearray) -> None:
        bof = data.index(b"\x09\x08\x10\x00\x00\x06")
        struct.pack_into("<H", data, bof + 4, 0x0400)

    return _xls_patched(dst, patch)


def text_file(content: bytes) -> Callable[[Path], Path]:
    def make(dst: Path) -> Path:
        dst.write_bytes(content)
        return dst

    return make


@dataclass(frozen=True)
class Odd:
    file_name: str
    make: Callable[[Path], Path]
    refused: str | None  # the start of the first message ("{name}" for the file name), or None: it loads
    rows: int = 0  # rows loaded when it loads


HTML_TABLE = "<html><head><meta charset='utf-8'></head><body><table><tr><td>线索编号</td></tr></table></body></html>"
XML_2003 = '<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>'

ODD_FILES = [
    Odd("ss_dtd.xlsx", lambda p: shared_strings(MONITORING_XLSX, p, LAUGHS), "文件 {name} 含有 XML 实体声明（DTD，部件 xl/sharedStrings.xml）"),
    Odd("ss_utf16.xlsx", lambda p: shared_strings(MONITORING_XLSX, p, LAUGHS, "utf-16"), "文件 {name} 的部件 xl/sharedStrings.xml 不是 UTF-8 编码的 XML"),
    Odd("ss_gbk.xlsx", lambda p: shared_strings(MONITORING_XLSX, p, b"", "gbk"), "文件 {name} 的部件 xl/sharedStrings.xml 声明为 gbk 编码"),
    Odd("shared_strings.xlsx", lambda p: shared_strings(MONITORING_XLSX, p), None, 3),
    Odd("core_dtd.xlsx", with_dtd_in("docProps/core.xml"), "文件 {name} 含有 XML 实体声明（DTD，部件 docProps/core.xml）"),
    Odd("rels_dtd.xlsx", with_dtd_in("_rels/.rels"), "文件 {name} 含有 XML 实体声明（DTD，部件 _rels/.rels）"),
    Odd("macro.xlsm", xlsm, None, 3),
    Odd("binary.xlsb", xlsb, "文件 {name} 是 Excel 二进制工作簿（.xlsb），本系统不读取这种格式。"),
    Odd("open.ods", ods, "文件 {name} 是 OpenDocument 表格（.ods），本系统不读取这种格式。"),
    Odd("letter.docx", docx, "文件 {name} 是 Word 文档，不是表格。"),
    Odd("bundle.zip", plain_zip, "文件 {name} 是压缩包，但不是 Excel 工作簿（.xlsx）。"),
    Odd("strict.xlsx", strict, None, 3),
    Odd("mac1904.xlsx", date1904, None, 2),
    Odd("with_chart.xlsx", with_chart_sheet, None, 2),
    Odd("chart_only.xlsx", lambda p: with_chart_sheet(p, data_visible=False), "文件 {name} 没有可见的工作表或内容"),
    Odd("shared_formulas.xlsx", shared_formulas, None, 3),
    Odd("dimension.xlsx", sheet_edit(b'<dimension ref="A1:J5"', b'<dimension ref="A1:XFD1048576"'), None, 3),
    Odd("far_cell.xlsx", sheet_edit(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'), "文件 {name} 的工作表部件 sheet1.xml 的单元格范围过大"),
    # cells without a reference, placed by position: 40 in the last row widen the rectangle past the limit
    Odd("unnumbered.xlsx", sheet_edit(b"</sheetData>", b'<row r="1048576">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * 40 + b"</row></sheetData>"), "文件 {name} 的工作表部件 sheet1.xml 的单元格范围过大"),
    Odd("tab_ref.xlsx", sheet_edit(b"</sheetData>", b'<row r="1048576"><c\tr="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'), "文件 {name} 的工作表部件 sheet1.xml 的单元格范围过大"),
    Odd("disordered.xlsx", sheet_edit(b'<row r="1">', b'<row r="9"><c r="A9" t="inlineStr"><is><t>x</t></is></c></row><row r="1">'), "文件 {name} 的工作表部件 sheet1.xml 中单元格的行顺序错乱"),
    Odd("duplicate.xlsx", duplicate_member, "文件 {name} 内有重名的部件 xl/worksheets/sheet1.xml"),
    Odd("lying.xlsx", lying_size, "文件 {name} 的部件 xl/worksheets/sheet1.xml 实际内容比声明的大"),
    Odd("locked_zip.xlsx", encrypted_member, "文件 {name} 已加密，请另存为未加密的文件后再上传。"),
    Odd("password.xls", xls_with_password, "文件 {name} 已加密，请另存为未加密的文件后再上传。"),
    Odd("word.xls", ole_word_document, "文件 {name} 是 Word 文档（.doc），不是表格。"),
    Odd("no_bof.xls", xls_without_bof, "文件 {name} 已损坏或不完整（不是有效的 Excel 97–2003 工作簿 .xls）。"),
    Odd("web.xls", text_file(HTML_TABLE.encode()), "文件 {name} 是网页（HTML）格式，不是真正的 Excel 文件"),
    Odd("xml2003.xls", text_file(XML_2003.encode()), "文件 {name} 是 Excel 2003 XML 表格，不是 .xls/.xlsx 工作簿。"),
    Odd("scan.pdf", text_file(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "文件 {name} 是 PDF 文件，不是表格。"),
    Odd("photo.xlsx", text_file(b"\x89PNG\r\n\x1a\n" + bytes(32)), "文件 {name} 是图片，不是表格。"),
    Odd("old.xls", text_file(b"\x09\x04\x06\x00\x00\x00\x10\x00" + bytes(32)), "文件 {name} 是 Excel 2.x–4.0 的旧格式工作簿，本系统不读取。"),
    Odd("empty.xlsx", text_file(b""), "文件 {name} 是空文件（0 字节）"),
    Odd("bzip2.xlsx", bzip2_member, "文件 {name} 的部件 xl/worksheets/sheet1.xml 使用了 Excel 不会使用的压缩方式"),
    Odd("text.odt", zip_with({"mimetype": "application/vnd.oasis.opendocument.text"}), "文件 {name} 是 OpenDocument 文档，不是表格。"),
    Odd("slides.pptx", zip_with({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"}), "文件 {name} 是 PowerPoint 演示文稿，不是表格。"),
    Odd("half.xlsx", truncated, "文件 {name} 已损坏或不完整（无法作为 .xlsx 打开）。"),
    Odd("other_ole.xls", xls_renamed_stream, "文件 {name} 是 Office 复合文档，但不是 Excel 工作簿。"),
    Odd("biff4_in_ole.xls", xls_biff_version, "文件 {name} 是无法识别版本的 .xls 工作簿。"),
    Odd("data.xml", text_file(b'<?xml version="1.0"?><rows><row/></rows>'), "文件 {name} 是 XML 文件，不是表格。"),
    Odd("note.rtf", text_file(b"{\\rtf1\\ansi hello}"), "文件 {name} 是 RTF 文档，不是表格。"),
    Odd("binary.csv", text_file(bytes(range(256)) * 4), "文件 {name} 不是文本表格（含有二进制内容）"),
    Odd("latin.csv", text_file("登记编号,登记时间\n".encode() + b"\x81\x30\xff\xfe\n"), "文件 {name} 的文字编码无法识别"),
    Odd("damaged.csv", text_file("登记编号,登记时间\nA\ufffd,2018-08-01\n".encode()), "文件 {name} 第 2 行含有无法识别的字符（�）"),
]  # fmt: skip
