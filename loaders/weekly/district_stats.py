"""Weekly 情况统计表 (统计表1 + 统计表2) → warehouse, one version per upload.

Blocking problems (bad values, unknown unit, week outside the campaign, a missing table, a sheet that
disagrees with what the uploader chose) refuse the whole file. Warnings (统计表2 not adding up to
统计表1, a 合计 row that disagrees, a value far above the unit's usual weeks, a missing row) are stored
with the version and returned. Re-uploading the same unit and week makes a new version; the old one is
kept, and withdrawing the new one brings it back (the current version is derived from batch status).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from pathlib import Path

import duckdb

from auth import audit
from campaign import Campaign
from loaders.result import FileRejected, LoadResult, Problem
from loaders.weekly.identity import clean_reporter, parse_period, resolve_reporter, week_for
from loaders.weekly.locate import sniff_sheets
from loaders.weekly.parse import Found, ParsedStats, parse_workbook
from loaders.weekly.sheets import EXCEL_SUFFIXES, read_sheets
from warehouse import Warehouse, load_sql, sha256_file
from warehouse.batches import find_duplicate, insert_batch, set_counts

KIND = "district_stats"

# "Far above the unit's usual weeks": more than FAR_ABOVE_FACTOR × the median of its other weeks
# (a median below 1 counts as 1), judged only once the unit has MIN_HISTORY_WEEKS other weeks.
FAR_ABOVE_FACTOR = 5
MIN_HISTORY_WEEKS = 3
AMOUNT_TOLERANCE = 0.005  # 万元: amounts are kept to two decimals


def sniff(path: str | Path) -> float:
    """How much the file looks like a weekly 统计表. Never raises."""
    try:
        path = Path(path)
        if path.suffix.lower() not in EXCEL_SUFFIXES or not path.is_file():
            return 0.0
        from campaign import load_campaign

        return sniff_sheets(load_campaign(), read_sheets(path, n_rows=80))
    except Exception:
        return 0.0


def reporter_label(c: Campaign, unit: str, agency: str) -> str:
    """How a (unit, agency) is named to users: 武进区, 市本级, 市公安局."""
    if c.agency(agency).lead:
        return c.unit(unit).label
    return c.agency(agency).label


def _week(value: dt.date | str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _lead(c: Campaign) -> str:
    return next(a.key for a in c.agencies if a.lead)


def _problem_at(found: Found, column: str, message: str) -> Problem:
    """A problem at the cell where the sheet said it (its sheet and row, as Excel shows them)."""
    return Problem(message, row=found.row, column=column, sheet=found.sheet)


def resolve_identity(
    c: Campaign,
    parsed: ParsedStats,
    *,
    unit: str | None,
    agency: str | None,
    week: dt.date | None,
) -> tuple[str, str, dt.date, str | None, str | None]:
    """(unit, agency, week, reporter text, period text) from the sheet, checked against the upload form."""
    f = parsed.file
    errors: list[Problem] = []
    if unit is not None:
        if unit not in {u.key for u in c.units}:
            raise FileRejected(f"上传时选择的填报单位“{unit}”不存在")
        agency = agency or _lead(c)
        if agency not in {a.key for a in c.agencies}:
            raise FileRejected(f"上传时选择的成员单位“{agency}”不存在")
        if unit != "city" and agency != _lead(c):
            raise FileRejected(f"区级单位只能以{c.agency(_lead(c)).label}身份填报（选择了 {unit} / {agency}）")

    sheet_reporter: tuple[str, str] | None = None
    reporter_found: Found | None = None
    for found in parsed.reporters:
        text = clean_reporter(found.text)
        if not text:
            continue
        who = resolve_reporter(c, text)
        where = f"文件“{f}”工作表“{found.sheet}”第{found.row}行"
        if who is None:
            names = "、".join(u.label for u in c.units)
            errors.append(
                _problem_at(
                    found,
                    "填报单位",
                    f"{where}：填报单位“{text}”无法识别，应为以下之一：{names}，或市级成员单位（如市公安局）",
                )
            )
            continue
        if sheet_reporter is not None and who != sheet_reporter:
            errors.append(
                _problem_at(
                    found,
                    "填报单位",
                    f"{where}：填报单位“{text}”与工作表“{reporter_found.sheet}”中的“{clean_reporter(reporter_found.text)}”不一致",
                )
            )
            continue
        if sheet_reporter is None:
            sheet_reporter, reporter_found = who, found
    if sheet_reporter and unit is not None and sheet_reporter != (unit, agency):
        assert reporter_found is not None
        errors.append(
            _problem_at(
                reporter_found,
                "填报单位",
                f"文件“{f}”工作表“{reporter_found.sheet}”第{reporter_found.row}行：表内填报单位为“{clean_reporter(reporter_found.text)}”"
                f"（{reporter_label(c, *sheet_reporter)}），与上传时选择的“{reporter_label(c, unit, agency)}”不一致，请核对后重新上传",
            )
        )

    sheet_week: dt.date | None = None
    period_found: Found | None = None
    for found in parsed.periods:
        if not found.text:
            continue
        where = f"文件“{f}”工作表“{found.sheet}”第{found.row}行"
        span = parse_period(found.text, c.start.year)
        if span is None:
            errors.append(
                _problem_at(
                    found,
                    "统计周期",
                    f"{where}：统计周期“{found.text}”无法识别，应写成“2018-08-06至2018-08-12”或“2018年8月6日至8月12日”",
                )
            )
            continue
        start, end = span
        w = week_for(start)
        if end is not None and (end < start or week_for(end) != w):
            errors.append(
                _problem_at(
                    found,
                    "统计周期",
                    f"{where}：统计周期“{found.text}”不是一个报告周（周一至周日），每张表只填一周的数据",
                )
            )
            continue
        if w not in c.report_weeks():
            weeks = c.report_weeks()
            errors.append(
                _problem_at(
                    found,
                    "统计周期",
                    f"{where}：统计周期“{found.text}”（{w:%Y-%m-%d}起的一周）不在本次行动的报告周内"
                    f"（{weeks[0]:%Y-%m-%d}至{weeks[-1] + dt.timedelta(days=6):%Y-%m-%d}）",
                )
            )
            continue
        if sheet_week is not None and w != sheet_week:
            assert period_found is not None
            errors.append(
                _problem_at(
                    found,
                    "统计周期",
                    f"{where}：统计周期“{found.text}”与工作表“{period_found.sheet}”中的“{period_found.text}”不一致",
                )
            )
            continue
        if sheet_week is None:
            sheet_week, period_found = w, found
    if sheet_week and week is not None and sheet_week != week:
        assert period_found is not None
        errors.append(
            _problem_at(
                period_found,
                "统计周期",
                f"文件“{f}”工作表“{period_found.sheet}”第{period_found.row}行：表内统计周期为“{period_found.text}”"
                f"（{sheet_week:%Y-%m-%d}至{sheet_week + dt.timedelta(days=6):%Y-%m-%d}），"
                f"与上传时选择的报告周（{week:%Y-%m-%d}至{week + dt.timedelta(days=6):%Y-%m-%d}）不一致，请核对后重新上传",
            )
        )
    if week is not None and week not in c.report_weeks():
        errors.append(Problem(f"上传时选择的报告周 {week:%Y-%m-%d} 不在本次行动的报告周内"))
    if errors:
        raise FileRejected(errors)

    final_unit, final_agency = sheet_reporter or ((unit, agency) if unit else (None, None))
    final_week = sheet_week or week
    if final_unit is None:
        errors.append(
            Problem(f"文件“{f}”中找不到填报单位：请在表头填写“填报单位：××区市场监督管理局”，或在上传时选择填报单位")
        )
    if final_week is None:
        errors.append(
            Problem(f"文件“{f}”中找不到统计周期：请在表头填写“统计周期：2018-08-06至2018-08-12”，或在上传时选择报告周")
        )
    if errors:
        raise FileRejected(errors)
    assert final_unit and final_agency and final_week
    return (
        final_unit,
        final_agency,
        final_week,
        clean_reporter(reporter_found.text) if reporter_found else None,
        period_found.text if period_found else None,
    )


def _fmt(value: float, kind: str) -> str:
    return f"{value:.2f}" if kind == "amount" else f"{value:.0f}"


def check_warnings(c: Campaign, parsed: ParsedStats) -> list[tuple[str, Problem]]:
    """The warnings a table carries on its own: 统计表2 vs 统计表1, 合计 rows, missing rows."""
    out: list[tuple[str, Problem]] = []
    m1 = {m.key: m for m in c.table1}
    m2 = {m.key: m for m in c.table2_columns}
    for key in c.table2_reconcile:
        total2 = sum(row.get(key, 0.0) for row in parsed.table2.values())
        value1 = parsed.table1.get(key, 0.0)
        tol = AMOUNT_TOLERANCE if m1[key].kind == "amount" else 0.5
        if abs(total2 - value1) > tol:
            cell = parsed.table1_cells.get(key)
            out.append(
                (
                    "reconcile",
                    Problem(
                        f"统计表2各违法类型“{m2[key].label}”之和为 {_fmt(total2, m1[key].kind)}{m1[key].unit}，"
                        f"与统计表1“{m1[key].label}”{_fmt(value1, m1[key].kind)}{m1[key].unit} 不一致",
                        row=cell.row if cell else None,
                        column=cell.header if cell else None,
                        sheet=cell.sheet if cell else parsed.table1_sheet,
                    ),
                )
            )
    for total in parsed.totals:
        for key, (given, cell) in total.values.items():
            if given is None:
                continue  # an empty 合计 cell (e.g. a formula never calculated) claims nothing
            actual = sum(row.get(key, 0.0) for row in parsed.table2.values())
            tol = AMOUNT_TOLERANCE if m2[key].kind == "amount" else 0.5
            if abs(given - actual) > tol:
                out.append(
                    (
                        "total_row",
                        Problem(
                            f"工作表“{total.sheet}”第{total.row}行{cell.col}列：合计行“{m2[key].label}”为 "
                            f"{_fmt(given, m2[key].kind)}{m2[key].unit}，各行之和为 {_fmt(actual, m2[key].kind)}{m2[key].unit}"
                            "（合计行不计入统计，以各行数据为准）",
                            row=total.row,
                            column=cell.header,
                            sheet=total.sheet,
                        ),
                    )
                )
    vt = {v.key: v.label for v in c.violation_types}
    for table_no, key, sheet in parsed.missing_rows:
        if table_no == 1:
            what = f"统计表1缺少指标“{m1[key].label}”，按 0 计"
        elif key.startswith("*."):
            what = f"统计表2缺少“{m2[key[2:]].label}”列，按 0 计"
        else:
            what = f"统计表2缺少违法类型“{vt[key]}”，按 0 计"
        out.append(("missing_row", Problem(what, sheet=sheet)))
    return out


def far_above_warnings(
    cur: duckdb.DuckDBPyConnection, c: Campaign, parsed: ParsedStats, unit: str, agency: str, week: dt.date
) -> list[tuple[str, Problem]]:
    """统计表1 values far above this unit's other current weeks."""
    rows = cur.execute(load_sql("stats_unit_history", __file__), [unit, agency, week]).fetchall()
    history: dict[str, list[float]] = {}
    for key, value in rows:
        history.setdefault(key, []).append(value)
    out = []
    for m in c.table1:
        past = history.get(m.key, [])
        value = parsed.table1.get(m.key, 0.0)
        if len(past) < MIN_HISTORY_WEEKS:
            continue
        median = statistics.median(past)
        if value > FAR_ABOVE_FACTOR * max(median, 1.0):
            cell = parsed.table1_cells.get(m.key)
            out.append(
                (
                    "far_above",
                    Problem(
                        f"统计表1“{m.label}”本周为 {_fmt(value, m.kind)}{m.unit}，远高于该单位以往 {len(past)} 周的中位数 "
                        f"{_fmt(median, m.kind)}{m.unit}（超过 {FAR_ABOVE_FACTOR} 倍），请核实",
                        row=cell.row if cell else None,
                        column=cell.header if cell else None,
                        sheet=cell.sheet if cell else parsed.table1_sheet,
                    ),
                )
            )
    return out


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
