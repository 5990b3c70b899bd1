"""The warehouse stamps UTC whatever the server's zone; pages show the office's time (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import polars as pl

from tests.conftest import ROOT
from warehouse.clock import office_columns, office_day_start, to_office

STAMP = """
import datetime as dt, sys
from warehouse import open_warehouse
wh = open_warehouse(sys.argv[1])
with wh.write() as cur:
    cur.execute("INSERT INTO audit_log (username, action) VALUES ('t', 'login')")
with wh.read() as cur:
    (stamp,) = cur.execute("SELECT max(logged_at) FROM audit_log").fetchone()
now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
print(abs((stamp - now).total_seconds()))
"""


def test_a_stamp_is_utc_on_a_server_in_shanghai(tmp_path):
    env = {**os.environ, "TZ": "Asia/Shanghai", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", STAMP, str(tmp_path / "w.duckdb")], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) < 120  # UTC, not eight hours off


def test_office_time_is_eight_hours_ahead():
    stamp = dt.datetime(2018, 8, 13, 17, 30)
    assert to_office(stamp) == dt.datetime(2018, 8, 14, 1, 30)
    assert to_office(None) is None
    frame = office_columns(pl.DataFrame({"loaded_at": [stamp], "n": [1]}), "loaded_at", "absent")
    assert frame["loaded_at"].to_list() == [dt.datetime(2018, 8, 14, 1, 30)] and frame["n"].to_list() == [1]
    assert office_day_start(dt.date(2018, 8, 14)) == dt.datetime(2018, 8, 13, 16, 0)
