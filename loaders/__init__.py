"""Loaders: file → warehouse. One module per source kind, each exposing the same three things:

- ``KIND``: its stable key (``complaints_12315``, ``price_12358``, ``monitoring``, ``district_stats``);
- ``sniff(path) -> float``: how well the file looks like this kind (0 = not at all, 1 = certain);
  must not raise for any input (a hostile or unreadable file scores 0);
- ``load(wh, path, *, user, is_demo=False, **options) -> LoadResult``: one file, one transaction;
  raises ``FileRejected`` for a file-level failure (the warehouse is left untouched);
- ``undo_batch(cur, batch_id)``: remove a batch's rows (and bring back what it superseded), inside the
  caller's transaction, for withdrawal (撤销).

This package never draws a widget.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import duckdb

from loaders.result import FileRejected, LoadResult, Problem
from warehouse import Warehouse
from warehouse.batches import mark_withdrawn

KINDS: dict[str, str] = {
    "complaints_12315": "12315投诉举报导出",
    "price_12358": "12358价格举报导出",
    "monitoring": "网络交易监测线索",
    "district_stats": "情况统计表（周报）",
}


def loader_for(kind: str) -> ModuleType:
    if kind not in KINDS:
        raise ValueError(f"未知的数据类型：{kind}（可选：{'、'.join(KINDS)}）")
    return importlib.import_module(f"loaders.{kind}")


def detect_kind(path: str | Path) -> str | None:
    """The kind whose sniff scores best, or None when nothing recognises the file. A kind whose loader
    module is not installed (yet) is skipped rather than breaking detection of the others."""
    scores = {}
    for kind in KINDS:
        try:
            module = loader_for(kind)
        except ModuleNotFoundError as exc:
            if exc.name != f"loaders.{kind}":
                raise
            continue
        scores[kind] = module.sniff(Path(path))
    if not scores:
        return None
    kind, score = max(scores.items(), key=lambda kv: kv[1])
    return kind if score > 0 else None


def load_file(
    wh: Warehouse,
    path: str | Path,
    *,
    user: str,
    kind: str = "auto",
    is_demo: bool = False,
    display_name: str | None = None,
    **options,
) -> LoadResult:
    """Load one file of any kind. Never raises for bad input: a refused file comes back as status 'rejected'."""
    path = Path(path)
    name = display_name or path.name
    if kind == "auto":
        kind = detect_kind(path)
        if kind is None:
            from loaders.core import file_level_problem

            return LoadResult(
                file=name,
                kind=None,
                status="rejected",
                errors=[
                    file_level_problem(path, name)  # empty, corrupt, hostile … said specifically
                    or Problem(
                        f"文件 {name} 无法识别：既不是 12315/12358/监测线索导出文件，也不是情况统计表。请检查文件内容，或指定数据类型。"
                    )
                ],
            )
    try:
        return loader_for(kind).load(wh, path, user=user, is_demo=is_demo, display_name=name, **options)
    except FileRejected as exc:
        return LoadResult(file=name, kind=kind, status="rejected", errors=exc.problems)


def withdraw(wh: Warehouse, batch_id: int, *, user: str) -> str:
    """撤销 a batch in one transaction: its rows go, and the versions it had superseded come back."""
    with wh.write() as cur:
        return withdraw_in(cur, batch_id, user=user)


def withdraw_in(cur: duckdb.DuckDBPyConnection, batch_id: int, *, user: str) -> str:
    """The withdrawal itself, inside the caller's transaction."""
    kind = mark_withdrawn(cur, batch_id, user)
    if kind in KINDS:
        loader_for(kind).undo_batch(cur, batch_id)
    return kind
