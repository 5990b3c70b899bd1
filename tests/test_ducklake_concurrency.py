"""Several processes on one DuckLake at once: two command-line loads of different exports and a third process
reading figures and the 投诉分析 page the whole time. Nothing fails, no batch is lost, every figure the reader
sees is a whole number of loads (never half of one), and afterwards all three see both loads; the reader's page
cache follows the other processes' loads through the data version in the catalogue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from datagen.exports import write_12315_csv, write_12358_csv
from loaders.exports import privacy
from tests.conftest import ROOT, create_test_users
from warehouse import open_warehouse

N_12315, N_12358 = 6000, 4000

READER = r"""
import json, os, sys, time
from streamlit.testing.v1 import AppTest
from metrics import registry
from warehouse import open_warehouse

target, ready, stop = sys.argv[1], sys.argv[2], sys.argv[3]
os.environ["WANGJIAN_DB"] = target

def page():
    at = AppTest.from_file("app.py", default_timeout=120)
    at.session_state["username"] = "analyst"
    at.run()
    at.switch_page("app_pages/complaints.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, {m.label: m.value for m in at.metric}

at, before = page()
wh = open_warehouse(target)
seen = []
open(ready, "w").close()  # the loads start now
while not os.path.exists(stop):
    seen.append(registry.values(wh, ["complaints_total"])["complaints_total"])
    time.sleep(0.05)
seen.append(registry.values(wh, ["complaints_total"])["complaints_total"])
at.run()  # the same page in the same process, its cache keyed on the data version
assert not at.exception, [e.value for e in at.exception]
after = {m.label: m.value for m in at.metric}
print(json.dumps({"seen": seen, "before": before, "after": after}, ensure_ascii=False))
"""


def _load(target: str, path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "loaders", "load", str(path), "--db", target, "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_loads_and_a_reader_at_once(pg, lake_template, tmp_path, monkeypatch):
    monkeypatch.setenv("WANGJIAN_SECRET_DIR", str(tmp_path / "secret"))
    privacy.hmac_key()  # one installation key for every process (on a shared warehouse: on shared storage)
    target = pg.target(pg.new_database(template=lake_template))
    wh = open_warehouse(target)
    create_test_users(wh)
    wh.close()
    a = write_12315_csv(tmp_path / "12315.csv", N_12315, seed=11, messy=False)
    b = write_12358_csv(tmp_path / "12358.csv", N_12358, seed=12, messy=False)
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, target, str(ready), str(stop)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 300
    while not ready.exists() and reader.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)  # the reader has rendered the empty page and is counting
    loads = [_load(target, a), _load(target, b)]
    outs = [p.communicate(timeout=600) for p in loads]
    stop.touch()
    read_out, read_err = reader.communicate(timeout=600)

    for p, (_, err) in zip(loads, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    assert [r["status"] for r in results] == ["loaded", "loaded"]
    assert [r["rows_loaded"] for r in results] == [N_12315, N_12358]
    assert results[0]["batch_id"] != results[1]["batch_id"]

    assert reader.returncode == 0, read_err[-3000:]
    report = json.loads(read_out.strip().splitlines()[-1])
    whole = {0, N_12315, N_12358, N_12315 + N_12358}
    assert set(report["seen"]) <= whole, sorted(set(report["seen"]) - whole)  # never half a load
    assert report["seen"][-1] == N_12315 + N_12358
    assert report["seen"] == sorted(report["seen"])
    assert "投诉举报总数（件）" not in report["before"]  # empty warehouse: the empty state
    assert report["after"]["投诉举报总数（件）"] == f"{N_12315 + N_12358:,}"

    wh = open_warehouse(target)  # and a fourth look, from this process
    with wh.read() as cur:
        batches = cur.execute("SELECT batch_id, kind, status FROM batches ORDER BY batch_id").fetchall()
        counts = dict(cur.execute("SELECT source, count(*) FROM v_complaints_current GROUP BY source").fetchall())
    wh.close()
    assert sorted(b for b, _, _ in batches) == sorted(r["batch_id"] for r in results)
    assert {s for _, _, s in batches} == {"loaded"}
    assert counts == {"complaints_12315": N_12315, "price_12358": N_12358}
