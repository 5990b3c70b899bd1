"""12358 price reports (全国12358价格监管平台导出). Classified by 价格违法行为; online when a platform is named."""

from __future__ import annotations

from pathlib import Path

import duckdb

from loaders.exports import ExportSpec, load_export, register, sniff_export, undo_export
from loaders.result import LoadResult
from warehouse import Warehouse

KIND = "price_12358"

SPEC = register(
    ExportSpec(
        kind=KIND,
        table="complaint_versions",
        sql="complaints",
        dates=("received_at", "closed_at"),
        amounts=("recovered_loss",),
        free_text=("content",),
        categories=("price_violation",),
        online=True,
        columns=("info_type", "price_violation", "status"),
    )
)


def sniff(path: Path) -> float:
    return sniff_export(path, SPEC)


def load(wh: Warehouse, path: Path, *, user: str, is_demo: bool = False, **options) -> LoadResult:
    return load_export(wh, path, SPEC, user=user, is_demo=is_demo, **options)


def undo_batch(cur: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    undo_export(cur, batch_id, SPEC)
