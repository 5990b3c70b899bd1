"""Shared fixtures: a temporary warehouse, the shared sample files, and AppTest on a temporary warehouse.

Backends: a module marked `pytestmark = pytest.mark.both_backends` runs its tests once on the embedded DuckDB file
and once on a DuckLake whose catalogue is a real PostgreSQL (the `backend` parameter, `[embedded]`/`[ducklake]` in
the test id); other modules run on the embedded file only. `db_path` is then a file path or a `ducklake:` target,
and everything taking it (open_warehouse, $WANGJIAN_DB, --db) takes either. The PostgreSQL is started once per
session (tests/pgserver.py, or $WANGJIAN_TEST_PG); where it cannot start the DuckLake cases skip with the reason,
unless $WANGJIAN_REQUIRE_DUCKLAKE is set (CI), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pgserver import PgServer, PgUnavailable, dbname
from warehouse import Warehouse, open_warehouse

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = Path(os.environ.get("WANGJIAN_SAMPLES", ROOT.parent / "shared" / "samples"))


BACKENDS = ("embedded", "ducklake")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: run the module on the embedded file and on DuckLake")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True, scope="module")


@pytest.fixture(scope="session")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    """One PostgreSQL for the session's DuckLake catalogues; their Parquet files go under one temporary folder."""
    try:
        server = PgServer.from_env_or_start()
    except PgUnavailable as exc:
        if os.environ.get("WANGJIAN_REQUIRE_DUCKLAKE"):
            pytest.fail(f"DuckLake 后端必须可用（WANGJIAN_REQUIRE_DUCKLAKE）：{exc}")
        pytest.skip(f"DuckLake 用例跳过：{exc}")
    data = tmp_path_factory.mktemp("lake-data")
    before = os.environ.get("WANGJIAN_DATA_PATH")
    os.environ["WANGJIAN_DATA_PATH"] = str(data)
    yield server
    if before is None:
        os.environ.pop("WANGJIAN_DATA_PATH", None)
    else:
        os.environ["WANGJIAN_DATA_PATH"] = before
    server.stop()


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    """embedded, or ducklake (then with the session's PostgreSQL up)."""
    name = getattr(request, "param", "embedded")
    if name == "ducklake":
        request.getfixturevalue("pg")
    return name


@pytest.fixture(autouse=True)
def _no_shared_warehouse_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their warehouse through db_path: a $WANGJIAN_WAREHOUSE of the shell must not win over it."""
    monkeypatch.delenv("WANGJIAN_WAREHOUSE", raising=False)


@pytest.fixture(scope="session")
def lake_template(pg: PgServer) -> str:
    """A DuckLake migrated from empty once per session by open_warehouse itself; each test's lake is a copy of its
    catalogue database (migrating a lake from empty takes ~20 s, copying one a fraction of a second)."""
    name = pg.new_database("template")
    open_warehouse(pg.target(name)).close()
    return name


def new_target(backend: str, path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where a new warehouse goes: the file `path` (not there yet), or a new DuckLake (migrated, no data)."""
    if backend != "ducklake":
        return path
    server: PgServer = request.getfixturevalue("pg")
    return server.target(server.new_database(template=request.getfixturevalue("lake_template")))


@pytest.fixture
def db_path(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Path | str:
    return new_target(backend, tmp_path / "wangjian.duckdb", request)


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


def tile_values(at) -> dict:
    """The page's metric tiles by label: (value, delta). A 统计表 figure that lacks reporters in the week in view
    carries a 不完整 badge before its label (issue 14); the key is the label without it."""
    return {m.label.removeprefix(":orange-badge[不完整] "): (m.value, m.delta) for m in at.metric}


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


def build_sample_warehouse(path: Path | str, prefixes: tuple[str, ...]) -> Path | str:
    """A warehouse at `path` (a file or a DuckLake target, see new_target) holding the shared sample files whose
    names start with `prefixes`, loaded through the real loader, plus the test accounts. Build it once per module
    and copy it per test (copy_warehouse)."""
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


def copy_warehouse(template: Path | str, db_path: Path | str, monkeypatch: pytest.MonkeyPatch) -> Path | str:
    """A fresh copy of a built warehouse for one test, with the app pointed at it. A DuckLake is copied as its
    catalogue database (CREATE DATABASE … TEMPLATE); the copies share the template's Parquet files, which no
    one rewrites (a write adds files, it never changes one)."""
    import shutil

    if isinstance(template, str):
        server = PgServer(template.split(":", 2)[2].split(" ", 1)[1])
        db_path = server.target(server.new_database("copy", template=dbname(template)))
    else:
        shutil.copy(template, db_path)
    monkeypatch.setenv("WANGJIAN_DB", str(db_path))
    return db_path
