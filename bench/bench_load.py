"""Export-loading benchmark (issue 3): a 1,000,000-row 12315 CSV, UTF-8 and GB18030, loaded end to end
through the CLI, side by side with DuckDB's own read_csv creating a table from the same file, in the same run.

    python bench/bench_load.py                 # 1,000,000 rows; files cached in bench/out/
    python bench/bench_load.py --rows 200000   # a quicker run
    python bench/bench_load.py --regenerate    # write the input files afresh
    python bench/bench_load.py --repeat 1      # one round instead of the median of three

Each measurement is a fresh child process on a fresh database file (Python start-up, imports, migrations,
hashing, parsing, normalising, privacy, one transaction, commit: everything a user waits for). Peak memory is
the child's maximum resident set size (os.wait4). DuckDB cannot read GB18030 without its `encodings`
extension (not available offline), so both files are compared with the same baseline: read_csv of the UTF-8
file (identical rows). Targets: loader ≤ 2× baseline (UTF-8), ≤ 3× (GB18030), peak < 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

TARGETS = {"utf-8": 2.0, "gb18030": 3.0}
PEAK_LIMIT_MB = 2048


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of one child process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err_file:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err_file)
        out = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        err_file.seek(0)
        err = err_file.read()
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 and not (proc.returncode == 1 and out.strip()):
        raise RuntimeError(f"{args[:4]} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, out.decode()


BASELINE = """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
con.execute("SET enable_progress_bar = false")
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[1]])
print(con.execute("SELECT count(*) FROM t").fetchone()[0])
con.close()
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; the median of each side is compared")
    args = ap.parse_args()

    from datagen.exports import write_12315_csv

    OUT.mkdir(parents=True, exist_ok=True)
    files = {}
    for enc in ("utf-8", "gb18030"):
        path = OUT / f"12315_{args.rows}_{enc}.csv"
        if args.regenerate or not path.exists():
            t = time.perf_counter()
            write_12315_csv(path, args.rows, seed=7, encoding=enc)
            print(f"generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.0f} s")
        files[enc] = path

    results = {}
    with tempfile.TemporaryDirectory(prefix="wangjian-bench-") as tmp:
        env = {**os.environ, "WANGJIAN_SECRET_DIR": str(Path(tmp) / "secret"), "PYTHONPATH": str(ROOT)}
        rounds: dict[str, list[tuple[float, float, str]]] = {"baseline": [], **{enc: [] for enc in files}}
        for r in range(args.repeat):  # interleaved rounds: a slow moment of the machine hits both sides
            for label in rounds:
                db = Path(tmp) / f"{label}_{r}.duckdb"
                if label == "baseline":
                    cmd = [sys.executable, "-c", BASELINE, str(files["utf-8"]), str(db)]
                else:
                    cmd = [sys.executable, "-m", "loaders", "load", str(files[label]), "--db", str(db), "--json"]
                rounds[label].append(run_child(cmd, env))
                db.unlink(missing_ok=True)

        def median(label: str) -> tuple[float, float, str]:
            return sorted(rounds[label])[len(rounds[label]) // 2]

        base_s, base_mb, out = median("baseline")
        spread = ", ".join(f"{s:.2f}" for s, _, _ in rounds["baseline"])
        print(
            f"baseline  DuckDB read_csv → table (UTF-8 file): {base_s:6.2f} s  peak {base_mb:6.0f} MB  rows {out.strip()}"
            f"  (runs: {spread})"
        )
        for enc in files:
            secs, _, out = median(enc)
            mb = max(m for _, m, _ in rounds[enc])
            res = json.loads(out.strip().splitlines()[-1])
            ratio = secs / base_s
            ok = ratio <= TARGETS[enc] and mb < PEAK_LIMIT_MB
            results[enc] = dict(seconds=round(secs, 2), ratio=round(ratio, 2), peak_mb=round(mb), status=res["status"])
            spread = ", ".join(f"{s:.2f}" for s, _, _ in rounds[enc])
            print(
                f"loader    {enc:8s} CLI end to end:              {secs:6.2f} s  peak {mb:6.0f} MB  "
                f"loaded {res['rows_loaded']} quarantined {res['rows_quarantined']}  "
                f"ratio {ratio:.2f}× (target ≤ {TARGETS[enc]:.0f}×) {'OK' if ok else 'OVER'}  (runs: {spread})"
            )
    results["baseline"] = dict(seconds=round(base_s, 2), peak_mb=round(base_mb))
    (OUT / "bench_load.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
