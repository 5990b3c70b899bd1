"""[sources.*], [unit_kinds.*], [online], [[classification_rules]], [[platforms]], [export_parsing], [[statuses]]:
the export sources (12315, 12358, monitoring hits) and how their files are read, normalised and classified; the
upload kinds, every source plus the unit-bound kinds, with their labels; and what the records' statuses mean."""

from __future__ import annotations

from typing import Any

from campaign.model import (
    EXPORT,
    RECORDS,
    STATUS_MEANINGS,
    UNIT,
    UNIT_KINDS,
    ClassificationRule,
    ExportParsing,
    Platform,
    Source,
    Status,
    UploadKind,
)
from campaign.reader import Reader


def read(raw: dict, r: Reader, focus_areas: set[str]) -> dict[str, Any]:
    online = r.get(raw, "online", "", dict)
    export_parsing = r.get(raw, "export_parsing", "", dict, {})
    sources = _sources(raw, r)
    return {
        "sources": sources,
        "kinds": _kinds(raw, r, sources),
        "online_consumption_modes": r.texts(online, "consumption_modes", "online"),
        "classification_rules": _rules(raw, r, focus_areas),
        "platforms": _platforms(raw, r),
        "statuses": _statuses(raw, r),
        "export_parsing": ExportParsing(
            **{k: r.texts(export_parsing, k, "export_parsing", ()) for k in ExportParsing.__dataclass_fields__}
        ),
    }


def _sources(raw: dict, r: Reader) -> dict[str, Source]:
    sources = {}
    for key, s in r.get(raw, "sources", "", dict).items():
        w = f"sources.{key}"
        if key in UNIT_KINDS:
            raise r.fail(w, f"与上报类型 unit_kinds.{key} 重名：数据源的 key 不能是 {'、'.join(UNIT_KINDS)}")
        headers_raw = r.get(s, "headers", w, dict)
        headers = {field_key: r.texts(headers_raw, field_key, f"{w}.headers") for field_key in headers_raw}
        src = Source(
            key,
            r.text(s, "label", w),
            r.text(s, "records", w),
            r.text(s, "id_field", w),
            r.text(s, "date_field", w),
            r.texts(s, "required", w),
            r.texts(s, "personal", w, ()),
            headers,
            r.texts(s, "phone", w, ()),
        )
        if src.records not in RECORDS:
            raise r.fail(f"{w}.records", f"应为 {' 或 '.join(RECORDS)}，实际为 {src.records!r}")
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
    return sources


def _kinds(raw: dict, r: Reader, sources: dict[str, Source]) -> dict[str, UploadKind]:
    """Every export source (its own label), then each unit-bound kind the program knows, labelled here; each
    with its expected cadence (`cadence_days`, optional)."""
    kinds = {
        key: UploadKind(key, s.label, EXPORT, _cadence(r, raw["sources"][key], f"sources.{key}"))
        for key, s in sources.items()
    }
    table = r.get(raw, "unit_kinds", "", dict)
    for key in table:
        if key not in UNIT_KINDS:
            raise r.fail(f"unit_kinds.{key}", f"不是本程序的上报类型（应为 {'、'.join(UNIT_KINDS)}）")
    for key in UNIT_KINDS:
        w = f"unit_kinds.{key}"
        entry = r.get(table, key, "unit_kinds", dict)
        kinds[key] = UploadKind(key, r.text(entry, "label", w), UNIT, _cadence(r, entry, w))
    return kinds


def _cadence(r: Reader, table: dict, where: str) -> int | None:
    days = r.get(table, "cadence_days", where, int, None)
    if days is not None and days < 1:
        raise r.fail(f"{where}.cadence_days", "应不小于 1")
    return days


def _rules(raw: dict, r: Reader, focus_areas: set[str]) -> tuple[ClassificationRule, ...]:
    rules = []
    for w, rule in r.tables(raw, "classification_rules", ""):
        cr = ClassificationRule(r.text(rule, "focus", w), r.texts(rule, "keywords", w))
        if cr.focus not in focus_areas:
            raise r.fail(f"{w}.focus", f"引用了不存在的重点工作 “{cr.focus}”")
        rules.append(cr)
    return tuple(rules)


def _platforms(raw: dict, r: Reader) -> tuple[Platform, ...]:
    out = [
        Platform(r.text(p, "name", w), r.texts(p, "aliases", w, ()), r.texts(p, "domains", w, ()))
        for w, p in (r.tables(raw, "platforms", "") if "platforms" in raw else [])
    ]
    r.names_unique([(p.name, (p.name, *p.aliases)) for p in out], "platforms")
    return tuple(out)


def _statuses(raw: dict, r: Reader) -> tuple[Status, ...]:
    out = []
    for w, t in r.tables(raw, "statuses", "") if "statuses" in raw else []:
        status = Status(r.text(t, "label", w), r.text(t, "meaning", w), r.texts(t, "synonyms", w, ()))
        if status.meaning not in STATUS_MEANINGS:
            raise r.fail(f"{w}.meaning", f"应为 {'、'.join(STATUS_MEANINGS)} 之一，实际为 {status.meaning!r}")
        out.append(status)
    r.names_unique([(s.label, (s.label, *s.synonyms)) for s in out], "statuses")
    return tuple(out)
