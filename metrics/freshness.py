"""How fresh each source is and whether the 统计表 figures have every unit in: so a total missing two districts
never looks as final as a complete one.

- Freshness, per upload kind with data (the export sources and the weekly tables): the newest day the live data
  speaks of and the latest load, in the office's time zone (the campaign's `office_timezone`; batches store the
  server's clock). A source whose newest day lies more than its `cadence_days` before the as-of date is stale.
- Coverage, for the week in view (the newest report week that has ended by the as-of date): which reporters
  (the units' bureaus and the city's member agencies, as 报送进度 lists them) have a live table in the figures.

Both read only live batches, so a withdrawal shows at once (pages cache on the warehouse's data version).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from campaign.model import EXPORT
from metrics import tracking
from metrics.registry import Metric
from warehouse import Warehouse, load_sql

WEEKLY_KIND = "district_stats"
# The registry relations that add up weekly tables (统计表1 and 统计表2).
WEEKLY_RELATIONS = ("v_stats_table1_current", "v_stats_table2_focus")


def _sql(name: str) -> str:
    return load_sql(name, __file__)


def _day(d: dt.date, ref: dt.date | None = None) -> str:
    """11月2日, with the year only where it differs from `ref`'s."""
    text = f"{d.month}月{d.day}日"
    return text if ref is None or ref.year == d.year else f"{d.year}年{text}"


@dataclass(frozen=True)
class SourceFreshness:
    kind: str
    label: str
    family: str  # export | unit
    newest: dt.date | None  # newest record date (weekly tables: the newest week's Sunday); None: no live data
    loaded_at: dt.datetime | None  # latest live load, office time
    cadence_days: int | None
    age_days: int | None  # days from newest to the as-of date (0 when newest is later)

    @property
    def stale(self) -> bool:
        """No data yet, or older than the expected cadence."""
        if self.newest is None:
            return True
        return self.cadence_days is not None and (self.age_days or 0) > self.cadence_days

    @property
    def text(self) -> str:
        """ "12315投诉举报 导出截至 10月31日，11月2日导入"."""
        if self.newest is None or self.loaded_at is None:
            return f"{self.label} 尚未导入"
        what = "导出截至" if self.family == EXPORT else "报至"
        # A week is named by its Monday (newest is its Sunday).
        weekly = self.kind == WEEKLY_KIND
        when = f"{_day(self.newest - dt.timedelta(days=6))}当周" if weekly else _day(self.newest)
        return f"{self.label} {what} {when}，{_day(self.loaded_at.date(), self.newest)}导入"

    @property
    def detail(self) -> str:
        """The hover text: the load's exact time and the cadence it is held to."""
        if self.newest is None or self.loaded_at is None:
            return "尚无有效数据。"
        parts = [f"最近导入：{self.loaded_at:%Y-%m-%d %H:%M}", f"最新数据日期：{self.newest:%Y-%m-%d}"]
        if self.cadence_days is not None:
            verdict = f"已超过 {self.cadence_days} 天未更新" if self.stale else f"应每 {self.cadence_days} 天内更新"
            parts.append(f"距统计截止日期 {self.age_days} 天，{verdict}")
        return "；".join(parts) + "。"


def sources(wh: Warehouse, as_of: dt.date) -> list[SourceFreshness]:
    """Every export source and the weekly tables, in the campaign file's order."""
    c = wh.campaign
    with wh.read() as cur:
        found = {
            k: (n, t) for k, n, t in cur.execute(_sql("freshness_sources"), {"office_tz": c.office_timezone}).fetchall()
        }
    out = []
    for key in (*c.export_kinds, WEEKLY_KIND):
        kind = c.kinds[key]
        newest, loaded_at = found.get(key, (None, None))
        age = None if newest is None else max((as_of - newest).days, 0)
        out.append(SourceFreshness(key, kind.label, kind.family, newest, loaded_at, kind.cadence_days, age))
    return out


@dataclass(frozen=True)
class Coverage:
    week_start: dt.date | None  # the week in view; None before the first report week has ended
    units_in: tuple[str, ...]  # labels of the units (bureau tables) in the week's figures
    units_missing: tuple[str, ...]
    agencies_in: tuple[str, ...]  # labels of the city's member agencies in the week's figures
    agencies_missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not (self.units_missing or self.agencies_missing)

    @property
    def text(self) -> str:
        """ "11月5日当周 7/8 单位已报，3/11 成员单位已报"."""
        if self.week_start is None:
            return "首个报告周尚未结束"
        units = len(self.units_in) + len(self.units_missing)
        agencies = len(self.agencies_in) + len(self.agencies_missing)
        text = f"{_day(self.week_start)}当周 {len(self.units_in)}/{units} 单位已报"
        return text + (f"，{len(self.agencies_in)}/{agencies} 成员单位已报" if agencies else "")

    @property
    def missing_text(self) -> str:
        """The hover text of an incomplete figure: who is not in it."""
        parts = []
        if self.units_missing:
            parts.append("未报单位：" + "、".join(self.units_missing))
        if self.agencies_missing:
            parts.append("未报成员单位：" + "、".join(self.agencies_missing))
        return "；".join(parts) + "。" if parts else "各填报单位均已报送。"


def week_in_view(wh: Warehouse, as_of: dt.date) -> dt.date | None:
    """The newest report week that has ended by the as-of date: the last week the cumulative figures hold whole."""
    ended = [w for w in wh.campaign.report_weeks() if w + dt.timedelta(days=6) <= as_of]
    return ended[-1] if ended else None


def coverage(wh: Warehouse, as_of: dt.date) -> Coverage:
    """Which reporters the 统计表 figures hold for the week in view (live tables only)."""
    week = week_in_view(wh, as_of)
    if week is None:
        return Coverage(None, (), (), (), ())
    with wh.read() as cur:
        present = set(cur.execute(_sql("coverage_week"), {"week": week}).fetchall())
    split: dict[tuple[bool, bool], list[str]] = {(m, i): [] for m in (False, True) for i in (False, True)}
    for r in tracking.reporters(wh):
        split[(r.is_member_agency, (r.unit, r.agency) in present)].append(r.label)
    return Coverage(
        week,
        tuple(split[(False, True)]),
        tuple(split[(False, False)]),
        tuple(split[(True, True)]),
        tuple(split[(True, False)]),
    )


def from_weekly_tables(m: Metric) -> bool:
    """Whether a registry figure adds up weekly 统计表 (and so can lack reporters)."""
    return m.relation in WEEKLY_RELATIONS
