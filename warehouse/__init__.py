"""The warehouse: an embedded DuckDB file owned by one process (the default), or a DuckLake shared by several.

- One connection per process (the app keeps it in st.cache_resource).
- A cursor() per unit of work; results are materialised before they leave a function.
- Every write is one explicit BEGIN/COMMIT transaction behind one process-wide lock, and bumps the
  data version (a row of `meta`) that caches are keyed on.

The target is a file path, or `ducklake:postgres:dbname=… host=… user=…` (catalogue in PostgreSQL, data as
Parquet under $WANGJIAN_DATA_PATH): `--db` wins, then $WANGJIAN_WAREHOUSE, then $WANGJIAN_DB, then
data/wangjian.duckdb. On DuckLake the same schema, transactions and data version hold, made as follows:

- writes of all processes are serialised by a PostgreSQL advisory lock taken before BEGIN and held to COMMIT
  (warehouse.ducklake); a write that waits longer than $WANGJIAN_WRITE_WAIT seconds, or whose commit conflicts
  with a writer outside the app, is refused whole with a Chinese message (`WarehouseBusy`), never half-applied;
- a read is one snapshot (a read-only transaction), so a page sees another process's load all at once or not;
- migrations go through warehouse.ducklake_ddl: the supported DDL is ordinary DuckDB DDL (CREATE TABLE with
  PRIMARY KEY/UNIQUE/CHECK/NOT NULL/DEFAULT, CREATE SEQUENCE + DEFAULT nextval, CREATE [UNIQUE] INDEX, views,
  macros, ALTER TABLE ADD/ALTER COLUMN with constant defaults, UPDATE/INSERT); keys and checks are checked by
  the warehouse before each commit, sequences are kept in lake_sequences, indexes are dropped;
- a one-row `INSERT INTO t (cols) VALUES (…) RETURNING id`, id from `DEFAULT nextval`, is emulated
  (warehouse.ducklake_writes); not available on DuckLake, so not to be used in new SQL: INSERT … ON CONFLICT /
  INSERT OR REPLACE (use UPDATE-then-INSERT, DELETE-then-INSERT or MERGE INTO) and other RETURNING forms.
"""

from __future__ import annotations

import argparse
import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

import duckdb

import settings
from campaign import Campaign, load_campaign
from campaign.calendar import WorkCalendar
from warehouse import ducklake
from warehouse.ducklake_ddl import Constraint, split_statements, translate
from warehouse.ducklake_writes import SEQUENCES_DDL, LakeCursor, check_constraints, save_sequences, start_sequences

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQL_DIR = Path(__file__).parent / "sql"
MIGRATIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
    "checksum VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
)


class WarehouseError(RuntimeError):
    """The warehouse cannot be used as it is (newer schema, another campaign, edited migration, unreachable)."""


class WarehouseBusy(WarehouseError):
    """A write on a shared warehouse was refused whole: the write lock was held too long, or the commit conflicted."""


