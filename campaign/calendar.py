"""Working days on the official calendar (chinesecalendar), with admin overrides, and report-week due dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import chinese_calendar


class WorkCalendar:
    """The official working-day calendar, 调休 included, corrected by an override table."""

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None) -> None:
        self.overrides = dict(overrides or {})

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[dt.date, bool]]) -> WorkCalendar:
        return cls(dict(pairs))

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the package does not know: fall back to Mon–Fri
            return day.weekday() < 5

    def next_workday_after(self, day: dt.date, n: int = 1) -> dt.date:
        """The n-th working day strictly after `day`."""
        d = day
        while n > 0:
            d += dt.timedelta(days=1)
            if self.is_workday(d):
                n -= 1
        return d

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many working days `end` lies after `start` (negative if before)."""
        if end == start:
            return 0
        sign, lo, hi = (1, start, end) if end > start else (-1, end, start)
        count, d = 0, lo
        while d < hi:
            d += dt.timedelta(days=1)
            count += self.is_workday(d)
        return sign * count

    def workdays_to(self, starts: Sequence[dt.date], end: dt.date) -> list[int]:
        """workdays_between(start, end) for many starts at once, in one walk over the calendar."""
        if not starts:
            return []
        lo, hi = min(*starts, end), max(*starts, end)
        cum, count, d = {lo: 0}, 0, lo
        while d < hi:
            d += dt.timedelta(days=1)
            count += self.is_workday(d)
            cum[d] = count
        return [cum[end] - cum[s] for s in starts]

    def week_due(self, monday: dt.date, working_days_after: int = 1) -> dt.date:
        """Due date of a report week keyed by its Monday: the end of the n-th working day after its Sunday."""
        if monday.weekday() != 0:
            raise ValueError(f"{monday} 不是星期一")
        return self.next_workday_after(monday + dt.timedelta(days=6), working_days_after)


def week_of(day: dt.date) -> dt.date:
    """The Monday that keys the report week containing `day`."""
    return day - dt.timedelta(days=day.weekday())
