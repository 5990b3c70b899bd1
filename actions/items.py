"""督办 items: the state machine and its rights. The only code that changes followup_* tables.

下发 → 签收 → 核查中 → 已反馈 → 办结, or 退回 (with a reason) from 已反馈 back to 核查中. Each step records who,
the day it happened (on_date, which the as-of date counts from), when it was entered and a note; feedback may
carry files (stored like the deliverables, with sha256) and cite a 典型案例 or a 立案 in the unit's 统计表2.
Every step is checked against auth.policy here and written with its audit row in one transaction. Reading
items as they stood on a day, with their lights, is actions.board's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from actions import now
from actions.model import (
    ACTIONS,
    DEFAULT_WORKDAYS,
    LEVELS,
    MAX_WORKDAYS,
    ORIGINS,
    STATES,
    TRANSITIONS,
    FollowupError,
    Origin,
)
from auth.audit import audit
from auth.policy import (
    PermissionDenied,
    Principal,
    require_followup_list,
    require_followup_office,
    require_followup_see,
    require_followup_unit_step,
)
from loaders.result import FileRejected, Upload
from loaders.weekly.deliverables import check_file as check_document
from warehouse import Warehouse, load_sql


@dataclass
class Citation:
    """What a feedback step may cite: a 典型案例 of the unit, or a 立案 (week, violation type) in its 统计表2."""

    case_batch_id: int | None = None
    week: dt.date | None = None
    violation_key: str | None = None
    files: list[Upload] = field(default_factory=list)


def due_date(wh: Warehouse, opened_on: dt.date, workdays: int) -> dt.date:
    """The n-th working day after the day it was issued, on the warehouse's calendar (调休 and overrides)."""
    return wh.calendar().next_workday_after(opened_on, workdays)


def _check_assignee(wh: Warehouse, unit: str, agency: str) -> None:
    c = wh.campaign
    if unit not in {u.key for u in c.units}:
        raise FollowupError(f"承办单位“{unit}”不存在。")
    if agency not in {a.key for a in c.agencies}:
        raise FollowupError(f"承办部门“{agency}”不存在。")
    lead = next(a.key for a in c.agencies if a.lead)
    if unit != "city" and agency != lead:
        raise FollowupError(f"{c.unit_label(unit)}的督办事项由其{c.agency(lead).label}系统承办，部门应为{lead}。")


def open_item(
    wh: Warehouse,
    actor: Principal,
    *,
    title: str,
    unit: str,
    agency: str,
    opened_on: dt.date,
    workdays: int = DEFAULT_WORKDAYS,
    origin: Origin | None = None,
    description: str = "",
    level: str = "normal",
) -> int:
    """下发 a new item to one unit (and, for 市本级, an agency). Returns its id."""
    require_followup_office(actor, "下发")
    if level == "listed":
        require_followup_list(actor)
    origin = origin or Origin()
    if not title.strip():
        raise FollowupError("请填写督办事项标题。")
    if level not in LEVELS:
        raise FollowupError(f"督办级别“{level}”不存在（可选：一般、挂牌督办）。")
    if origin.kind not in ORIGINS:
        raise FollowupError(f"来源“{origin.kind}”不存在。")
    if not 1 <= int(workdays) <= MAX_WORKDAYS:
        raise FollowupError(f"办理时限应为 1 至 {MAX_WORKDAYS} 个工作日，收到 {workdays}。")
    _check_assignee(wh, unit, agency)
    due = due_date(wh, opened_on, int(workdays))
    at = now()
    with wh.write() as cur:
        (item_id,) = cur.execute(
            "INSERT INTO followup_items (title, description, origin, merchant_key, record_ids, origin_unit, "
            "origin_agency, origin_week, origin_note, unit, agency, level, state, opened_on, workdays, due_date, "
            "opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?, ?, ?) "
            "RETURNING item_id",
            [
                title.strip(), description.strip(), origin.kind, origin.merchant_key, list(origin.record_ids),
                origin.unit, origin.agency, origin.week, origin.note, unit, agency, level, opened_on, int(workdays),
                due, actor.username, at,
            ],
        ).fetchone()  # fmt: skip
        _insert_step(cur, item_id, "issue", "issued", level, opened_on, actor, at, description.strip())
        audit(
            cur, actor, "followup", f"督办 #{item_id}",
            detail=f"下发：{title.strip()}；承办 {wh.campaign.unit_label(unit)}/{agency}；{LEVELS[level]}；"
            f"{workdays} 个工作日，{due:%Y-%m-%d} 前反馈",
        )  # fmt: skip
    return item_id


def _insert_step(cur, item_id, action, state, level, on_date, actor, at, note, cite: Citation | None = None) -> int:
    cite = cite or Citation()
    (step_id,) = cur.execute(
        "INSERT INTO followup_steps (item_id, action, state_after, level_after, on_date, username, recorded_at, note, "
        "cited_case, cited_week, cited_violation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING step_id",
        [item_id, action, state, level, on_date, actor.username, at, note, cite.case_batch_id, cite.week,
         cite.violation_key],
    ).fetchone()  # fmt: skip
    return step_id


