"""The append-only audit trail: one row per login, upload, withdrawal, export and change to users or rules.

It needs only a cursor (or an object whose .write() gives one), so it does not import the warehouse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auth.policy import Principal

if TYPE_CHECKING:
    import duckdb

    from warehouse import Warehouse


def audit(
    cur: duckdb.DuckDBPyConnection,
    p: Principal | str,
    action: str,
    target: str | None = None,
    sha256: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one row to the trail, inside the caller's transaction."""
    username = p.username if isinstance(p, Principal) else p
    cur.execute(
        "INSERT INTO audit_log (username, action, target, sha256, detail) VALUES (?, ?, ?, ?, ?)",
        [username, action, target, sha256, detail],
    )


def record(
    wh: Warehouse,
    p: Principal | str,
    action: str,
    target: str | None = None,
    sha256: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one row to the trail in its own transaction. No figure is computed from the trail, so the data version
    (the caches' key, and what moves the sidebar's default date) stays as it was: an export or a generated document
    neither empties every cache nor moves anyone's date."""
    with wh.transaction(bump_version=False) as cur:
        audit(cur, p, action, target, sha256, detail)
