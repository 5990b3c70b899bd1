"""Reading a filled-in weekly 情况统计表 (统计表1 + 统计表2) by its labels, never by positions.

Pure functions over the workbook: no warehouse, no widgets. `parse_workbook` returns what the sheet
says (values, 填报单位, 统计周期, 合计 rows) with each value's cell address, or raises FileRejected
with every blocking problem found. Label synonyms are data ([stats_parsing] in the campaign file).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from campaign import Campaign, Measure
from campaign.calendar import week_of
from loaders.result import FileRejected, Problem

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_PUNCT = re.compile(r"[\s、，,。.;；:：()（）\[\]【】“”\"'‘’·•\-—–_/\\|*＊]")
_NUMBERING = re.compile(r"^(?:\d+|[一二三四五六七八九十]+)[.、．)）]|^[(（](?:\d+|[一二三四五六七八九十]+)[)）]")
_TRAILING_PAREN = re.compile(r"[(（]([^()（）]*)[)）]\s*$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_STAMP = re.compile(r"[(（][^()（）]*(?:盖章|公章|章)[^()（）]*[)）]|[(（]?\s*盖章\s*[)）]?")


# --- text helpers ----------------------------------------------------------------------------------


def fold(text: object) -> str:
    """Full-width → half-width (NFKC), trimmed. None → ''."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", str(text)).replace("\u3000", " ").strip()


def norm_label(text: object, units: frozenset[str] = frozenset()) -> str:
    """A label reduced to what identifies it: no numbering, no trailing "(件)", no blanks or punctuation."""
    s = fold(text)
    s = _NUMBERING.sub("", s).strip()
    m = _TRAILING_PAREN.search(s)
    if m and fold(m.group(1)).replace(" ", "") in units:
        s = s[: m.start()]
    return _PUNCT.sub("", s)


def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


class LabelMatcher:
    """Maps a cell's text to a key: exact match after normalising, else the single longest label it contains."""

    def __init__(self, entries: dict[str, tuple[str, ...]], units: frozenset[str]) -> None:
        self.units = units
        self.exact: dict[str, str] = {}
        for key, names in entries.items():
            for name in names:
                n = norm_label(name, units)
                if n:
                    self.exact.setdefault(n, key)

    def match(self, text: object) -> str | None:
        n = norm_label(text, self.units)
        if not n:
            return None
        if n in self.exact:
            return self.exact[n]
        best: list[tuple[int, str]] = []
        for label, key in self.exact.items():
            if (len(label) >= 2 and label in n) or (len(n) >= 4 and n in label):
                best.append((len(label) if label in n else len(n), key))
        if not best:
            return None
        best.sort(reverse=True)
        top = best[0][0]
        keys = {k for length, k in best if length == top}
        return keys.pop() if len(keys) == 1 else None


# --- reading the workbook ----------------------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    rows: list[list[str | None]]  # rows[r][j]: Excel row r+1, column letters[j]
    letters: list[str]

    def cell(self, r: int, j: int) -> str | None:
        if 0 <= r < len(self.rows) and 0 <= j < len(self.rows[r]):
            return self.rows[r][j]
        return None


def read_sheets(path: str | Path, n_rows: int | None = None) -> list[Sheet]:
    """Every sheet as text cells, keeping Excel's row numbers and column letters. Raises on an unreadable file,
    and FileRejected on a zip bomb or XML entities before any XML parser sees the workbook."""
    import zipfile

    import fastexcel

    from loaders.reading.archive import check_workbook_archive

    if zipfile.is_zipfile(path):
        check_workbook_archive(Path(path), Path(path).name)

    reader = fastexcel.read_excel(str(path))
    sheets = []
    for name in reader.sheet_names:
        try:
            sh = reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0, n_rows=n_rows)
        except Exception:  # an empty sheet has no columns: nothing to read there
            sheets.append(Sheet(name, [], []))
            continue
        cols = sh.available_columns()
        df = sh.to_polars()
        letters = [col_letter(c.absolute_index) for c in cols]
        rows = []
        for tup in df.iter_rows():
            rows.append([(v if v is not None and str(v).strip() != "" else None) for v in tup])
        sheets.append(Sheet(name, rows, letters))
    return sheets


# --- the parsed result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    sheet: str
    row: int  # as Excel shows it
    col: str  # Excel column letter
    header: str  # the column header as written


@dataclass
class Found:
    """A labelled value in the sheet header (填报单位 or 统计周期) and where it was."""

    text: str
    sheet: str
    row: int


