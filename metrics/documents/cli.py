"""`python -m metrics bulletin|pack`: the documents from the command line, as the trusted operator (SYSTEM)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from auth.policy import SYSTEM
from metrics.documents.bulletin import bulletin
from metrics.documents.context import Scope
from metrics.documents.document import GeneratedFile, pdf_of
from metrics.documents.pack import pack
from metrics.documents.pdf import PdfUnavailable
from warehouse import open_warehouse, resolve_db_path


def _write(f: GeneratedFile, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(f.data)
    print(f"已写出 {out}（sha256 {f.sha256[:12]}…）")


def run(args: argparse.Namespace) -> int:
    wh = open_warehouse(resolve_db_path(["--db", args.db] if args.db else []))
    try:
        if args.unit is not None and args.unit not in {u.key for u in wh.campaign.units}:
            print(f"单位“{args.unit}”不存在", file=sys.stderr)
            return 2
        scope, out = Scope(args.unit, args.agency), Path(args.out)
        make = bulletin if args.command == "bulletin" else pack
        f = make(wh, SYSTEM, args.as_of, scope=scope)
        _write(f, out)
        for line in f.missing:
            print(f"缺：{line}")
        if getattr(args, "pdf", False):
            try:
                _write(pdf_of(wh, SYSTEM, f), out.with_suffix(".pdf"))
            except PdfUnavailable as exc:
                print(str(exc), file=sys.stderr)
                return 1
    finally:
        wh.close()
    return 0
