"""工作通报 at campaign scale (issue 13): 10,000,000 complaints, 1,000,000 monitoring hits, a full set of weekly
统计表 (bench_pages.py builds the warehouse), target < 10 s for the 通报.

    python bench/bench_documents.py                 # build /tmp/wangjian-bench/bench.duckdb if absent, measure
    python bench/bench_documents.py --db PATH --as-of 2018-10-15

Measured as a user meets it, each a fresh process (interpreter, warehouse open, Chromium start for the charts):
`python -m metrics bulletin` end to end, with --pdf, and the pack; the baseline in the same run is
`python -m metrics summary --json` on the same file (open the warehouse, a few scans, exit). Then, inside one
process, the 通报 a second time: what the dashboard's button costs once its browser is running.

Besides wall time, each fresh process's CPU seconds (its own and its children's: Chromium, LibreOffice) and the
load average are printed: on a shared machine the wall time says more about the neighbours than about the code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one fresh `python -m metrics` process, its browser and converter included."""
    t0, cpu0 = time.perf_counter(), _cpu_children()
    done = subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"python -m metrics {' '.join(args)} 失败：\n{done.stderr}")
    return time.perf_counter() - t0, _cpu_children() - cpu0


def _median(cmd: list[str], repeat: int) -> tuple[float, float]:
    runs = [_run(cmd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def in_process(db: Path, as_of: dt.date) -> tuple[float, float]:
    """(first, second) 通报 in one process: the second has the browser running already."""
    from auth.policy import SYSTEM
    from metrics.documents.bulletin import bulletin
    from warehouse import open_warehouse

    wh = open_warehouse(db)
    try:
        times = []
        for _ in range(2):
            t0 = time.perf_counter()
            bulletin(wh, SYSTEM, as_of)
            times.append(time.perf_counter() - t0)
    finally:
        wh.close()
    return times[0], times[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="/tmp/wangjian-bench/bench.duckdb")
    ap.add_argument("--as-of", default="2018-10-15")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    db = Path(args.db)
    if not db.exists():
        from bench.bench_pages import build

        db.parent.mkdir(parents=True, exist_ok=True)
        build(db, 10_000_000, 1_000_000)
    common = ["--as-of", args.as_of, "--db", str(db)]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        _run(["summary", "--json", *common])  # warm the OS page cache once for every measurement alike
        rows = []
        for name, cmd in [
            ("summary --json（基线）", ["summary", "--json", *common]),
            ("bulletin（.docx，含 3 张图）", ["bulletin", *common, "--out", str(out / "b.docx")]),
            ("bulletin --pdf", ["bulletin", *common, "--out", str(out / "p.docx"), "--pdf"]),
            ("pack（全市材料包）", ["pack", *common, "--out", str(out / "pack.zip")]),
        ]:
            rows.append((name, *_median(cmd, args.repeat)))
    first, second = in_process(db, dt.date.fromisoformat(args.as_of))
    base = rows[0][1]
    print(f"\n## 工作通报（{db}，截至 {args.as_of}，每项为 {args.repeat} 次独立进程的中位数）")
    print(f"负载（1 分钟平均，{os.cpu_count()} 核）：开始 {load_before:.1f}，结束 {os.getloadavg()[0]:.1f}\n")
    print("| 项目 | 用时 (s) | CPU (s，含子进程) | 用时相对基线 |")
    print("|---|---:|---:|---:|")
    for name, secs, cpu in rows:
        print(f"| {name} | {secs:.2f} | {cpu:.2f} | {secs / base:.1f}× |")
    print(f"| 同一进程内第一份通报（含启动浏览器） | {first:.2f} | | {first / base:.1f}× |")
    print(f"| 同一进程内第二份通报（浏览器已启动，即看板按钮） | {second:.2f} | | {second / base:.1f}× |")


if __name__ == "__main__":
    main()
