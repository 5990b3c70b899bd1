"""How real exports garble values and files: mixed date forms, amounts with 元 / separators / full-width digits,
IDs Excel turned into scientific notation, title lines above the header; and the CSV / xlsx writers."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

from datagen.vocabulary import EXCEL_EPOCH, FULL_WIDTH


def date_text(rnd: random.Random, when: dt.datetime, messy: bool, style: str) -> str:
    if not messy:
        return (
            when.strftime("%Y-%m-%d %H:%M:%S") if style == "v1" else f"{when.year}/{when.month}/{when.day} {when:%H:%M}"
        )
    form = rnd.random()
    if form < 0.55:
        return when.strftime("%Y-%m-%d %H:%M:%S")
    if form < 0.8:
        return f"{when.year}/{when.month}/{when.day} {when:%H:%M}"
    if form < 0.9:
        return f"{when.year}年{when.month}月{when.day}日"
    if form < 0.97:
        return when.strftime("%Y%m%d")
    return f"{(when - EXCEL_EPOCH).total_seconds() / 86400:.6f}"  # an Excel serial number, as text


def amount_text(rnd: random.Random, value: float, messy: bool) -> str:
    if not messy:
        return f"{value:.2f}"
    form = rnd.random()
    if form < 0.6:
        return f"{value:.2f}"
    if form < 0.8:
        return f"{value:,.2f}"
    if form < 0.9:
        return f"{value:.2f}元"
    return f"{value:.2f}".translate(FULL_WIDTH)


def record_id(rnd: random.Random, prefix: str, when: dt.datetime, seq: int, messy: bool) -> str:
    rid = f"{prefix}{when:%Y%m%d}{seq:06d}"
    if messy:
        roll = rnd.random()
        if roll < 0.0005:
            return f"{float(rid):.5E}".replace("E+", "E+")  # what Excel does to a long number: unusable
        if roll < 0.001:
            return ""
    return rid


def write_csv(
    path: Path, header: Sequence[str], rows: Iterator[Sequence[str]], encoding: str, bom: bool, title: str | None
) -> Path:
    path = Path(path)
    enc = "utf-8-sig" if (bom and encoding.replace("_", "-").lower() in ("utf-8", "utf8")) else encoding
    with open(path, "w", encoding=enc, newline="") as f:
        if title:
            f.write(title + "\r\n")
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(
    path: Path, header: Sequence[str], rows: Iterator[Sequence], title: str | None, sheet: str = "Sheet1"
) -> Path:
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    if title:
        ws.append([title])
        ws.append([f"导出时间：{dt.datetime(2018, 12, 1, 9, 0):%Y-%m-%d %H:%M:%S}"])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def table(
    rows: Iterator[dict[str, str]], headers: dict[str, tuple[str, str]], style: str
) -> tuple[list[str], Iterator[list[str]]]:
    idx = 0 if style == "v1" else 1
    keys = list(headers)
    return [headers[k][idx] for k in keys], ([row[k] for k in keys] for row in rows)
