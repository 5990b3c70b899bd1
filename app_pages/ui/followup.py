"""督办 parts other pages show: the open-items section of 总览 and 报送进度, and the buttons on 监测线索, 投诉分析
and 报送进度 that open an item prefilled from what the page found (the 督办 page reads the prefill)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pandas as pd
import polars as pl
import streamlit as st
from pandas.io.formats.style import Styler

from actions import board
from actions import items as fi
from app_pages.ui.common import cached, warehouse
from app_pages.ui.layout import ITEMS_KEY, desktop_only, phone_only
from auth.policy import FOLLOWUP_OFFICE, Principal
from metrics.tracking import week_statuses

PAGE = "app_pages/followup.py"
PREFILL = "followup_prefill"
LIGHT_MARKS = {"green": ":green[●]", "yellow": ":orange[●]", "red": ":red[●]", None: ":gray[●]"}
LIGHT_STYLES = {
    "green": "background-color: #d8f0d8; color: #1b5e20",
    "yellow": "background-color: #fff0c2; color: #7a4f00",
    "red": "background-color: #f9d0d0; color: #8b1a1a",
    None: "color: #666666",
}
LEGEND = f":green[●] 正常；:orange[●] 临期（剩余 ≤ {board.YELLOW_WORKDAYS} 个工作日）；:red[●] 超期"


def plain(text: str) -> str:
    """Typed text (a title, a note) for markdown and st.table cells, shown as typed: 王**小店 keeps its asterisks."""
    return re.sub(r"([\\`*_\[\]#$~|])", r"\\\1", text)


def light_text(i: board.Item) -> str:
    """The light as markdown: a coloured dot and its words."""
    return f"{LIGHT_MARKS[i.light]} {i.light_label}"


def items_table(items: list[board.Item], c, *, unit_first: bool = False, phone: bool = False) -> Styler:
    """Items as a table whose 时限 cell is coloured by its light (green, yellow, red), dates as text. On a phone the
    key columns only, in this order (layout.py sizes them by position): 事项 with its number and 挂牌督办, 承办单位,
    时限, 状态, 期限; for st.table, whose cells wrap. 下发 (and on a phone 来源) are in the item's own view."""
    rows = pd.DataFrame(
        [
            {
                "编号": f"#{i.item_id}",
                "事项": i.title,
                "承办单位": board.assignee_label(c, i.unit, i.agency),
                "级别": i.level_label,
                "状态": i.state_label,
                "时限": i.light_label,
                "反馈期限": f"{i.due_date:%Y-%m-%d}",
                "来源": fi.ORIGINS[i.origin.kind],
            }
            for i in items
        ],
        columns=["编号", "事项", "承办单位", "级别", "状态", "时限", "反馈期限", "来源"],
    )
    if phone:
        listed = ["（挂牌督办）" if i.level == "listed" else "" for i in items]
        rows = pd.DataFrame(
            {
                "事项": rows["编号"] + " " + rows["事项"].map(plain) + listed,
                "承办单位": rows["承办单位"],
                "时限": rows["时限"],
                "状态": rows["状态"],
                "期限": rows["反馈期限"].str[5:],
            }
        )
    elif unit_first:
        rows = rows[["承办单位", "编号", "事项", "级别", "状态", "时限", "反馈期限"]]
    styles = [LIGHT_STYLES[i.light] for i in items]
    styler = rows.style.apply(lambda col: styles if col.name == "时限" else [""] * len(col), axis=0)
    return styler.hide(axis="index") if phone else styler


def items_view(items: list[board.Item], c, *, unit_first: bool = False) -> None:
    """The items table: a dataframe on a desktop, its title column held to a width that leaves every column on a
    1440-px screen (a long title shows whole in the item's view); on a phone the key columns in a table whose cells
    wrap, so nothing lies off the screen's edge."""
    with desktop_only(ITEMS_KEY):
        st.dataframe(
            items_table(items, c, unit_first=unit_first),
            hide_index=True,
            width="stretch",
            column_config={"事项": st.column_config.TextColumn(width=300)},
        )
    with phone_only(ITEMS_KEY):
        st.table(items_table(items, c, phone=True))


def can_open(user: Principal) -> bool:
    return user.role in FOLLOWUP_OFFICE


def open_button(user: Principal, label: str, prefill: dict, key: str) -> None:
    """A button that takes the office to the 督办 page with the open form filled in from `prefill`
    (title, unit, agency, description and the Origin link back)."""
    if can_open(user) and st.button(label, key=key, icon=":material/assignment_add:"):
        st.session_state[PREFILL] = prefill
        st.switch_page(PAGE)


def _unit_of(units: list[str | None], default: str = "city") -> str:
    """The unit most records point at (the lead's 属地), else 市本级."""
    known = [u for u in units if u and u != "outside"]
    return Counter(known).most_common(1)[0][0] if known else default


def lead_button(user: Principal, entity: str, name: str, records: pl.DataFrame) -> None:
    """监测线索 → 跨来源线索: open an item on the merchant, linking its records."""
    ids = tuple(str(r) for r in records["record_id"].to_list()) if records.height else ()
    unit = _unit_of(records["unit"].to_list() if records.height else [])
    prefill = {
        "title": f"核查跨来源线索：{name}",
        "unit": unit,
        "description": f"该经营者在 {records['source'].n_unique() if records.height else 0} 个来源中共 {len(ids)} 条记录，"
        "请核查处置并反馈。",
        "origin": fi.Origin("lead", entity, ids, note=name),
    }
    open_button(user, "对该经营者开督办", prefill, key="fu_lead")