@dataclass
class TotalRow:
    sheet: str
    row: int
    values: dict[str, tuple[float | None, Cell]]  # column_key → (value or None when blank, cell)


@dataclass
class ParsedStats:
    file: str
    table1: dict[str, float] = field(default_factory=dict)
    table1_cells: dict[str, Cell] = field(default_factory=dict)
    table2: dict[str, dict[str, float]] = field(default_factory=dict)
    table2_cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    table1_sheet: str = ""
    table2_sheet: str = ""
    reporters: list[Found] = field(default_factory=list)
    periods: list[Found] = field(default_factory=list)
    totals: list[TotalRow] = field(default_factory=list)
    missing_rows: list[tuple[int, str, str]] = field(default_factory=list)  # (table_no, key, sheet)
    rows_read: int = 0


@dataclass
class _Table:
    sheet: Sheet
    header_row: int  # 0-based
    label_col: int
    value_cols: dict[str, int]  # measure key → column index (table 1: {"value": j})
    end_row: int = 0  # exclusive


class _Ctx:
    def __init__(self, campaign: Campaign, file: str) -> None:
        self.c = campaign
        self.file = file
        sp = campaign.stats_parsing
        self.units = frozenset(
            {m.unit for m in (*campaign.table1, *campaign.table2_columns)} | {"元", "万元", "个", "件", "次"}
        )
        self.sp = sp
        self.indicators = LabelMatcher(
            {m.key: (m.label, *sp.indicator_synonyms.get(m.key, ())) for m in campaign.table1}, self.units
        )
        self.columns = LabelMatcher(
            {m.key: (m.label, *sp.column_synonyms.get(m.key, ())) for m in campaign.table2_columns}, self.units
        )
        self.violations = LabelMatcher(
            {v.key: (v.label, *sp.violation_synonyms.get(v.key, ())) for v in campaign.violation_types}, self.units
        )
        self.t1_label_headers = {norm_label(h, self.units) for h in sp.table1_label_headers}
        self.t1_value_headers = {norm_label(h, self.units) for h in sp.table1_value_headers}
        self.t2_row_headers = {norm_label(h, self.units) for h in sp.table2_row_headers}
        self.totals = {norm_label(h) for h in sp.total_labels}
        self.subtotals = {norm_label(h) for h in sp.subtotal_labels}
        self.zero_marks = {fold(z).replace(" ", "") for z in sp.zero_marks}
        self.notes = tuple(fold(n) for n in sp.note_prefixes)
        self.measures1 = {m.key: m for m in campaign.table1}
        self.measures2 = {m.key: m for m in campaign.table2_columns}

    def where(self, sheet: str, row: int, col: str | None = None, context: str | None = None) -> str:
        out = f"文件“{self.file}”工作表“{sheet}”第{row}行"
        if col:
            out += f"{col}列"
        if context:
            out += f"（{context}）"
        return out


# --- values ---------------------------------------------------------------------------------------


def expected_text(m: Measure) -> str:
    return f"不小于 0 的整数（{m.unit}）" if m.kind == "count" else f"不小于 0 的金额（{m.unit}）"


def parse_value(raw: str | None, m: Measure, zero_marks: set[str]) -> tuple[float | None, str | None]:
    """(value, None) or (None, reason). Blank and the zero marks ("—", "/") are 0; full-width digits fold;
    amounts may carry 万元/万 or 元 (converted to 万元); counts may carry their own unit (件, 人次)."""
    s = fold(raw).replace(" ", "").replace(",", "")
    if s == "" or s in zero_marks:
        return 0.0, None
    scale = Decimal(1)
    if m.kind == "amount":
        if s.endswith("万元"):
            s = s[:-2]
        elif s.endswith("万"):
            s = s[:-1]
        elif s.endswith("元"):
            s, scale = s[:-1], Decimal("0.0001")
    else:
        for suffix in sorted(
            {m.unit, "件", "次", "个", "人次", "个次", "家次", "条", "家", "人"}, key=len, reverse=True
        ):
            if s.endswith(suffix) and len(s) > len(suffix):
                s = s[: -len(suffix)]
                break
    if not _NUMBER.match(s):
        return None, "not_number"
    try:
        value = Decimal(s) * scale
    except InvalidOperation:
        return None, "not_number"
    if value < 0:
        return None, "negative"
    if m.kind == "count" and value != value.to_integral_value():
        return None, "not_whole"
    return (float(value) if m.kind == "count" else round(float(value), 6)), None


