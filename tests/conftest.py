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


# One account per role in every app test warehouse (see app_env); run_page logs in as one of them.
TEST_PASSWORD = "test-password-123"
TEST_USERS = {
    "admin": dict(role="admin"),
    "leader": dict(role="leader"),
    "analyst": dict(role="analyst"),
    "wujin_staff": dict(role="unit_staff", unit="wujin", agency="aic"),
    "psb_staff": dict(role="unit_staff", unit="city", agency="psb"),
}


def create_test_users(wh: Warehouse) -> None:
    from auth.accounts import bootstrap_admin, create_user

    admin = bootstrap_admin(wh, "admin", TEST_PASSWORD, "测试管理员")
    for name, spec in TEST_USERS.items():
        if name != "admin":
            create_user(wh, admin, name, password=TEST_PASSWORD, display_name=name, **spec)


@pytest.fixture
def app_env(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a temporary warehouse (the app reads $WANGJIAN_DB) holding one account per role."""
    monkeypatch.setenv("WANGJIAN_DB", str(db_path))
    w = open_warehouse(db_path)
    create_test_users(w)
    w.close()
    return db_path


def run_page(page: str | None = None, timeout: float = 60, user: str | None = "admin"):
    """Run app.py in AppTest logged in as `user` (None: not logged in), then switch to app_pages/<page>.py."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if user:
        at.session_state["username"] = user
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    return at


def build_sample_warehouse(path: Path, prefixes: tuple[str, ...]) -> Path:
    """A warehouse at `path` holding the shared sample files whose names start with `prefixes`, loaded through
    the real loader, plus the test accounts. Build it once per module and copy it per test (copy_warehouse)."""
    import loaders
    from auth.policy import SYSTEM

    if not SAMPLES.is_dir():
        pytest.skip(f"共享样例目录不存在：{SAMPLES}")
    w = open_warehouse(path)
    for f in sorted(SAMPLES.iterdir()):
        if f.name.startswith(prefixes):
            result = loaders.load_file(w, f, user=SYSTEM)
            assert result.status == "loaded", (f.name, [e.message for e in result.errors[:3]])
    create_test_users(w)
    w.close()
    return path


def copy_warehouse(template: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of a built warehouse for one test, with the app pointed at it."""
    import shutil

    shutil.copy(template, db_path)
    monkeypatch.setenv("WANGJIAN_DB", str(db_path))
    return db_path