def act(
    wh: Warehouse,
    actor: Principal,
    item_id: int,
    action: str,
    *,
    on_date: dt.date,
    note: str = "",
    cite: Citation | None = None,
) -> str:
    """Take one step on an item, as `actor`, on the day it happened. Returns the state after it.

    Refused (PermissionDenied or FollowupError, both with a Chinese message) when the actor may not, the item
    is not in a state that allows it, the day lies before the item's last step, or a citation or file is not
    the unit's own. Nothing is written then."""
    if action not in TRANSITIONS:
        raise FollowupError(f"未知的办理操作：{action}")
    allowed, after, _whose = TRANSITIONS[action]
    what = ACTIONS[action]
    with wh.read() as cur:
        row = cur.execute("SELECT unit, agency FROM followup_items WHERE item_id = ?", [item_id]).fetchone()
    if row is None:
        raise FollowupError(f"督办事项 #{item_id} 不存在。")
    unit, agency = row
    require_followup_see(actor, unit, agency)
    _require_step(actor, action, unit, agency)
    note = (note or "").strip()
    if action in ("return", "answer") and not note:
        raise FollowupError("退回须写明原因。" if action == "return" else "反馈须写明核查处置情况。")
    cite = cite if action == "answer" else None
    stored = _check_citation(wh, unit, agency, cite) if cite else []
    at = now()
    with wh.write() as cur:
        # The state is checked inside the write transaction: two people acting at once cannot both take a step
        # from the same state.
        state, level, last_on = cur.execute(load_sql("followup_current", __file__), [item_id]).fetchone()
        if state not in allowed:
            raise FollowupError(f"督办事项 #{item_id} 当前为“{STATES[state]}”，不能{what}。")
        if action == "list" and level == "listed":
            raise FollowupError(f"督办事项 #{item_id} 已挂牌督办。")
        if on_date < last_on:
            raise FollowupError(
                f"办理日期 {on_date:%Y-%m-%d} 早于该事项上一步的日期 {last_on:%Y-%m-%d}：请把统计截止日期调到该日或之后再办理。"
            )
        state_after, level_after = after or state, "listed" if action == "list" else level
        step_id = _insert_step(cur, item_id, action, state_after, level_after, on_date, actor, at, note, cite)
        for f, mime, sha in stored:
            cur.execute(
                "INSERT INTO followup_files (step_id, item_id, file_name, mime_type, sha256, size_bytes, content) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [step_id, item_id, f.name, mime, sha, len(f.data), f.data],
            )
        cur.execute(
            "UPDATE followup_items SET state = ?, level = ? WHERE item_id = ?", [state_after, level_after, item_id]
        )
        files = "；附件 " + "、".join(f.name for f, _, _ in stored) if stored else ""
        audit(
            cur, actor, "followup", f"督办 #{item_id}", sha256=stored[0][2] if stored else None,
            detail=f"{what}（{on_date:%Y-%m-%d}）{('：' + note) if note else ''}{files}"[:1000],
        )  # fmt: skip
    return state_after


def _require_step(actor: Principal, action: str, unit: str, agency: str) -> None:
    whose = TRANSITIONS[action][2]
    if whose == "unit":
        require_followup_unit_step(actor, unit, agency, ACTIONS[action])
    elif whose == "office":
        require_followup_office(actor, ACTIONS[action])
    else:
        require_followup_list(actor)


def available_actions(actor: Principal, unit: str, agency: str, state: str, level: str) -> list[str]:
    """The steps `actor` may take on an item in this state: what the page offers (act checks again)."""
    out = []
    for action, (allowed, _after, _whose) in TRANSITIONS.items():
        if state not in allowed or (action == "list" and level == "listed"):
            continue
        try:
            _require_step(actor, action, unit, agency)
        except PermissionDenied:
            continue
        out.append(action)
    return out


def current(wh: Warehouse, item_id: int) -> tuple[str, str, dt.date]:
    """(state, level, day of the last step) of an item now, whatever the as-of date: what the next step follows."""
    with wh.read() as cur:
        row = cur.execute(load_sql("followup_current", __file__), [item_id]).fetchone()
    if row is None:
        raise FollowupError(f"督办事项 #{item_id} 不存在。")
    return row


def _check_citation(wh: Warehouse, unit: str, agency: str, cite: Citation) -> list[tuple[Upload, str, str]]:
    """The feedback's files checked like deliverables (type, size, content), and its citations the unit's own."""
    stored = []
    for f in cite.files:
        try:
            mime, sha = check_document(f, "反馈附件")
        except FileRejected as exc:
            raise FollowupError(str(exc)) from None
        stored.append((f, mime, sha))
    if cite.case_batch_id is not None:
        cases = {c["batch_id"] for c in citable_cases(wh, unit, agency)}
        if cite.case_batch_id not in cases:
            raise FollowupError(f"所引典型案例（批次 #{cite.case_batch_id}）不是承办单位已报送的典型案例。")
    if (cite.week is None) != (cite.violation_key is None):
        raise FollowupError("引用统计表2立案须同时选择报告周和违法类型。")
    if cite.week is not None:
        filings = citable_filings(wh, unit, agency)
        if filings.filter(
            (pl.col("week_start") == cite.week) & (pl.col("violation_key") == cite.violation_key)
        ).is_empty():
            raise FollowupError(
                f"承办单位 {cite.week:%Y-%m-%d} 当周的统计表2中没有“{cite.violation_key}”类立案，不能引用。"
            )
    return stored


def citable_cases(wh: Warehouse, unit: str, agency: str) -> list[dict]:
    with wh.read() as cur:
        cur.execute(
            "SELECT batch_id, case_name, decision_number, violation_key FROM v_typical_cases_live "
            "WHERE unit = ? AND agency = ? ORDER BY batch_id",
            [unit, agency],
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def citable_filings(wh: Warehouse, unit: str, agency: str) -> pl.DataFrame:
    with wh.read() as cur:
        return cur.execute(load_sql("followup_citable_filings", __file__), {"unit": unit, "agency": agency}).pl()
