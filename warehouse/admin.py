"""Administrators' changes to the warehouse's editable reference data: classification rules, calendar
overrides. Each change is one transaction with its audit row; only admins may make it."""

from __future__ import annotations

import datetime as dt

import polars as pl

from auth.audit import audit
from auth.policy import Principal, require_admin
from warehouse import Warehouse, load_sql
from warehouse.clock import office_day_start
from warehouse.reference import refresh_report_weeks


def classification_rules(wh: Warehouse) -> pl.DataFrame:
    with wh.read() as cur:
        return cur.execute(
            "SELECT priority, focus_key, keyword FROM classification_rules ORDER BY priority, focus_key, keyword"
        ).pl()


def replace_classification_rules(wh: Warehouse, actor: Principal, rules: list[tuple[int, str, str]]) -> None:
    """Replace the whole rule table. Rules apply to data loaded from now on."""
    require_admin(actor)
    focus = {f.key for f in wh.campaign.focus_areas}
    cleaned = []
    for i, (priority, focus_key, keyword) in enumerate(rules, start=1):
        keyword = (keyword or "").strip()
        if focus_key not in focus:
            raise ValueError(f"第 {i} 条规则的重点工作 “{focus_key}” 不存在（可选：{'、'.join(sorted(focus))}）")
        if not keyword:
            raise ValueError(f"第 {i} 条规则的关键词为空")
        cleaned.append((int(priority), focus_key, keyword, actor.username))
    if len({(f, k) for _, f, k, _ in cleaned}) != len(cleaned):
        raise ValueError("规则中有重复的（重点工作, 关键词）")
    with wh.write() as cur:
        before = cur.execute("SELECT count(*) FROM classification_rules").fetchone()[0]
        cur.execute("DELETE FROM classification_rules")
        cur.executemany(
            "INSERT INTO classification_rules (priority, focus_key, keyword, created_by) VALUES (?, ?, ?, ?)", cleaned
        )
        audit(cur, actor, "rule_change", "classification_rules", detail=f"{before} 条 → {len(cleaned)} 条")


def calendar_overrides(wh: Warehouse) -> pl.DataFrame:
    with wh.read() as cur:
        return cur.execute(
            "SELECT day, workday, note, source, created_by, created_at FROM calendar_overrides ORDER BY day"
        ).pl()


def set_calendar_override(wh: Warehouse, actor: Principal, day: dt.date, workday: bool | None, note: str = "") -> None:
    """Set (workday True/False) or remove (None) an admin override; due dates are recomputed."""
    require_admin(actor)
    with wh.write() as cur:
        cur.execute("DELETE FROM calendar_overrides WHERE day = ? AND source = 'admin'", [day])
        if workday is not None:
            cur.execute(
                "INSERT INTO calendar_overrides (day, workday, note, source, created_by) VALUES (?, ?, ?, 'admin', ?)",
                [day, workday, note, actor.username],
            )
        what = "删除调整" if workday is None else ("设为工作日" if workday else "设为休息日")
        audit(cur, actor, "calendar_change", day.isoformat(), detail=f"{what} {note}".strip())
    refresh_report_weeks(wh)


def audit_trail(
    wh: Warehouse,
    actor: Principal,
    *,
    username: str | None = None,
    action: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int = 5000,
) -> pl.DataFrame:
    """The audit trail, newest first; `start`/`end` are the office's days (the stamps are UTC)."""
    require_admin(actor)
    since = office_day_start(start) if start else None
    until = office_day_start(end + dt.timedelta(days=1)) if end else None
    with wh.read() as cur:
        return cur.execute(
            load_sql("audit_trail"),
            {"username": username, "action": action, "since": since, "until": until, "limit": limit},
        ).pl()


def users(wh: Warehouse, actor: Principal) -> pl.DataFrame:
    require_admin(actor)
    with wh.read() as cur:
        return cur.execute(
            "SELECT username, display_name, role, unit, agency, email, active, failed_attempts, "
            "locked_until, created_by, created_at FROM users ORDER BY created_at"
        ).pl()