def overdue_button(user: Principal, rows: pl.DataFrame) -> None:
    """监测线索 → 超期待核查线索: pick a hit, open an item on it."""
    if not can_open(user) or rows.height == 0:
        return
    hits = rows.to_dicts()
    by_id = {h["hit_id"]: h for h in hits}
    c = warehouse().campaign
    cols = st.columns([3, 1], vertical_alignment="bottom")
    hit_id = cols[0].selectbox(
        "对超期线索开督办",
        list(by_id),
        format_func=lambda h: (
            f"{h} · {by_id[h]['shop_name'] or by_id[h]['merchant_name'] or ''}"
            f"（{c.unit_label(by_id[h]['unit']) if by_id[h]['unit'] else '属地不明'}，已过 {by_id[h]['workdays']} 个工作日）"
        ),
        key="fu_hit",
    )
    h = by_id[hit_id]
    prefill = {
        "title": f"超期待核查线索 {hit_id}：{h['shop_name'] or h['merchant_name'] or h['hit_type'] or ''}",
        "unit": _unit_of([h["unit"]]),
        "description": f"{h['hit_type'] or ''}线索自 {h['detected_at']:%Y-%m-%d} 发现以来已 {h['workdays']} 个工作日仍为待核查。",
        "origin": fi.Origin("overdue_hit", h.get("merchant_key"), (str(hit_id),), note=h.get("platform")),
    }
    with cols[1]:
        open_button(user, "开督办", prefill, key="fu_hit_go")


def anomaly_button(user: Principal, anomalies: pl.DataFrame, dims: dict[str, str]) -> None:
    """投诉分析 → 周环比异常: pick a flagged week, open an item on it (a unit's jump goes to that unit)."""
    if not can_open(user) or anomalies.height == 0:
        return
    c = warehouse().campaign
    rows = anomalies.to_dicts()
    label = [
        f"{r['week']:%m-%d}周 {dims[r['dimension']]}“{c.unit_label(r['value']) if r['dimension'] == 'unit' else r['value']}”"
        f" {r['count']} 件"
        for r in rows
    ]
    cols = st.columns([3, 1], vertical_alignment="bottom")
    i = cols[0].selectbox("对异常开督办", range(len(rows)), format_func=label.__getitem__, key="fu_anomaly")
    r = rows[i]
    unit = r["value"] if r["dimension"] == "unit" else "city"
    prefill = {
        "title": f"投诉周环比异常：{label[i]}",
        "unit": unit,
        "description": f"该周 {r['count']} 件，为前 4 周均值的 {r['ratio']:.1f} 倍（阈值 {r['threshold']:.1f} 件），请研判并反馈。",
        "origin": fi.Origin("anomaly", unit=unit if r["dimension"] == "unit" else None, week=r["week"],
                            note=f"{r['dimension']}={r['value']}"),
    }  # fmt: skip
    with cols[1]:
        open_button(user, "开督办", prefill, key="fu_anomaly_go")


def overview_section(user: Principal, day: dt.date) -> None:
    """总览: open items by unit with their lights on the as-of date."""
    c = warehouse().campaign
    st.subheader("督办事项")
    by_unit = cached(board.open_by_unit, user, day)
    if by_unit.height == 0:
        st.caption(f"截至 {day:%Y-%m-%d} 没有未办结的督办事项。")
        return
    cols = st.columns(4)
    for col, (key, label) in zip(cols, [("open", "未办结"), ("red", "超期"), ("yellow", "临期"), ("listed", "挂牌督办")],
                                 strict=True):  # fmt: skip
        col.metric(f"{label}（项）", int(by_unit[key].sum()), border=True)
    st.dataframe(
        by_unit.select(
            pl.struct("unit", "agency")
            .map_elements(lambda r: board.assignee_label(c, r["unit"], r["agency"]), return_dtype=pl.String)
            .alias("承办单位"),
            pl.col("open").alias("未办结"),
            pl.col("red").alias("超期"),
            pl.col("yellow").alias("临期"),
            pl.col("green").alias("正常"),
            pl.col("listed").alias("挂牌督办"),
        ),
        hide_index=True,
        width="stretch",
    )
    st.page_link(PAGE, label="到「督办」页查看和办理", icon=":material/arrow_forward:")


def tracking_section(user: Principal, day: dt.date) -> None:
    """报送进度: each unit's open items; for the office, a 催报 item on a unit whose table is overdue."""
    c = warehouse().campaign
    st.subheader("督办事项")
    open_items = [i for i in cached(board.items, user, day) if i.is_open]
    if open_items:
        items_view(open_items, c, unit_first=True)  # on a phone, the same key columns as on 督办
    else:
        st.caption(f"截至 {day:%Y-%m-%d} 没有未办结的督办事项。")
    if not can_open(user):
        return
    late = [s for s in cached(week_statuses, day) if s.status == "missing"]
    if not late:
        return
    cols = st.columns([3, 1], vertical_alignment="bottom")
    i = cols[0].selectbox(
        "对逾期未报的单位开督办（催报）",
        range(len(late)),
        format_func=lambda k: (
            f"{board.assignee_label(c, late[k].unit, late[k].agency)} · {late[k].week_start:%m-%d}周（{late[k].label}）"
        ),
        key="fu_late",
    )
    s = late[i]
    who = board.assignee_label(c, s.unit, s.agency)
    prefill = {
        "title": f"催报：{who} {s.week_start:%m月%d日}当周情况统计表",
        "unit": s.unit,
        "agency": s.agency,
        "description": f"该周统计表应于 {s.due_date:%Y-%m-%d} 前报送，截至 {day:%Y-%m-%d} 仍未收到。请尽快报送并说明原因。",
        "workdays": 2,
        "origin": fi.Origin("late_report", unit=s.unit, agency=s.agency, week=s.week_start),
    }
    with cols[1]:
        open_button(user, "开督办", prefill, key="fu_late_go")
