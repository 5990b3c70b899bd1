"""12358 price reports (全国12358价格监管平台导出). Classified by 价格违法行为; online when a platform is named."""

from __future__ import annotations

from loaders.exports.load import loader_functions
from loaders.exports.spec import ExportSpec, register

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


sniff, load, undo_batch = loader_functions(SPEC)