def resolve_db_path(argv: Sequence[str] | None = None) -> Path | str:
    """The warehouse target: --db wins, then $WANGJIAN_WAREHOUSE, then $WANGJIAN_DB, then data/wangjian.duckdb.
    A file is returned as a resolved Path, a DuckLake as its `ducklake:…` string."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    known, _ = parser.parse_known_args(list(argv) if argv is not None else [])
    chosen = known.db or settings.warehouse() or str(settings.db_path())
    return chosen if ducklake.is_lake(chosen) else Path(chosen).expanduser().resolve()


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
    """One process's handle on the warehouse (the file, or the shared DuckLake): reads, writes, the data version."""

    def __init__(self, path: str | Path, campaign: Campaign, data_path: str | Path | None = None) -> None:
        self.campaign = campaign
        self._lock = threading.RLock()
        self._lake: ducklake.WriteLock | None = None
        self._lake_ready = False  # lake_sequences exists (after the bootstrap)
        self._lake_depth = 0  # transactions of this thread inside the held write lock
        self.constraints: list[Constraint] = []  # DuckLake: the keys and checks the warehouse enforces
        if ducklake.is_lake(path):
            data = data_path or settings.data_path()
            self.location, self.name = str(path), ducklake.describe(str(path))
            self.path = Path(data) if data else None  # DuckLake: the data path it was opened with
            self.con = _open_lake(self.location, self.path)
            try:
                self._lake = ducklake.WriteLock(self.con, self.location)
            except ducklake.LakeError as exc:
                self.con.close()
                raise WarehouseError(str(exc)) from None
        else:
            self.path = Path(path)
            self.location, self.name = str(self.path), self.path.name
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path))
        # current_timestamp is stored in TIMESTAMP columns as UTC, whatever the server's zone (warehouse.clock).
        self.con.execute("SET GLOBAL TimeZone = 'UTC'")
        try:
            migrate(self)
            from warehouse.reference import sync_reference

            sync_reference(self)
        except BaseException:
            self.close()
            raise

    @property
    def is_lake(self) -> bool:
        return self._lake is not None

    # --- units of work ---------------------------------------------------------------------------
    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self.con.cursor()
        if self._lake is not None:
            cur.execute(f"USE {ducklake.LAKE}")  # the default catalogue is per connection
        return cur

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reading. On DuckLake its queries share one snapshot (a read-only transaction)."""
        cur = self._cursor()
        try:
            if self._lake is not None:
                cur.execute("BEGIN TRANSACTION")
            yield cur
        finally:
            if self._lake is not None:
                with suppress(duckdb.Error):
                    cur.execute("ROLLBACK")
            cur.close()

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One explicit transaction behind the write lock (process-wide; on DuckLake catalogue-wide too).
        Any exception rolls it back."""
        with self.transaction(bump_version=True) as cur:
            yield cur

    @contextmanager
    def transaction(self, bump_version: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock, self._lake_lock():
            cur = self._cursor()
            work = LakeCursor(cur) if self._lake is not None else cur
            try:
                cur.execute("BEGIN TRANSACTION")
                try:
                    if self._lake_ready:
                        start_sequences(cur)
                    yield work
                    if bump_version:
                        (changed,) = work.execute(
                            "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                            "WHERE key = 'data_version'"
                        ).fetchone()
                        if not changed:
                            work.execute("INSERT INTO meta VALUES ('data_version', '1')")
                    if isinstance(work, LakeCursor):
                        save_sequences(cur)
                        check_constraints(cur, self.constraints, work.written)
                    self._commit(cur)
                except BaseException:
                    with suppress(duckdb.Error):  # a failed COMMIT has already ended the transaction
                        cur.execute("ROLLBACK")
                    raise
            finally:
                cur.close()

    @contextmanager
    def _lake_lock(self) -> Iterator[None]:
        """DuckLake: hold the catalogue-wide write lock from before BEGIN to after COMMIT (once per thread: the
        process lock is re-entrant, so a write inside a write keeps the lock it has)."""
        first = self._lake is not None and self._lake_depth == 0
        if first:
            try:
                self._lake.acquire(settings.write_wait_seconds())
            except ducklake.LakeBusy as exc:
                raise WarehouseBusy(str(exc)) from None
        self._lake_depth += 1
        try:
            yield
        finally:
            self._lake_depth -= 1
            if first:
                self._lake.release()

    def _commit(self, cur: duckdb.DuckDBPyConnection) -> None:
        try:
            cur.execute("COMMIT")
        except duckdb.TransactionException as exc:
            if self._lake is not None and ducklake.is_conflict(exc):
                raise WarehouseBusy(ducklake.conflict_message(self.location)) from exc
            raise

    def checkpoint(self) -> None:
        """Compact the storage under the write lock; `python -m warehouse maintain` runs it. On DuckLake: flush the
        inlined rows, merge the small files each write leaves, and delete the files merged away more than a day ago
        (no reader is still on them). Not DuckLake's blanket CHECKPOINT: its orphan sweep would delete any file of
        the data path this catalogue does not know — another lake's sharing the path, or an uncommitted write's."""
        with self._lock, self._lake_lock():
            cur = self._cursor()
            try:
                for statement in ducklake.MAINTENANCE if self._lake is not None else ("CHECKPOINT",):
                    cur.execute(statement)
            finally:
                cur.close()

    def data_version(self) -> int:
        """Changes on every committed write (of any process sharing the warehouse): the key for caches."""
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
        if self._lake is not None:
            self._lake.close()
        self.con.close()


def _open_lake(target: str, data_path: Path | None) -> duckdb.DuckDBPyConnection:
    try:
        return ducklake.connect(target, data_path)
    except ducklake.LakeError as exc:
        raise WarehouseError(str(exc)) from None


def open_warehouse(path: str | Path | None = None, campaign: Campaign | None = None) -> Warehouse:
    """The warehouse at `path` (a file or a `ducklake:` target; default: resolve_db_path())."""
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
    """Apply pending migrations forward, each in its own transaction (one that another process sharing the
    warehouse applied meanwhile is skipped). Returns the versions applied."""
    bootstrap = [SEQUENCES_DDL, MIGRATIONS_DDL] if wh.is_lake else [MIGRATIONS_DDL]
    with wh.read() as cur:
        (present,) = cur.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
            "AND table_name IN ('schema_migrations', 'lake_sequences')"
        ).fetchone()
    if present < len(bootstrap):  # a new warehouse (a write only then: opening never queues for the lock)
        with wh.transaction(bump_version=False) as cur:
            for statement in bootstrap:
                _run(wh, cur, statement)
    else:
        _run(wh, None, MIGRATIONS_DDL)
    wh._lake_ready = wh.is_lake
    with wh.read() as cur:
        applied = dict(cur.execute("SELECT version, checksum FROM schema_migrations").fetchall())
    known = available_migrations()
    newest_known = max((v for v, _, _ in known), default=0)
    if applied and max(applied) > newest_known:
        raise WarehouseError(
            f"数据库 {wh.name} 的结构版本（{max(applied)}）比本程序（{newest_known}）新：请升级程序，不能降级使用。"
        )
    done = []
    for version, name, sql in known:
        checksum = hashlib.sha256(sql.encode()).hexdigest()
        if version in applied:
            if applied[version] != checksum:
                raise WarehouseError(f"已执行的迁移 {version:03d}_{name}.sql 被改动过：迁移只能新增，不能修改。")
            _run(wh, None, sql)  # DuckLake: learn its keys and checks
            continue
        with wh.transaction(bump_version=False) as cur:
            if cur.execute("SELECT count(*) FROM schema_migrations WHERE version = ?", [version]).fetchone()[0]:
                _run(wh, None, sql)
                continue
            _run(wh, cur, sql)
            cur.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)", [version, name, checksum]
            )
        done.append(version)
    return done


def _run(wh: Warehouse, cur: duckdb.DuckDBPyConnection | None, sql: str) -> None:
    """Run a migration's statements on `cur` (None: run nothing, only learn). On DuckLake each statement is
    translated first, and the keys and checks it declares join wh.constraints."""
    if not wh.is_lake:
        if cur is not None:
            for statement in cur.extract_statements(sql):
                cur.execute(statement)
        return
    for statement in split_statements(sql):
        translated = translate(statement)
        wh.constraints += [c for c in translated.constraints if c not in wh.constraints]
        for lake_sql in translated.statements if cur is not None else ():
            cur.execute(lake_sql)


def schema_version(wh: Warehouse) -> int:
    with wh.read() as cur:
        return cur.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
