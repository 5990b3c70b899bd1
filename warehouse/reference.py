"""Fill the reference tables from the campaign definition at start, in one transaction, when it changed."""

from __future__ import annotations

import datetime as dt
import hashlib

from campaign import Campaign
from warehouse import Warehouse, WarehouseError, load_sql

SYSTEM_USER = "system"
CAMPAIGN_CALENDAR = "calendar_overrides (day, workday, note, source, created_by)"


def sync_reference(wh: Warehouse) -> None:
    """Refresh the reference tables when the campaign definition changed since the last start (a digest of
    their rows is kept in meta): an unchanged campaign costs one read, and several app instances starting
    together on a shared warehouse do not queue for the write lock."""
    c = wh.campaign
    rows = _reference_rows(c)
    digest = hashlib.sha256(repr(sorted(rows.items())).encode()).hexdigest()
    with wh.read() as cur:
        stored = dict(
            cur.execute("SELECT key, value FROM meta WHERE key IN ('campaign_key', 'reference_digest')").fetchall()
        )
    _check_campaign(wh, stored.get("campaign_key"))
    if stored.get("reference_digest") == digest and stored.get("campaign_key") == c.key:
        return
    with wh.write() as cur:
        (key,) = cur.execute("SELECT max(value) FROM meta WHERE key = 'campaign_key'").fetchone()
        _check_campaign(wh, key)
        cur.execute("DELETE FROM meta WHERE key IN ('campaign_key', 'reference_digest')")
        cur.executemany("INSERT INTO meta VALUES (?, ?)", [("campaign_key", c.key), ("reference_digest", digest)])
        for table, table_rows in rows.items():
            # the campaign's calendar rows are replaced; an admin's rows (source 'admin') are kept
            only = " WHERE source = 'campaign'" if table == CAMPAIGN_CALENDAR else ""
            cur.execute(f"DELETE FROM {table.split(' ')[0]}{only}")  # noqa: S608 - fixed table names
            _insert(cur, table, table_rows)
        cur.execute("DELETE FROM ref_report_weeks")
        _fill_report_weeks(cur, c)

        (rules,) = cur.execute("SELECT count(*) FROM classification_rules").fetchone()
        if rules == 0:
            _insert(
                cur,
                "classification_rules (priority, focus_key, keyword, created_by)",
                [(i, r.focus, k, SYSTEM_USER) for i, r in enumerate(c.classification_rules) for k in r.keywords],
            )


def _check_campaign(wh: Warehouse, key: str | None) -> None:
    if key is not None and key != wh.campaign.key:
        raise WarehouseError(
            f"数据库 {wh.name} 属于活动 “{key}”，不能用活动定义 “{wh.campaign.key}” 打开：请为新活动使用新的数据库文件。"
        )


def _reference_rows(c: Campaign) -> dict[str, list[tuple]]:
    """Every reference table's rows from the campaign (ref_report_weeks aside: it needs the calendar)."""
    return {
        "ref_units": [(u.key, u.label, u.nbs_code, list(u.aliases), i) for i, u in enumerate(c.units)],
        "ref_unit_areas": [(u.key, a.name, a.nbs_code) for u in c.units for a in u.areas],
        "ref_agencies": [(a.key, a.label, a.full_label, a.lead, i) for i, a in enumerate(c.agencies)],
        "ref_focus_areas": [(c.unclassified_key, c.unclassified_label, True, 0)]
        + [(f.key, f.label, False, i + 1) for i, f in enumerate(c.focus_areas)],
        "ref_focus_agencies": [(f.key, a) for f in c.focus_areas for a in f.agencies],
        "ref_stages": [(s.key, s.label, s.start, s.end, s.task, i) for i, s in enumerate(c.stages)],
        "ref_deliverables": [
            (d.key, d.label, d.stage, d.due, d.min_count, d.distinct_violation_types, d.requires_decision_document, i)
            for i, d in enumerate(c.deliverables)
        ],
        "ref_time_nodes": [(t.key, t.label, t.start, t.end) for t in c.time_nodes],
        "ref_measures": [(1, m.key, m.label, m.unit, m.kind, i) for i, m in enumerate(c.table1)]
        + [(2, m.key, m.label, m.unit, m.kind, i) for i, m in enumerate(c.table2_columns)],
        "ref_violation_types": [(v.key, v.focus, v.label, i) for i, v in enumerate(c.violation_types)],
        CAMPAIGN_CALENDAR: [(o.date, o.workday, o.note, "campaign", SYSTEM_USER) for o in c.calendar_overrides],
    }


def refresh_report_weeks(wh: Warehouse) -> None:
    """Recompute due dates after an admin changed the calendar overrides."""
    with wh.write() as cur:
        cur.execute("DELETE FROM ref_report_weeks")
        _fill_report_weeks(cur, wh.campaign)


def _fill_report_weeks(cur, c: Campaign) -> None:
    from campaign.calendar import WorkCalendar

    cal = WorkCalendar.from_pairs(cur.execute(load_sql("calendar_overrides")).fetchall())
    _insert(
        cur,
        "ref_report_weeks",
        [(w, w + dt.timedelta(days=6), cal.week_due(w, c.due_working_days_after_week)) for w in c.report_weeks()],
    )


def _insert(cur, table: str, rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        cur.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608 - fixed table names
