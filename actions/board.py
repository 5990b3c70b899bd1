"""The 督办 board: items as they stood on a day, with their traffic lights, and their history. Read-only; every
read is checked against auth.policy (unit staff see their own unit's items only). Changes are actions.items'.

An item's state on a day is replayed from its steps dated up to that day, so moving the as-of date shows the
items as they stood. Its light counts working days on the campaign calendar (调休 included): green on time,
yellow with ≤ YELLOW_WORKDAYS working days left, red overdue; once the unit has fed back, the clock stops.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from actions.model import LEVELS, STATES, FollowupError, Origin
from auth.policy import Principal, can_see_followup, require_followup_see
from campaign import Campaign
from warehouse import Warehouse, load_sql

LIGHTS = {"green": "正常", "yellow": "临期", "red": "超期"}
YELLOW_WORKDAYS = 2


@dataclass(frozen=True)
class Item:
    """One item as it stood on `as_of`."""

    item_id: int
    title: str
    description: str
    origin: Origin
    unit: str
    agency: str
    level: str
    state: str
    opened_on: dt.date
    workdays: int
    due_date: dt.date
    opened_by: str
    as_of: dt.date
    answered_on: dt.date | None  # the last feedback, while the item stands 已反馈 or 已办结
    closed_on: dt.date | None
    light: str | None  # green | yellow | red; None once 办结
    workdays_left: int  # to the due date: negative when overdue (from the feedback day once fed back)
    steps: int = 0

    @property
    def is_open(self) -> bool:
        return self.state != "closed"

    @property
    def awaiting_unit(self) -> bool:
        """Still with the unit: not yet fed back (the clock runs)."""
        return self.state in ("issued", "signed", "checking")

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def level_label(self) -> str:
        return LEVELS[self.level]

    @property
    def light_label(self) -> str:
        """What the light says, in words: 超期 3 个工作日, 剩 2 个工作日, 按期反馈 …"""
        if self.light is None:
            return "已办结"
        if not self.awaiting_unit:
            return "按期反馈" if self.light == "green" else f"逾期反馈（{-self.workdays_left} 个工作日）"
        if self.light == "red":
            return f"超期 {-self.workdays_left} 个工作日" if self.workdays_left else "超期"
        return "今日到期" if self.workdays_left == 0 else f"剩 {self.workdays_left} 个工作日"


def assignee_label(c: Campaign, unit: str, agency: str) -> str:
    """武进区 for a bureau; 市本级·市公安局 for a city member agency."""
    lead = next(a.key for a in c.agencies if a.lead)
    return c.unit_label(unit) if agency == lead else f"{c.unit_label(unit)}·{c.agency(agency).label}"


def light(wh_or_cal, due: dt.date, as_of: dt.date, answered_on: dt.date | None = None) -> tuple[str, int]:
    """(light, working days left) on `as_of`. Fed back: green if by the due date, else red, frozen on that day."""
    cal = wh_or_cal.calendar() if isinstance(wh_or_cal, Warehouse) else wh_or_cal
    if answered_on is not None:
        left = cal.workdays_between(answered_on, due)
        return ("green" if answered_on <= due else "red"), left
    left = cal.workdays_between(as_of, due)
    if as_of > due:
        return "red", left
    return ("yellow" if left <= YELLOW_WORKDAYS else "green"), left


def items(
    wh: Warehouse,
    actor: Principal,
    as_of: dt.date,
    *,
    unit: str | None = None,
    agency: str | None = None,
    item_id: int | None = None,
) -> list[Item]:
    """The items `actor` may see, as they stood on `as_of` (issued by then; state from the steps dated by then).
    Unit staff see their own unit's items only, whatever they ask for."""
    if actor.role == "unit_staff":
        if (unit or actor.unit) != actor.unit or (agency or actor.agency) != actor.agency:
            require_followup_see(actor, unit or actor.unit, agency or actor.agency)
        unit, agency = actor.unit, actor.agency
    params = {"as_of": as_of, "unit": unit, "agency": agency, "item_id": item_id}
    with wh.read() as cur:
        rows = cur.execute(load_sql("followup_items", __file__), params).fetchall()
    cal = wh.calendar()
    out = []
    for (iid, title, desc, origin, mkey, rids, ounit, oagency, oweek, onote, u, a, opened_on, workdays, due, by,
         steps) in rows:  # fmt: skip
        if not can_see_followup(actor, u, a):
            continue
        last = steps[-1]
        state, level = last["state_after"], last["level_after"]
        answered_on = closed_on = None
        if state in ("answered", "closed"):
            answered_on = max(s["on_date"] for s in steps if s["action"] == "answer")
        if state == "closed":
            closed_on = last["on_date"]
        lt, left = light(cal, due, as_of, answered_on)
        out.append(
            Item(
                iid, title, desc, Origin(origin, mkey, tuple(rids or ()), ounit, oagency, oweek, onote), u, a, level,
                state, opened_on, workdays, due, by, as_of, answered_on, closed_on,
                None if state == "closed" else lt, left, len(steps),
            )
        )  # fmt: skip
    return out


def _require_see(wh: Warehouse, actor: Principal, item_id: int) -> bool:
    """Refuse another unit's item; False when there is no such item."""
    with wh.read() as cur:
        row = cur.execute("SELECT unit, agency FROM followup_items WHERE item_id = ?", [item_id]).fetchone()
    if row is not None:
        require_followup_see(actor, *row)
    return row is not None


def get_item(wh: Warehouse, actor: Principal, item_id: int, as_of: dt.date) -> Item | None:
    """One item as it stood on `as_of` (None if not issued by then). Another unit's item is refused."""
    if not _require_see(wh, actor, item_id):
        return None
    found = items(wh, actor, as_of, item_id=item_id)
    return found[0] if found else None


def step_log(wh: Warehouse, actor: Principal, item_id: int) -> list[dict]:
    """Every step of an item (all of them, whatever the as-of date), for its history."""
    _require_see(wh, actor, item_id)
    with wh.read() as cur:
        cur.execute(load_sql("followup_step_log", __file__), {"item_id": item_id})
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def file_content(wh: Warehouse, actor: Principal, file_id: int) -> tuple[str, str, bytes, str]:
    """(file name, MIME type, bytes, sha256) of a feedback file, for those who may see its item."""
    with wh.read() as cur:
        row = cur.execute(
            "SELECT f.file_name, f.mime_type, f.content, f.sha256, i.unit, i.agency FROM followup_files f "
            "JOIN followup_items i USING (item_id) WHERE f.file_id = ?",
            [file_id],
        ).fetchone()
    if row is None:
        raise FollowupError(f"附件 #{file_id} 不存在。")
    require_followup_see(actor, row[4], row[5])
    return row[0], row[1], bytes(row[2]), row[3]


def open_by_unit(wh: Warehouse, actor: Principal, as_of: dt.date) -> pl.DataFrame:
    """Per assigned (unit, agency): open items on `as_of` and how many are green, yellow, red and 挂牌督办."""
    rows = [i for i in items(wh, actor, as_of) if i.is_open]
    schema = {"unit": pl.String, "agency": pl.String, "light": pl.String, "level": pl.String}
    frame = pl.DataFrame([(i.unit, i.agency, i.light, i.level) for i in rows], schema=schema, orient="row")
    return (
        frame.group_by("unit", "agency")
        .agg(
            pl.len().alias("open"),
            *[(pl.col("light") == k).sum().alias(k) for k in LIGHTS],
            (pl.col("level") == "listed").sum().alias("listed"),
        )
        .sort(["red", "yellow", "open"], descending=True)
    )
