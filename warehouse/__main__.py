"""python -m warehouse migrate|maintain [--db TARGET]

- migrate: open the warehouse (migrations and the reference sync run, as at any start) and print its version.
- maintain: under the write lock, on a DuckLake: the inlined rows flushed, the small files that every upload,
  login and withdrawal leaves merged, files merged away over a day ago deleted (run it nightly, after the loader
  job); on the embedded file, CHECKPOINT.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import closing

from warehouse import open_warehouse, resolve_db_path, schema_version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse", description="网剑行动数据看板：数据仓库维护")
    parser.add_argument("command", choices=["migrate", "maintain"])
    parser.add_argument("--db", help="仓库文件，或 ducklake:postgres:dbname=… host=… user=…")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with closing(open_warehouse(resolve_db_path(["--db", args.db] if args.db else []))) as wh:
        if args.command == "maintain":
            wh.checkpoint()
        print(
            f"{wh.name}：{'维护' if args.command == 'maintain' else '迁移'}完成（{time.perf_counter() - started:.1f} 秒），"
            f"结构版本 {schema_version(wh)}，数据版本 {wh.data_version()}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
