"""The warehouse's own time stamps and the office's clock.

What the warehouse stamps itself (loaded_at, withdrawn_at, logged_at, created_at, locked_until) is UTC, without a
zone, whatever the server's time zone: the connection's TimeZone is set to UTC (Warehouse), and Python code stamps
with utc_now(). People read those stamps in the office's time, Asia/Shanghai: every page converts them with
to_office / office_columns. Times that come from the exports themselves (登记时间, 发现时间) are the office's
already and are never converted.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl

OFFICE_TZ_NAME = "Asia/Shanghai"
OFFICE_TZ = ZoneInfo(OFFICE_TZ_NAME)


def utc_now() -> dt.datetime:
    """Now, as the warehouse stores it: UTC without a zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def to_office(stamp: dt.datetime | None) -> dt.datetime | None:
    """A warehouse stamp (UTC, no zone) as the office's wall-clock time (no zone)."""
    if stamp is None:
        return None
    return stamp.replace(tzinfo=dt.UTC).astimezone(OFFICE_TZ).replace(tzinfo=None)


def office_day_start(day: dt.date) -> dt.datetime:
    """The UTC stamp at which an office day begins (for filtering warehouse stamps by the office's days)."""
    return dt.datetime.combine(day, dt.time(), OFFICE_TZ).astimezone(dt.UTC).replace(tzinfo=None)


def office_columns(df: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """A frame whose warehouse-stamp columns are turned into the office's wall-clock time."""
    return df.with_columns(
        pl.col(c).dt.replace_time_zone("UTC").dt.convert_time_zone(OFFICE_TZ_NAME).dt.replace_time_zone(None)
        for c in columns
        if c in df.columns
    )
