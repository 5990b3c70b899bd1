"""The environment variables the product reads, each with its default, in one place (the lowest floor: it
imports nothing of the project).

They are functions, read on each call, so that a test or a command that sets a variable at run time is seen.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_DB = ROOT / "data" / "wangjian.duckdb"
DEFAULT_CAMPAIGN_FILE = ROOT / "data" / "campaigns" / "2018-wangjian.toml"
DEFAULT_SECRET_DIR = ROOT / "data" / "secret"


def db_path() -> Path:
    """$WANGJIAN_DB: the warehouse file (a --db option, where a program takes one, wins over it)."""
    return Path(os.environ.get("WANGJIAN_DB") or DEFAULT_DB)


def warehouse() -> str | None:
    """$WANGJIAN_WAREHOUSE: a shared warehouse, `ducklake:postgres:dbname=… host=… user=…` (default: none, the
    embedded file of $WANGJIAN_DB). A --db option, where a program takes one, wins over it."""
    return os.environ.get("WANGJIAN_WAREHOUSE") or None


def data_path() -> Path | None:
    """$WANGJIAN_DATA_PATH: where a new DuckLake keeps its Parquet files (shared storage); an existing lake keeps
    the path recorded in its catalogue."""
    value = os.environ.get("WANGJIAN_DATA_PATH")
    return Path(value) if value else None


def write_wait_seconds() -> float:
    """$WANGJIAN_WRITE_WAIT: how long a write on a shared warehouse waits for another process's write (s, 300)."""
    return float(os.environ.get("WANGJIAN_WRITE_WAIT", "300"))


def campaign_file() -> Path:
    """$WANGJIAN_CAMPAIGN: the campaign definition file."""
    return Path(os.environ.get("WANGJIAN_CAMPAIGN") or DEFAULT_CAMPAIGN_FILE)


def secret_dir() -> Path:
    """$WANGJIAN_SECRET_DIR: where the HMAC key for phone numbers lives, outside the database file."""
    return Path(os.environ.get("WANGJIAN_SECRET_DIR") or DEFAULT_SECRET_DIR)


def max_file_bytes() -> int:
    """$WANGJIAN_MAX_FILE_MB: the largest export file accepted (MB, default 1024)."""
    return int(os.environ.get("WANGJIAN_MAX_FILE_MB", "1024")) << 20


def max_uncompressed_bytes() -> int:
    """$WANGJIAN_MAX_UNCOMPRESSED_MB: the largest uncompressed size of a workbook's archive (MB, default 1024)."""
    return int(os.environ.get("WANGJIAN_MAX_UNCOMPRESSED_MB", "1024")) << 20


def max_quarantine_share() -> float:
    """$WANGJIAN_MAX_QUARANTINE_SHARE: an export whose quarantined rows are more than this share of its data rows is
    refused whole (default 0.5: a file mostly broken is re-exported, not half loaded). A file in which no row
    loads is refused whatever the share; 1 keeps only that rule."""
    return float(os.environ.get("WANGJIAN_MAX_QUARANTINE_SHARE", "0.5"))


def load_memory() -> str:
    """$WANGJIAN_LOAD_MEMORY: DuckDB's memory limit for a command-line load (beyond it, rows spill to disk)."""
    return os.environ.get("WANGJIAN_LOAD_MEMORY", "1GB")


def cli_user() -> str | None:
    """$WANGJIAN_USER: the name the command line's loads are logged under (default cli:<login name>)."""
    return os.environ.get("WANGJIAN_USER") or None


DEFAULT_CHANNELS_FILE = ROOT / "data" / "channels.toml"


def channels_file() -> Path:
    """$WANGJIAN_CHANNELS: the reminder channel file (SMTP server, group robots, routes; holds secrets, git-ignored)."""
    return Path(os.environ.get("WANGJIAN_CHANNELS") or DEFAULT_CHANNELS_FILE)


def session_idle_minutes() -> float:
    """$WANGJIAN_SESSION_IDLE_MINUTES: a login ends after this long without use (minutes, default 30; a fraction
    such as 0.1 is allowed, for tests)."""
    return float(os.environ.get("WANGJIAN_SESSION_IDLE_MINUTES") or 30)


def session_max_hours() -> float:
    """$WANGJIAN_SESSION_MAX_HOURS: a login ends this long after it began, however active (hours, default 12)."""
    return float(os.environ.get("WANGJIAN_SESSION_MAX_HOURS") or 12)
