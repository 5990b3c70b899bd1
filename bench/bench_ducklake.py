"""DuckLake beside the embedded file (issue 15), in one run on one machine:

- pages and queries at 10,000,000 complaints and 1,000,000 hits (bench_pages' build, queries and AppTest pages),
  once on the embedded file and once on a DuckLake whose catalogue is a local PostgreSQL (fsync on);
- the 1,000,000-row 12315 CSV through the command-line loader into each, each as a ratio to DuckDB's read_csv.

    python bench/bench_ducklake.py                                  # the full run (most of an hour on 2 cores)
    python bench/bench_ducklake.py --complaints 1000000 --hits 100000 --rows 200000   # a quicker one
    python bench/bench_ducklake.py --no-pages                        # the load only

PostgreSQL: started by tests/pgserver.py (Debian's binaries), or $WANGJIAN_TEST_PG. The lake's Parquet files go
under /tmp/wangjian-bench/lake-*/ (local disk, like the embedded file: shared storage adds its own latency).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_load  # noqa: E402 - after the path set-up
import bench_pages  # noqa: E402

from tests.pgserver import PgServer  # noqa: E402

WORK = Path("/tmp/wangjian-bench")


def lake(pg: PgServer, name: str) -> str:
    """A new, empty DuckLake: its catalogue a new database, its data a new folder."""
    data = WORK / f"lake-{name}-{os.getpid()}"
    os.environ["WANGJIAN_DATA_PATH"] = str(data)
    return pg.target(pg.new_database(f"bench_{name}"))


def pages(pg: PgServer, args: argparse.Namespace) -> dict[str, list]:
    out = {}
    for backend in ("embedded", "ducklake"):
        db: Path | str = WORK / f"bench-{args.complaints}.duckdb" if backend == "embedded" else lake(pg, "pages")
        t = time.perf_counter()
        bench_pages.build(db, args.complaints, args.hits)
        print(f"[{backend}] 建库 {time.perf_counter() - t:.0f} s", flush=True)
        rows = bench_pages.Rows()
        bench_pages.measure_queries(db, rows)
        bench_pages.measure_pages(db, rows)
        out[backend] = rows
    return out


def load(pg: PgServer, rows: int) -> dict[str, float]:
    from datagen.exports import write_12315_csv

    csv = bench_load.OUT / f"12315_{rows}_utf-8.csv"
    if not csv.exists():
        bench_load.OUT.mkdir(parents=True, exist_ok=True)
        write_12315_csv(csv, rows, seed=7, encoding="utf-8")
    result = {}
    with tempfile.TemporaryDirectory(prefix="wangjian-bench-") as tmp:
        env = {**os.environ, "WANGJIAN_SECRET_DIR": str(Path(tmp) / "secret"), "PYTHONPATH": str(ROOT)}
        base = Path(tmp) / "baseline.duckdb"
        result["baseline"] = bench_load.run_child(
            [sys.executable, "-c", bench_load.BASELINE, str(csv), str(base)], env
        )[0]
        for backend in ("embedded", "ducklake"):
            target = str(Path(tmp) / "load.duckdb") if backend == "embedded" else lake(pg, "load")
            env["WANGJIAN_DATA_PATH"] = os.environ.get("WANGJIAN_DATA_PATH", "")
            cmd = [sys.executable, "-m", "loaders", "load", str(csv), "--db", target, "--json"]
            secs, mb, outp = bench_load.run_child(cmd, env)
            res = json.loads(outp.strip().splitlines()[-1])
            result[backend], result[f"{backend}_peak_mb"] = secs, mb
            print(f"[{backend}] 导入 {rows:,} 行：{secs:.2f} s（{res['status']}，峰值 {mb:.0f} MB）", flush=True)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--complaints", type=int, default=10_000_000)
    ap.add_argument("--hits", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows of the CSV loaded through the CLI")
    ap.add_argument("--no-pages", action="store_true")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    bench_pages.REPEAT = 3
    pg = PgServer.from_env_or_start(fsync=True)
    try:
        loaded = load(pg, args.rows)
        measured = {} if args.no_pages else pages(pg, args)
    finally:
        pg.stop()

    print(f"\n## 导入 {args.rows:,} 行 12315 CSV（命令行，端到端）\n")
    print("| 仓库 | 用时 (s) | 相对 DuckDB read_csv | 峰值内存 (MB) |\n|---|---:|---:|---:|")
    print(f"| DuckDB read_csv → 表（基线） | {loaded['baseline']:.2f} | 1.00× | |")
    for backend in ("embedded", "ducklake"):
        ratio = loaded[backend] / loaded["baseline"]
        print(f"| {backend} | {loaded[backend]:.2f} | {ratio:.2f}× | {loaded[f'{backend}_peak_mb']:.0f} |")
    if measured:
        print(f"\n## {args.complaints:,} 条投诉举报、{args.hits:,} 条监测线索：查询与页面\n")
        print("| 类别 | 项目 | 嵌入式 (ms) | DuckLake (ms) | DuckLake / 嵌入式 |\n|---|---|---:|---:|---:|")
        for (kind, name, a, _), (_, _, b, _) in zip(measured["embedded"], measured["ducklake"], strict=True):
            print(f"| {kind} | {name} | {a:,.0f} | {b:,.0f} | {b / a:.1f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
