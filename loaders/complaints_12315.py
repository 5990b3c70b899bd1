"""12315 complaint/report/enquiry work orders (全国12315互联网平台导出)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from loaders.exports import ExportSpec, load_export, register, sniff_export, undo_export
from loaders.result import LoadResult
from warehouse import Warehouse

KIND = "complaints_12315"

SPEC = register(
    ExportSpec(
        kind=KIND,
        table="complaint_versions",
        sql="complaints",
        dates=("received_at", "closed_at"),
        amounts=("amount_involved", "recovered_loss"),
        flags=("to_case",),
        free_text=("content",),
        categories=("problem_category", "problem_subcategory"),
        region_fallback=("handling_dept",),
        online=True,
        online_mode="consumption_mode",
        columns=(
            "info_type",
            "channel",
            "consumption_mode",
            "goods_category",
            "problem_category",
            "problem_subcategory",
            "handling_dept",
            "status",
        ),
    )
)


def sniff(path: Path) -> float:
    return sniff_export(path, SPEC)


def load(wh: Warehouse, path: Path, *, user: str, is_demo: bool = False, **options) -> LoadResult:
    return load_export(wh, path, SPEC, user=user, is_demo=is_demo, **options)


def undo_batch(cur: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    undo_export(cur, batch_id, SPEC)
