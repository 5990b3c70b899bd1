"""What a document is about (Scope: the city, one unit, or one reporter) and what its sections share.

A document is a list of `Section`s. Each one has a title and a builder that writes into the document from
the same metrics functions the pages call; the document numbers the titles (一、二、…) in list order. Adding a
section (such as 督办事项, metrics.documents.followup) is one builder and one entry in a list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

from auth.policy import Principal
from metrics import registry
from metrics.documents.layout import OfficialDocument
from metrics.registry import Metric
from metrics.tracking import Reporter, reporters
from warehouse import Warehouse

NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Scope:
    """The whole city (unit None), one unit with all its reporters (agency None), or one reporter."""

    unit: str | None = None
    agency: str | None = None

    @property
    def is_city(self) -> bool:
        return self.unit is None

    def stats_where(self) -> dict[str, str] | None:
        """The registry filter for the weekly tables' figures."""
        where = {k: v for k, v in (("unit", self.unit), ("agency", self.agency)) if v is not None}
        return where or None

    def area_where(self) -> dict[str, str] | None:
        """The registry filter for complaints and monitoring hits (by the unit they fall to)."""
        return {"unit": self.unit} if self.unit else None

    def covers_area(self, wh: Warehouse) -> bool:
        """Complaints and hits belong to a unit's bureau, not to a city-level member agency's own pack."""
        return self.agency is None or any(a.key == self.agency and a.lead for a in wh.campaign.agencies)

    def reporters(self, wh: Warehouse) -> list[Reporter]:
        return [
            r
            for r in reporters(wh)
            if (self.unit is None or r.unit == self.unit) and (self.agency is None or r.agency == self.agency)
        ]

    def label(self, wh: Warehouse) -> str:
        c = wh.campaign
        if self.unit is None:
            return "全市"
        if self.agency is None or any(a.key == self.agency and a.lead for a in c.agencies):
            return c.unit_label(self.unit)
        return f"{c.unit_label(self.unit)}（{c.agency(self.agency).label}）"

    def slug(self) -> str:
        """For file names: city, wujin, city-psb."""
        return "-".join(x for x in (self.unit or "city", self.agency if self.unit == "city" else None) if x)


class Options(TypedDict, total=False):
    """What every document function takes besides the warehouse, the user and the as-of date."""

    scope: Scope  # default: the whole city
    generated_at: dt.datetime  # default: now; the only thing that differs between two runs over the same data
    with_charts: bool  # default: True


@dataclass(frozen=True)
class Request:
    as_of: dt.date
    scope: Scope
    generated_at: dt.datetime
    with_charts: bool

    @classmethod
    def of(cls, as_of: dt.date, options: Options) -> Request:
        stamp = options.get("generated_at") or dt.datetime.now().replace(microsecond=0)
        return cls(as_of, options.get("scope") or Scope(), stamp, options.get("with_charts", True))


@dataclass
class Context:
    wh: Warehouse
    doc: OfficialDocument
    scope: Scope
    as_of: dt.date
    principal: Principal  # who generates it: sections that read checked data (督办) read as them
    charts: bool = True
    missing: list[str] = field(default_factory=list)  # what the document could not include, said at the end

    def metric(self, key: str) -> Metric:
        return registry.get(self.wh.campaign, key)

    @property
    def who(self) -> str:
        return self.scope.label(self.wh)


@dataclass(frozen=True)
class Section:
    title: str
    build: Callable[[Context], None]
    applies: Callable[[Context], bool] = lambda _ctx: True


def write_sections(ctx: Context, sections: list[Section]) -> None:
    """Each applicable section under a numbered heading, in list order."""
    shown = [s for s in sections if s.applies(ctx)]
    for i, s in enumerate(shown):
        ctx.doc.heading(f"{NUMERALS[i]}、{s.title}")
        s.build(ctx)


def city_only(ctx: Context) -> bool:
    return ctx.scope.is_city


def with_area(ctx: Context) -> bool:
    return ctx.scope.covers_area(ctx.wh)


def fill_in(title: str, *prompts: str) -> Section:
    """A section the office writes by hand: its heading and what to write, greyed."""

    def build(ctx: Context) -> None:
        for p in prompts:
            ctx.doc.fill_in(p)

    return Section(title, build)
