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
    units = r.keyed(raw, "units", "", _unit)
    default_unit = r.text(reg, "default_unit", "regions")
    if default_unit not in units:
        raise r.fail("regions.default_unit", f"引用了不存在的填报单位 “{default_unit}”")
    r.names_unique([(u.key, (u.label, *u.aliases)) for u in units.values()], "units")

    agencies = r.keyed(raw, "agencies", "", _agency)
    if sum(a.lead for a in agencies.values()) != 1:
        raise r.fail("agencies", "中应恰有一个牵头单位（lead = true）")
    focus_areas = r.keyed(raw, "focus_areas", "", lambda r, w, f: _focus_area(r, w, f, agencies))
    unc = r.get(raw, "unclassified", "", dict)
    unclassified_key = r.text(unc, "key", "unclassified")
    if unclassified_key in focus_areas:
        raise r.fail("unclassified.key", f"“{unclassified_key}” 与重点工作的 key 重复")

    return {
        "city_names": r.texts(reg, "city_names", "regions"),
        "province_prefixes": r.texts(reg, "province_prefixes", "regions", ()),
        "default_unit": default_unit,
        "outside_key": r.text(reg, "outside_key", "regions"),
        "outside_label": r.text(reg, "outside_label", "regions"),
        "units": tuple(units.values()),
        "agencies": tuple(agencies.values()),
        "focus_areas": tuple(focus_areas.values()),
        "unclassified_key": unclassified_key,
        "unclassified_label": r.text(unc, "label", "unclassified"),
        "_index": {"units": units, "agencies": agencies, "focus_areas": focus_areas},
    }


def _unit(r: Reader, w: str, u: dict) -> Unit:
    areas = []
    for j, a in enumerate(r.get(u, "areas", w, list, [])):
        aw = f"{w}.areas[{j}]"
        areas.append(Area(r.text(a, "name", aw), r.text(a, "nbs_code", aw)))
    return Unit(
        r.text(u, "key", w),
        r.text(u, "label", w),
        r.text(u, "nbs_code", w, None),
        r.texts(u, "aliases", w, ()),
        tuple(areas),
    )


def _agency(r: Reader, w: str, a: dict) -> Agency:
    label = r.text(a, "label", w)
    return Agency(
        r.text(a, "key", w),
        label,
        r.text(a, "full_label", w, label),
        r.get(a, "lead", w, bool, False),
        r.texts(a, "aliases", w, ()),
    )


def _focus_area(r: Reader, w: str, f: dict, agencies: dict[str, Agency]) -> FocusArea:
    fa = FocusArea(r.text(f, "key", w), r.text(f, "label", w), r.texts(f, "agencies", w))
    for j, ag in enumerate(fa.agencies):
        if ag not in agencies:
            raise r.fail(f"{w}.agencies[{j}]", f"引用了不存在的成员单位 “{ag}”")
    return fa
