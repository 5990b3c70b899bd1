"""[regions], [[units]], [[agencies]], [[focus_areas]], [unclassified]: who reports (units and their areas),
who takes part (member agencies), and which agencies answer for which focus area."""

from __future__ import annotations

from typing import Any

from campaign.model import Agency, Area, FocusArea, Unit
from campaign.reader import Reader


def read(raw: dict, r: Reader) -> dict[str, Any]:
    """The fields, and `_index` (key → item for units, agencies and focus areas) that other sections check
    their references against."""
    reg = r.get(raw, "regions", "", dict)
    units = _units(raw, r)
    unit_index = r.unique(units, "units")
    default_unit = r.text(reg, "default_unit", "regions")
    if default_unit not in unit_index:
        raise r.fail("regions.default_unit", f"引用了不存在的填报单位 “{default_unit}”")
    r.names_unique([(u.key, (u.label, *u.aliases)) for u in units], "units")

    agencies = _agencies(raw, r)
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

    return {
        "city_names": r.texts(reg, "city_names", "regions"),
        "province_prefixes": r.texts(reg, "province_prefixes", "regions", ()),
        "default_unit": default_unit,
        "outside_key": r.text(reg, "outside_key", "regions"),
        "outside_label": r.text(reg, "outside_label", "regions"),
        "units": tuple(units),
        "agencies": tuple(agencies),
        "focus_areas": tuple(focus_areas),
        "unclassified_key": unclassified_key,
        "unclassified_label": r.text(unc, "label", "unclassified"),
        "_index": {"units": unit_index, "agencies": agency_index, "focus_areas": focus_index},
    }


def _units(raw: dict, r: Reader) -> list[Unit]:
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
    return units


def _agencies(raw: dict, r: Reader) -> list[Agency]:
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
    return agencies