_REASONS = {"not_number": "不是数字", "negative": "是负数", "not_whole": "不是整数"}


# --- finding the tables -----------------------------------------------------------------------------


def _is_note(ctx: _Ctx, text: str | None) -> bool:
    s = fold(text)
    return any(s.startswith(p) and (len(s) == len(p) or s[len(p)] in ":： ") for p in ctx.notes)


def _row_texts(sheet: Sheet, r: int) -> list[tuple[int, str]]:
    return [(j, v) for j, v in enumerate(sheet.rows[r]) if v is not None]


def _boundary_rows(ctx: _Ctx, sheet: Sheet) -> list[int]:
    """Rows that end a table body: titles (…统计表…) and notes (注：…)."""
    out = []
    for r in range(len(sheet.rows)):
        cells = _row_texts(sheet, r)
        if not cells:
            continue
        first = cells[0][1]
        if _is_note(ctx, first) or (len(cells) == 1 and "统计表" in fold(first)):
            out.append(r)
    return out


def _best_label_col(matcher: LabelMatcher, sheet: Sheet, start: int, stop: int, before: int) -> tuple[int, int]:
    """The column left of `before` holding the most recognised labels in rows start..stop-1: (col, count)."""
    best = (-1, 0)
    for j in range(before):
        n = sum(1 for r in range(start, min(stop, len(sheet.rows))) if matcher.match(sheet.cell(r, j)))
        if n > best[1]:
            best = (j, n)
    return best


def _find_table1(ctx: _Ctx, sheet: Sheet) -> list[_Table]:
    found = []
    for r, row in enumerate(sheet.rows):
        for j, v in enumerate(row):
            if v is None:
                continue
            n = norm_label(v, ctx.units)
            if n not in ctx.t1_value_headers or "累计" in fold(v):
                continue
            col, count = _best_label_col(ctx.indicators, sheet, r + 1, r + 1 + 3 * len(ctx.measures1), j)
            if count >= 3:
                found.append(_Table(sheet, r, col, {"value": j}))
                break
    return found


def _find_table2(ctx: _Ctx, sheet: Sheet) -> list[_Table]:
    found = []
    for r, row in enumerate(sheet.rows):
        cols: dict[str, int] = {}
        for j, v in enumerate(row):
            key = ctx.columns.match(v) if v is not None else None
            if key and key not in cols and "累计" not in fold(v):
                cols[key] = j
        if len(cols) < 3:
            continue
        first = min(cols.values())
        col, count = _best_label_col(ctx.violations, sheet, r + 1, r + 1 + 3 * len(ctx.c.violation_types), first)
        if count >= 3:
            found.append(_Table(sheet, r, col, cols))
    return found


def _set_ends(ctx: _Ctx, tables: list[_Table]) -> None:
    by_sheet: dict[str, list[_Table]] = {}
    for t in tables:
        by_sheet.setdefault(t.sheet.name, []).append(t)
    for ts in by_sheet.values():
        sheet = ts[0].sheet
        stops = sorted({t.header_row for t in ts} | set(_boundary_rows(ctx, sheet)) | {len(sheet.rows)})
        for t in ts:
            t.end_row = next(s for s in stops if s > t.header_row)


# --- header fields: 填报单位 and 统计周期 --------------------------------------------------------------


def _find_field(ctx: _Ctx, sheet: Sheet, labels: tuple[str, ...], stop: int) -> Found | None:
    """A 'label：value' in the rows above the table; the value may be in the same cell or the next one."""
    all_labels = [*ctx.sp.reporter_labels, *ctx.sp.period_labels, "填报人", "联系电话", "填报日期", "填表日期"]
    others = "|".join(re.escape(x) for x in all_labels)
    for r in range(min(stop, len(sheet.rows))):
        row = sheet.rows[r]
        for j, v in enumerate(row):
            text = fold(v)
            for label in labels:
                m = re.search(r"\s*".join(re.escape(ch) for ch in label) + r"\s*[:：]?\s*", text)
                if not m:
                    continue
                rest = text[m.end() :]
                rest = re.split(rf"\s{{2,}}|(?:{others})\s*[:：]", rest)[0].strip()
                if not rest:  # value in the next non-empty cell to the right
                    for v2 in row[j + 1 :]:
                        if v2 is not None:
                            t2 = fold(v2)
                            if not re.match(rf"(?:{others})", t2.replace(" ", "")):
                                rest = t2
                            break
                return Found(rest.strip(), sheet.name, r + 1)
    return None


