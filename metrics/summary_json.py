"""The summary other tools and checks read (`python -m metrics summary --json`)."""

from __future__ import annotations

import datetime as dt

from metrics.district import district_summary
from metrics.load_counts import exports_summary
from warehouse import Warehouse


def build_summary(wh: Warehouse, as_of: dt.date | None = None) -> dict:
    """Counts of distinct current records per source, and the weekly tables' cumulative totals.
    `as_of` limits every figure to data dated on or before that day; None means everything."""
    return {**exports_summary(wh, as_of), "district_stats": district_summary(wh, as_of)}
