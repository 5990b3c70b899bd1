"""The words around the figures: dates, changes and lists of names as an office writes them.

Every number passed in comes from the metric registry or a metrics function; these helpers only put it in
words, and always through the metric's own `format` (thousands separators, 万元 to two places).
"""

from __future__ import annotations

import datetime as dt

from metrics.registry import Metric


def day(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def full_day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def span(start: dt.date, end: dt.date) -> str:
    return f"{day(start)}至{day(end)}"


def names(items: list[str], empty: str = "无") -> str:
    return "、".join(items) if items else empty


def amount(m: Metric, value: float) -> str:
    """ "1,234 件", "12.50 万元": the figure with its unit as shown on the dashboard."""
    return f"{m.format(value)} {m.display_unit or m.unit}"


def change(m: Metric, delta: float, against: str = "上周") -> str:
    """ "较上周增加 56 件", "较上周减少 3 件", "与上周持平": how a cumulative figure moved in a week."""
    if delta == 0:
        return f"与{against}持平"
    return f"较{against}{'增加' if delta > 0 else '减少'} {amount(m, abs(delta))}"


def cumulative(m: Metric, value: float, this_week: float, last_week: float) -> str:
    """ "立案查处网络违法案件 1,234 件，较上周增加 56 件（上周增加 40 件）"."""
    before = "上周持平" if last_week == 0 else f"上周{'增加' if last_week > 0 else '减少'} {amount(m, abs(last_week))}"
    return f"{m.label} {amount(m, value)}，{change(m, this_week)}（{before}）"


def percent(value: float) -> str:
    return f"{value:.1f}%"
