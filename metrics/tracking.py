"""报送进度: who has sent which weekly table on time, late or not at all, and which deliverables are in.

Everything is judged as of a date: a table received after that date counts as not yet received. Due
dates come from ref_report_weeks (the working-day calendar with the warehouse's overrides); lateness is
counted in working days. A later correction does not make an on-time table late: the first live version
decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from warehouse import Warehouse, load_sql

STATUS_LABELS = {
    "on_time": "按时报送",
    "late": "迟报",
    "missing": "逾期未报",
    "not_due": "未到期",
}
DELIVERABLE_LABELS = {
    "on_time": "已按时报送",
    "late": "逾期报送",
    "missing": "逾期未报",
    "not_due": "未到期",
}


def _sql(name: str) -> str:
    return load_sql(name, __file__)


@dataclass(frozen=True)
class Reporter:
    unit: str
    agency: str
    label: str
    is_member_agency: bool


def reporters(wh: Warehouse) -> list[Reporter]:
    """Who sends weekly tables: every unit as (unit, lead agency), then each city-level member agency."""
    c = wh.campaign
    lead = next(a for a in c.agencies if a.lead)
    out = [Reporter(u.key, lead.key, u.label, False) for u in c.units]
    out += [Reporter("city", a.key, a.label, True) for a in c.agencies if not a.lead]
    return out


@dataclass(frozen=True)
class WeekStatus:
    unit: str
    agency: str
    week_start: dt.date
    due_date: dt.date
    status: str  # on_time | late | missing | not_due
    received_on: dt.date | None
    workdays_late: int  # late: after the due date; missing: overdue so far; else 0
    versions: int

    @property
    def label(self) -> str:
        if self.status == "late":
            return f"迟报{self.workdays_late}个工作日" if self.workdays_late else "迟报"
        if self.status == "missing":
            return f"逾期未报（{self.workdays_late}个工作日）" if self.workdays_late else "逾期未报"
        return STATUS_LABELS[self.status]


def week_due_dates(wh: Warehouse) -> dict[dt.date, dt.date]:
    """Each report week (its Monday) → the day its table is due, on the warehouse's working-day calendar."""
    with wh.read() as cur:
        return {week: due for week, _end, due in cur.execute(_sql("tracking_weeks")).fetchall()}


def week_statuses(wh: Warehouse, as_of: dt.date) -> list[WeekStatus]:
    """One status per reporter and report week, as of a date."""
    cal = wh.calendar()
    with wh.read() as cur:
        weeks = cur.execute(_sql("tracking_weeks")).fetchall()
        subs = {(u, a, w): (first, n) for u, a, w, first, n, _ in cur.execute(_sql("tracking_submissions")).fetchall()}
    out = []
    for r in reporters(wh):
        for week_start, _end, due in weeks:
            first, n = subs.get((r.unit, r.agency, week_start), (None, 0))
            if first is not None and first <= as_of:
                late = cal.workdays_between(due, first) if first > due else 0
                status = "late" if first > due else "on_time"
                out.append(WeekStatus(r.unit, r.agency, week_start, due, status, first, late, n))
            elif as_of > due:
                out.append(
                    WeekStatus(r.unit, r.agency, week_start, due, "missing", None, cal.workdays_between(due, as_of), 0)
                )
            else:
                out.append(WeekStatus(r.unit, r.agency, week_start, due, "not_due", None, 0, 0))
    return out


