"""Who filled a weekly table and for which week: 填报单位 and 统计周期 as written → (unit, agency) and a report
week, checked against what the uploader chose."""

from __future__ import annotations

import datetime as dt
import re

from campaign import Campaign
from campaign.calendar import week_of
from loaders.result import FileRejected, Problem
from loaders.weekly.labels import fold_trimmed, norm_label
from loaders.weekly.parse import Found, ParsedStats

_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_STAMP = re.compile(r"[(（][^()（）]*(?:盖章|公章|章)[^()（）]*[)）]|[(（]?\s*盖章\s*[)）]?")


def clean_reporter(text: str) -> str:
    return _STAMP.sub("", fold_trimmed(text)).strip(" ：:")


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
    s = fold_trimmed(text)
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


def week_for(start: dt.date) -> dt.date:
    return week_of(start)


def reporter_label(c: Campaign, unit: str, agency: str) -> str:
    """How a (unit, agency) is named to users: 武进区, 市本级, 市公安局."""
    if c.agency(agency).lead:
        return c.unit(unit).label
    return c.agency(agency).label


def _lead(c: Campaign) -> str:
    return next(a.key for a in c.agencies if a.lead)


def _problem_at(found: Found, column: str, message: str) -> Problem:
    """A problem at the cell where the sheet said it (its sheet and row, as Excel shows them)."""
    return Problem(message, row=found.row, column=column, sheet=found.sheet)


def resolve_identity(
    c: Campaign,
    parsed: ParsedStats,
    *,
    unit: str | None,
    agency: str | None,
    week: dt.date | None,
) -> tuple[str, str, dt.date, str | None, str | None]:
    """(unit, agency, week, reporter text, period text) from the sheet, checked against the upload form."""
    f = parsed.file
    errors: list[Problem] = []
    if unit is not None:
        if unit not in {u.key for u in c.units}:
            raise FileRejected(f"上传时选择的填报单位“{unit}”不存在")
        agency = agency or _lead(c)
        if agency not in {a.key for a in c.agencies}:
            raise FileRejected(f"上传时选择的成员单位“{agency}”不存在")
        if unit != "city" and agency != _lead(c):
            raise FileRejected(f"区级单位只能以{c.agency(_lead(c)).label}身份填报（选择了 {unit} / {agency}）")

    sheet_reporter: tuple[str, str] | None = None
    reporter_found: Found | None = None
    for found in parsed.reporters:
        text = clean_reporter(found.text)
        if not text:
            continue
        who = resolve_reporter(c, text)
        where = f"文件“{f}”工作表“{found.sheet}”第{found.row}行"
        if who is None:
            names = "、".join(u.label for u in c.units)
            errors.append(
                _problem_at(
                    found,
                    "填报单位",
                    f"{where}：填报单位“{text}”无法识别，应为以下之一：{names}，或市级成员单位（如市公安局）",
                )
            )
            continue
        if sheet_reporter is not None and who != sheet_reporter:
            errors.append(
                _problem_at(
                    found,
                    "填报单位",
                    f"{where}：填报单位“{text}”与工作表“{reporter_found.sheet}”中的“{clean_reporter(reporter_found.text)}”不一致",
                )
            )
            continue
        if sheet_reporter is None:
            sheet_reporter, reporter_found = who, found
    if sheet_reporter and unit is not None and sheet_reporter != (unit, agency):
        assert reporter_found is not None
        errors.append(
            _problem_at(
                reporter_found,
                "填报单位",
                f"文件“{f}”工作表“{reporter_found.sheet}”第{reporter_found.row}行：表内填报单位为“{clean_reporter(reporter_found.text)}”"
                f"（{reporter_label(c, *sheet_reporter)}），与上传时选择的“{reporter_label(c, unit, agency)}”不一致，请核对后重新上传",
            )
        )

    sheet_week: dt.date | None = None
    period_found: Found | None = None
    for found in parsed.periods:
        if not found.text:
            continue
        where = f"文件“{f}”工作表“{found.sheet}”第{found.row}行"
        span = parse_period(found.text, c.start.year)
        if span is None:
            errors.append(
                _problem_at(
                    found,
                    "统计周期",
                    f"{where}：统计周期“{found.text}”无法识别，应写成“2018-08-06至2018-08-12”或“2018年8月6日至8月12日”",
                )
            )
            continue
        start, end = span
        w = week_for(start)
        if end is not None and (end < start or week_for(end) != w):
            errors.append(
                _problem_at(
                    found,
                    "统计周期",
                    f"{where}：统计周期“{found.text}”不是一个报告周（周一至周日），每张表只填一周的数据",
                )
            )
            continue
        if w not in c.report_weeks():
            weeks = c.report_weeks()
            errors.append(
                _problem_at(
                    found,
                    "统计周期",
                    f"{where}：统计周期“{found.text}”（{w:%Y-%m-%d}起的一周）不在本次行动的报告周内"
                    f"（{weeks[0]:%Y-%m-%d}至{weeks[-1] + dt.timedelta(days=6):%Y-%m-%d}）",
                )
            )
            continue
        if sheet_week is not None and w != sheet_week:
            assert period_found is not None
            errors.append(
                _problem_at(
                    found,
                    "统计周期",
                    f"{where}：统计周期“{found.text}”与工作表“{period_found.sheet}”中的“{period_found.text}”不一致",
                )
            )
            continue
        if sheet_week is None:
            sheet_week, period_found = w, found
    if sheet_week and week is not None and sheet_week != week:
        assert period_found is not None
        errors.append(
            _problem_at(
                period_found,
                "统计周期",
                f"文件“{f}”工作表“{period_found.sheet}”第{period_found.row}行：表内统计周期为“{period_found.text}”"
                f"（{sheet_week:%Y-%m-%d}至{sheet_week + dt.timedelta(days=6):%Y-%m-%d}），"
                f"与上传时选择的报告周（{week:%Y-%m-%d}至{week + dt.timedelta(days=6):%Y-%m-%d}）不一致，请核对后重新上传",
            )
        )
    if week is not None and week not in c.report_weeks():
        errors.append(Problem(f"上传时选择的报告周 {week:%Y-%m-%d} 不在本次行动的报告周内"))
    if errors:
        raise FileRejected(errors)

    final_unit, final_agency = sheet_reporter or ((unit, agency) if unit else (None, None))
    final_week = sheet_week or week
    if final_unit is None:
        errors.append(
            Problem(f"文件“{f}”中找不到填报单位：请在表头填写“填报单位：××区市场监督管理局”，或在上传时选择填报单位")
        )
    if final_week is None:
        errors.append(
            Problem(f"文件“{f}”中找不到统计周期：请在表头填写“统计周期：2018-08-06至2018-08-12”，或在上传时选择报告周")
        )
    if errors:
        raise FileRejected(errors)
    assert final_unit and final_agency and final_week
    return (
        final_unit,
        final_agency,
        final_week,
        clean_reporter(reporter_found.text) if reporter_found else None,
        period_found.text if period_found else None,
    )