def clean_reporter(text: str) -> str:
    return _STAMP.sub("", fold(text)).strip(" ：:")


def resolve_reporter(c: Campaign, text: str) -> tuple[str, str] | None:
    """填报单位 as written → (unit, agency), or None when it names nothing we know.

    A district bureau → (district, lead agency); the city bureau → (city, lead); a city-level member
    agency (市公安局) → (city, agency). The longest alias contained in the text wins."""
    n = norm_label(clean_reporter(text))
    if not n:
        return None
    lead = next(a.key for a in c.agencies if a.lead)
    unit_names = [(norm_label(x), u.key) for u in c.units for x in (u.label, *u.aliases)]
    agency_names = [(norm_label(x), a.key) for a in c.agencies for x in (a.label, a.full_label, *a.aliases)]
    for name, key in unit_names:
        if name == n:
            return key, lead
    for name, key in agency_names:
        if name == n:
            return "city", key
    units = sorted(((len(name), key) for name, key in unit_names if name and name in n), reverse=True)
    agencies = sorted(((len(name), name, key) for name, key in agency_names if name and name in n), reverse=True)
    unit = units[0][1] if units else None
    agency = agencies[0][2] if agencies else None
    if unit and unit != "city":
        return (unit, lead) if agency in (None, lead) else None
    if agency and unit is None:
        # Only the agency is named: anything left besides our city's name is another place (南京市公安局).
        rest = n.replace(agencies[0][1], "")
        for name in sorted((*c.city_names, *c.province_prefixes), key=len, reverse=True):
            rest = rest.replace(norm_label(name), "")
        if rest.strip("市") != "":
            return None
    if agency:
        return "city", agency
    if unit == "city":
        return "city", lead
    return None


def parse_period(text: str, default_year: int) -> tuple[dt.date, dt.date | None] | None:
    """统计周期 → (start, end or None). Accepts 2018-08-06至2018-08-12, 2018年8月6日至8月12日, 2018.8.6-8.12…"""
    s = fold(text)
    m = _FULL_DATE.search(s)
    try:
        if m:
            g = m.groups()
            y, mo, d = (g[0], g[1], g[2]) if g[0] else (g[3], g[4], g[5])
            start = dt.date(int(y), int(mo), int(d))
            rest = s[m.end() :]
        else:
            m2 = _MONTH_DAY.search(s)
            if not m2:
                return None
            start = dt.date(default_year, int(m2.group(1)), int(m2.group(2)))
            rest = s[m2.end() :]
        end = None
        m3 = _FULL_DATE.search(rest)
        if m3:
            g = m3.groups()
            y, mo, d = (g[0], g[1], g[2]) if g[0] else (g[3], g[4], g[5])
            end = dt.date(int(y), int(mo), int(d))
        else:
            m4 = _MONTH_DAY.search(rest)
            if m4:
                end = dt.date(start.year, int(m4.group(1)), int(m4.group(2)))
                if end < start:
                    end = dt.date(start.year + 1, end.month, end.day)
    except ValueError:
        return None
    return start, end


# --- the whole workbook ------------------------------------------------------------------------------


def locate_tables(ctx: _Ctx, sheets: list[Sheet]) -> tuple[_Table | None, _Table | None]:
    t1s = [t for s in sheets for t in _find_table1(ctx, s)]
    t2s = [t for s in sheets for t in _find_table2(ctx, s)]
    _set_ends(ctx, t1s + t2s)
    return (t1s[0] if t1s else None), (t2s[0] if t2s else None)


def sniff_sheets(campaign: Campaign, sheets: list[Sheet]) -> float:
    ctx = _Ctx(campaign, "")
    t1, t2 = locate_tables(ctx, sheets)
    if t1 and t2:
        return 0.95
    if t1 or t2:
        return 0.7
    return 0.0