def week_matrix(wh: Warehouse, as_of: dt.date) -> pl.DataFrame:
    """week_statuses as a frame: unit, agency, week_start, due_date, status, received_on, workdays_late,
    versions, label (the Chinese cell text). One row per reporter and report week."""
    rows = week_statuses(wh, as_of)
    return pl.DataFrame(
        {
            "unit": [s.unit for s in rows],
            "agency": [s.agency for s in rows],
            "week_start": [s.week_start for s in rows],
            "due_date": [s.due_date for s in rows],
            "status": [s.status for s in rows],
            "received_on": [s.received_on for s in rows],
            "workdays_late": [s.workdays_late for s in rows],
            "versions": [s.versions for s in rows],
            "label": [s.label for s in rows],
        },
        schema={
            "unit": pl.String,
            "agency": pl.String,
            "week_start": pl.Date,
            "due_date": pl.Date,
            "status": pl.String,
            "received_on": pl.Date,
            "workdays_late": pl.Int64,
            "versions": pl.Int64,
            "label": pl.String,
        },
    )


def status_counts(statuses: list[WeekStatus]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for s in statuses:
        counts[s.status] += 1
    return counts


@dataclass(frozen=True)
class DeliverableStatus:
    unit: str
    agency: str
    deliverable_key: str
    due_date: dt.date
    status: str  # on_time | late | missing | not_due
    done_on: dt.date | None  # the day the requirement was first met
    have: int  # qualifying documents/cases received by as_of
    need: int
    note: str

    @property
    def label(self) -> str:
        base = DELIVERABLE_LABELS[self.status]
        return f"{base}（{self.have}/{self.need}）" if self.need > 1 else base


def deliverable_statuses(wh: Warehouse, as_of: dt.date) -> list[DeliverableStatus]:
    """Per reporter and deliverable: in on time, in late, missing past due, or not yet due (as of a date).
    典型案例 need `min_count` cases with their 行政处罚决定书, of distinct violation types where required."""
    c = wh.campaign
    with wh.read() as cur:
        docs = cur.execute(_sql("tracking_documents")).fetchall()
        cases = cur.execute(_sql("tracking_cases")).fetchall()
    out = []
    for r in reporters(wh):
        for d in c.deliverables:
            if d.key == "typical_cases":
                mine = [
                    (received, violation)
                    for unit, agency, _b, _n, _f, violation, _dn, _fine, _j, _t, has_doc, received in cases
                    if (unit, agency) == (r.unit, r.agency) and has_doc and received <= as_of
                ]
                done_on, seen = None, set()
                for received, violation in mine:
                    seen.add(violation if d.distinct_violation_types else len(seen))
                    if len(seen) >= d.min_count:
                        done_on = received
                        break
                have = len({v for _, v in mine}) if d.distinct_violation_types else len(mine)
                note = "需附行政处罚决定书，违法类型不同" if d.distinct_violation_types else ""
            else:
                dates = [
                    received
                    for unit, agency, key, received, *_ in docs
                    if (unit, agency, key) == (r.unit, r.agency, d.key) and received <= as_of
                ]
                have = len(dates)
                done_on = dates[d.min_count - 1] if len(dates) >= d.min_count else None
                note = ""
            if done_on is not None:
                status = "on_time" if done_on <= d.due else "late"
            else:
                status = "missing" if as_of > d.due else "not_due"
            out.append(
                DeliverableStatus(
                    r.unit, r.agency, d.key, d.due, status, done_on, min(have, d.min_count), d.min_count, note
                )
            )
    return out


def unit_documents(wh: Warehouse, unit: str, agency: str) -> list[dict]:
    """Every live document of one reporter, for the page's re-download list."""
    with wh.read() as cur:
        cur.execute(_sql("tracking_unit_documents"), {"unit": unit, "agency": agency})
        cols = [x[0] for x in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def unit_cases(wh: Warehouse, unit: str, agency: str) -> list[dict]:
    with wh.read() as cur:
        cur.execute(_sql("tracking_cases"))
        cols = [x[0] for x in cur.description]
        rows = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
    return [r for r in rows if (r["unit"], r["agency"]) == (unit, agency)]


def has_weekly_tables(wh: Warehouse) -> bool:
    with wh.read() as cur:
        return cur.execute("SELECT count(*) FROM v_stats_tables_current").fetchone()[0] > 0
