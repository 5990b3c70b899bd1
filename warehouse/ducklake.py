"""DuckLake on PostgreSQL: one warehouse shared by several app instances and loader jobs.

The catalogue lives in PostgreSQL (transactions, many clients), the data as Parquet files under a shared data path,
and every client is a plain DuckDB process. The extensions ship as PyPI wheels pinned to the duckdb version
(duckdb-extension-ducklake, duckdb-extension-postgres_scanner), so they load offline from site-packages.

What the embedded file gives for free and DuckLake does not is made here:
- one writer at a time: a PostgreSQL advisory lock (`WriteLock`), taken before a write transaction begins and held
  until it commits, serialises the writes of every process on the catalogue; readers never wait;
- sequences, keys and checks (see warehouse.ducklake_ddl and warehouse.ducklake_writes).
"""

from __future__ import annotations

import time
import zlib
from contextlib import suppress
from pathlib import Path

import duckdb

PREFIX = "ducklake:"
CATALOGUE_PREFIX = "ducklake:postgres:"
LAKE = "lake"  # the name the lake is attached under in every process
LOCK_KEY = zlib.crc32(b"wangjian-warehouse-write")  # advisory locks are per database: one lake, one key
MAINTENANCE = (  # what `python -m warehouse maintain` runs, under the write lock
    f"CALL ducklake_flush_inlined_data('{LAKE}')",
    f"CALL ducklake_merge_adjacent_files('{LAKE}')",
    f"CALL ducklake_cleanup_old_files('{LAKE}', older_than => now() - INTERVAL 1 DAY)",
)


class LakeError(RuntimeError):
    """The DuckLake cannot be used as configured (Chinese message)."""


def is_lake(target: object) -> bool:
    return isinstance(target, str) and target.startswith(PREFIX)


def conninfo(target: str) -> str:
    """`ducklake:postgres:dbname=… host=…` → the libpq connection string of its catalogue."""
    if not target.startswith(CATALOGUE_PREFIX):
        raise LakeError(f"只支持目录在 PostgreSQL 中的 DuckLake（{CATALOGUE_PREFIX}dbname=… host=… user=…）：{target}")
    return target[len(CATALOGUE_PREFIX) :].strip()


def describe(target: str) -> str:
    """A name for messages, without credentials: DuckLake <dbname>@<host>."""
    parts = dict(p.split("=", 1) for p in conninfo(target).split() if "=" in p)
    return f"DuckLake {parts.get('dbname', '?')}@{parts.get('host', 'localhost')}"


def extension_path(name: str = "ducklake") -> Path:
    """The extension file inside its wheel (duckdb-extension-<name>), for this duckdb version."""
    import importlib

    package = importlib.import_module(f"duckdb_extension_{name}")
    folder = Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    found = sorted(folder.glob(f"{name}.duckdb_extension"))
    if not found:
        raise LakeError(f"找不到与 duckdb {duckdb.__version__} 匹配的 {name} 扩展（{folder}）")
    return found[0]


def load(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    for name in names or ("ducklake",):
        con.execute(f"LOAD '{extension_path(name)}'")


def connect(target: str, data_path: Path | None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as `lake` (DATA_PATH is needed only to create a new lake: an
    existing one keeps the path stored in its catalogue)."""
    con = duckdb.connect()
    try:
        load(con, "postgres_scanner", "ducklake")
        folder = _quote(str(data_path).rstrip("/") + "/") if data_path else ""
        options = f" (DATA_PATH '{folder}')" if data_path else ""
        con.execute(f"ATTACH '{_quote(target)}' AS {LAKE}{options}")
        con.execute(f"USE {LAKE}")
    except duckdb.Error as exc:
        con.close()
        raise LakeError(f"无法打开 {describe(target)}：{_first_line(exc)}") from None
    return con


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


class WriteLock:
    """The catalogue-wide write lock: a transaction-scoped PostgreSQL advisory lock, taken in a transaction of its
    own (a cursor of the lake's DuckDB, with the catalogue database attached once more as `lockdb`). It goes with
    its transaction, so a crashed process can never leave it held."""

    def __init__(self, con: duckdb.DuckDBPyConnection, target: str) -> None:
        self.target = target
        try:
            con.execute(f"ATTACH '{_quote(conninfo(target))}' AS lockdb (TYPE postgres)")
        except duckdb.Error as exc:
            raise LakeError(f"无法连接 {describe(target)} 的目录数据库：{_first_line(exc)}") from None
        self.con = con.cursor()
        self._query = f"SELECT * FROM postgres_query('lockdb', 'SELECT pg_try_advisory_xact_lock({LOCK_KEY})')"  # noqa: S608 - a constant

    def acquire(self, wait_seconds: float) -> None:
        """Wait for the lock up to wait_seconds, then refuse with a message saying why."""
        deadline, pause = time.monotonic() + wait_seconds, 0.02
        try:
            self.con.execute("BEGIN")
            while not self.con.execute(self._query).fetchone()[0]:
                if time.monotonic() >= deadline:
                    raise LakeBusy(
                        f"{describe(self.target)} 正由另一个程序写入（已等待 {wait_seconds:.0f} 秒），"
                        "本次操作没有写入任何数据，请稍后重试。"
                    )
                time.sleep(pause)
                pause = min(pause * 2, 0.5)
        except BaseException as exc:
            with suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            if isinstance(exc, duckdb.Error):
                raise LakeBusy(
                    f"{describe(self.target)} 的写锁不可用（{_first_line(exc)}），本次操作没有写入任何数据。"
                ) from None
            raise

    def release(self) -> None:
        self.con.execute("ROLLBACK")  # ends the lock's transaction: the lock goes with it

    def close(self) -> None:
        self.con.close()


class LakeBusy(LakeError):
    """Another process held the write lock for too long, or a commit conflicted: nothing was written."""


def is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()


def conflict_message(target: str) -> str:
    return f"{describe(target)} 上的另一个写入与本次写入冲突，本次操作已整体撤回，没有写入任何数据，请重试。"
