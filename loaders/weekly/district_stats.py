"""Weekly 情况统计表 (统计表1 + 统计表2) → warehouse, one version per upload.

Blocking problems (bad values, unknown unit, week outside the campaign, a missing table, a sheet that
disagrees with what the uploader chose) refuse the whole file. Warnings (统计表2 not adding up to
统计表1, a 合计 row that disagrees, a value far above the unit's usual weeks, a missing row) are stored
with the version and returned. Re-uploading the same unit and week makes a new version; the old one is
kept, and withdrawing the new one brings it back (the current version is derived from batch status).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb

from auth.audit import audit
from loaders.result import LoadResult, Problem
from loaders.weekly.checks import check_warnings, far_above_warnings
from loaders.weekly.identity import reporter_label, resolve_identity
from loaders.weekly.locate import sniff_sheets
from loaders.weekly.parse import parse_workbook, read_sheets
from warehouse import Warehouse, sha256_file
from warehouse.batches import find_duplicate, insert_batch, set_counts

KIND = "district_stats"


def sniff(path: str | Path) -> float:
    """How much the file looks like a weekly 统计表 (a workbook, by the gate's verdict, not its name). Never raises."""
    try:
        path = Path(path)
        from campaign import load_campaign

        return sniff_sheets(load_campaign(), read_sheets(path, n_rows=80))
    except Exception:
        return 0.0


def _week(value: dt.date | str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _values_of(cur: duckdb.DuckDBPyConnection, batch_id: int) -> tuple[dict, dict]:
    t1 = dict(
        cur.execute("SELECT indicator_key, value FROM stats_table1_values WHERE batch_id = ?", [batch_id]).fetchall()
    )
    t2: dict[str, dict[str, float]] = {}
    for vk, ck, v in cur.execute(
        "SELECT violation_key, column_key, value FROM stats_table2_values WHERE batch_id = ?", [batch_id]
    ).fetchall():
        t2.setdefault(vk, {})[ck] = v
    return t1, t2


BACKFILL_NOTE = "收到日期未记录（事后补录），按截止日计"


def _received(wh: Warehouse, week: dt.date, given: dt.date | None) -> tuple[dt.date, bool]:
    """The day the office received the table: as given; else today while the campaign's reporting runs; else
    (a load after the last table was due: a backfill whose timing nobody recorded) the week's own due date."""
    if given is not None:
        return given, False
    c = wh.campaign
    cal = wh.calendar()
    today = dt.date.today()
    if today <= cal.week_due(c.last_week, c.due_working_days_after_week):
        return today, False
    return cal.week_due(week, c.due_working_days_after_week), True


def load(
    wh: Warehouse,
    path: str | Path,
    *,
    user: str,
    is_demo: bool = False,
    display_name: str | None = None,
    unit: str | None = None,
    agency: str | None = None,
    week: dt.date | str | None = None,
    received_on: dt.date | str | None = None,
    authorize: Callable[[str, str], None] | None = None,
    **_,
) -> LoadResult:
    """Load one weekly table as a new version of (unit, agency, week), in one transaction.

    `unit`/`agency`/`week` are what the uploader chose (None: take them from the sheet); `received_on` is
    the day the office received the table, which decides on-time or late (default: see `_received`)."""
    path = Path(path)
    c = wh.campaign
    name = display_name or path.name
    parsed = parse_workbook(path, c, name)
    unit_key, agency_key, week_start, reporter_text, period_text = resolve_identity(
        c, parsed, unit=unit, agency=agency, week=_week(week)
    )
    if authorize is not None:  # the uploader may only load its own unit's table (auth.require_load)
        authorize(unit_key, agency_key)
    received, backfill = _received(wh, week_start, _week(received_on))
    sha = sha256_file(path)
    size = path.stat().st_size
    own_warnings = check_warnings(c, parsed)

    with wh.write() as cur:
        dup = find_duplicate(cur, KIND, sha)
        current = cur.execute(
            "SELECT batch_id FROM v_stats_tables_current WHERE unit = ? AND agency = ? AND week_start = ?",
            [unit_key, agency_key, week_start],
        ).fetchone()
        same_as_current = current is not None and _values_of(cur, current[0]) == (parsed.table1, parsed.table2)
        if dup is not None or same_as_current:
            batch = dup if dup is not None else current[0]
            return LoadResult(
                file=name,
                kind=KIND,
                status="duplicate",
                batch_id=batch,
                warnings=[
                    Problem(
                        f"文件“{name}”与已入库的批次 #{batch} 内容相同（{reporter_label(c, unit_key, agency_key)}，"
                        f"{week_start:%Y-%m-%d}起的一周），未重复入库"
                    )
                ],
            )
        warnings = own_warnings + far_above_warnings(cur, c, parsed, unit_key, agency_key, week_start)
        (version,) = cur.execute(
            "SELECT count(*) + 1 FROM stats_tables WHERE unit = ? AND agency = ? AND week_start = ?",
            [unit_key, agency_key, week_start],
        ).fetchone()
        batch_id = insert_batch(
            cur,
            kind=KIND,
            file_name=name,
            sha256=sha,
            size_bytes=size,
            loaded_by=user,
            unit=unit_key,
            agency=agency_key,
            week_start=week_start,
            is_demo=is_demo,
            note="；".join(x for x in (f"第{version}版" if version > 1 else "", BACKFILL_NOTE if backfill else "") if x)
            or None,
        )
        cur.execute(
            "INSERT INTO stats_tables VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [batch_id, unit_key, agency_key, week_start, version, received, reporter_text, period_text],
        )
        rows1 = []
        for key, value in parsed.table1.items():
            cell = parsed.table1_cells.get(key)
            rows1.append(
                (
                    batch_id,
                    key,
                    value,
                    cell.sheet if cell else None,
                    cell.row if cell else None,
                    cell.col if cell else None,
                )
            )
        cur.executemany("INSERT INTO stats_table1_values VALUES (?, ?, ?, ?, ?, ?)", rows1)
        rows2 = []
        for vkey, cols in parsed.table2.items():
            for ckey, value in cols.items():
                cell = parsed.table2_cells.get((vkey, ckey))
                rows2.append(
                    (
                        batch_id,
                        vkey,
                        ckey,
                        value,
                        cell.sheet if cell else None,
                        cell.row if cell else None,
                        cell.col if cell else None,
                    )
                )
        cur.executemany("INSERT INTO stats_table2_values VALUES (?, ?, ?, ?, ?, ?, ?)", rows2)
        if warnings:
            cur.executemany(
                "INSERT INTO stats_warnings VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(batch_id, i, kind, p.sheet, p.row, p.column, p.message) for i, (kind, p) in enumerate(warnings)],
            )
        set_counts(cur, batch_id, rows_total=parsed.rows_read, rows_loaded=parsed.rows_read, rows_quarantined=0)
        audit(
            cur,
            user,
            "upload",
            target=name,
            sha256=sha,
            detail=f"情况统计表 {reporter_label(c, unit_key, agency_key)} {week_start:%Y-%m-%d} 第{version}版（批次 #{batch_id}）",
        )
    return LoadResult(
        file=name,
        kind=KIND,
        status="loaded",
        rows_loaded=parsed.rows_read,
        batch_id=batch_id,
        warnings=[p for _, p in warnings],
    )


def undo_batch(cur: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    """Nothing to delete: a withdrawn version stays on record (for the version history and the diff) and
    the current-version views skip it, so the version before it comes back on its own."""
    return None
