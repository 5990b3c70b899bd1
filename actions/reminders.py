"""What is due on a date, computed, never sent: 催报 reminders per unit and the leadership digest.

- weekly tables not received by their due date (metrics.tracking: 逾期未报), one reminder per reporter;
- deliverables due within DELIVERABLE_WARN_WORKDAYS working days, or overdue and still missing;
- 督办 items still with their unit whose light is yellow or red on the date.

Each reminder has a dedup key (kind, whom, what, phase): the outbox composes a key once, ever, so the same
reminder is never sent twice; a new phase (an item turning from yellow to red) is a new reminder.
`working_days` counts from the date to the due date on the campaign calendar: positive = left, negative = overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from actions import board
from actions import items as fi
from auth.policy import SYSTEM
from campaign.calendar import week_of
from metrics import complaints, overview, registry, tracking
from warehouse import Warehouse

DELIVERABLE_WARN_WORKDAYS = 3


@dataclass(frozen=True)
class Reminder:
    unit: str
    agency: str
    kind: str  # weekly_table | deliverable | followup
    subject: str
    due: dt.date
    working_days: int
    text: str
    key: str  # the dedup key

    def as_json(self) -> dict:
        return {
            "unit": self.unit,
            "agency": self.agency,
            "kind": self.kind,
            "subject": self.subject,
            "due": self.due.isoformat(),
            "working_days": self.working_days,
            "text": self.text,
        }


def _whom(wh: Warehouse, unit: str, agency: str) -> str:
    return board.assignee_label(wh.campaign, unit, agency)


def _left(days: int) -> str:
    if days > 0:
        return f"还剩 {days} 个工作日"
    return "今日到期" if days == 0 else f"已逾期 {-days} 个工作日"


def reminders(wh: Warehouse, as_of: dt.date) -> list[Reminder]:
    """Every reminder due on `as_of`, by unit: late weekly tables, deliverables, yellow and red 督办 items."""
    c, cal = wh.campaign, wh.calendar()
    out = [_weekly_reminder(wh, cal, as_of, weeks) for weeks in _missing_weeks(wh, as_of).values()]
    for d in tracking.deliverable_statuses(wh, as_of):
        days = cal.workdays_between(as_of, d.due_date)
        if d.status == "missing":
            phase = "overdue"
        elif d.status == "not_due" and days <= DELIVERABLE_WARN_WORKDAYS:
            phase = "due_soon"
        else:
            continue
        label = next(x.label for x in c.deliverables if x.key == d.deliverable_key)
        what = "逾期未报" if phase == "overdue" else "即将到期"
        have = f"（已满足 {d.have}/{d.need}）" if d.need > 1 else ""
        out.append(
            Reminder(
                d.unit, d.agency, "deliverable", f"【催报】{_whom(wh, d.unit, d.agency)}：{label}{what}", d.due_date,
                days,
                f"{_whom(wh, d.unit, d.agency)}：{label}应于 {d.due_date:%Y年%m月%d日} 前报送{have}，"
                f"截至 {as_of:%m月%d日} 尚未报齐（{_left(days)}）。{d.note}",
                f"deliverable|{d.unit}|{d.agency}|{d.deliverable_key}|{phase}",
            )
        )  # fmt: skip
    for i in board.items(wh, SYSTEM, as_of):
        if not i.awaiting_unit or i.light not in ("yellow", "red"):
            continue
        what = "已超期" if i.light == "red" else "临近期限"
        out.append(
            Reminder(
                i.unit, i.agency, "followup", f"【督办】#{i.item_id} {i.title}：{what}", i.due_date, i.workdays_left,
                f"{_whom(wh, i.unit, i.agency)}：{i.level_label}事项 #{i.item_id}“{i.title}”应于 "
                f"{i.due_date:%Y年%m月%d日} 前反馈，当前{i.state_label}（{i.light_label}）。"
                "请在网剑行动数据看板「督办」页签收、核查并反馈。",
                f"followup|{i.item_id}|{i.light}",
            )
        )  # fmt: skip
    return out


def _missing_weeks(wh: Warehouse, as_of: dt.date) -> dict[tuple[str, str], list[tracking.WeekStatus]]:
    """Per reporter, in 报送进度's order (week_statuses goes reporter by reporter), its weekly tables 逾期未报 on
    `as_of`, oldest first."""
    out: dict[tuple[str, str], list[tracking.WeekStatus]] = {}
    for s in tracking.week_statuses(wh, as_of):
        if s.status == "missing":
            out.setdefault((s.unit, s.agency), []).append(s)
    return {k: sorted(v, key=lambda s: s.week_start) for k, v in out.items()}


def _weekly_reminder(wh: Warehouse, cal, as_of: dt.date, weeks: list[tracking.WeekStatus]) -> Reminder:
    """One 催报 per reporter for all its overdue tables, not one per table: the first send in mid-campaign would
    otherwise flood a unit's mailbox. It is keyed by the newest overdue week, so a week newly overdue sends one new
    message, listing every table still owed; the same list is never sent twice."""
    oldest, newest = weeks[0], weeks[-1]
    whom = _whom(wh, oldest.unit, oldest.agency)
    days = cal.workdays_between(as_of, oldest.due_date)
    named = "、".join(f"{s.week_start:%m月%d日}" for s in weeks)
    subject_weeks = named if len(weeks) <= 3 else f"{oldest.week_start:%m月%d日}起共 {len(weeks)} 周"
    owed = "；".join(
        f"{s.week_start:%Y年%m月%d日}至{s.week_start + dt.timedelta(days=6):%m月%d日}（应于 {s.due_date:%m月%d日} 前）"
        for s in weeks
    )
    text = (
        f"{whom}：以下 {len(weeks)} 周的情况统计表（统计表1、2）截至 {as_of:%m月%d日} 仍未收到：{owed}。"
        f"最早一份{_left(days)}。请尽快在网剑行动数据看板「数据上报」页上传。"
    )
    return Reminder(
        oldest.unit, oldest.agency, "weekly_table", f"【催报】{whom}：{subject_weeks}当周情况统计表逾期未报",
        oldest.due_date, days, text, f"weekly_table|{oldest.unit}|{oldest.agency}|{newest.week_start}|overdue",
    )  # fmt: skip


def late_units(wh: Warehouse, as_of: dt.date) -> list[dict]:
    """Reporters with a weekly table 逾期未报 on `as_of`, exactly as 报送进度 shows them (in its order), with those
    weeks: the same grouping the 催报 reminders are made from."""
    return [
        {
            "unit": unit,
            "agency": agency,
            "label": _whom(wh, unit, agency),
            "weeks": [s.week_start.isoformat() for s in weeks],
            "max_workdays_overdue": max(s.workdays_late for s in weeks),
        }
        for (unit, agency), weeks in _missing_weeks(wh, as_of).items()
    ]


def digest(wh: Warehouse, as_of: dt.date, dashboard_url: str = "") -> dict:
    """The leadership digest: campaign clock, KPIs with their week-on-week change, units late, red items,
    anomalies of the last two weeks, and the dashboard's address."""
    c = wh.campaign
    clock = overview.campaign_clock(wh, as_of)
    kpis = []
    for k in overview.kpis(wh, as_of):
        m = registry.get(c, k.key)
        kpis.append(
            {"key": k.key, "label": k.label, "unit": m.display_unit or m.unit, "value": k.value,
             "previous": k.previous, "change": k.delta, "text": m.format(k.value),
             "change_text": m.format(k.delta, signed=True)}
        )  # fmt: skip
    red = [i for i in board.items(wh, SYSTEM, as_of) if i.is_open and i.light == "red"]
    since = week_of(as_of) - dt.timedelta(days=7)
    an = complaints.anomalies(wh, complaints.Filters(), as_of).filter(pl.col("week") >= since)
    return {
        "stages": clock.stages,
        "deadlines": [
            {"label": d.label, "due": d.due.isoformat(), "working_days_left": d.working_days_left}
            for d in clock.next_deadlines
        ],
        "kpis": kpis,
        "units_late": late_units(wh, as_of),
        "red_items": [
            {
                "item_id": i.item_id,
                "title": i.title,
                "unit": i.unit,
                "agency": i.agency,
                "level": i.level,
                "state": i.state,
                "due": i.due_date.isoformat(),
                "working_days": i.workdays_left,
            }
            for i in red
        ],
        "new_anomalies": [
            {
                "week": r["week"].isoformat(),
                "dimension": r["dimension"],
                "value": r["value"],
                "count": r["count"],
                "threshold": round(r["threshold"], 1),
            }
            for r in an.to_dicts()
        ],
        "dashboard_url": dashboard_url,
    }


