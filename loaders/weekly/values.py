"""A weekly table's value cells: counts and amounts as units type them (—, 万元, 元, 件, full-width digits)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from campaign import Measure
from loaders.weekly.labels import fold_trimmed

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def expected_text(m: Measure) -> str:
    return f"不小于 0 的整数（{m.unit}）" if m.kind == "count" else f"不小于 0 的金额（{m.unit}）"


def parse_value(raw: str | None, m: Measure, zero_marks: set[str]) -> tuple[float | None, str | None]:
    """(value, None) or (None, reason). Blank and the zero marks ("—", "/") are 0; full-width digits fold;
    amounts may carry 万元/万 or 元 (converted to 万元); counts may carry their own unit (件, 人次)."""
    s = fold_trimmed(raw).replace(" ", "").replace(",", "")
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


REASONS = {"not_number": "不是数字", "negative": "是负数", "not_whole": "不是整数"}
