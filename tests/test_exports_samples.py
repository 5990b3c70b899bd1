"""The shared sample exports: the summary must give exactly expected_totals.json, and none of the samples'
personal data may be found anywhere in the warehouse (every column of every table)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import fastexcel
import pytest

from auth.policy import SYSTEM
from campaign import load_campaign
from loaders import load_file
from loaders.reading.encodings import decode_bytes_strict
from loaders.reading.headers import HeaderIndex
from metrics.load_counts import exports_summary
from tests.exports_helpers import all_text

ROOT = Path(__file__).resolve().parent.parent
EXPORT_PARTS = ("complaints_12315", "price_12358", "monitoring")


@pytest.fixture(autouse=True)
def secret_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("WANGJIAN_SECRET_DIR", str(tmp_path / "secret"))
    return tmp_path / "secret"


def export_files(samples: Path) -> list[Path]:
    """The export samples (not the weekly 统计表)."""
    return sorted(
        p for p in samples.iterdir() if p.suffix in (".csv", ".xlsx", ".xls") and not p.name.startswith("统计表")
    )


@pytest.mark.both_backends
def test_sample_totals_match_expected(wh, samples):
    for f in export_files(samples):
        r = load_file(wh, f, user=SYSTEM)
        assert r.status == "loaded", (f.name, r.errors)
    expected = json.loads((samples / "expected_totals.json").read_text(encoding="utf-8"))
    got = exports_summary(wh)
    for part in EXPORT_PARTS:
        assert got[part] == expected[part], part


def test_sample_totals_do_not_depend_on_load_order(wh, samples):
    for f in reversed(export_files(samples)):
        load_file(wh, f, user=SYSTEM)
    expected = json.loads((samples / "expected_totals.json").read_text(encoding="utf-8"))
    assert exports_summary(wh)["complaints_12315"] == expected["complaints_12315"]


@pytest.mark.both_backends
def test_as_of_limits_to_records_received_by_that_day(wh, samples):
    import datetime as dt

    for f in export_files(samples):
        load_file(wh, f, user=SYSTEM)
    with wh.read() as cur:
        n = cur.execute(
            "SELECT count(*) FROM v_complaints_current WHERE source = 'complaints_12315' AND received_at < DATE '2018-09-01'"
        ).fetchone()[0]
    got = exports_summary(wh, dt.date(2018, 8, 31))
    assert got["complaints_12315"]["total"] == n > 0
    assert exports_summary(wh, dt.date(2018, 6, 30))["monitoring"]["total"] == 0


def personal_values(samples: Path) -> set[str]:
    """Every value found in a personal column of any export sample."""
    c = load_campaign()
    values: set[str] = set()
    for f in export_files(samples):
        if f.suffix == ".csv":
            rows = list(csv.reader(io.StringIO(decode_bytes_strict(f.read_bytes()))))
        else:
            sheet = fastexcel.read_excel(str(f)).load_sheet(0, header_row=None, dtypes="string").to_polars()
            rows = [list(r) for r in sheet.rows()]
        for source in ("complaints_12315", "price_12358", "monitoring"):
            idx = HeaderIndex(c.sources[source])
            for i, row in enumerate(rows[:40]):
                m = idx.match(row)
                if idx.score(m) > 0 and m.personal:
                    for data in rows[i + 1 :]:
                        values |= {(data[j] or "").strip() for j in m.personal if j < len(data)}
                    break
    return {v for v in values if len(v) >= 2}


@pytest.mark.both_backends
def test_no_personal_data_from_the_samples_in_any_table(wh, samples):
    values = personal_values(samples)
    assert len(values) > 1000  # names, phones, ID numbers, addresses
    for f in export_files(samples):
        load_file(wh, f, user=SYSTEM)
    blob = all_text(wh)
    leaked = sorted(v for v in values if v in blob)
    assert leaked == []


def test_summary_cli_on_the_samples(tmp_path, samples, secret_dir):
    db = tmp_path / "s.duckdb"
    env = {**os.environ, "WANGJIAN_SECRET_DIR": str(secret_dir)}
    load = subprocess.run(
        [sys.executable, "-m", "loaders", "load", *map(str, export_files(samples)), "--db", str(db), "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert load.returncode == 0, load.stderr
    values = personal_values(samples)
    assert not [v for v in values if v in load.stdout or v in load.stderr]
    summary = subprocess.run(
        [sys.executable, "-m", "metrics", "summary", "--db", str(db), "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert summary.returncode == 0, summary.stderr
    got = json.loads(summary.stdout)
    expected = json.loads((samples / "expected_totals.json").read_text(encoding="utf-8"))
    assert {k: got[k] for k in EXPORT_PARTS} == {k: expected[k] for k in EXPORT_PARTS}
