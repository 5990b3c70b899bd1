"""Real-browser harness, after Streamlit's own: start `streamlit run` on a free port with a temporary
warehouse, wait for /_stcore/health, and drive Debian's Chromium with Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT, create_test_users
from warehouse import Warehouse, open_warehouse

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer ok within {timeout}s")


@contextmanager
def run_server(db: Path, **extra_env: str) -> Iterator[dict]:
    """`streamlit run app.py` on a free port over the warehouse file `db`, until the block ends; extra_env sets
    more variables for the server (e.g. a short session timeout)."""
    port = _free_port()
    env = {**os.environ, "WANGJIAN_DB": str(db), **extra_env}
    log = open(db.parent / "streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc)
        yield {"url": f"http://127.0.0.1:{port}", "db": db, "log": db.parent / "streamlit.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict]:
    """A running dashboard on a temporary warehouse with one account per role."""
    db = tmp_path_factory.mktemp("e2e") / "wangjian.duckdb"
    wh = open_warehouse(db)
    create_test_users(wh)
    wh.close()
    with run_server(db) as s:
        yield s


DEMO_WEEKS = ("2018-11-05", "2018-11-12")


def build_demo_warehouse(db: Path) -> Warehouse:
    """The shipped demo exports plus two weeks (DEMO_WEEKS) of its weekly tables, loaded through the loaders, with
    one account per role; open, for the caller to read the figures a page must show before a server takes it."""
    from auth.policy import SYSTEM
    from loaders import demo, load_file, refresh_summaries

    wh = open_warehouse(db)
    for entry in demo.manifest():
        if entry["kind"] == "district_stats" and entry["week"] not in DEMO_WEEKS:
            continue
        options = {k: entry[k] for k in ("unit", "agency", "week", "received_on") if k in entry}
        result = load_file(wh, demo.DEMO_DIR / entry["file"], user=SYSTEM, kind=entry["kind"], is_demo=True, **options)
        assert result.status == "loaded", (entry["file"], result.errors[:3])
    refresh_summaries(wh)
    create_test_users(wh)
    return wh


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("未安装 Chromium（apt-get install chromium）：跳过真实浏览器测试")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
