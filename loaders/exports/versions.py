"""Which version of each record is current, after a load and on withdrawal (撤销)."""

from __future__ import annotations

import duckdb

from loaders.exports.spec import ExportSpec, spec_id_column
from warehouse import load_sql


def refresh_current(
    cur: duckdb.DuckDBPyConnection, spec: ExportSpec, batch_id: int | None, withdrawing: bool = False
) -> None:
    """Maintain the is_current flag of every record this batch touches (None: every record), inside the
    caller's transaction: after a load (its versions may now win) or before a withdrawal (they must stop
    winning)."""
    if batch_id is not None and not withdrawing:
        (others,) = cur.execute(
            f"SELECT EXISTS (SELECT 1 FROM {spec.table} WHERE source = ? AND batch_id <> ?)",  # noqa: S608 - table from a spec
            [spec.kind, batch_id],
        ).fetchone()
        if not others:  # the first load of this source: every version is current by the column's default
            return
    cur.execute(
        load_sql("refresh_current", __file__).format(table=spec.table, id=spec_id_column(spec)),
        {"keys_batch": batch_id, "exclude_batch": batch_id if withdrawing else -1},
    )


def undo_export(cur: duckdb.DuckDBPyConnection, batch_id: int, spec: ExportSpec) -> None:
    """Withdrawal: the batch's versions and quarantined rows go; the versions it superseded become current
    again (the flag is re-decided before the rows go)."""
    refresh_current(cur, spec, batch_id, withdrawing=True)
    cur.execute(f"DELETE FROM {spec.table} WHERE batch_id = ?", [batch_id])  # noqa: S608 - table from a spec, not input
    cur.execute("DELETE FROM export_quarantine WHERE batch_id = ?", [batch_id])
