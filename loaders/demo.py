"""The demo dataset: loaded through the same loaders as real uploads, marked as demo, removable in one go."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from auth.policy import Principal
from loaders import load_file, refresh_summaries, withdraw_in
from loaders.result import LoadResult
from settings import ROOT
from warehouse import Warehouse

DEMO_DIR = ROOT / "data" / "demo"


def manifest(folder: Path = DEMO_DIR) -> list[dict]:
    path = folder / "manifest.json"
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def has_demo(wh: Warehouse) -> bool:
    with wh.read() as cur:
        return cur.execute("SELECT count(*) FROM batches WHERE is_demo AND status = 'loaded'").fetchone()[0] > 0


def load_demo(
    wh: Warehouse, *, user: Principal, folder: Path = DEMO_DIR, progress: Callable[[int, int, str], None] | None = None
) -> list[LoadResult]:
    """Load every file of the manifest in order, each as its own batch marked is_demo; then the summaries follow."""
    entries = manifest(folder)
    results = []
    for i, entry in enumerate(entries):
        if progress:
            progress(i, len(entries), entry["file"])
        options = {k: entry[k] for k in ("unit", "agency", "week", "received_on") if k in entry}
        results.append(load_file(wh, folder / entry["file"], user=user, kind=entry["kind"], is_demo=True, **options))
    if any(r.status == "loaded" for r in results):
        refresh_summaries(wh)
    return results


def remove_demo(wh: Warehouse, *, user: Principal) -> int:
    """Withdraw every live demo batch in one transaction: figures (and then the summaries) return to what real
    uploads say."""
    with wh.write() as cur:
        rows = cur.execute(
            "SELECT batch_id, kind FROM batches WHERE is_demo AND status = 'loaded' ORDER BY batch_id DESC"
        ).fetchall()
        for batch_id, _kind in rows:
            withdraw_in(cur, batch_id, user=user, campaign=wh.campaign)
    refresh_summaries(wh)
    return len(rows)