def parse_workbook(path: str | Path, campaign: Campaign, file: str) -> ParsedStats:
    """Everything the workbook says, or FileRejected listing every blocking problem."""
    ctx = _Ctx(campaign, file)
    try:
        sheets = read_sheets(path)
    except FileRejected:
        raise
    except Exception as exc:  # calamine's message is technical; say what we expected instead
        raise FileRejected(
            f"文件“{file}”无法读取：不是有效的 Excel 文件（.xlsx/.xls）。请用 Excel 另存为 .xlsx 后重新上传。（{type(exc).__name__}）"
        ) from None
    t1, t2 = locate_tables(ctx, sheets)
    errors: list[Problem] = []
    if t1 is None:
        errors.append(
            Problem(
                f"文件“{file}”中找不到{campaign.table1_title}：应有含“指标”和“本周数”（或“本期数”）表头、"
                "各行为统计表1指标的表格。请使用下载的模板填报。"
            )
        )
    if t2 is None:
        errors.append(
            Problem(
                f"文件“{file}”中找不到{campaign.table2_title}：应有含“违法类型”和“立案(件)”“结案(件)”“案值(万元)”等表头、"
                "各行为违法类型的表格。请使用下载的模板填报。"
            )
        )
    if errors:
        raise FileRejected(errors)
    assert t1 is not None and t2 is not None
    out = ParsedStats(file=file, table1_sheet=t1.sheet.name, table2_sheet=t2.sheet.name)
    _read_table1(ctx, t1, out, errors)
    _read_table2(ctx, t2, out, errors)
    for t in (t1, t2):
        rep = _find_field(ctx, t.sheet, ctx.sp.reporter_labels, t.header_row)
        per = _find_field(ctx, t.sheet, ctx.sp.period_labels, t.header_row)
        if rep and (rep.sheet, rep.row) not in {(f.sheet, f.row) for f in out.reporters}:
            out.reporters.append(rep)
        if per and (per.sheet, per.row) not in {(f.sheet, f.row) for f in out.periods}:
            out.periods.append(per)
    if errors:
        raise FileRejected(errors)
    return out


def _value_cell(ctx, sheet: Sheet, r: int, j: int, m: Measure, context: str, errors: list[Problem]):
    raw = sheet.cell(r, j)
    header = fold(sheet.cell(-1, j))
    value, reason = parse_value(raw, m, ctx.zero_marks)
    if reason:
        col = sheet.letters[j]
        errors.append(
            Problem(
                f"{ctx.where(sheet.name, r + 1, col, context)}：“{fold(raw)}”{_REASONS[reason]}，应为{expected_text(m)}",
                row=r + 1,
                column=header or col,
                sheet=sheet.name,
            )
        )
    return value


def _row_label_texts(sheet: Sheet, r: int, upto: int) -> list[str]:
    return [fold(v) for j, v in enumerate(sheet.rows[r][:upto]) if v is not None]


def _read_table1(ctx: _Ctx, t: _Table, out: ParsedStats, errors: list[Problem]) -> None:
    sheet, vj = t.sheet, t.value_cols["value"]
    header = fold(sheet.cell(t.header_row, vj))
    seen: dict[str, int] = {}
    for r in range(t.header_row + 1, t.end_row):
        label = sheet.cell(r, t.label_col)
        raw = sheet.cell(r, vj)
        texts = _row_label_texts(sheet, r, vj)
        if any(norm_label(x) in ctx.totals | ctx.subtotals for x in texts):
            continue  # a 合计 over indicators of different units means nothing: neither added nor checked
        if label is None and raw is None:
            continue
        key = ctx.indicators.match(label) if label is not None else None
        if key is None:
            if parse_value(raw, ctx.measures1["staff_deployed"], ctx.zero_marks)[0] == 0:
                continue  # a heading or an empty row
            what = f"无法识别的指标“{fold(label)}”" if label is not None else f"有数值“{fold(raw)}”但没有指标名称"
            names = "、".join(m.label for m in ctx.c.table1)
            errors.append(
                Problem(
                    f"{ctx.where(sheet.name, r + 1, sheet.letters[t.label_col])}：{what}，应为统计表1的指标之一：{names}",
                    row=r + 1,
                    column=fold(sheet.cell(t.header_row, t.label_col)) or sheet.letters[t.label_col],
                    sheet=sheet.name,
                )
            )
            continue
        m = ctx.measures1[key]
        out.rows_read += 1
        if key in seen:
            errors.append(
                Problem(
                    f"{ctx.where(sheet.name, r + 1, sheet.letters[t.label_col])}：指标“{m.label}”重复出现（第{seen[key]}行已有），每个指标只能填一行",
                    row=r + 1,
                    column=fold(sheet.cell(t.header_row, t.label_col)),
                    sheet=sheet.name,
                )
            )
            continue
        seen[key] = r + 1
        value = _value_cell(ctx, _with_header(sheet, t.header_row), r, vj, m, f"{m.label}·{header}", errors)
        if value is not None:
            out.table1[key] = value
            out.table1_cells[key] = Cell(sheet.name, r + 1, sheet.letters[vj], header)
    for m in ctx.c.table1:
        if m.key not in seen:
            out.missing_rows.append((1, m.key, sheet.name))
            out.table1.setdefault(m.key, 0.0)


