"""The 督办事项 section of the 工作通报 and the 总结报告: the items as they stood on the as-of date, counted by
state and light, and the 挂牌督办 and overdue ones named with their unit. Read through actions.board with the
document's author, so a unit's own bulletin or pack shows its own items only (auth.policy decides)."""

from __future__ import annotations

from actions.board import LIGHTS, Item, assignee_label, open_by_unit
from actions.board import items as board_items
from actions.model import LEVELS, STATES
from metrics.documents.context import Context
from metrics.documents.sentences import day, full_day

NAMED_COLUMNS = ["督办事项", "承办单位", "级别", "状态", "办理时限", "办理情况"]
BY_UNIT_COLUMNS = ["承办单位", "未办结", *LIGHTS.values(), LEVELS["listed"]]


def named(items: list[Item]) -> list[Item]:
    """The items a reader must see by name: open and 挂牌督办, or open and red (overdue, or fed back late)."""
    return [i for i in items if i.is_open and (i.level == "listed" or i.light == "red")]


def _counted(items: list[Item], field: str, labels: dict[str, str]) -> str:
    """「已下发 1 件、已办结 2 件」: the counts by state (or light) that are not zero, in the labels' order."""
    counts = {label: sum(getattr(i, field) == key for i in items) for key, label in labels.items()}
    return "、".join(f"{label} {n} 件" for label, n in counts.items() if n)


def followup_items(ctx: Context) -> None:
    """Counts by state and light, the named items, and for the city each unit's open items by light."""
    wh, as_of = ctx.wh, ctx.as_of
    found = board_items(wh, ctx.principal, as_of, unit=ctx.scope.unit, agency=ctx.scope.agency)
    if not found:
        ctx.doc.paragraph(f"截至{full_day(as_of)}，{ctx.who}尚无督办事项。")
        return
    still = [i for i in found if i.is_open]
    if not still:
        ctx.doc.paragraph(f"截至{full_day(as_of)}，{ctx.who}共有督办事项 {len(found)} 件，已全部办结。")
        return
    ctx.doc.paragraph(
        f"截至{full_day(as_of)}，{ctx.who}共有督办事项 {len(found)} 件，其中{_counted(found, 'state', STATES)}。"
        f"未办结的 {len(still)} 件中，{_counted(still, 'light', LIGHTS)}"
        + (f"，{LEVELS['listed']} {listed} 件。" if (listed := sum(i.level == "listed" for i in still)) else "。")
    )
    shown = named(found)
    if not shown:
        ctx.doc.paragraph(f"未办结事项均未超期，暂无{LEVELS['listed']}事项。")
    else:
        rows = [
            [f"#{i.item_id} {i.title}", assignee_label(wh.campaign, i.unit, i.agency), i.level_label,
             i.state_label, day(i.due_date), i.light_label]
            for i in shown
        ]  # fmt: skip
        ctx.doc.table(f"{LEVELS['listed']}和超期的督办事项", NAMED_COLUMNS, rows, 2)  # the title and the unit wide
    if ctx.scope.is_city and still:
        per_unit = open_by_unit(wh, ctx.principal, as_of)
        rows = [
            [assignee_label(wh.campaign, r["unit"], r["agency"]),
             *(str(r[k]) for k in ("open", *LIGHTS, "listed"))]
            for r in per_unit.iter_rows(named=True)
        ]  # fmt: skip
        ctx.doc.table("各承办单位未办结督办事项", BY_UNIT_COLUMNS, rows, 1)
