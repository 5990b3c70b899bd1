"""The campaign definition: everything the product knows about one 网剑行动, loaded from a TOML file.

The file is data (see data/campaigns/*.toml). This module only reads and validates it, so that a
broken definition fails at start-up with a message that names the offending key.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import settings


class CampaignError(ValueError):
    """A campaign definition that cannot be used. The message names the key."""


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    start: dt.date
    end: dt.date
    task: str


@dataclass(frozen=True)
class Deliverable:
    key: str
    label: str
    stage: str
    due: dt.date
    min_count: int
    distinct_violation_types: bool
    requires_decision_document: bool


@dataclass(frozen=True)
class TimeNode:
    key: str
    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Area:
    name: str
    nbs_code: str


@dataclass(frozen=True)
class Unit:
    key: str
    label: str
    nbs_code: str | None
    aliases: tuple[str, ...]
    areas: tuple[Area, ...] = ()


@dataclass(frozen=True)
class Agency:
    key: str
    label: str
    full_label: str
    lead: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class FocusArea:
    key: str
    label: str
    agencies: tuple[str, ...]


@dataclass(frozen=True)
class Measure:
    """A 统计表1 indicator or a 统计表2 column."""

    key: str
    label: str
    unit: str
    kind: str  # "count" (whole number) or "amount" (万元, two decimals)


@dataclass(frozen=True)
class ViolationType:
    key: str
    focus: str
    label: str


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    id_field: str
    date_field: str
    required: tuple[str, ...]
    personal: tuple[str, ...]
    headers: dict[str, tuple[str, ...]]
    phone: tuple[str, ...] = ()  # which personal columns hold the phone number (hashed for repeat counts)


@dataclass(frozen=True)
class Platform:
    """One e-commerce platform: the normalised name, spellings seen in exports, and web domains."""

    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]


@dataclass(frozen=True)
class ExportParsing:
    """Tokens for reading export cells ([export_parsing] in the campaign file)."""

    amount_units: tuple[str, ...] = ()
    ten_thousand_units: tuple[str, ...] = ()
    empty_marks: tuple[str, ...] = ()
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()
    place_suffixes: tuple[str, ...] = ()
    district_suffixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassificationRule:
    focus: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class StatsParsing:
    """Labels and synonyms for reading filled-in 统计表 ([stats_parsing] in the campaign file)."""

    reporter_labels: tuple[str, ...] = ()
    period_labels: tuple[str, ...] = ()
    table1_label_headers: tuple[str, ...] = ()
    table1_value_headers: tuple[str, ...] = ()
    table2_row_headers: tuple[str, ...] = ()
    total_labels: tuple[str, ...] = ()
    subtotal_labels: tuple[str, ...] = ()
    zero_marks: tuple[str, ...] = ()
    note_prefixes: tuple[str, ...] = ()
    indicator_synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    column_synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    violation_synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CalendarOverride:
    date: dt.date
    workday: bool
    note: str


@dataclass(frozen=True)
class Campaign:
    path: Path
    key: str
    name: str
    short_name: str
    city: str
    office: str
    office_short: str
    document: str
    start: dt.date
    end: dt.date
    first_week: dt.date
    last_week: dt.date
    due_working_days_after_week: int
    stages: tuple[Stage, ...]
    deliverables: tuple[Deliverable, ...]
    time_nodes: tuple[TimeNode, ...]
    calendar_overrides: tuple[CalendarOverride, ...]
    city_names: tuple[str, ...]
    province_prefixes: tuple[str, ...]
    default_unit: str
    outside_key: str
    outside_label: str
    units: tuple[Unit, ...]
    agencies: tuple[Agency, ...]
    focus_areas: tuple[FocusArea, ...]
    unclassified_key: str
    unclassified_label: str
    table1_title: str
    table1: tuple[Measure, ...]
    table2_title: str
    table2_columns: tuple[Measure, ...]
    table2_reconcile: tuple[str, ...]
    violation_types: tuple[ViolationType, ...]
    sources: dict[str, Source]
    online_consumption_modes: tuple[str, ...]
    classification_rules: tuple[ClassificationRule, ...]
    stats_parsing: StatsParsing = field(default_factory=StatsParsing)
    platforms: tuple[Platform, ...] = ()
    export_parsing: ExportParsing = field(default_factory=ExportParsing)
    _index: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    # Look-ups by key. Unknown keys raise KeyError: a typo in code should fail loudly.
    def unit(self, key: str) -> Unit:
        return self._index["units"][key]

    def agency(self, key: str) -> Agency:
        return self._index["agencies"][key]

    def focus_area(self, key: str) -> FocusArea:
        return self._index["focus_areas"][key]

    def unit_label(self, key: str) -> str:
        if key == self.outside_key:
            return self.outside_label
        return self.unit(key).label

    def focus_label(self, key: str) -> str:
        if key == self.unclassified_key:
            return self.unclassified_label
        return self.focus_area(key).label

    def report_weeks(self) -> list[dt.date]:
        """Mondays of the weeks that count."""
        weeks, d = [], self.first_week
        while d <= self.last_week:
            weeks.append(d)
            d += dt.timedelta(days=7)
        return weeks

    def stage_on(self, day: dt.date) -> list[Stage]:
        """Stages running on a day (they overlap in November, as the plan says)."""
        return [s for s in self.stages if s.start <= day <= s.end]


# --- validation helpers -------------------------------------------------------------------------


class _Reader:
    """Reads typed values out of the parsed TOML, naming the full key path on any error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> CampaignError:
        return CampaignError(f"活动定义文件 {self.path.name} 有误：{key} {message}")

    def get(self, table: dict, key: str, where: str, kind: type | tuple, default: Any = ...) -> Any:
        full = f"{where}.{key}" if where else key
        if key not in table:
            if default is ...:
                raise self.fail(full, "缺失（必填项）")
            return default
        value = table[key]
        if kind is dt.date and isinstance(value, dt.datetime):
            value = value.date()
        if kind is int and isinstance(value, bool):
            raise self.fail(full, f"应为整数，实际为 {value!r}")
        if not isinstance(value, kind):
            names = {
                str: "文本",
                int: "整数",
                bool: "true/false",
                dt.date: "日期（如 2018-07-31）",
                list: "列表",
                dict: "表",
            }
            expected = (
                names.get(kind, str(kind)) if isinstance(kind, type) else "/".join(names.get(k, str(k)) for k in kind)
            )
            raise self.fail(full, f"应为{expected}，实际为 {value!r}")
        if isinstance(value, str) and not value.strip():
            raise self.fail(full, "不能为空")
        return value

    def text(self, table: dict, key: str, where: str, default: Any = ...) -> str:
        return self.get(table, key, where, str, default)

    def date(self, table: dict, key: str, where: str) -> dt.date:
        return self.get(table, key, where, dt.date)

    def texts(self, table: dict, key: str, where: str, default: Any = ...) -> tuple[str, ...]:
        values = self.get(table, key, where, list, default)
        for i, v in enumerate(values):
            if not isinstance(v, str) or not v.strip():
                raise self.fail(f"{where}.{key}[{i}]", f"应为非空文本，实际为 {v!r}")
        return tuple(values)

    def tables(self, table: dict, key: str, where: str) -> list[tuple[str, dict]]:
        items = self.get(table, key, where, list)
        if not items:
            raise self.fail(f"{where}.{key}" if where else key, "不能为空")
        out = []
        for i, item in enumerate(items):
            w = f"{where}.{key}[{i}]" if where else f"{key}[{i}]"
            if not isinstance(item, dict):
                raise self.fail(w, "应为表")
            out.append((w, item))
        return out

    def unique(self, items: list[Any], where: str) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for item in items:
            if item.key in seen:
                raise self.fail(where, f"中的 key “{item.key}” 重复")
            seen[item.key] = item
        return seen

    def window(self, start: dt.date, end: dt.date, where: str) -> None:
        if end < start:
            raise self.fail(f"{where}.end", f"（{end}）早于 start（{start}）")


