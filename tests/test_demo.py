"""The one-click demo dataset: loaded through the real loaders, every page renders on it, removed in one click."""

import json

from auth.policy import SYSTEM
from loaders import demo
from tests.conftest import run_page, tile_values
from warehouse import open_warehouse

PAGES = ["overview", "uploads", "complaints", "monitoring", "tracking", "admin"]


def test_manifest_lists_every_shipped_file():
    entries = demo.manifest()
    assert entries, "data/demo is missing: run python -m datagen.demo"
    kinds = {e["kind"] for e in entries}
    assert kinds == {"complaints_12315", "price_12358", "monitoring", "district_stats"}
    shipped = {p.relative_to(demo.DEMO_DIR).as_posix() for p in demo.DEMO_DIR.rglob("*") if p.is_file()}
    assert {e["file"] for e in entries} == shipped - {"manifest.json"}
    json.dumps(entries)  # plain data


def test_demo_loads_then_every_page_renders_then_removal(app_env):
    # The button itself is clicked in the real-browser test (AppTest reruns a page without app.py's sidebar);
    # here the same functions it calls, then every page on a fresh run.
    wh = open_warehouse(app_env)
    results = demo.load_demo(wh, user=SYSTEM)
    assert [r.status for r in results] == ["loaded"] * len(demo.manifest())
    with wh.read() as cur:
        batches = cur.execute(
            "SELECT count(*), bool_and(is_demo), count(DISTINCT kind) FROM batches WHERE status = 'loaded'"
        ).fetchone()
    assert batches == (len(demo.manifest()), True, 4)

    for page in PAGES:
        at = run_page(None if page == "overview" else page, user="admin", timeout=120)
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not any("尚无数据" in i.value for i in at.info), page
    at = run_page(None, user="admin")
    assert any("演示数据" in w.value for w in at.sidebar.warning)
    assert any(b.label == "移除演示数据" for b in at.sidebar.button)
    assert tile_values(at)["立案查处网络违法案件（件）"][0] != "0"

    assert demo.remove_demo(wh, user=SYSTEM) == len(results)
    assert wh.is_empty() and not demo.has_demo(wh)
    at = run_page(None, user="admin")
    assert any(b.label == "载入演示数据" for b in at.sidebar.button)


def test_leader_gets_no_demo_button(app_env):
    at = run_page(None, user="leader")
    assert not any(b.label == "载入演示数据" for b in at.sidebar.button)
