"""The warehouse: one embedded DuckDB file, owned by one process.

- One connection per process (the app keeps it in st.cache_resource).
- A cursor() per unit of work; results are materialised before they leave a function.
- Every write is one explicit BEGIN/COMMIT transaction behind one process-wide lock, and bumps the
  data version that caches are keyed on.
"""

from __future__ import annotations

import argparse
import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb

import settings
from campaign import Campaign, load_campaign
from campaign.calendar import WorkCalendar

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQL_DIR = Path(__file__).parent / "sql"


class WarehouseError(RuntimeError):
    """The warehouse file cannot be used as it is (newer schema, another campaign, edited migration)."""


def resolve_db_path(argv: Sequence[str] | None = None) -> Path:
    """--db PATH wins, then $WANGJIAN_DB, then data/wangjian.duckdb."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    known, _ = parser.parse_known_args(list(argv) if argv is not None else [])
    chosen = known.db or settings.db_path()
    return Path(chosen).expanduser().resolve()


@cache
def _read_sql_file(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load_sql(name: str, base: str | Path | None = None) -> str:
    """A named query from a .sql file: `load_sql("batches_list")` reads warehouse/sql/batches_list.sql;
    `load_sql("x", __file__)` reads sql/x.sql next to the calling module."""
    folder = SQL_DIR if base is None else Path(base).resolve().parent / "sql"
    return _read_sql_file(folder / f"{name}.sql")


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Warehouse:
    def __init__(self, path: str | Path, campaign: Campaign) -> None:
        self.path = Path(path)
        self.campaign = campaign
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.path))
        # current_timestamp is stored in TIMESTAMP columns as UTC, whatever the server's zone (warehouse.clock).
        self.con.execute("SET GLOBAL TimeZone = 'UTC'")
        self._lock = threading.RLock()
        try:
            migrate(self)
            from warehouse.reference import sync_reference

            sync_reference(self)
        except BaseException:
            self.con.close()
            raise

    # --- units of work ---------------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One explicit transaction behind the process-wide write lock. Any exception rolls it back."""
        with self.transaction(bump_version=True) as cur:
            yield cur

    @contextmanager
    def transaction(self, bump_version: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            cur = self.con.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                try:
                    yield cur
                    if bump_version:
                        cur.execute(
                            "INSERT INTO meta VALUES ('data_version', '1') ON CONFLICT (key) "
                            "DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS VARCHAR)"
                        )
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
            finally:
                cur.close()

    def data_version(self) -> int:
        """Changes on every committed write: the key for caches of query results."""
        with self.read() as cur:
            row = cur.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        return int(row[0]) if row else 0

    def calendar(self) -> WorkCalendar:
        """The working-day calendar with this warehouse's overrides (admin rows beat campaign rows)."""
        with self.read() as cur:
            rows = cur.execute(load_sql("calendar_overrides")).fetchall()
        return WorkCalendar.from_pairs(rows)

    def is_empty(self) -> bool:
        """True when no data file has been loaded (withdrawn batches count as gone)."""
        with self.read() as cur:
            (n,) = cur.execute("SELECT count(*) FROM batches WHERE status = 'loaded'").fetchone()
        return n == 0

    def close(self) -> None:
        self.con.close()


def open_warehouse(path: str | Path | None = None, campaign: Campaign | None = None) -> Warehouse:
    return Warehouse(path or resolve_db_path(), campaign or load_campaign())


# --- migrations ------------------------------------------------------------------------------------


def available_migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every NNN_name.sql file, in version order."""
    found = []
    for f in sorted(MIGRATIONS_DIR.glob("*.sql")):
        head, _, name = f.stem.partition("_")
        if not head.isdigit():
            raise WarehouseError(f"迁移文件名应为 NNN_名称.sql：{f.name}")
        found.append((int(head), name, f.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise WarehouseError(f"迁移版本号重复：{versions}")
    return found


def migrate(wh: Warehouse) -> list[int]:
    """Apply pending migrations forward, each in its own transaction. Returns the versions applied."""
    con = wh.con
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
        "checksum VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    applied = dict(con.execute("SELECT version, checksum FROM schema_migrations").fetchall())
    known = available_migrations()
    newest_known = max((v for v, _, _ in known), default=0)
    if applied and max(applied) > newest_known:
        raise WarehouseError(
            f"数据库 {wh.path.name} 的结构版本（{max(applied)}）比本程序（{newest_known}）新：请升级程序，不能降级使用。"
        )
    done = []
    for version, name, sql in known:
        checksum = hashlib.sha256(sql.encode()).hexdigest()
        if version in applied:
            if applied[version] != checksum:
                raise WarehouseError(f"已执行的迁移 {version:03d}_{name}.sql 被改动过：迁移只能新增，不能修改。")
            continue
        with wh.transaction(bump_version=False) as cur:
            for statement in cur.extract_statements(sql):
                cur.execute(statement)
            cur.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)", [version, name, checksum]
            )
        done.append(version)
    return done


def schema_version(wh: Warehouse) -> int:
    with wh.read() as cur:
        return cur.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
