"""[campaign], [reporting], [[stages]], [[deliverables]], [[time_nodes]], [[calendar_overrides]]: what the
campaign is called and when everything in it happens."""

from __future__ import annotations

from typing import Any

from campaign.model import CalendarOverride, Deliverable, Stage, TimeNode
from campaign.reader import Reader


def read(raw: dict, r: Reader) -> dict[str, Any]:
    c = r.get(raw, "campaign", "", dict)
    start, end = r.date(c, "start", "campaign"), r.date(c, "end", "campaign")
    r.window(start, end, "campaign")
    reporting = _reporting(raw, r)
    stages = r.keyed(raw, "stages", "", _stage)
    return {
        "key": r.text(c, "key", "campaign"),
        "name": r.text(c, "name", "campaign"),
        "short_name": r.text(c, "short_name", "campaign"),
        "city": r.text(c, "city", "campaign"),
        "office": r.text(c, "office", "campaign"),
        "office_short": r.text(c, "office_short", "campaign", ""),
        "document": r.text(c, "document", "campaign", ""),
        "office_timezone": r.text(c, "office_timezone", "campaign", "Asia/Shanghai"),
        "start": start,
        "end": end,
        **reporting,
        "stages": tuple(stages.values()),
        "deliverables": tuple(r.keyed(raw, "deliverables", "", lambda r, w, d: _deliverable(r, w, d, stages)).values()),
        "time_nodes": tuple(r.keyed(raw, "time_nodes", "", _time_node).values()),
        "calendar_overrides": _calendar_overrides(raw, r),
    }


def _reporting(raw: dict, r: Reader) -> dict[str, Any]:
    rep = r.get(raw, "reporting", "", dict)
    first_week, last_week = r.date(rep, "first_week", "reporting"), r.date(rep, "last_week", "reporting")
    for key, d in (("first_week", first_week), ("last_week", last_week)):
        if d.weekday() != 0:
            raise r.fail(f"reporting.{key}", f"（{d}）应为星期一：报告周以周一为键")
    r.window(first_week, last_week, "reporting")
    due_after = r.get(rep, "due_working_days_after_week", "reporting", int)
    if due_after < 1:
        raise r.fail("reporting.due_working_days_after_week", "应不小于 1")
    return {"first_week": first_week, "last_week": last_week, "due_working_days_after_week": due_after}


def _stage(r: Reader, w: str, s: dict) -> Stage:
    stage = Stage(
        r.text(s, "key", w), r.text(s, "label", w), r.date(s, "start", w), r.date(s, "end", w), r.text(s, "task", w, "")
    )
    r.window(stage.start, stage.end, w)
    return stage


def _deliverable(r: Reader, w: str, d: dict, stages: dict[str, Stage]) -> Deliverable:
    item = Deliverable(
        r.text(d, "key", w),
        r.text(d, "label", w),
        r.text(d, "stage", w),
        r.date(d, "due", w),
        r.get(d, "min_count", w, int, 1),
        r.get(d, "distinct_violation_types", w, bool, False),
        r.get(d, "requires_decision_document", w, bool, False),
    )
    if item.stage not in stages:
        raise r.fail(f"{w}.stage", f"引用了不存在的阶段 “{item.stage}”")
    if item.min_count < 1:
        raise r.fail(f"{w}.min_count", "应不小于 1")
    return item


def _time_node(r: Reader, w: str, t: dict) -> TimeNode:
    node = TimeNode(r.text(t, "key", w), r.text(t, "label", w), r.date(t, "start", w), r.date(t, "end", w))
    r.window(node.start, node.end, w)
    return node


def _calendar_overrides(raw: dict, r: Reader) -> tuple[CalendarOverride, ...]:
    overrides = []
    for i, o in enumerate(raw.get("calendar_overrides", [])):
        w = f"calendar_overrides[{i}]"
        overrides.append(CalendarOverride(r.date(o, "date", w), r.get(o, "workday", w, bool), r.text(o, "note", w, "")))
    return tuple(overrides)
