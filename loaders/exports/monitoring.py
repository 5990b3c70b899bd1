"""Monitoring hits (网络交易监测线索). Classified by 线索类型; the unit comes from 属地, else from 承办单位."""

from __future__ import annotations

from loaders.exports.load import loader_functions
from loaders.exports.spec import ExportSpec, register

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


sniff, load, undo_batch = loader_functions(SPEC)
