"""Who filled a weekly table and for which week: 填报单位 and 统计周期 as written → (unit, agency) and a report week."""

from __future__ import annotations

import datetime as dt
import re

from campaign import Campaign
from campaign.calendar import week_of
from loaders.weekly.labels import fold, norm_label

_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_STAMP = re.compile(r"[(（][^()（）]*(?:盖章|公章|章)[^()（）]*[)）]|[(（]?\s*盖章\s*[)）]?")


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


def week_for(start: dt.date) -> dt.date:
    return week_of(start)
