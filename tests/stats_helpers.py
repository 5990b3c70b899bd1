"""Helpers for the weekly-table tests: build filled tables with openpyxl and load them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from datagen.stats import generate_values, write_filled_table
from loaders.result import LoadResult
from loaders.weekly.district_stats import load
from warehouse import Warehouse

W0806 = dt.date(2018, 8, 6)


def expected_summary(wh: Warehouse, tables: list[tuple[dict, dict]]) -> tuple[dict, dict]:
    """Σ of several (table1, table2) value sets, rounded like district_summary."""
    c = wh.campaign
    t1 = {m.key: 0.0 for m in c.table1}
    t2 = {v.key: {m.key: 0.0 for m in c.table2_columns} for v in c.violation_types}
    for a, b in tables:
        for k, v in a.items():
            t1[k] += v
        for vk, cols in b.items():
            for k, v in cols.items():
                t2[vk][k] += v
    kinds1 = {m.key: m.kind for m in c.table1}
    kinds2 = {m.key: m.kind for m in c.table2_columns}
    return (
        {k: round(v, 2) if kinds1[k] == "amount" else round(v) for k, v in t1.items()},
        {
            vk: {k: round(v, 2) if kinds2[k] == "amount" else round(v) for k, v in cols.items()}
            for vk, cols in t2.items()
        },
    )


def make_and_load(
    wh: Warehouse, tmp_path: Path, unit: str = "wujin", agency: str = "aic", week: dt.date = W0806, **kw
) -> LoadResult:
    load_opts = {k: kw.pop(k) for k in ("form_unit", "form_agency", "form_week", "received_on") if k in kw}
    name = kw.pop("name", f"统计表_{unit}_{agency}_{week}_{len(list(tmp_path.iterdir()))}.xlsx")
    path = write_filled_table(tmp_path / name, unit, agency, week, campaign=wh.campaign, **kw)
    return load(
        wh,
        path,
        user="tester",
        unit=load_opts.get("form_unit"),
        agency=load_opts.get("form_agency"),
        week=load_opts.get("form_week"),
        received_on=load_opts.get("received_on"),
    )


def values(wh: Warehouse, unit: str, week: dt.date, seed: int = 0, agency: str = "aic") -> tuple[dict, dict]:
    return generate_values(wh.campaign, unit, agency, week, seed)


def batch_count(wh: Warehouse) -> int:
    with wh.read() as cur:
        return cur.execute("SELECT count(*) FROM batches").fetchone()[0]
