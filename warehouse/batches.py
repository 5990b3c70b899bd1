"""The batch (load) log: every file loaded, of any kind, is one row here, written in the loader's transaction."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from warehouse import Warehouse, load_sql


def find_duplicate(cur: duckdb.DuckDBPyConnection, kind: str, sha256: str) -> int | None:
    """The live batch that loaded byte-identical content of this kind, if any."""
    row = cur.execute(
        "SELECT batch_id FROM batches WHERE kind = ? AND sha256 = ? AND status = 'loaded' ORDER BY batch_id LIMIT 1",
        [kind, sha256],
    ).fetchone()
    return row[0] if row else None


def same_size_loaded(cur: duckdb.DuckDBPyConnection, kind: str, size_bytes: int) -> bool:
    """Whether a live batch of this kind has exactly this many bytes (the only ones a file can duplicate)."""
    row = cur.execute(
        "SELECT 1 FROM batches WHERE kind = ? AND size_bytes = ? AND status = 'loaded' LIMIT 1", [kind, size_bytes]
    ).fetchone()
    return row is not None


def insert_batch(
    cur: duckdb.DuckDBPyConnection,
    *,
    kind: str,
    file_name: str,
    sha256: str,
    size_bytes: int,
    loaded_by: str,
    unit: str | None = None,
    agency: str | None = None,
    week_start: dt.date | None = None,
    is_demo: bool = False,
    note: str | None = None,
) -> int:
    """A new batch row; its id taken from the sequence first (one form for both backends, no RETURNING needed)."""
    (batch_id,) = cur.execute("SELECT nextval('batch_id_seq')").fetchone()
    cur.execute(
        "INSERT INTO batches (batch_id, kind, file_name, sha256, size_bytes, unit, agency, week_start, is_demo, "
        "loaded_by, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, kind, file_name, sha256, size_bytes, unit, agency, week_start, is_demo, loaded_by, note],
    )
    return batch_id


def set_counts(
    cur: duckdb.DuckDBPyConnection, batch_id: int, *, rows_total: int, rows_loaded: int, rows_quarantined: int
) -> None:
    cur.execute(
        "UPDATE batches SET rows_total = ?, rows_loaded = ?, rows_quarantined = ? WHERE batch_id = ?",
        [rows_total, rows_loaded, rows_quarantined, batch_id],
    )


def mark_withdrawn(cur: duckdb.DuckDBPyConnection, batch_id: int, user: str) -> str:
    """Mark a live batch withdrawn and return its kind. The caller undoes its rows in the same transaction."""
    row = cur.execute("SELECT kind, status FROM batches WHERE batch_id = ?", [batch_id]).fetchone()
    if row is None:
        raise ValueError(f"批次 {batch_id} 不存在")
    if row[1] != "loaded":
        raise ValueError(f"批次 {batch_id} 已撤销，不能重复撤销")
    cur.execute(
        "UPDATE batches SET status = 'withdrawn', withdrawn_by = ?, withdrawn_at = current_timestamp "
        "WHERE batch_id = ?",
        [user, batch_id],
    )
    return row[0]


def list_batches(
    wh: Warehouse,
    kinds: list[str] | None = None,
    limit: int = 500,
    *,
    unit: str | None = None,
    agency: str | None = None,
) -> pl.DataFrame:
    """Batch history, newest first, for the upload page; `unit`/`agency` narrow it to one reporter's batches."""
    with wh.read() as cur:
        return cur.execute(
            load_sql("batches_list"), {"kinds": kinds, "limit": limit, "unit": unit, "agency": agency}
        ).pl()
