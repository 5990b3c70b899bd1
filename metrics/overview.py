"""Figures for the leadership overview (总览): campaign clock, KPI tiles, progress by focus area, agency and
district. Every number comes from the metric registry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from campaign.calendar import week_of
from metrics import cumulative, registry
from warehouse import Warehouse

KPI_KEYS = ("cases_filed", "fines", "listings_removed", "sites_ordered_rectify", "complaints_online")
LEAGUE_KEYS = ("cases_filed", "fines", "listings_removed", "sites_ordered_rectify", "staff_deployed")


@dataclass(frozen=True)
class Deadline:
    label: str
    due: dt.date
    working_days_left: int  # working days after as_of up to and including the due day; 0 = due today


@dataclass(frozen=True)
class Clock:
    as_of: dt.date
    stages: list[str]  # labels of the stages running on as_of (two in November)
    next_deadlines: list[Deadline]  # the nearest deliverable deadline and the next weekly table
    deliverables: list[Deadline]  # every deliverable due date, its deliverables together; past ones: -1 days left


def campaign_clock(wh: Warehouse, as_of: dt.date) -> Clock:
    c, cal = wh.campaign, wh.calendar()
    stages = [s.label for s in c.stage_on(as_of)]
    deliverables = [
        Deadline(
            "、".join(d.label for d in c.deliverables if d.due == due),
            due,
            cal.workdays_between(as_of, due) if due >= as_of else -1,
        )
        for due in sorted({d.due for d in c.deliverables})
    ]
    deadlines = [d for d in deliverables if d.due >= as_of][:1]
    with wh.read() as cur:
        row = cur.execute(
            "SELECT week_start, due_date FROM ref_report_weeks WHERE due_date >= ? ORDER BY due_date LIMIT 1", [as_of]
        ).fetchone()
    if row:
        deadlines.append(Deadline(f"周报（{row[0]:%m月%d日}当周）", row[1], cal.workdays_between(as_of, row[1])))
    return Clock(as_of, stages, sorted(deadlines, key=lambda d: d.due), deliverables)


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str
    value: float
    previous: float  # the same figure one week earlier

    @property
    def delta(self) -> float:
        return self.value - self.previous


def kpis(wh: Warehouse, as_of: dt.date) -> list[Kpi]:
    """Cumulative figures to as_of, each with the figure as of one week before (the tiles' 周环比)."""
    week_before = as_of - dt.timedelta(days=7)
    out = []
    for key in KPI_KEYS:
        m = registry.get(wh.campaign, key)
        out.append(Kpi(key, m.label, m.unit, registry.value(wh, key, as_of), registry.value(wh, key, week_before)))
    received = registry.value(wh, "hits_received", as_of)
    disposed = registry.value(wh, "hits_disposed", as_of)
    out.append(
        Kpi(
            "hits_disposed",
            "监测线索处置",
            f"/{received:,} 条",
            disposed,
            registry.value(wh, "hits_disposed", week_before),
        )
    )
    return out


@dataclass(frozen=True)
class Change:
    """A cumulative figure with what it grew by in the week to as_of and in the week before (通报's 较上周)."""

    key: str
    value: float
    this_week: float
    last_week: float


def changes(wh: Warehouse, keys: list[str], as_of: dt.date, where: dict[str, str] | None = None) -> list[Change]:
    """`keys` (additive, of one relation) cumulative to as_of, one and two weeks before, in one scan. A weekly
    table counts in the week its Sunday falls in, so for 统计表 figures "this week" is one report week."""
    now, week_ago, two_weeks_ago = cumulative.at_dates(
        wh, keys, [as_of - dt.timedelta(days=7 * i) for i in range(3)], where
    )
    out = []
    for key in keys:
        m = registry.get(wh.campaign, key)
        this_week = registry.rounded(m, now[key] - week_ago[key])
        last_week = registry.rounded(m, week_ago[key] - two_weeks_ago[key])
        out.append(Change(key, now[key], this_week, last_week))
    return out


def focus_progress(wh: Warehouse, as_of: dt.date, where: dict[str, str] | None = None) -> pl.DataFrame:
    """One row per focus area F1–F6 (plus 未分类 where records fall there): cases from 统计表2,
    complaints and monitoring hits classified to it, and the agencies that answer for it. `where` narrows the
    统计表 figures (unit, agency) and, by unit only, the complaints and hits."""
    c = wh.campaign
    by_unit = {k: v for k, v in (where or {}).items() if k == "unit"} or None
    cases = registry.breakdown(wh, ["t2_cases_filed", "t2_fines"], ["focus"], as_of, where=where)
    complaints = registry.breakdown(wh, ["complaints_total"], ["focus"], as_of, where=by_unit)
    hits = registry.breakdown(wh, ["hits_received"], ["focus"], as_of, where=by_unit)
    rows = [
        {"focus": f.key, "label": f.label, "agencies": "、".join(c.agency(a).label for a in f.agencies)}
        for f in c.focus_areas
    ]
    frame = pl.DataFrame([*rows, {"focus": c.unclassified_key, "label": c.unclassified_label, "agencies": ""}])
    for part in (cases, complaints, hits):
        frame = frame.join(part, on="focus", how="left")
    frame = frame.fill_null(0)
    keep_f0 = pl.col("focus") != c.unclassified_key
    return frame.filter(keep_f0 | (pl.col("complaints_total") + pl.col("hits_received") > 0))


def agency_matrix(wh: Warehouse, as_of: dt.date) -> pl.DataFrame:
    """Agency × focus area: cases each agency reported under that area (统计表2), and whether the plan makes
    the agency answer for it. A responsible cell with nothing reported is what leadership looks for."""
    c = wh.campaign
    reported = registry.breakdown(wh, ["t2_cases_filed"], ["agency", "focus"], as_of)
    grid = pl.DataFrame(
        [
            {"agency": a.key, "agency_label": a.label, "focus": f.key, "responsible": a.key in f.agencies}
            for a in c.agencies
            for f in c.focus_areas
        ]
    )
    return (
        grid.join(reported, on=["agency", "focus"], how="left")
        .with_columns(pl.col("t2_cases_filed").fill_null(0).alias("cases"))
        .drop("t2_cases_filed")
    )


def agency_focus_detail(wh: Warehouse, as_of: dt.date, agency: str, focus: str) -> pl.DataFrame:
    """Behind one cell of agency_matrix: per reporter of that agency (each unit's table for the lead agency), the
    cases and fines it reported under that focus area (统计表2), and its weekly tables due by as_of, in and missing.
    The cases add up to the cell. A unit whose tables carry the agency without being its reporter has no weeks."""
    from metrics import tracking

    c = wh.campaign
    figures = registry.breakdown(
        wh, ["t2_cases_filed", "t2_fines"], ["unit"], as_of, where={"agency": agency, "focus": focus}
    )
    weeks = submission_compliance(wh, as_of, agency).select(
        "unit", "weeks_due", "weeks_in", (pl.col("weeks_due") - pl.col("weeks_in")).alias("weeks_missing")
    )
    labels = {r.unit: r.label for r in tracking.reporters(wh) if r.agency == agency}
    labels |= {u: c.unit_label(u) for u in figures["unit"].to_list() if u not in labels}
    frame = pl.DataFrame(
        {"unit": list(labels), "label": list(labels.values())}, schema={"unit": pl.String, "label": pl.String}
    )
    return (
        frame.join(figures, on="unit", how="left")
        .join(weeks, on="unit", how="left")
        .with_columns(pl.col("t2_cases_filed", "t2_fines").fill_null(0))
    )


def district_league(wh: Warehouse, as_of: dt.date) -> pl.DataFrame:
    """The units on the key indicators (bureau tables and member agencies' tables of the same unit added),
    with complaints in their area and their weekly-table compliance."""
    c = wh.campaign
    figures = registry.breakdown(wh, list(LEAGUE_KEYS), ["unit"], as_of)
    complaints = registry.breakdown(wh, ["complaints_total"], ["unit"], as_of)
    compliance = submission_compliance(wh, as_of)
    frame = pl.DataFrame({"unit": [u.key for u in c.units], "label": [u.label for u in c.units]})
    frame = (
        frame.join(figures, on="unit", how="left")
        .join(complaints, on="unit", how="left")
        .join(compliance, on="unit", how="left")
    )
    return frame.with_columns(pl.col([*list(LEAGUE_KEYS), "complaints_total"]).fill_null(0)).sort(
        ["cases_filed", "fines"], descending=True
    )


def submission_compliance(wh: Warehouse, as_of: dt.date, agency: str | None = None) -> pl.DataFrame:
    """Per unit, the weekly tables of one agency (default: the lead's, each unit's bureau table): weeks due by
    as_of, weeks in, and weeks in on time. A week due and not in is missing."""
    from metrics import tracking

    matrix = tracking.week_matrix(wh, as_of)
    agency = agency or next(a.key for a in wh.campaign.agencies if a.lead)
    due = matrix.filter((pl.col("agency") == agency) & (pl.col("due_date") <= as_of))
    return due.group_by("unit").agg(
        pl.len().alias("weeks_due"),
        (pl.col("status").is_in(["on_time", "late"])).sum().alias("weeks_in"),
        (pl.col("status") == "on_time").sum().alias("weeks_on_time"),
    )


def current_week(as_of: dt.date) -> dt.date:
    return week_of(as_of)
