"""Monitoring hits (网络交易监测线索). Classified by 线索类型; the unit comes from 属地, else from 承办单位."""

from __future__ import annotations

from pathlib import Path

import duckdb

from loaders.exports import ExportSpec, load_export, register, sniff_export, undo_export
from loaders.result import LoadResult
from warehouse import Warehouse

KIND = "monitoring"

SPEC = register(
    ExportSpec(
        kind=KIND,
        table="hit_versions",
        sql="hits",
        dates=("detected_at", "assigned_at", "feedback_at"),
        free_text=("result",),
        categories=("hit_type",),
        region_fallback=("assigned_unit",),
        columns=("source_system", "subject_type", "shop_name", "url", "hit_type", "keyword", "assigned_unit", "status"),
    )
)


def sniff(path: Path) -> float:
    return sniff_export(path, SPEC)


def load(wh: Warehouse, path: Path, *, user: str, is_demo: bool = False, **options) -> LoadResult:
    return load_export(wh, path, SPEC, user=user, is_demo=is_demo, **options)


def undo_batch(cur: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    undo_export(cur, batch_id, SPEC)
