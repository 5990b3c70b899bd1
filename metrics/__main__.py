"""python -m metrics summary|report|refresh|bulletin|pack: figures from the warehouse for other tools, the upward
report, the 工作通报 and the 总结报告 pack, and the dashboard's summary tables rebuilt after a command-line load."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from warehouse import open_warehouse, resolve_db_path


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD，实际为 {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m metrics", description="网剑行动数据看板：统计口径输出")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summary", help="各数据源汇总（JSON）")
    s.add_argument("--db")
    s.add_argument("--as-of", type=_date)
    s.add_argument("--json", action="store_true", required=True)
    r = sub.add_parser("report", help="写出全市情况统计表1、2（上报用 .xlsx）")
    r.add_argument("--db")
    r.add_argument("--as-of", type=_date, required=True)
    r.add_argument("--out", required=True)
    f = sub.add_parser("refresh", help="重建看板汇总表（命令行导入数据后运行，页面即可直接读取）")
    f.add_argument("--db")
    b = sub.add_parser("bulletin", help="生成工作通报（.docx；加 --pdf 同时生成同名 PDF）")
    p = sub.add_parser("pack", help="生成总结报告材料包（.zip：总结报告初稿、统计表、已报送材料、manifest.csv）")
    for cmd in (b, p):
        cmd.add_argument("--db")
        cmd.add_argument("--as-of", type=_date, required=True)
        cmd.add_argument("--out", required=True)
        cmd.add_argument("--unit", help="单位键（如 wujin）；不填为全市")
        cmd.add_argument("--agency", help="成员单位键（如 psb），与 --unit city 合用")
    b.add_argument("--pdf", action="store_true")
    args = parser.parse_args(argv)
    if args.command in ("bulletin", "pack"):
        from metrics.documents.cli import run

        return run(args)

    wh = open_warehouse(resolve_db_path(["--db", args.db] if args.db else []))
    try:
        if args.command == "summary":
            from metrics.summary_json import build_summary

            json.dump(build_summary(wh, args.as_of), sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        elif args.command == "refresh":
            from metrics.summary_tables import refresh

            rebuilt = refresh(wh)
            print(f"已重建：{'、'.join(rebuilt)}" if rebuilt else "汇总表已是最新，无需重建")
        else:
            from metrics.report import write_report

            write_report(wh, args.as_of, args.out)
            print(f"已写出 {args.out}")
    finally:
        wh.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
