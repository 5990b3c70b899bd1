"""What a campaign is: the typed, frozen model the rest of the product reads (built by campaign.load)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Upload kinds come in two families. An export source ([sources.*] in the campaign file) is loaded by analysts;
# a unit-bound kind is uploaded by one unit's staff, for their own unit and agency only. Which kinds are
# unit-bound is the program's to say, not the file's: their loaders (loaders.weekly.district_stats, .deliverables) and
# forms are code. So it is this one constant, which auth.policy reads without loading a campaign; the campaign
# file gives each its label ([unit_kinds.*]) and is refused when one is missing.
EXPORT = "export"
UNIT = "unit"
UNIT_KINDS = ("district_stats", "deliverable")

# What an export source's rows become: complaints (投诉举报, analysed together on 投诉分析) or monitoring hits.
RECORDS = ("complaints", "hits")

# What a work-order status means ([[statuses]]): waiting for someone, being worked on, finished with a result,
# closed without one. Pages give each meaning one colour family, so a status looks the same everywhere.
STATUS_MEANINGS = ("pending", "active", "done", "dismissed")


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
    records: str  # one of RECORDS
    id_field: str
    date_field: str
    required: tuple[str, ...]
    personal: tuple[str, ...]
    headers: dict[str, tuple[str, ...]]
    phone: tuple[str, ...] = ()  # which personal columns hold the phone number (hashed for repeat counts)


@dataclass(frozen=True)
class Status:
    """A work-order status as users should see it, what it means (one of STATUS_MEANINGS), and other spellings of
    the same status in exports (merged where statuses are shown or grouped; stored rows keep the export's words)."""

    label: str
    meaning: str
    synonyms: tuple[str, ...] = ()

    @property
    def key(self) -> str:  # for Reader.unique
        return self.label


@dataclass(frozen=True)
class UploadKind:
    """Something a user uploads, by its stable key: an export source or a unit-bound kind (family EXPORT/UNIT)."""

    key: str
    label: str
    family: str
    cadence_days: int | None = None  # how often fresh data is expected; older than this, freshness turns amber


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
    kinds: dict[str, UploadKind] = field(default_factory=dict)  # the export sources first, in the file's order
    statuses: tuple[Status, ...] = ()
    office_timezone: str = "Asia/Shanghai"  # load times are shown in the office's time
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

    def status(self, written: str | None) -> Status | None:
        """The status an export's word stands for (its label or a synonym), or None for a word not listed."""
        return self._index["statuses"].get(written) if written else None

    def status_label(self, written: str | None) -> str | None:
        """A status as users see it: the label of the status a word stands for, else the word as written."""
        s = self.status(written)
        return s.label if s else written

    def status_spellings(self, label: str) -> tuple[str, ...]:
        """Every word exports use for a status (its label and synonyms): what a filter on it matches."""
        s = self.status(label)
        return (s.label, *s.synonyms) if s else (label,)

    def reporter_label(self, unit: str, agency: str) -> str:
        """How a (unit, agency) that reports is named to users: 武进区, 市本级, 市公安局."""
        return self.unit(unit).label if self.agency(agency).lead else self.agency(agency).label

    def focus_label(self, key: str) -> str:
        if key == self.unclassified_key:
            return self.unclassified_label
        return self.focus_area(key).label

    def kind_label(self, key: str) -> str:
        """What users call an upload kind: a source's label, or a unit-bound kind's ([unit_kinds.*])."""
        return self.kinds[key].label

    @property
    def export_kinds(self) -> tuple[str, ...]:
        """The export sources, in the file's order: what analysts load."""
        return tuple(k for k, kind in self.kinds.items() if kind.family == EXPORT)

    @property
    def complaint_sources(self) -> tuple[str, ...]:
        """The export sources whose rows are complaints (records = "complaints"), counted together on 投诉分析."""
        return tuple(k for k, s in self.sources.items() if s.records == "complaints")

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
