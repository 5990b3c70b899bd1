"""A bounded, seeded fuzz of the loaders: mutate real files (truncate, flip bytes inside zip members, drop or
duplicate members, swap sheet XML, re-encode CSV text, flip bytes of an .xls) and load each through load_file.

Each load must either succeed with figures that add up (the warehouse grew by exactly what the result says; the
rows read equal loaded + quarantined + skipped; a re-encoded CSV loads as its original) or be refused with a
Chinese message and nothing written. Never a traceback, never a hang, never a crash of the process.

The cases run in a worker process (`python -m tests.loaders_fuzz --worker SEED START COUNT`) that prints one JSON
line per case; the parent (run_fuzz) gives each case a timeout and restarts the worker after a hang or a crash
(a native abort in a parser kills the process, which an in-process test could not survive).
`python -m tests.loaders_fuzz --cases 2000 --seed 7` runs a longer campaign by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import selectors
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "exports"
SAMPLES = Path(os.environ.get("WANGJIAN_SAMPLES", ROOT.parent / "shared" / "samples"))
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "big5", "latin-1", "shift_jis", "cp1252"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def bases() -> list[Path]:
    """The files mutated: the committed fixtures always, the shared samples where present (small ones)."""
    out = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".csv", ".xlsx", ".xls"))
    if SAMPLES.is_dir():
        out += sorted(p for p in SAMPLES.iterdir() if p.suffix in (".xlsx", ".csv") and p.stat().st_size < 100_000)
    return out


@dataclass(frozen=True)
class Case:
    index: int
    base: Path
    mutation: str
    seed: int


def cases(seed: int, n: int) -> list[Case]:
    rnd = random.Random(seed)
    files = bases()
    out = []
    for i in range(n):
        base = files[i % len(files)]
        kinds = {
            ".csv": ["truncate", "encode", "encode", "flip_raw", "flip_raw"],
            ".xlsx": ["truncate", "flip_member", "flip_member", "flip_member", "drop_member", "duplicate_member", "swap_sheet"],
            ".xls": ["truncate", "flip_raw", "flip_raw", "flip_raw"],
        }[base.suffix]  # fmt: skip
        out.append(Case(i, base, rnd.choice(kinds), rnd.randrange(1 << 30)))
    return out


def mutate(case: Case, dst: Path) -> Path:
    """Write the mutated file for a case (deterministic from its seed) and return its path."""
    rnd = random.Random(case.seed)
    data = case.base.read_bytes()
    m = case.mutation
    path = dst / f"case{case.index}{case.base.suffix}"
    if m == "truncate":
        path.write_bytes(data[: rnd.randrange(1, len(data))])
    elif m == "flip_raw":
        buf = bytearray(data)
        for _ in range(rnd.randint(1, 8)):
            buf[rnd.randrange(len(buf))] ^= 1 << rnd.randrange(8)
        path.write_bytes(bytes(buf))
    elif m == "encode":
        from loaders.reading.encodings import decode_bytes_strict

        enc = rnd.choice(ENCODINGS)
        path.write_bytes(decode_bytes_strict(data).encode(enc, errors="replace"))
    else:
        with zipfile.ZipFile(case.base) as zin:
            members = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
        target = rnd.randrange(len(members))
        if m == "flip_member":
            name, body = members[target]
            buf = bytearray(body)
            for _ in range(rnd.randint(1, 4)):
                buf[rnd.randrange(len(buf))] ^= 1 << rnd.randrange(8)
            members[target] = (name, bytes(buf))
        elif m == "drop_member":
            del members[target]
        elif m == "duplicate_member":
            members.insert(target, members[target])
        elif m == "swap_sheet":
            donors = [b for b in bases() if b.suffix == ".xlsx" and b != case.base]
            with zipfile.ZipFile(rnd.choice(donors)) as donor:
                sheet = next(n for n in donor.namelist() if n.startswith("xl/worksheets/"))
                members = [(n, donor.read(sheet) if n.startswith("xl/worksheets/") else b) for n, b in members]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
            for name, body in members:
                zout.writestr(name, body)
    return path


# --- the worker --------------------------------------------------------------------------------------------
COUNTED = {"batches": None, "complaint_versions": "batch_id", "hit_versions": "batch_id", "export_quarantine": "batch_id",
           "stats_tables": "batch_id", "stats_table1_values": "batch_id"}  # fmt: skip


def _counts(wh) -> dict[str, int]:
    with wh.read() as cur:
        tables = [
            t
            for (t,) in cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
            ).fetchall()
            if t not in ("audit_log", "meta")
        ]
        return {t: cur.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _rows_in_sheet(wh, batch_id: int, path: Path, fmt: str) -> int | None:
    """The rows below the header of the sheet the batch was read from, counted by reading the sheet in full."""
    import fastexcel

    from loaders.reading.grids import calamine_path

    with wh.read() as cur:
        row = cur.execute(
            "SELECT sheet, header_row, rows_skipped FROM export_batches WHERE batch_id = ?", [batch_id]
        ).fetchone()
    if row is None or fmt == "csv":
        return None
    sheet, header_row, skipped = row
    with calamine_path(path, fmt) as book:
        height = fastexcel.read_excel(str(book)).load_sheet(sheet, header_row=None, skip_rows=0).height
    return height - header_row - skipped


def check_case(wh, case: Case, path: Path, baseline: dict) -> tuple[str, str | None]:
    """(outcome, problem): outcome loaded / refused / duplicate; problem None when every promise held."""
    from auth.policy import SYSTEM
    from loaders import load_file

    before = _counts(wh)
    r = load_file(wh, path, user=SYSTEM)
    after = _counts(wh)
    if r.status in ("rejected", "duplicate"):
        if after != before:
            return r.status, f"{r.status} but tables changed: {before} → {after}"
        if r.status == "rejected" and not (r.errors and CHINESE.search(r.errors[0].message)):
            return r.status, f"refused without a Chinese message: {r.errors}"
        return ("refused" if r.status == "rejected" else "duplicate"), None
    grew = {t: after[t] - before[t] for t in after if after[t] != before[t]}
    if r.kind == "district_stats":
        ok = grew.get("batches") == 1 and grew.get("stats_tables") == 1
        return "loaded", None if ok else f"weekly table loaded but tables grew by {grew}"
    table = "hit_versions" if r.kind == "monitoring" else "complaint_versions"
    expected = {"batches": 1, table: r.rows_loaded, "export_quarantine": r.rows_quarantined}
    if {k: v for k, v in expected.items() if v} != {k: v for k, v in grew.items() if k in expected}:
        return "loaded", f"reported {r.rows_loaded}+{r.rows_quarantined}, tables grew by {grew}"
    original = baseline.get(case.base.name) if case.mutation == "encode" else None
    if original is not None and (r.rows_loaded, r.rows_quarantined) != original:
        return "loaded", f"re-encoded file loaded {r.rows_loaded}+{r.rows_quarantined}, original {original}"
    with wh.read() as cur:
        fmt = cur.execute("SELECT file_format FROM export_batches WHERE batch_id = ?", [r.batch_id]).fetchone()[0]
    held = _rows_in_sheet(wh, r.batch_id, path, fmt)
    if held is not None and held != r.rows_loaded + r.rows_quarantined:
        return "loaded", f"sheet holds {held} data rows, loaded {r.rows_loaded} + quarantined {r.rows_quarantined}"
    return "loaded", None


def worker(seed: int, start: int, count: int, n: int, folder: Path) -> None:
    from auth.policy import SYSTEM
    from loaders import load_file
    from warehouse import open_warehouse

    tmp = Path(tempfile.mkdtemp(prefix="worker-", dir=folder))
    os.environ["WANGJIAN_SECRET_DIR"] = str(tmp / "secret")
    wh = open_warehouse(tmp / "fuzz.duckdb")
    baseline = {}
    for base in bases():
        r = load_file(wh, base, user=SYSTEM)
        baseline[base.name] = (r.rows_loaded, r.rows_quarantined)
    for case in cases(seed, n)[start : start + count]:
        path = mutate(case, tmp)
        try:
            outcome, problem = check_case(wh, case, path, baseline)
        except BaseException as exc:  # the finding itself: a traceback out of the loaders
            outcome, problem = "traceback", f"{type(exc).__name__}: {exc}"[:300]
        print(json.dumps({"i": case.index, "outcome": outcome, "problem": problem}, ensure_ascii=False), flush=True)
        path.unlink(missing_ok=True)


# --- the parent ----------------------------------------------------------------------------------------------
def run_fuzz(seed: int, n: int, case_timeout: float = 30.0) -> dict:
    """Run n cases in worker processes; return counts and the failing cases."""
    shm = Path("/dev/shm")  # the warehouse's commits in memory: the cases are about the loaders, not the disk
    with tempfile.TemporaryDirectory(prefix="wangjian-fuzz-", dir=shm if shm.is_dir() else None) as folder:
        results = _run_workers(seed, n, case_timeout, Path(folder))
    outcomes = Counter(r["outcome"] for r in results.values())
    failures = [r for r in results.values() if r["problem"] or r["outcome"] in ("hang", "crash", "traceback")]
    return {
        "seed": seed,
        "cases": len(results),
        "loaded": outcomes["loaded"],
        "refused": outcomes["refused"],
        "duplicate": outcomes["duplicate"],
        "tracebacks": outcomes["traceback"],
        "hangs": outcomes["hang"],
        "crashes": outcomes["crash"],
        "failures": failures,
    }


def _run_workers(seed: int, n: int, case_timeout: float, folder: Path) -> dict[int, dict]:
    """Workers from the first unanswered case on; a case that hangs or kills its worker is recorded as such and
    the next worker starts after it."""
    results: dict[int, dict] = {}
    start = 0
    while start < n:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.loaders_fuzz", "--worker", str(seed), str(start), str(n - start), str(n)],
            env={**os.environ, "WANGJIAN_FUZZ_DIR": str(folder)},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        expected = start
        deadline = time.monotonic() + case_timeout + 120  # the first case also waits for the baseline loads
        while expected < n:
            if not sel.select(timeout=max(deadline - time.monotonic(), 0)):
                proc.kill()
                results[expected] = {"i": expected, "outcome": "hang", "problem": f"no answer in {case_timeout} s"}
                break
            line = proc.stdout.readline()
            if not line:  # the worker died: a native crash
                proc.wait()
                results[expected] = {"i": expected, "outcome": "crash", "problem": f"worker exit {proc.returncode}"}
                break
            item = json.loads(line)
            results[item["i"]] = item
            expected = item["i"] + 1
            deadline = time.monotonic() + case_timeout
        proc.kill()
        proc.wait()
        sel.close()
        start = expected + 1 if expected < n else n
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", nargs=4, type=int, metavar=("SEED", "START", "COUNT", "N"))
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20181115)
    args = parser.parse_args()
    if args.worker:
        seed, start, count, n = args.worker
        worker(seed, start, count, n, Path(os.environ.get("WANGJIAN_FUZZ_DIR") or tempfile.mkdtemp()))
        return
    summary = run_fuzz(args.seed, args.cases)
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
