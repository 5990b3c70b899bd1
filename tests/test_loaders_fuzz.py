"""The loaders under a bounded, seeded fuzz (tests/loaders_fuzz.py): a few hundred mutated files from the committed
fixtures (and the shared samples where present), each loaded with figures that add up or refused with a Chinese
message and nothing written; no traceback, no hang, no crash. The counts go to test-artifacts/fuzz-counts.json."""

from __future__ import annotations

import json
from pathlib import Path

from tests.loaders_fuzz import cases, run_fuzz

ROOT = Path(__file__).resolve().parent.parent
CASES = 240
SEED = 20181115


def test_cases_are_seeded_and_cover_every_mutation():
    assert cases(SEED, CASES) == cases(SEED, CASES)
    assert {c.mutation for c in cases(SEED, CASES)} == {
        "truncate", "encode", "flip_raw", "flip_member", "drop_member", "duplicate_member", "swap_sheet"
    }  # fmt: skip


def test_fuzzed_files_load_with_figures_that_add_up_or_are_refused_cleanly():
    summary = run_fuzz(SEED, CASES, case_timeout=60)
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "fuzz-counts.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    print({k: v for k, v in summary.items() if k != "failures"})
    assert summary["failures"] == []
    assert summary["cases"] == CASES
    assert (summary["tracebacks"], summary["hangs"], summary["crashes"]) == (0, 0, 0)
    assert summary["loaded"] > 20 and summary["refused"] > 60  # the mutations reach both ends
