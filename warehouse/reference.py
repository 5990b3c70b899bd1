"""Fill the reference tables from the campaign definition, at every start, in one transaction."""

from __future__ import annotations

import datetime as dt

from campaign import Campaign
from warehouse import Warehouse, WarehouseError, load_sql

SYSTEM_USER = "system"


def sync_reference(wh: Warehouse) -> None:
    c = wh.campaign
    with wh.write() as cur:
        row = cur.execute("SELECT value FROM meta WHERE key = 'campaign_key'").fetchone()
        if row and row[0] != c.key:
            raise WarehouseError(
                f"数据库 {wh.path.name} 属于活动 “{row[0]}”，不能用活动定义 “{c.key}” 打开：请为新活动使用新的数据库文件。"
            )
        cur.execute("INSERT OR REPLACE INTO meta VALUES ('campaign_key', ?)", [c.key])
        for table in (
            "ref_units",
            "ref_unit_areas",
            "ref_agencies",
            "ref_focus_areas",
            "ref_focus_agencies",
            "ref_stages",
            "ref_deliverables",
            "ref_time_nodes",
            "ref_measures",
            "ref_violation_types",
            "ref_report_weeks",
        ):
            cur.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names, no user input
        _insert(cur, "ref_units", [(u.key, u.label, u.nbs_code, list(u.aliases), i) for i, u in enumerate(c.units)])
        _insert(cur, "ref_unit_areas", [(u.key, a.name, a.nbs_code) for u in c.units for a in u.areas])
        _insert(cur, "ref_agencies", [(a.key, a.label, a.full_label, a.lead, i) for i, a in enumerate(c.agencies)])
        _insert(
            cur,
            "ref_focus_areas",
            [(c.unclassified_key, c.unclassified_label, True, 0)]
            + [(f.key, f.label, False, i + 1) for i, f in enumerate(c.focus_areas)],
        )
        _insert(cur, "ref_focus_agencies", [(f.key, a) for f in c.focus_areas for a in f.agencies])
        _insert(cur, "ref_stages", [(s.key, s.label, s.start, s.end, s.task, i) for i, s in enumerate(c.stages)])
        _insert(
            cur,
            "ref_deliverables",
            [
                (
                    d.key,
                    d.label,
                    d.stage,
                    d.due,
                    d.min_count,
                    d.distinct_violation_types,
                    d.requires_decision_document,
                    i,
                )
                for i, d in enumerate(c.deliverables)
            ],
        )
        _insert(cur, "ref_time_nodes", [(t.key, t.label, t.start, t.end) for t in c.time_nodes])
        _insert(
            cur,
            "ref_measures",
            [(1, m.key, m.label, m.unit, m.kind, i) for i, m in enumerate(c.table1)]
            + [(2, m.key, m.label, m.unit, m.kind, i) for i, m in enumerate(c.table2_columns)],
        )
        _insert(cur, "ref_violation_types", [(v.key, v.focus, v.label, i) for i, v in enumerate(c.violation_types)])

        cur.execute("DELETE FROM calendar_overrides WHERE source = 'campaign'")
        _insert(
            cur,
            "calendar_overrides (day, workday, note, source, created_by)",
            [(o.date, o.workday, o.note, "campaign", SYSTEM_USER) for o in c.calendar_overrides],
        )
        _fill_report_weeks(cur, c)

        (rules,) = cur.execute("SELECT count(*) FROM classification_rules").fetchone()
        if rules == 0:
            _insert(
                cur,
                "classification_rules (priority, focus_key, keyword, created_by)",
                [(i, r.focus, k, SYSTEM_USER) for i, r in enumerate(c.classification_rules) for k in r.keywords],
            )


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
