"""Few-valued text → keys, mapped once per distinct value: region → unit, platforms, focus areas."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import polars as pl

from campaign import Campaign
from loaders.reading.text import fold


def map_values(series: pl.Series, fn: Callable[[str], object]) -> dict[str, object]:
    """fn applied once per distinct non-null value: regions, platforms and categories repeat a lot."""
    return {v: fn(v) for v in series.drop_nulls().unique().to_list()}


class UnitResolver:
    """Region or address text → (unit key, inferred).

    经开区 streets/towns win over 武进区; unit labels and aliases next (longest first); an address whose first
    place name is another city or province is ``outside``; one naming only 常州市, or no district, is the
    default unit (市本级), flagged inferred."""

    def __init__(self, c: Campaign) -> None:
        self.c = c
        self.areas = [(fold(a.name), u.key) for u in c.units for a in u.areas]
        city_names = {fold(n) for n in c.city_names}
        names = []
        for u in c.units:
            for n in (u.label, *u.aliases):
                f = fold(n)
                if f and f not in city_names:
                    names.append((f, u.key))
        self.names = sorted(names, key=lambda x: -len(x[0]))
        self.city_names = sorted(city_names, key=len, reverse=True)
        self.province = sorted((fold(p) for p in c.province_prefixes), key=len, reverse=True)
        known = {n for n, _ in names} | city_names
        self.known_places = known
        ep = c.export_parsing
        stop = "".join(sorted({ch for s in ep.district_suffixes for ch in s}))
        suffixes = "|".join(re.escape(s) for s in sorted(ep.place_suffixes, key=len, reverse=True))
        self.first_place = (
            re.compile(f"^([^{re.escape(stop)}{re.escape(''.join(ep.place_suffixes))}]{{2,7}}?(?:{suffixes}))")
            if suffixes
            else None
        )

    def resolve(self, text: str | None) -> tuple[str | None, bool]:
        t = fold(text)
        if not t:
            return None, True
        for area, key in self.areas:
            if area in t:
                return key, False
        rest = t
        for p in self.province:
            if rest.startswith(p):
                rest = rest[len(p) :]
                break
        if self.first_place is not None:
            m = self.first_place.match(rest)
            if m and m.group(1) not in self.known_places:
                return self.c.outside_key, False
        for name, key in self.names:
            if name in t:
                return key, False
        return self.c.default_unit, True


class PlatformNormalizer:
    def __init__(self, c: Campaign) -> None:
        self.alias = {}
        self.domains = []
        for p in c.platforms:
            for n in (p.name, *p.aliases):
                self.alias[fold(n).lower()] = p.name
            self.domains += [(d.lower(), p.name) for d in p.domains]

    def normalize(self, text: str | None) -> str | None:
        t = fold(text)
        if not t:
            return None
        low = t.lower()
        if low in self.alias:
            return self.alias[low]
        host = re.match(r"^(?:[a-z]+://)?([a-z0-9.-]+\.[a-z]{2,})(?:[:/?#]|$)", low)
        if host:
            h = host.group(1)
            for d, name in self.domains:
                if h == d or h.endswith("." + d):
                    return name
            return h
        return t


def classify(rules: Sequence[tuple[str, str]], unclassified: str, *texts: str | None) -> str:
    """The first rule (in priority order) whose keyword occurs in any category field; else unclassified."""
    joined = "|".join(fold(t) for t in texts if t)
    if joined:
        for focus, keyword in rules:
            if keyword and fold(keyword) in joined:
                return focus
    return unclassified
