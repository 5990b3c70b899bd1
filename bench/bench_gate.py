"""The gate's cost against calamine's own read of the same workbook, in the same run.

python bench/bench_gate.py [--rows 50000]: writes a 12315 export .xlsx of that many rows (datagen), then times
(median of 3) loaders.reading.gate.inspect with its cache cleared (every member inflated, DTDs searched, the
sheet's span measured) against fastexcel reading the sheet in full, as the loader does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def median_seconds(fn, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    import fastexcel

    from datagen.exports import write_12315_xlsx
    from loaders.reading import gate

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_12315_xlsx(Path(tmp) / "12315.xlsx", args.rows)

        def judge() -> None:
            gate._judged.cache_clear()
            gate.inspect(path, path.name)

        def read() -> None:
            reader = fastexcel.read_excel(str(path))
            reader.load_sheet(reader.sheet_names[0], header_row=None, dtypes="string").to_polars()

        g, r = median_seconds(judge), median_seconds(read)
        print(
            f"{args.rows} rows, {path.stat().st_size / 1e6:.1f} MB: gate {g:.2f} s, calamine full read {r:.2f} s, ratio {g / r:.2f}"
        )


if __name__ == "__main__":
    main()