def load_campaign(path: str | os.PathLike | None = None) -> Campaign:
    """Load and validate a campaign definition. Raises CampaignError naming the bad key."""
    path = Path(path or settings.campaign_file())
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CampaignError(f"找不到活动定义文件 {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(f"活动定义文件 {path.name} 不是合法的 TOML：{exc}") from None
    return _build(raw, _Reader(path), path)


def _build(raw: dict, r: _Reader, path: Path) -> Campaign:
    c = r.get(raw, "campaign", "", dict)
    start, end = r.date(c, "start", "campaign"), r.date(c, "end", "campaign")
    r.window(start, end, "campaign")

    rep = r.get(raw, "reporting", "", dict)
    first_week, last_week = r.date(rep, "first_week", "reporting"), r.date(rep, "last_week", "reporting")
    for key, d in (("first_week", first_week), ("last_week", last_week)):
        if d.weekday() != 0:
            raise r.fail(f"reporting.{key}", f"（{d}）应为星期一：报告周以周一为键")
    r.window(first_week, last_week, "reporting")
    due_after = r.get(rep, "due_working_days_after_week", "reporting", int)
    if due_after < 1:
        raise r.fail("reporting.due_working_days_after_week", "应不小于 1")

    stages = []
    for w, s in r.tables(raw, "stages", ""):
        st = Stage(
            r.text(s, "key", w),
            r.text(s, "label", w),
            r.date(s, "start", w),
            r.date(s, "end", w),
            r.text(s, "task", w, ""),
        )
        r.window(st.start, st.end, w)
        stages.append(st)
    stage_index = r.unique(stages, "stages")

    deliverables = []
    for w, d in r.tables(raw, "deliverables", ""):
        item = Deliverable(
            r.text(d, "key", w),
            r.text(d, "label", w),
            r.text(d, "stage", w),
            r.date(d, "due", w),
            r.get(d, "min_count", w, int, 1),
            r.get(d, "distinct_violation_types", w, bool, False),
            r.get(d, "requires_decision_document", w, bool, False),
        )
        if item.stage not in stage_index:
            raise r.fail(f"{w}.stage", f"引用了不存在的阶段 “{item.stage}”")
        if item.min_count < 1:
            raise r.fail(f"{w}.min_count", "应不小于 1")
        deliverables.append(item)
    r.unique(deliverables, "deliverables")

    time_nodes = []
    for w, t in r.tables(raw, "time_nodes", ""):
        node = TimeNode(r.text(t, "key", w), r.text(t, "label", w), r.date(t, "start", w), r.date(t, "end", w))
        r.window(node.start, node.end, w)
        time_nodes.append(node)
    r.unique(time_nodes, "time_nodes")

    overrides = []
    for i, o in enumerate(raw.get("calendar_overrides", [])):
        w = f"calendar_overrides[{i}]"
        overrides.append(CalendarOverride(r.date(o, "date", w), r.get(o, "workday", w, bool), r.text(o, "note", w, "")))

    reg = r.get(raw, "regions", "", dict)

    units = []
    for w, u in r.tables(raw, "units", ""):
        areas = []
        for j, a in enumerate(r.get(u, "areas", w, list, [])):
            aw = f"{w}.areas[{j}]"
            areas.append(Area(r.text(a, "name", aw), r.text(a, "nbs_code", aw)))
        units.append(
            Unit(
                r.text(u, "key", w),
                r.text(u, "label", w),
                r.text(u, "nbs_code", w, None),
                r.texts(u, "aliases", w, ()),
                tuple(areas),
            )
        )
    unit_index = r.unique(units, "units")
    default_unit = r.text(reg, "default_unit", "regions")
    if default_unit not in unit_index:
        raise r.fail("regions.default_unit", f"引用了不存在的填报单位 “{default_unit}”")
    _check_aliases_unique([(u.key, (u.label, *u.aliases)) for u in units], r, "units")

    agencies = []
    for w, a in r.tables(raw, "agencies", ""):
        label = r.text(a, "label", w)
        agencies.append(
            Agency(
                r.text(a, "key", w),
                label,
                r.text(a, "full_label", w, label),
                r.get(a, "lead", w, bool, False),
                r.texts(a, "aliases", w, ()),
            )
        )
    agency_index = r.unique(agencies, "agencies")
    if sum(a.lead for a in agencies) != 1:
        raise r.fail("agencies", "中应恰有一个牵头单位（lead = true）")

    focus_areas = []
    for w, f in r.tables(raw, "focus_areas", ""):
        fa = FocusArea(r.text(f, "key", w), r.text(f, "label", w), r.texts(f, "agencies", w))
        for j, ag in enumerate(fa.agencies):
            if ag not in agency_index:
                raise r.fail(f"{w}.agencies[{j}]", f"引用了不存在的成员单位 “{ag}”")
        focus_areas.append(fa)
    focus_index = r.unique(focus_areas, "focus_areas")
    unc = r.get(raw, "unclassified", "", dict)
    unclassified_key = r.text(unc, "key", "unclassified")
    if unclassified_key in focus_index:
        raise r.fail("unclassified.key", f"“{unclassified_key}” 与重点工作的 key 重复")

    t1 = r.get(raw, "table1", "", dict)
    table1 = [_measure(r, w, m) for w, m in r.tables(t1, "indicators", "table1")]
    table1_index = r.unique(table1, "table1.indicators")
    t2 = r.get(raw, "table2", "", dict)
    table2_columns = [_measure(r, w, m) for w, m in r.tables(t2, "columns", "table2")]
    col_index = r.unique(table2_columns, "table2.columns")
    reconcile = r.texts(t2, "reconcile_with_table1", "table2", ())
    for j, k in enumerate(reconcile):
        if k not in col_index or k not in table1_index:
            raise r.fail(f"table2.reconcile_with_table1[{j}]", f"“{k}” 须同时是统计表1指标和统计表2列")
    violation_types = []
    for w, v in r.tables(t2, "violation_types", "table2"):
        vt = ViolationType(r.text(v, "key", w), r.text(v, "focus", w), r.text(v, "label", w))
        if vt.focus not in focus_index:
            raise r.fail(f"{w}.focus", f"引用了不存在的重点工作 “{vt.focus}”")
        violation_types.append(vt)
    r.unique(violation_types, "table2.violation_types")

    sources = {}
    for key, s in r.get(raw, "sources", "", dict).items():
        w = f"sources.{key}"
        headers_raw = r.get(s, "headers", w, dict)
        headers = {field_key: r.texts(headers_raw, field_key, f"{w}.headers") for field_key in headers_raw}
        src = Source(
            key,
            r.text(s, "label", w),
            r.text(s, "id_field", w),
            r.text(s, "date_field", w),
            r.texts(s, "required", w),
            r.texts(s, "personal", w, ()),
            headers,
            r.texts(s, "phone", w, ()),
        )
        if not set(src.phone) <= set(src.personal):
            raise r.fail(f"{w}.phone", "中的列须同时列在 personal 中")
        for req in (src.id_field, src.date_field, *src.required):
            if req not in headers:
                raise r.fail(f"{w}.required", f"中的字段 “{req}” 在 {w}.headers 中没有表头同义词")
        clash = set(src.personal) & {h for hs in headers.values() for h in hs}
        if clash:
            raise r.fail(f"{w}.personal", f"与表头同义词重叠：{sorted(clash)}（个人信息列不得入库）")
        sources[key] = src
    if not sources:
        raise r.fail("sources", "不能为空")

    online = r.get(raw, "online", "", dict)

    rules = []
    for w, rule in r.tables(raw, "classification_rules", ""):
        cr = ClassificationRule(r.text(rule, "focus", w), r.texts(rule, "keywords", w))
        if cr.focus not in focus_index:
            raise r.fail(f"{w}.focus", f"引用了不存在的重点工作 “{cr.focus}”")
        rules.append(cr)

    return Campaign(
        path=path,
        key=r.text(c, "key", "campaign"),
        name=r.text(c, "name", "campaign"),
        short_name=r.text(c, "short_name", "campaign"),
        city=r.text(c, "city", "campaign"),
        office=r.text(c, "office", "campaign"),
        office_short=r.text(c, "office_short", "campaign", ""),
        document=r.text(c, "document", "campaign", ""),
        start=start,
        end=end,
        first_week=first_week,
        last_week=last_week,
        due_working_days_after_week=due_after,
        stages=tuple(stages),
        deliverables=tuple(deliverables),
        time_nodes=tuple(time_nodes),
        calendar_overrides=tuple(overrides),
        city_names=r.texts(reg, "city_names", "regions"),
        province_prefixes=r.texts(reg, "province_prefixes", "regions", ()),
        default_unit=default_unit,
        outside_key=r.text(reg, "outside_key", "regions"),
        outside_label=r.text(reg, "outside_label", "regions"),
        units=tuple(units),
        agencies=tuple(agencies),
        focus_areas=tuple(focus_areas),
        unclassified_key=unclassified_key,
        unclassified_label=r.text(unc, "label", "unclassified"),
        table1_title=r.text(t1, "title", "table1"),
        table1=tuple(table1),
        table2_title=r.text(t2, "title", "table2"),
        table2_columns=tuple(table2_columns),
        table2_reconcile=reconcile,
        violation_types=tuple(violation_types),
        sources=sources,
        online_consumption_modes=r.texts(online, "consumption_modes", "online"),
        classification_rules=tuple(rules),
        stats_parsing=_stats_parsing(raw, r, table1_index, col_index, {v.key for v in violation_types}),
        platforms=_platforms(raw, r),
        export_parsing=ExportParsing(
            **{
                k: r.texts(r.get(raw, "export_parsing", "", dict, {}), k, "export_parsing", ())
                for k in ExportParsing.__dataclass_fields__
            }
        ),
        _index={"units": unit_index, "agencies": agency_index, "focus_areas": focus_index},
    )


def _platforms(raw: dict, r: _Reader) -> tuple[Platform, ...]:
    out = [
        Platform(r.text(p, "name", w), r.texts(p, "aliases", w, ()), r.texts(p, "domains", w, ()))
        for w, p in (r.tables(raw, "platforms", "") if "platforms" in raw else [])
    ]
    _check_aliases_unique([(p.name, (p.name, *p.aliases)) for p in out], r, "platforms")
    return tuple(out)


def _stats_parsing(raw: dict, r: _Reader, indicators: dict, columns: dict, violations: set[str]) -> StatsParsing:
    sp = r.get(raw, "stats_parsing", "", dict, {})
    w = "stats_parsing"
    lists = {
        name: r.texts(sp, name, w, ())
        for name in (
            "reporter_labels",
            "period_labels",
            "table1_label_headers",
            "table1_value_headers",
            "table2_row_headers",
            "total_labels",
            "subtotal_labels",
            "zero_marks",
            "note_prefixes",
        )
    }
    maps = {}
    for name, known in (
        ("indicator_synonyms", indicators),
        ("column_synonyms", columns),
        ("violation_synonyms", violations),
    ):
        table = r.get(sp, name, w, dict, {})
        for key in table:
            if key not in known:
                raise r.fail(f"{w}.{name}.{key}", "引用了不存在的 key")
        maps[name] = {key: r.texts(table, key, f"{w}.{name}") for key in table}
    return StatsParsing(**lists, **maps)


def _measure(r: _Reader, w: str, m: dict) -> Measure:
    kind = r.text(m, "kind", w)
    if kind not in ("count", "amount"):
        raise r.fail(f"{w}.kind", f"应为 count 或 amount，实际为 {kind!r}")
    return Measure(r.text(m, "key", w), r.text(m, "label", w), r.text(m, "unit", w), kind)


def _check_aliases_unique(entries: list[tuple[str, tuple[str, ...]]], r: _Reader, where: str) -> None:
    owner: dict[str, str] = {}
    for key, names in entries:
        for name in names:
            if owner.setdefault(name, key) != key:
                raise r.fail(where, f"中的名称 “{name}” 同时属于 {owner[name]} 和 {key}")
