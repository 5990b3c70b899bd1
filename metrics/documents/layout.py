"""Official-document (公文) layout on python-docx, so a generated 通报 looks like one typed in the office.

A4 with the GB/T 9704 margins, the title in 小标宋, headings in 黑体, the body in 仿宋 at 三号 with a two-character
first-line indent, page numbers "— 1 —" at the foot. The official fonts are used where this machine has them
(fc-list); otherwise the document names an installed Noto CJK face, so LibreOffice renders Chinese, never boxes.
The document's own properties are fixed (`to_bytes`), so the same figures give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from functools import cache

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from metrics.documents.archive import restamp

# Each role's fonts, the official one first; the last is the fallback named when none is installed.
FONTS = {
    "title": ("方正小标宋简体", "方正小标宋_GBK", "华文中宋", "Noto Serif CJK SC"),
    "heading": ("黑体", "SimHei", "Noto Sans CJK SC"),
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC"),
    "table": ("仿宋_GB2312", "仿宋", "FangSong", "Noto Sans CJK SC"),
}
# name: (font role, size in pt, bold, centred)
STYLES = {
    "GW DocTitle": ("title", 22, False, True),
    "GW DocMeta": ("body", 14, False, True),
    "GW Heading1": ("heading", 16, False, False),
    "GW Heading2": ("body", 16, True, False),
    "GW Body": ("body", 16, False, False),
    "GW FillIn": ("body", 16, False, False),
    "GW TableText": ("table", 10.5, False, False),
    "GW Caption": ("heading", 12, False, True),
    "GW Note": ("body", 12, False, False),
}
LINE = Pt(28)
TEXT_WIDTH_MM = 210 - 28 - 26  # 公文: 22 lines of 三号 on a page


@cache
def installed_families() -> frozenset[str]:
    """Font families fontconfig knows for Chinese (empty where fc-list is absent)."""
    fc = shutil.which("fc-list")
    if fc is None:
        return frozenset()
    out = subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout  # noqa: S603
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def font_for(role: str) -> str:
    """The first installed font of a role, else its named fallback."""
    choices = FONTS[role]
    return next((f for f in choices if f in installed_families()), choices[-1])


def _set_fonts(rpr_owner, name: str) -> None:
    """Name one font for Latin and East Asian text, dropping the theme's fonts (they would win over it)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


class OfficialDocument:
    """A 公文-style Word document built paragraph by paragraph; `to_bytes` gives the .docx."""

    def __init__(self) -> None:
        self.doc = Document()
        self.figures = 0
        self.tables = 0
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)  # TEXT_WIDTH_MM between them
        section.footer_distance = Mm(20)
        defaults = self.doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = defaults.find(qn("w:rFonts"))
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), font_for("body"))
        for name, (role, size, bold, centred) in STYLES.items():
            style = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = self.doc.styles["Normal"]
            style.font.size, style.font.bold = Pt(size), bold
            style.font.color.rgb = RGBColor(0x59, 0x59, 0x59) if name == "GW FillIn" else RGBColor(0, 0, 0)
            _set_fonts(style.element, font_for(role))
            pf = style.paragraph_format
            pf.space_before = pf.space_after = Pt(0)
            pf.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.JUSTIFY
            if size >= 14:
                pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
            if name in ("GW Body", "GW FillIn", "GW Heading1", "GW Heading2", "GW Note"):
                pf.first_line_indent = Pt(size * 2)
        self.doc.styles["GW DocTitle"].paragraph_format.line_spacing = Pt(36)
        self.doc.styles["GW Heading1"].paragraph_format.keep_with_next = True
        self.doc.styles["GW Heading2"].paragraph_format.keep_with_next = True
        self._page_numbers()

    def _page_numbers(self) -> None:
        p = self.doc.sections[0].footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run("— ")
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        p._p.append(field)
        p._p.append(p.add_run(" —")._r)
        for r in p.runs:
            r.font.size = Pt(14)

    # --- blocks ----------------------------------------------------------------------------------------
    def title(self, text: str) -> None:
        self.doc.add_paragraph(text, style="GW DocTitle")

    def meta(self, text: str, space_after: float = 0) -> None:
        """A centred line under the title: 期数, 文号 placeholder, issuer and date."""
        p = self.doc.add_paragraph(text, style="GW DocMeta")
        p.paragraph_format.space_after = Pt(space_after)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_paragraph(text, style=f"GW Heading{level}")

    def paragraph(self, text: str) -> None:
        self.doc.add_paragraph(text, style="GW Body")

    def fill_in(self, prompt: str) -> None:
        """A line the office replaces by hand, greyed so it is not sent as it stands."""
        self.doc.add_paragraph(f"【待填写：{prompt}】", style="GW FillIn")

    def note(self, text: str) -> None:
        self.doc.add_paragraph(text, style="GW Note")

    def table(self, caption: str, header: list[str], rows: list[list[str]], numeric_from: int = 1) -> None:
        """A captioned grid across the text width; columns from `numeric_from` on are figures, right-aligned,
        the text columns before them twice as wide. The header repeats on every page the table runs over."""
        self.tables += 1
        self.doc.add_paragraph(f"表{self.tables}　{caption}", style="GW Caption")
        t = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        style_id = self.doc.styles["GW TableText"].style_id
        for i, (line, row) in enumerate(zip([header, *rows], t.rows, strict=True)):
            for j, (value, cell) in enumerate(zip(line, row.cells, strict=True)):
                p = cell.paragraphs[0]
                p._p.style = style_id  # python-docx's by-name look-up per cell costs seconds on large tables
                run = p.add_run(value)
                run.bold = i == 0
                if i == 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif j >= numeric_from:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        shares = [2 if j < numeric_from else 1 for j in range(len(header))]
        t.autofit = False
        for j, column in enumerate(t.columns):
            width = Mm(TEXT_WIDTH_MM * shares[j] / sum(shares))
            column.width = width  # the grid, which LibreOffice reads
            for cell in column.cells:  # the cells, which Word reads
                cell.width = width
        header_row = t.rows[0]._tr.get_or_add_trPr()
        header_row.append(OxmlElement("w:tblHeader"))
        self.doc.add_paragraph("", style="GW TableText")

    def figure(self, png: bytes, caption: str, width_mm: float = 150) -> None:
        self.figures += 1
        p = self.doc.add_paragraph(style="GW Caption")
        p.paragraph_format.keep_with_next = True
        p.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
        self.doc.add_paragraph(f"图{self.figures}　{caption}", style="GW Caption")

    def page_break(self) -> None:
        self.doc.add_page_break()

    # --- output ----------------------------------------------------------------------------------------
    def to_bytes(self, *, title: str, author: str, subject: str, generated_at: dt.datetime) -> bytes:
        """The .docx. Only `generated_at` (the core properties' created/modified) varies between two runs over
        the same figures; zip timestamps are fixed."""
        props = self.doc.core_properties
        props.title, props.author, props.subject = title, author, subject
        props.last_modified_by, props.revision, props.keywords, props.comments = author, 1, "", ""
        props.created = props.modified = generated_at.replace(microsecond=0)
        buf = io.BytesIO()
        self.doc.save(buf)
        return restamp(buf.getvalue())