def _read_table2(ctx: _Ctx, t: _Table, out: ParsedStats, errors: list[Problem]) -> None:
    sheet = t.sheet
    first_value_col = min(t.value_cols.values())
    headers = {k: fold(sheet.cell(t.header_row, j)) for k, j in t.value_cols.items()}
    seen: dict[str, int] = {}
    hsheet = _with_header(sheet, t.header_row)
    for r in range(t.header_row + 1, t.end_row):
        texts = _row_label_texts(sheet, r, first_value_col)
        raws = [sheet.cell(r, j) for j in t.value_cols.values()]
        if any(norm_label(x) in ctx.totals for x in texts):
            total = TotalRow(sheet.name, r + 1, {})
            for key, j in t.value_cols.items():
                m = ctx.measures2[key]
                raw = sheet.cell(r, j)
                v = None if raw is None else _value_cell(ctx, hsheet, r, j, m, f"合计·{headers[key]}", errors)
                total.values[key] = (v, Cell(sheet.name, r + 1, sheet.letters[j], headers[key]))
            out.totals.append(total)
            continue
        if any(norm_label(x) in ctx.subtotals for x in texts):
            continue
        label = sheet.cell(r, t.label_col)
        if label is None and all(x is None for x in raws):
            continue
        key = ctx.violations.match(label) if label is not None else None
        if key is None:
            if all(parse_value(x, ctx.measures2["cases_filed"], ctx.zero_marks)[0] == 0 for x in raws):
                continue  # a focus-area heading or an empty row
            what = f"无法识别的违法类型“{fold(label)}”" if label is not None else "有数值但没有违法类型名称"
            errors.append(
                Problem(
                    f"{ctx.where(sheet.name, r + 1, sheet.letters[t.label_col])}：{what}，应为统计表2的违法类型之一（见模板）",
                    row=r + 1,
                    column=fold(sheet.cell(t.header_row, t.label_col)) or sheet.letters[t.label_col],
                    sheet=sheet.name,
                )
            )
            continue
        vt_label = next(v.label for v in ctx.c.violation_types if v.key == key)
        out.rows_read += 1
        if key in seen:
            errors.append(
                Problem(
                    f"{ctx.where(sheet.name, r + 1, sheet.letters[t.label_col])}：违法类型“{vt_label}”重复出现（第{seen[key]}行已有），每个违法类型只能填一行",
                    row=r + 1,
                    column=fold(sheet.cell(t.header_row, t.label_col)),
                    sheet=sheet.name,
                )
            )
            continue
        seen[key] = r + 1
        row_values = out.table2.setdefault(key, {})
        for ckey, j in t.value_cols.items():
            m = ctx.measures2[ckey]
            v = _value_cell(ctx, hsheet, r, j, m, f"{vt_label}·{headers[ckey]}", errors)
            if v is not None:
                row_values[ckey] = v
                out.table2_cells[(key, ckey)] = Cell(sheet.name, r + 1, sheet.letters[j], headers[ckey])
    for m in ctx.c.table2_columns:
        if m.key not in t.value_cols:
            out.missing_rows.append((2, f"*.{m.key}", sheet.name))
    for v in ctx.c.violation_types:
        if v.key not in seen:
            out.missing_rows.append((2, v.key, sheet.name))
        row_values = out.table2.setdefault(v.key, {})
        for m in ctx.c.table2_columns:
            row_values.setdefault(m.key, 0.0)


class _HeaderSheet(Sheet):
    """A sheet whose row -1 is the table's header row (so value errors can name the header)."""

    def __init__(self, sheet: Sheet, header_row: int) -> None:
        super().__init__(sheet.name, sheet.rows, sheet.letters)
        self.header_row = header_row

    def cell(self, r: int, j: int) -> str | None:
        return super().cell(self.header_row if r == -1 else r, j)


def _with_header(sheet: Sheet, header_row: int) -> Sheet:
    return _HeaderSheet(sheet, header_row)


def week_for(start: dt.date) -> dt.date:
    return week_of(start)
