"""The 督办 vocabulary: states, levels, origins, steps, the error a refused step raises, and what an item was
opened from. Plain data with no imports from the house, so the read side (actions.board) and the documents
(metrics.documents) can use it from floor 5 without reaching the loaders that actions.items needs for files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

STATES = {"issued": "已下发", "signed": "已签收", "checking": "核查中", "answered": "已反馈", "closed": "已办结"}
LEVELS = {"normal": "一般", "listed": "挂牌督办"}
ORIGINS = {
    "lead": "跨来源线索",
    "anomaly": "周环比异常",
    "overdue_hit": "超期待核查线索",
    "late_report": "逾期未报",
    "manual": "手工新建",
}
ACTIONS = {
    "issue": "下发",
    "sign": "签收",
    "start": "开始核查",
    "answer": "反馈",
    "return": "退回",
    "close": "办结",
    "list": "挂牌督办",
}
# action → (states it may follow, state after (None: unchanged), whose step it is)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None, str]] = {
    "sign": (frozenset({"issued"}), "signed", "unit"),
    "start": (frozenset({"signed"}), "checking", "unit"),
    "answer": (frozenset({"signed", "checking"}), "answered", "unit"),
    "return": (frozenset({"answered"}), "checking", "office"),
    "close": (frozenset({"answered"}), "closed", "office"),
    "list": (frozenset({"issued", "signed", "checking", "answered"}), None, "leader"),
}
DEFAULT_WORKDAYS = 5
MAX_WORKDAYS = 60


class FollowupError(ValueError):
    """A step that cannot be taken as asked (wrong state, bad date, unknown unit …). The message is Chinese."""


@dataclass(frozen=True)
class Origin:
    """What an item was opened from, kept as a link back: a lead's merchant and records, an overdue hit, an
    anomaly's week and value, a late unit's week."""

    kind: str = "manual"
    merchant_key: str | None = None
    record_ids: tuple[str, ...] = ()
    unit: str | None = None
    agency: str | None = None
    week: dt.date | None = None
    note: str | None = None
