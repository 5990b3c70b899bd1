"""需关注, the first block of 总览: what needs leadership's attention as of a date, each line naming the page that
explains it.

The block is a list of small providers (PROVIDERS), each looking at one thing and returning the lines it finds,
most urgent first. A new concern is one function here and one entry in the list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from actions.board import assignee_label, items
from auth.policy import SYSTEM
from metrics import complaints, monitoring, overview, tracking
from warehouse import Warehouse

NAMES_SHOWN = 8  # a line names at most this many units or agencies, then says how many more


@dataclass(frozen=True)
class Concern:
    """One line of 需关注: what, how urgent ("error" must be acted on, "warning" should be looked at), and the page
    (app_pages key) or the section of 总览 (an anchor, "#…") that explains it."""

    text: str
    level: str
    page: str


def _names(names: list[str]) -> str:
    shown = "、".join(names[:NAMES_SHOWN])
    return shown + (f" 等 {len(names)} 个" if len(names) > NAMES_SHOWN else "")


def late_reporters(wh: Warehouse, as_of: dt.date) -> list[Concern]:
    """Who has not sent, or sent late, the table of the latest week already due (the week being chased now), and
    how many tables of earlier weeks are still missing."""
    statuses = tracking.week_statuses(wh, as_of)
    due = [s.week_start for s in statuses if s.due_date < as_of]
    if not due:
        return []
    week = max(due)
    label = {(r.unit, r.agency): r.label for r in tracking.reporters(wh)}
    now = [s for s in statuses if s.week_start == week]
    deadline = now[0].due_date
    missing = [label[(s.unit, s.agency)] for s in now if s.status == "missing"]
    late = [label[(s.unit, s.agency)] for s in now if s.status == "late"]
    older = sum(s.status == "missing" for s in statuses if s.week_start < week)
    out = []
    if missing:
        text = f"{week:%-m月%-d日}起一周的统计表逾期未报（{deadline:%-m月%-d日}截止）：{_names(missing)}"
        out.append(Concern(text, "error", "tracking"))
    if late:
        out.append(Concern(f"{week:%-m月%-d日}起一周的统计表迟报：{_names(late)}", "warning", "tracking"))
    if older:
        out.append(Concern(f"此前各周仍有 {older} 份统计表逾期未报", "warning", "tracking"))
    return out


def silent_agencies(wh: Warehouse, as_of: dt.date) -> list[Concern]:
    """Member agencies that answer for a focus area under the plan and have reported no case in it yet."""
    matrix = overview.agency_matrix(wh, as_of).filter(pl.col("responsible") & (pl.col("cases") == 0))
    if matrix.height == 0:
        return []
    c = wh.campaign
    by_agency = matrix.group_by("agency", maintain_order=True).agg("focus")
    parts = [f"{c.agency(a).label}（{len(focus)} 项）" for a, focus in by_agency.iter_rows()]
    text = f"责任单位在负责的重点工作中尚无立案上报：{_names(parts)}"
    return [Concern(text, "warning", "#agencies")]


def new_anomalies(wh: Warehouse, as_of: dt.date) -> list[Concern]:
    """Complaint categories, platforms or units that jumped this week or last (the rule of 投诉分析's 周环比异常)."""
    since = overview.current_week(as_of) - dt.timedelta(days=7)
    found = complaints.anomalies(wh, complaints.Filters(), as_of).filter(pl.col("week") >= since)
    if found.height == 0:
        return []
    c = wh.campaign
    names = [
        f"{c.unit_label(v) if d == 'unit' else v}（{complaints.ANOMALY_DIMS[d]}，{n:,} 件）"
        for d, v, n in found.select("dimension", "value", "count").iter_rows()
    ]
    return [Concern(f"近两周投诉举报异常增长：{_names(names)}", "warning", "complaints")]


def overdue_hits(wh: Warehouse, as_of: dt.date) -> list[Concern]:
    """Monitoring hits still 待核查 past the usual limit (the 超期待核查 tile of 监测线索)."""
    total = monitoring.overdue(wh, as_of, limit=0)["total"]
    if total == 0:
        return []
    days = monitoring.DEFAULT_OVERDUE_WORKDAYS
    return [Concern(f"{total:,} 条监测线索{monitoring.PENDING}超过 {days} 个工作日", "warning", "monitoring")]


def red_followups(wh: Warehouse, as_of: dt.date) -> list[Concern]:
    """督办 items past their time limit and not fed back (red on the 督办 page). 总览 is a page for the roles that see
    every item, so all are counted."""
    red = [i for i in items(wh, SYSTEM, as_of) if i.is_open and i.awaiting_unit and i.light == "red"]
    if not red:
        return []
    names = [assignee_label(wh.campaign, i.unit, i.agency) for i in red]
    listed = sum(i.level == "listed" for i in red)
    note = f"（其中挂牌督办 {listed} 件）" if listed else ""
    return [Concern(f"{len(red)} 件督办事项超期未反馈{note}：{_names(sorted(set(names)))}", "error", "followup")]


PROVIDERS: list[Callable[[Warehouse, dt.date], list[Concern]]] = [
    red_followups,
    late_reporters,
    silent_agencies,
    new_anomalies,
    overdue_hits,
]
