"""python -m loaders load FILE [FILE ...] [--kind auto|complaints_12315|price_12358|monitoring|district_stats] [--db PATH] [--json]

Files load in the order given, each as one batch in one transaction. With --json, one JSON object per file
per line: file, kind, status (loaded/duplicate/rejected), rows_loaded, rows_quarantined, batch_id, errors
[{row, column, message}] (and warnings). Exit 0 when no file was rejected, else 1.
"""

from __future__ import annotations

import os

# Before polars loads: let its allocator hand freed memory back at once, so a long export's slices do not
# pile up (the CLI is a short-lived process that loads large files; the app keeps the defaults).
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

import argparse
import getpass
import json
import sys

import settings
from auth.policy import Principal
from loaders import file_kinds, load_file
from loaders.result import LoadResult
from warehouse import open_warehouse, resolve_db_path

# DuckDB's share of memory while loading: beyond this, uncommitted rows spill to a temporary file.
LOAD_MEMORY = settings.load_memory()


def _user() -> Principal:
    """Whoever runs the command line already owns the warehouse file: a trusted operator, named in the log."""
    name = settings.cli_user() or f"cli:{getpass.getuser()}"
    return Principal(name, "admin", "命令行")


def _print_human(r: LoadResult, kinds: dict[str, str]) -> None:
    label = {"loaded": "已导入", "duplicate": "重复文件，未改动", "rejected": "已拒绝"}[r.status]
    kind = kinds.get(r.kind or "", "未识别")
    head = f"{r.file}：{label}（{kind}）"
    if r.status == "loaded":
        head += f"，入库 {r.rows_loaded} 行，隔离 {r.rows_quarantined} 行，批次 #{r.batch_id}"
    elif r.status == "duplicate":
        head += f"，与批次 #{r.batch_id} 相同"
    print(head)
    for e in r.errors[:20]:
        print(f"  错误：{e.message}")
    if len(r.errors) > 20:
        print(f"  ……另有 {len(r.errors) - 20} 条错误")
    for w in r.warnings:
        print(f"  提示：{w.message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders", description="网剑行动数据看板：导入数据文件")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("load", help="导入一个或多个文件（按给出的顺序）")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--kind", default="auto", choices=["auto", *file_kinds()])
    p.add_argument("--db")
    p.add_argument("--json", action="store_true")
    weekly = p.add_argument_group("情况统计表（--kind district_stats）")
    weekly.add_argument("--unit", help="填报单位 key（如 wujin）；省略时以表内“填报单位”为准")
    weekly.add_argument("--agency", help="部门 key（区局为 aic，市级成员单位如 psb）")
    weekly.add_argument("--week", help="报告周的周一 YYYY-MM-DD；省略时以表内“统计周期”为准")
    weekly.add_argument("--received-on", help="收到日期 YYYY-MM-DD，据此判断是否按时报送")
    args = parser.parse_args(argv)
    options = {
        k: v
        for k, v in (
            ("unit", args.unit),
            ("agency", args.agency),
            ("week", args.week),
            ("received_on", args.received_on),
        )
        if v
    }

    wh = open_warehouse(resolve_db_path(["--db", args.db] if args.db else []))
    wh.con.execute("SET memory_limit = ?", [LOAD_MEMORY])
    rejected = False
    try:
        for f in args.files:
            result = load_file(wh, f, user=_user(), kind=args.kind, display_name=os.path.basename(f), **options)
            rejected |= result.status == "rejected"
            if args.json:
                out = result.as_json()
                out["file"] = f
                print(json.dumps(out, ensure_ascii=False, default=str), flush=True)
            else:
                _print_human(result, file_kinds(wh.campaign))
    finally:
        wh.close()
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
