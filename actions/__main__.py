"""python -m actions digest|send: what a cron line or systemd timer calls (see the README).

    python -m actions digest --as-of 2018-11-12 [--db PATH] [--json]   # compute what is due; send nothing
    python -m actions send --as-of 2018-11-12 [--db PATH] [--digest]   # send what is new; record it in the outbox

Without --as-of the date is today (Asia/Shanghai). Exit 1 when a delivery failed (it is retried next run), 2 on
bad input; a bad channel file is reported, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import duckdb

from actions import now
from actions.config import load_config
from actions.outbox import send
from actions.reminders import compute, digest_text
from campaign import CampaignError
from warehouse import WarehouseError, open_warehouse, resolve_db_path


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”应为 YYYY-MM-DD") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions", description="催报提醒与领导周报")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("digest", "计算应发的提醒和周报（不发送）"), ("send", "发送新的提醒，记入发件箱")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--as-of", type=_date, default=None, help="统计日期 YYYY-MM-DD（默认今天）")
        p.add_argument("--db", help="数据仓库文件")
        if name == "digest":
            p.add_argument("--json", action="store_true", help="输出 JSON")
        else:
            p.add_argument("--digest", action="store_true", help="无论星期几都发送领导周报")
    args = parser.parse_args(argv)
    as_of = args.as_of or now().date()
    try:
        wh = open_warehouse(resolve_db_path(["--db", args.db] if args.db else []))
    except duckdb.IOException as exc:  # another process (the running dashboard) owns the file
        print(f"无法打开数据仓库：文件正被另一个进程占用（如正在运行的看板），请稍后重试或在看板的“系统管理 → 发件箱”中发送。{exc}",
              file=sys.stderr)  # fmt: skip
        return 2
    except (CampaignError, WarehouseError, OSError) as exc:  # an unreadable file: said, not a traceback
        print(f"无法打开数据仓库：{exc}", file=sys.stderr)
        return 2
    try:
        cfg = load_config(wh.campaign)
        for problem in cfg.problems:
            print(f"渠道配置问题：{problem}", file=sys.stderr)
        if args.command == "digest":
            result = compute(wh, as_of, cfg.dashboard_url)
            if args.json:
                print(json.dumps(result, ensure_ascii=False, indent=2))
            else:
                for r in result["reminders"]:
                    print(f"{r['due']}  {r['subject']}")
                print()
                print("\n".join(digest_text(wh, as_of, result["digest"])))
            return 0
        report = send(wh, as_of, cfg, digest=True if args.digest else None)
        print(json.dumps(report.as_json(), ensure_ascii=False))
        return 1 if report.failed else 0
    finally:
        wh.close()


if __name__ == "__main__":
    sys.exit(main())
