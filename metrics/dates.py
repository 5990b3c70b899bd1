"""Which dates the data covers: the default as-of date of the whole app."""

from __future__ import annotations

import datetime as dt

from warehouse import Warehouse

# (relation, date expression) pairs whose latest value is "the data's latest date". These are the
# current-record views the loaders' migrations create; relations that do not exist yet are skipped.
DATA_DATE_COLUMNS: list[tuple[str, str]] = [
    ("v_complaints_current", "received_at"),
    ("v_hits_current", "detected_at"),
    ("v_stats_table1_current", "week_start + INTERVAL 6 DAY"),
]


def latest_data_date(wh: Warehouse) -> dt.date | None:
    """The latest date any loaded data speaks of, or None on an empty warehouse."""
    with wh.read() as cur:
        existing = {
            r[0]
            for r in cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        parts = [
            f"SELECT max(CAST({col} AS DATE)) AS d FROM {table}"  # noqa: S608 - fixed identifiers
            for table, col in DATA_DATE_COLUMNS
            if table in existing
        ]
        if not parts:
            return None
        (latest,) = cur.execute(f"SELECT max(d) FROM ({' UNION ALL '.join(parts)})").fetchone()  # noqa: S608
    return latest


def default_as_of(wh: Warehouse, today: dt.date | None = None) -> dt.date:
    """The data's latest date, clipped to the campaign; with no data, today clipped to the campaign."""
    c = wh.campaign
    day = latest_data_date(wh) or today or dt.date.today()
    return min(max(day, c.start), c.end)
