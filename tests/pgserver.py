"""A throw-away PostgreSQL for the DuckLake tests and benchmarks: initdb into a temporary folder, started on a free
port of 127.0.0.1 with trust authentication, stopped at the end. Debian's binaries (apt-get install postgresql)
are found in /usr/lib/postgresql/*/bin; as root the server runs as the `postgres` user (initdb refuses root).

$WANGJIAN_TEST_PG (a libpq string such as `host=127.0.0.1 port=5432 user=postgres`) points at a server that is
already running instead (.ci/run starts one with `python tests/pgserver.py start DIR`).

    python tests/pgserver.py start DIR   # prints the connection string
    python tests/pgserver.py stop DIR
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class PgUnavailable(RuntimeError):
    """No PostgreSQL binaries here, or the server would not start."""


def bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    if which:
        return Path(which).parent
    raise PgUnavailable("找不到 PostgreSQL 程序（initdb）：请 apt-get install postgresql")


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path, fsync: bool = False) -> str:
    """initdb + start in `folder`; returns the connection string (no dbname). Tests run without fsync."""
    bins = bindir()
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port = _free_port()
    run = dict(check=True, capture_output=True, text=True)
    try:
        subprocess.run(_as_server_user([str(bins / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]), **run)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200" + (
            "" if fsync else " -c fsync=off"
        )
        subprocess.run(
            _as_server_user(
                [str(bins / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w", "start"]
            ),
            **run,
        )
    except subprocess.CalledProcessError as exc:
        raise PgUnavailable(f"PostgreSQL 启动失败：{exc.stderr or exc.stdout}") from None
    (folder / "conninfo").write_text(f"host=127.0.0.1 port={port} user=postgres", encoding="utf-8")
    return (folder / "conninfo").read_text(encoding="utf-8")


def stop(folder: Path) -> None:
    subprocess.run(
        _as_server_user([str(bindir() / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "-w", "stop"]),
        check=False,
        capture_output=True,
    )


_NUMBERS = itertools.count(1)  # database names: unique in this process, the pid makes them unique across processes


class PgServer:
    """Databases on one server: one per test warehouse, copied from another (a template) in a blink."""

    def __init__(self, conninfo: str, folder: Path | None = None) -> None:
        self.conninfo = conninfo
        self.folder = folder  # set when this process started the server (and stops it)

    @classmethod
    def from_env_or_start(cls, fsync: bool = False) -> PgServer:
        given = os.environ.get("WANGJIAN_TEST_PG")
        if given:
            return cls(given)
        folder = Path(tempfile.mkdtemp(prefix="wangjian-pg-"))
        return cls(start(folder, fsync), folder)

    def psql(self, sql: str) -> None:
        last = None
        for _ in range(50):  # a database just closed by DuckDB may keep a connection for a moment
            done = subprocess.run(
                [str(bindir() / "psql"), *self.conninfo_args(), "-d", "postgres", "-qAtc", sql],
                capture_output=True,
                text=True,
            )
            if done.returncode == 0:
                return
            last = done.stderr
            if "being accessed by other users" not in last:
                break
            time.sleep(0.1)
        raise PgUnavailable(f"psql 失败：{sql}: {last}")

    def conninfo_args(self) -> list[str]:
        parts = dict(p.split("=", 1) for p in self.conninfo.split())
        return [
            "-h",
            parts.get("host", "127.0.0.1"),
            "-p",
            parts.get("port", "5432"),
            "-U",
            parts.get("user", "postgres"),
        ]

    def new_database(self, prefix: str = "lake", template: str | None = None) -> str:
        name = f"{prefix}_{os.getpid()}_{next(_NUMBERS)}"
        self.psql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def target(self, dbname: str) -> str:
        return f"ducklake:postgres:dbname={dbname} {self.conninfo}"

    def stop(self) -> None:
        if self.folder is not None:
            stop(self.folder)
            shutil.rmtree(self.folder, ignore_errors=True)


def dbname(target: str) -> str:
    return dict(p.split("=", 1) for p in target.split(":", 2)[2].split() if "=" in p)["dbname"]


if __name__ == "__main__":
    command, where = sys.argv[1], Path(sys.argv[2])
    if command == "start":
        print(start(where))
    else:
        stop(where)
