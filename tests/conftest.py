"""Shared fixtures: a temporary warehouse, the shared sample files, and AppTest on a temporary warehouse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from warehouse import Warehouse, open_warehouse

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = Path(os.environ.get("WANGJIAN_SAMPLES", ROOT.parent / "shared" / "samples"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "wangjian.duckdb"


@pytest.fixture
def wh(db_path: Path) -> Iterator[Warehouse]:
    w = open_warehouse(db_path)
    yield w
    w.close()


@pytest.fixture
def samples() -> Path:
    """The shared sample exports; tests that need them skip cleanly where they are absent."""
    if not SAMPLES.is_dir():
        pytest.skip(f"共享样例目录不存在：{SAMPLES}")
    return SAMPLES


@pytest.fixture
def app_env(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a temporary warehouse (the app reads $WANGJIAN_DB)."""
    monkeypatch.setenv("WANGJIAN_DB", str(db_path))
    return db_path


def run_page(page: str | None = None, timeout: float = 60):
    """Run app.py in AppTest, then switch to pages/<page>.py. Returns the AppTest after the run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at