def compute(wh: Warehouse, as_of: dt.date, dashboard_url: str = "") -> dict:
    """What `python -m actions digest --json` prints."""
    return {
        "as_of": as_of.isoformat(),
        "reminders": [r.as_json() for r in reminders(wh, as_of)],
        "digest": digest(wh, as_of, dashboard_url),
    }


def digest_text(wh: Warehouse, as_of: dt.date, d: dict) -> tuple[str, str]:
    """(subject, markdown) of the digest, as robots and e-mail show it."""
    c = wh.campaign
    lines = [f"**{c.short_name}** 截至 {as_of:%Y年%m月%d日}（{'、'.join(d['stages']) or '活动期外'}）", ""]
    lines += [f"- 下一截止：{x['label']} {x['due']}（{_left(x['working_days_left'])}）" for x in d["deadlines"]]
    lines += ["", "**核心指标（累计，较上周）**"]
    lines += [f"- {k['label']}：{k['text']} {k['unit'].removeprefix('/')}（{k['change_text']}）" for k in d["kpis"]]
    lines += ["", f"**逾期未报统计表的单位（{len(d['units_late'])} 个）**"]
    lines += [f"- {u['label']}：{len(u['weeks'])} 周，最早 {u['weeks'][0]} 当周" for u in d["units_late"]] or ["- 无"]
    lines += ["", f"**超期督办事项（{len(d['red_items'])} 项）**"]
    lines += [
        f"- #{i['item_id']} {i['title']}（{_whom(wh, i['unit'], i['agency'])}，{fi.LEVELS[i['level']]}，"
        f"{i['due']} 到期）"
        for i in d["red_items"]
    ] or ["- 无"]
    lines += ["", f"**近两周投诉周环比异常（{len(d['new_anomalies'])} 处）**"]
    lines += [
        f"- {a['week']} 当周 {complaints.ANOMALY_DIMS[a['dimension']]}“"
        f"{c.unit_label(a['value']) if a['dimension'] == 'unit' else a['value']}”{a['count']} 件"
        for a in d["new_anomalies"][:10]
    ] or ["- 无"]
    if d["dashboard_url"]:
        lines += ["", f"[打开网剑行动数据看板]({d['dashboard_url']})"]
    return f"【网剑行动周报】{as_of:%Y年%m月%d日}", "\n".join(lines)
