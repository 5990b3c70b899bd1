"""Every page in a real browser: from the click on its menu link until the screen is idle, on the demo data and on
the 10M-row warehouse of bench_pages.py.

    python bench/bench_browser.py                               # demo data (built into a temporary warehouse) and the 10M warehouse
    python bench/bench_browser.py --big /tmp/wangjian-bench/bench.duckdb --demo-db /tmp/demo.duckdb
    python bench/bench_browser.py --skip-big                    # the demo data only
    python bench/bench_browser.py --skip-big --phone            # the same on a phone's screen (390×844)

Idle means: Streamlit's status widget shows no run, nothing in the page has changed for QUIET_MS and the network is
idle. The time taken is from the click to the page's last change, so the quiet wait itself is not counted. Each
page is visited once cold (fresh server, empty cache: the first user after an upload) and then REPEAT times
more; the table gives the cold time and the median of the others, next to a baseline measured in the same run:
the login page, from opening the address until it is idle (what Streamlit itself costs for a page that does
nothing).

It drives Debian's Chromium through Playwright, as tests/e2e does, on `streamlit run` with the warehouse given.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auth.policy import PAGE_TITLES, PAGES_BY_ROLE  # noqa: E402 - after the path set-up, so the bench runs from anywhere

TITLES = PAGE_TITLES
REPEAT = 3
QUIET_MS = 600
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "bench-password-123"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"

# Every change to the page moves window.__lastChange; window.__frames counts bytes received on the websocket.
WATCH = """
window.__lastChange = performance.now();
new MutationObserver(() => { window.__lastChange = performance.now(); })
  .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""
RUNNING = "[data-testid=stStatusWidgetRunningIcon]"


def _ensure_user(db: Path) -> None:
    """An admin account named bench on the warehouse (created once)."""
    from auth.accounts import bootstrap_admin, create_user, lookup
    from warehouse import open_warehouse

    wh = open_warehouse(db)
    try:
        with wh.read() as cur:
            have = cur.execute("SELECT count(*) FROM users").fetchone()[0]
        if lookup(wh, "bench") is None:
            if have:
                admin = next(p for p in [lookup(wh, "admin")] if p is not None)
                create_user(wh, admin, "bench", "admin", PASSWORD, display_name="基准测试")
            else:
                bootstrap_admin(wh, "bench", PASSWORD, "基准测试")
    finally:
        wh.close()


def _demo_db(path: Path | None) -> Path:
    """The demo dataset loaded into a warehouse (built once at `path`, or in a temporary folder)."""
    from auth.policy import SYSTEM
    from loaders.demo import load_demo
    from warehouse import open_warehouse

    if path is not None and path.exists():
        return path
    path = path or Path(tempfile.mkdtemp(prefix="wangjian-bench-demo-")) / "demo.duckdb"
    wh = open_warehouse(path)
    try:
        rejected = [r.file for r in load_demo(wh, user=SYSTEM) if r.status != "loaded"]
        if rejected:
            raise RuntimeError(f"演示数据未能全部载入：{rejected[:3]}")
    finally:
        wh.close()
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` on a warehouse, on a free local port."""

    def __init__(self, db: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile("w", prefix="bench-browser-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, "WANGJIAN_DB": str(db)}, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"streamlit did not start; see {self.log.name}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def _idle(page, since: float) -> float:
    """Wait until the page is idle; seconds from `since` (performance.now() ms) to its last change."""
    page.wait_for_function(
        f"!document.querySelector('{RUNNING}') && performance.now() - window.__lastChange > {QUIET_MS}",
        polling=100,
        timeout=600_000,
    )
    page.wait_for_load_state("networkidle")
    return (page.evaluate("window.__lastChange") - since) / 1000


def measure(
    db: Path, label: str, slug: str, viewport: dict[str, int] = DESKTOP
) -> list[tuple[str, str, float, float, float]]:
    """(data, page, cold s, warm median s, ratio of warm to the baseline) for every page an admin sees. On a phone's
    viewport the menu is opened before each click (the click is timed; the menu closes as the page changes)."""
    from playwright.sync_api import sync_playwright

    _ensure_user(db)
    server = Server(db)
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
            page.add_init_script(WATCH)
            page.set_default_timeout(600_000)
            logins = []
            for _ in range(REPEAT):
                page.goto("about:blank")
                page.goto(server.url)
                logins.append(_idle(page, 0.0))  # from navigation start
            baseline = statistics.median(logins)
            rows.append((label, "基线：登录页（打开至空闲）", logins[0], baseline, 1.0))
            page.get_by_label("用户名").fill("bench")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.get_by_test_id("stSidebar").get_by_text("当前用户").wait_for()
            _idle(page, 0.0)
            times: dict[str, list[float]] = {key: [] for key in PAGES_BY_ROLE["admin"]}
            # Round 0 is cold (each page's first visit); every round visits every page once, in menu order, so
            # each click leaves another page.
            for round_no in range(REPEAT + 1):
                for key in [*times][1:] + [*times][:1]:
                    sidebar = page.get_by_test_id("stSidebar")
                    if page.get_by_test_id("stExpandSidebarButton").is_visible():  # a phone: the menu is shut
                        page.get_by_test_id("stExpandSidebarButton").click()
                        sidebar.get_by_role("link", name=TITLES[key]).wait_for()
                        page.wait_for_timeout(500)  # the menu's slide-in, not timed
                    since = page.evaluate("performance.now()")
                    sidebar.get_by_role("link", name=TITLES[key]).click(no_wait_after=True)
                    page.get_by_role("heading", name=TITLES[key]).first.wait_for()
                    times[key].append(_idle(page, since))
                    if round_no == REPEAT:  # what was timed, to look at: test-artifacts/bench-<data>-<page>.png
                        ARTIFACTS.mkdir(exist_ok=True)
                        page.screenshot(path=str(ARTIFACTS / f"bench-{slug}-{key}.png"), full_page=True)
            for key, ts in times.items():
                warm = statistics.median(ts[1:])
                rows.append((label, TITLES[key], ts[0], warm, warm / baseline))
            browser.close()
    finally:
        server.stop()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", default="/tmp/wangjian-bench/bench.duckdb", help="bench_pages.py 建好的千万级仓库")
    ap.add_argument("--demo-db", default=None, help="已载入演示数据的仓库（不存在则新建）")
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--phone", action="store_true", help="手机屏幕（390×844）")
    args = ap.parse_args()
    if CHROMIUM is None:
        sys.exit("未找到 Chromium（apt-get install chromium）")
    viewport = PHONE if args.phone else DESKTOP
    rows = measure(_demo_db(Path(args.demo_db) if args.demo_db else None), "演示数据", "demo", viewport)
    big = Path(args.big)
    if not args.skip_big:
        if not big.exists():
            sys.exit(f"{big} 不存在：先运行 python bench/bench_pages.py --rebuild --build-only --db {big}")
        rows += measure(big, "1000万投诉+100万线索", "10m", viewport)
    print("\n| 数据 | 页面 | 冷启动 (s) | 热，3 次中位数 (s) | 相对基线 |")
    print("|---|---|---:|---:|---:|")
    for data, name, cold, warm, ratio in rows:
        print(f"| {data} | {name} | {cold:.2f} | {warm:.2f} | {ratio:.1f}× |")


if __name__ == "__main__":
    main()
