"""12315 complaint/report/enquiry work orders (全国12315互联网平台导出)."""

from __future__ import annotations

from loaders.exports.load import loader_functions
from loaders.exports.spec import ExportSpec, register

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


sniff, load, undo_batch = loader_functions(SPEC)
