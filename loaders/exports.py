"""The export-loading engine shared by the 12315, 12358 and monitoring-hit loaders.

A source module declares an ExportSpec (which fields are dates, amounts, free text, categories …) and
delegates sniff/load/undo_batch here. One file is one batch and one transaction: the batch row, the record
versions, the quarantined rows and the counts commit together or not at all.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from auth import audit
from campaign import Campaign
from loaders import privacy
from loaders.reading import headers, mapping, tables, values
from loaders.reading.grids import preview
from loaders.reading.headers import HeaderIndex, Located
from loaders.reading.tables import COL, ROW
from loaders.reading.text import fold
from loaders.result import FileRejected, LoadResult, Problem
from warehouse import Warehouse, load_sql, sha256_file
from warehouse.batches import find_duplicate, insert_batch, same_size_loaded, set_counts

MAX_LISTED_ERRORS = 200
SLICE_ROWS = 122_880  # rows read and cast at a time: one DuckDB row group
STAGE_WORKERS = 2  # slices cast at once, ahead of the insert
VALUE_PREVIEW = 40


@dataclass(frozen=True)
class ExportSpec:
    """What one export source's fields are, beyond the header synonyms in the campaign file."""

    kind: str
    table: str  # complaint_versions | hit_versions
    sql: str  # prefix of its named SQL in loaders/sql/: <sql>_insert, <sql>_duplicates_quarantine, <sql>_duplicates_delete
    dates: tuple[str, ...]  # datetime fields; the source's date_field must be among them
    amounts: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  # yes/no fields
    free_text: tuple[str, ...] = ()  # masked
    categories: tuple[str, ...] = ()  # classification into focus areas reads these
    region_fallback: tuple[str, ...] = ()  # where the unit comes from when the region is empty (inferred)
    online: bool = False  # store an online flag (from online_mode and/or platform)
    online_mode: str | None = None  # the consumption-mode field, when the source has one
    columns: tuple[str, ...] = ()  # text fields stored as written (trimmed)


# Registered by the source modules: kind → spec (used to tell a wrong kind from a right one).
SPECS: dict[str, ExportSpec] = {}
EXPORT_KINDS = ("complaints_12315", "price_12358", "monitoring")


def all_specs() -> dict[str, ExportSpec]:
    import importlib

    for kind in EXPORT_KINDS:
        importlib.import_module(f"loaders.{kind}")
    return SPECS


def register(spec: ExportSpec) -> ExportSpec:
    SPECS[spec.kind] = spec
    return spec


# --- sniffing -------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _preview_cached(path: str, mtime_ns: int, size: int, name: str):
    return preview(Path(path), name)


def _preview(path: Path, name: str):
    st = path.stat()
    return _preview_cached(str(path), st.st_mtime_ns, st.st_size, name)


def sniff_export(path: Path, spec: ExportSpec, campaign: Campaign | None = None) -> float:
    """How well the file matches this source (0..1). Never raises."""
    try:
        c = campaign or _default_campaign()
        fmt, grids, text = _preview(Path(path), Path(path).name)
        found = headers.locate(Path(path), Path(path).name, HeaderIndex(c.sources[spec.kind]), grids, fmt, text)
        return found.score if found else 0.0
    except Exception:
        return 0.0


@functools.cache
def _default_campaign() -> Campaign:
    from campaign import load_campaign

    return load_campaign()


# --- loading --------------------------------------------------------------------------------------------
class _Duplicate(Exception):
    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id


def load_export(
    wh: Warehouse,
    path: str | Path,
    spec: ExportSpec,
    *,
    user: str,
    is_demo: bool = False,
    display_name: str | None = None,
    **_options,
) -> LoadResult:
    path = Path(path)
    name = display_name or path.name
    c = wh.campaign
    source = c.sources[spec.kind]
    index = HeaderIndex(source)

    fmt, grids, text = preview(path, name)
    loc = headers.locate(path, name, index, grids, fmt, text)
    if loc is None:
        headers.locate_or_reject(path, name, index, source.label)  # raises with the missing columns named
        raise FileRejected(f"文件 {name} 不像是{source.label}。")
    _refuse_other_kind(path, name, loc, spec, c, grids, fmt, text)

    size = path.stat().st_size
    with wh.read() as cur:
        # Only a file of the same size can be byte-identical to a loaded one: otherwise the file's digest is
        # computed on a helper thread while it loads, and checked at the end of the transaction.
        digest = _digest(path, wait=same_size_loaded(cur, spec.kind, size))
        dup = find_duplicate(cur, spec.kind, digest.result()) if digest.done() else None
    if dup is not None:
        return _duplicate_result(name, spec.kind, dup)

    rules = _rules(wh)
    key = privacy.hmac_key()
    ipad, opad = privacy.hmac_pads(key)
    insert_sql = load_sql(f"{spec.sql}_insert", __file__)
    hash_params = {"ipad": ipad, "opad": opad} if "$ipad" in insert_sql else None
    fields = loc.match.fields
    columns = sorted({*fields.values(), *loc.match.personal})
    totals = Totals()
    try:
        with wh.write() as cur:
            batch_id = insert_batch(
                cur,
                kind=spec.kind,
                file_name=name,
                sha256=PENDING_DIGEST,
                size_bytes=size,
                loaded_by=user,
                is_demo=is_demo,
            )
            # One INSERT reads a stream of slices, each read, cast and checked a couple of slices ahead of it:
            # memory stays flat however long the export is, and there is one statement to undo.
            quarantined = _insert_staged(
                cur,
                _mapped_ahead(
                    lambda frame: _refuse_on_surprise(loc, lambda: stage_rows(loc, spec, c, rules, frame)),
                    tables.iter_table(loc, columns, [fields[source.id_field]], SLICE_ROWS),
                ),
                totals,
                batch_id,
                insert_sql,
                hash_params,
            )
            if quarantined.height:
                _insert(
                    cur,
                    "export_quarantine_stage",
                    quarantined,
                    batch_id,
                    "INSERT INTO export_quarantine BY NAME SELECT * FROM export_quarantine_stage",
                    None,
                )
            if totals.rows == 0:
                raise FileRejected(f"文件 {loc.where} 只有表头（第 {loc.header_row} 行），没有数据行。")
            # The same record twice in one file: the last row wins, the earlier rows are quarantined.
            dups = 0
            if totals.has_repeated_ids():
                dup_params = {
                    "batch_id": batch_id,
                    "sheet": loc.grid.sheet,
                    "id_header": loc.match.header(source.id_field),
                }
                cur.execute(load_sql(f"{spec.sql}_duplicates_quarantine", __file__), dup_params)
                (dups,) = cur.execute(
                    load_sql(f"{spec.sql}_duplicates_delete", __file__), {"batch_id": batch_id}
                ).fetchone()
            title_dates = [d for d in (values.find_datetime(t) for t in loc.title_lines) if d is not None]
            exported_at, basis = (max(title_dates), "title") if title_dates else (totals.latest, "data")
            cur.execute(
                load_sql("export_batch_insert", __file__),
                {
                    "batch_id": batch_id,
                    "source": spec.kind,
                    "file_format": loc.fmt.kind,
                    "encoding": loc.text.encoding if loc.text else None,
                    "sheet": loc.grid.sheet,
                    "header_row": loc.header_row,
                    "exported_at": exported_at,
                    "basis": basis,
                    "mapped": json.dumps({k: loc.match.header(k) for k in fields}, ensure_ascii=False),
                    "personal": list(loc.match.personal.values()),
                    "ignored": [h for h in loc.match.ignored if h],
                    "skipped": totals.skipped,
                    "key_id": privacy.key_id(key),
                },
            )
            sha = digest.result()
            again = find_duplicate(cur, spec.kind, sha)
            if again is not None:
                raise _Duplicate(again)
            cur.execute("UPDATE batches SET sha256 = ? WHERE batch_id = ?", [sha, batch_id])
            refresh_current(cur, spec, batch_id)
            loaded, quarantined = totals.loaded - dups, totals.quarantined + dups
            set_counts(cur, batch_id, rows_total=loaded + quarantined, rows_loaded=loaded, rows_quarantined=quarantined)
            audit(
                cur,
                user,
                "upload",
                target=name,
                sha256=sha,
                detail=f"{source.label}：入库 {loaded} 行，隔离 {quarantined} 行（批次 #{batch_id}）",
            )
            errors = _errors(cur, loc, batch_id, quarantined)
    except _Duplicate as d:
        return _duplicate_result(name, spec.kind, d.batch_id)

    return LoadResult(
        file=name,
        kind=spec.kind,
        status="loaded",
        rows_loaded=loaded,
        rows_quarantined=quarantined,
        batch_id=batch_id,
        errors=errors,
        warnings=totals.warnings(loc),
    )


PENDING_DIGEST = "-"  # in the batch row until the file's digest is known (within the same transaction)


def _digest(path: Path, *, wait: bool) -> Future:
    """The file's sha256: computed now (wait) or on a helper thread (hashlib releases the GIL)."""
    if wait:
        done: Future = Future()
        done.set_result(sha256_file(path))
        return done
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-digest")
    try:
        return pool.submit(sha256_file, path)
    finally:
        pool.shutdown(wait=False)


def _refuse_on_surprise(loc: Located, work):
    try:
        return work()
    except FileRejected:
        raise
    except Exception as exc:  # a bug or a file shape we did not foresee: refuse the file, name no values
        raise FileRejected(
            f"文件 {loc.where} 处理失败（{type(exc).__name__}），未写入任何数据。请将该文件交系统管理员检查。"
        ) from None


def _errors(cur: duckdb.DuckDBPyConnection, loc: Located, batch_id: int, count: int) -> list[Problem]:
    rows = cur.execute(
        "SELECT row_no, column_name, reason FROM export_quarantine WHERE batch_id = ? ORDER BY row_no LIMIT ?",
        [batch_id, MAX_LISTED_ERRORS],
    ).fetchall()
    out = [
        Problem(f"{loc.where}第 {row} 行：{reason}（该行已隔离，其余行照常导入）", row, column, loc.grid.sheet)
        for row, column, reason in rows
    ]
    if count > MAX_LISTED_ERRORS:
        out.append(Problem(f"另有 {count - MAX_LISTED_ERRORS} 行问题未逐条列出，请在“隔离行”中查看或下载。"))
    return out


def _mapped_ahead(fn, items, ahead: int = STAGE_WORKERS):
    """fn(item) for each item, computed on worker threads up to `ahead` items in advance (polars and DuckDB
    release the GIL, so the next slices are cast while DuckDB writes the current one). Results, and errors,
    come back in order."""
    with ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="export-stage") as pool:
        pending: deque = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _insert_staged(
    cur: duckdb.DuckDBPyConnection,
    slices,
    totals: Totals,
    batch_id: int,
    sql: str,
    params: dict | None,
) -> pl.DataFrame:
    """Insert every slice's loadable rows with one statement fed by a stream of record batches, one batch per
    slice (the next slices are cast on worker threads while DuckDB writes); return the quarantined rows of all
    slices (few) for the caller to insert.

    A slice is about one DuckDB row group (SLICE_ROWS): DuckDB then compresses and writes each batch as a
    finished row group, in parallel. Many small batches would instead be written loosely and compressed all
    over again at the next checkpoint (measured: +30 % on the whole load)."""
    quarantined: list[pl.DataFrame] = []
    failure: list[BaseException] = []

    def arrow_batches():
        try:
            for staged in slices:
                totals.add(staged)
                quarantined.append(staged.quarantined)
                if staged.stage.height:
                    yield from _with_batch_id(staged.stage, batch_id).to_arrow().to_batches()
        except BaseException as exc:  # surfaces through DuckDB as a generic error: keep the real one
            failure.append(exc)
            raise

    batches = arrow_batches()
    first = next(batches, None)
    if first is not None:
        reader = pa.RecordBatchReader.from_batches(
            first.schema, (b.cast(first.schema) for b in itertools.chain([first], batches))
        )
        cur.register("export_stage", reader)
        try:
            cur.execute(sql, params) if params else cur.execute(sql)
        except Exception:
            if failure:
                raise failure[0] from None
            raise
        finally:
            cur.unregister("export_stage")
    if failure:  # were a stream error ever to end the INSERT quietly, the load must still fail (all or nothing)
        raise failure[0]
    parts = [q for q in quarantined if q.height]
    return pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame()


def _with_batch_id(frame: pl.DataFrame, batch_id: int) -> pl.DataFrame:
    return frame.with_columns(pl.lit(batch_id, dtype=pl.Int64).alias("batch_id")).rechunk()


def _insert(
    cur: duckdb.DuckDBPyConnection, view: str, frame: pl.DataFrame, batch_id: int, sql: str, params: dict | None
) -> None:
    if frame.height == 0:
        return
    cur.register(view, _with_batch_id(frame, batch_id))
    try:
        cur.execute(sql, params) if params else cur.execute(sql)
    finally:
        cur.unregister(view)


def _duplicate_result(name: str, kind: str, batch_id: int) -> LoadResult:
    return LoadResult(
        file=name,
        kind=kind,
        status="duplicate",
        batch_id=batch_id,
        warnings=[Problem(f"文件 {name} 与已导入的批次 #{batch_id} 内容完全相同，本次未做任何改动。")],
    )


def _refuse_other_kind(path, name, loc: Located, spec: ExportSpec, c: Campaign, grids, fmt, text) -> None:
    for kind in all_specs():
        if kind == spec.kind or kind not in c.sources:
            continue
        other = headers.locate(path, name, HeaderIndex(c.sources[kind]), grids, fmt, text)
        if other is not None and other.score > loc.score + 0.15:
            raise FileRejected(
                f"文件 {name} 看起来是{c.sources[kind].label}，而不是所选的{c.sources[spec.kind].label}。"
                "请选择正确的数据类型，或选“自动识别”。"
            )


def _rules(wh: Warehouse) -> list[tuple[str, str]]:
    with wh.read() as cur:
        return cur.execute("SELECT focus_key, keyword FROM classification_rules ORDER BY priority, keyword").fetchall()


def refresh_current(
    cur: duckdb.DuckDBPyConnection, spec: ExportSpec, batch_id: int | None, withdrawing: bool = False
) -> None:
    """Maintain the is_current flag of every record this batch touches (None: every record), inside the
    caller's transaction: after a load (its versions may now win) or before a withdrawal (they must stop
    winning)."""
    if batch_id is not None and not withdrawing:
        (others,) = cur.execute(
            f"SELECT EXISTS (SELECT 1 FROM {spec.table} WHERE source = ? AND batch_id <> ?)",  # noqa: S608 - table from a spec
            [spec.kind, batch_id],
        ).fetchone()
        if not others:  # the first load of this source: every version is current by the column's default
            return
    cur.execute(
        load_sql("refresh_current", __file__).format(table=spec.table, id=spec_id_column(spec)),
        {"keys_batch": batch_id, "exclude_batch": batch_id if withdrawing else -1},
    )


def loader_functions(spec: ExportSpec):
    """The loader-module contract (sniff, load, undo_batch) for one export spec: a source module is its spec."""

    def sniff(path: Path) -> float:
        return sniff_export(path, spec)

    def load(wh: Warehouse, path: Path, *, user: str, is_demo: bool = False, **options) -> LoadResult:
        return load_export(wh, path, spec, user=user, is_demo=is_demo, **options)

    def undo_batch(cur: duckdb.DuckDBPyConnection, batch_id: int) -> None:
        undo_export(cur, batch_id, spec)

    return sniff, load, undo_batch


def undo_export(cur: duckdb.DuckDBPyConnection, batch_id: int, spec: ExportSpec) -> None:
    """Withdrawal: the batch's versions and quarantined rows go; the versions it superseded become current
    again (the flag is re-decided before the rows go)."""
    refresh_current(cur, spec, batch_id, withdrawing=True)
    cur.execute(f"DELETE FROM {spec.table} WHERE batch_id = ?", [batch_id])  # noqa: S608 - table from a spec, not input
    cur.execute("DELETE FROM export_quarantine WHERE batch_id = ?", [batch_id])


# --- staging: text → typed, checked, masked rows -------------------------------------------------------------
@dataclass
class Staged:
    """One slice of the file, cast and checked."""

    stage: pl.DataFrame  # every data row, typed; __bad marks the quarantined ones (filtered in SQL)
    rows_loaded: int
    quarantined: pl.DataFrame
    skipped: int
    latest: object  # the latest date among loadable rows
    invalid_uscc: int
    outside: int
    inferred: int


@dataclass
class Totals:
    rows: int = 0
    loaded: int = 0
    quarantined: int = 0
    skipped: int = 0
    latest: object = None
    invalid_uscc: int = 0
    outside: int = 0
    inferred: int = 0
    ids: list[pl.Series] = field(default_factory=list)

    def has_repeated_ids(self) -> bool:
        return bool(self.ids) and pl.concat(self.ids).is_duplicated().any()

    def add(self, s: Staged) -> None:
        if s.stage.height:
            self.ids.append(s.stage.filter(~pl.col("__bad")).get_column(s.stage.columns[2]))
        self.rows += s.rows_loaded + s.quarantined.height
        self.loaded += s.rows_loaded
        self.quarantined += s.quarantined.height
        self.skipped += s.skipped
        self.invalid_uscc += s.invalid_uscc
        self.outside += s.outside
        self.inferred += s.inferred
        if s.latest is not None and (self.latest is None or s.latest > self.latest):
            self.latest = s.latest

    def warnings(self, loc: Located) -> list[Problem]:
        out = []
        if loc.fmt.note:
            out.append(Problem(loc.fmt.note))
        ignored = [h for h in loc.match.ignored if h]
        if ignored:
            out.append(
                Problem(f"以下列未识别，未导入：{'、'.join(ignored[:20])}{' 等' if len(ignored) > 20 else ''}。")
            )
        if loc.match.personal:
            out.append(Problem(f"个人信息列已丢弃，不入库：{'、'.join(loc.match.personal.values())}。"))
        if self.skipped:
            out.append(Problem(f"跳过 {self.skipped} 行空行或表格下方的说明行。"))
        if self.invalid_uscc:
            out.append(
                Problem(
                    f"{self.invalid_uscc} 行的统一社会信用代码校验不通过（已标记，仍然导入）。", column="merchant_uscc"
                )
            )
        if self.outside:
            out.append(Problem(f"{self.outside} 行的属地在本市以外（计为“非本辖区”）。"))
        if self.inferred:
            out.append(Problem(f"{self.inferred} 行的属地未写明区县，已归入市本级或按承办单位推定（标记为推定）。"))
        return out


_BLANK = "[ \t\r\n\u3000\u00a0\u200b]"  # an explicit class: far faster than \\s over millions of cells


def _clean_all(frame: pl.DataFrame, names: dict[str, str]) -> list[pl.Series]:
    """Trimmed text, blanks as null, for frame[old] → new. Which cells have surrounding blanks is found for
    all columns in one parallel pass; only those few cells are rewritten."""
    padded = frame.select(
        [pl.col(old).str.contains(f"^{_BLANK}|{_BLANK}$").fill_null(False).alias(new) for old, new in names.items()]
    )
    out = []
    for old, new in names.items():
        series, todo = frame.get_column(old), padded.get_column(new)
        out.append(values.fill_where(series, todo, series, lambda x: x.str.strip_chars().replace("", None)).alias(new))
    return out


def _nulls(n: int) -> pl.Series:
    return pl.repeat(None, n, dtype=pl.String, eager=True)


def _without(series: pl.Series, marks: list[str]) -> pl.Series:
    """The series with empty marks (—, /, 无 …) as nulls."""
    return (
        pl.select(pl.when(pl.lit(series).is_in(marks)).then(None).otherwise(pl.lit(series)))
        .to_series()
        .alias(series.name)
    )


def _mostly_numbers(series: pl.Series) -> bool:
    sample = series.drop_nulls().head(2000)
    return sample.len() > 0 and sample.str.contains(r"^[0-9Xx+()\- ]{7,}$").mean() > 0.9


def _preview_value(e: pl.Expr) -> pl.Expr:
    return pl.when(e.str.len_chars() > VALUE_PREVIEW).then(e.str.slice(0, VALUE_PREVIEW) + "…").otherwise(e)


def stage_rows(
    loc: Located, spec: ExportSpec, c: Campaign, rules: Sequence[tuple[str, str]], frame: pl.DataFrame
) -> Staged:
    """Read the table as text, cast column by column, check, mask and split into loadable / quarantined rows.

    Heavy per-row work is vectorised; slow paths (odd date forms, 元 in amounts, full-width digits) run only
    on the rows that need them, and few-valued columns (regions, platforms, categories) are mapped once per
    distinct value."""
    source = c.sources[spec.kind]
    fields = loc.match.fields
    id_key, date_key = source.id_field, source.date_field
    ep = c.export_parsing
    empty = list(ep.empty_marks)
    idc = spec_id_column(spec)

    df = pl.DataFrame(
        [
            frame.get_column(ROW),
            *_clean_all(
                frame,
                {
                    **{COL.format(i): f"raw.{k}" for k, i in fields.items()},
                    **{COL.format(i): f"p.{i}" for i in loc.match.personal},
                },
            ),
            frame.get_column(COL.format(fields[id_key]) + "__num").alias("id_was_number"),
        ]
    )
    del frame
    # Blank rows and notes under the table (one filled cell that is not an ID) are skipped, not quarantined.
    filled = pl.sum_horizontal([pl.col(f"raw.{k}").is_not_null().cast(pl.Int32) for k in fields])
    id_like = pl.col(f"raw.{id_key}").str.contains(r"^[0-9A-Za-z._+=\"'-]+$").fill_null(False)
    total_rows = df.height
    keep = df.select((filled >= 2) | id_like).to_series()
    if not keep.all():
        df = df.filter(keep)
    skipped = total_rows - df.height
    if df.height == 0:
        return Staged(pl.DataFrame(), 0, pl.DataFrame(), skipped, None, 0, 0, 0)

    def raw(key: str) -> pl.Series:
        if key in fields:
            return df.get_column(f"raw.{key}")
        return _nulls(df.height).alias(f"raw.{key}")

    def blank(series: pl.Series) -> pl.Series:
        return series.is_null() | series.is_in(empty)

    # --- casting, column by column -------------------------------------------------------------------
    out: dict[str, pl.Series] = {}
    checks: list[tuple[pl.Series, str, pl.Series | None, str]] = []  # (bad?, field, value shown, reason)

    rid = values.clean_ids(raw(id_key))
    out[idc] = rid
    checks.append((rid.is_null(), id_key, None, "为空：缺少编号，无法识别这条记录，应为完整的编号"))
    mangled = rid.str.contains(values.SCI_RE).fill_null(False)
    was_number = df.get_column("id_was_number").fill_null(False)
    if was_number.any():  # Excel keeps 15 significant digits: a longer number is already damaged
        mangled = mangled | (was_number & (rid.str.count_matches(r"\d") >= 16)).fill_null(False)
    checks.append(
        (
            mangled,
            id_key,
            rid,
            "被 Excel 改成了科学计数法或丢失了末尾数字，无法还原，应为文本格式的完整编号（请在原系统导出时将编号列设为文本）",
        )
    )

    for key in spec.dates:
        r = raw(key)
        value = values.parse_datetimes(_without(r, empty))
        out[key] = value
        if key not in fields:
            continue
        checks.append(
            (
                ~blank(r) & value.is_null(),
                key,
                r,
                "不是可识别的日期，应为如 2018-08-03 14:22:10、2018/8/3、2018年8月3日 或 20180803 的日期",
            )
        )
        year = value.dt.year()
        checks.append(((year < 1990) | (year > 2100), key, r, "超出合理的日期范围，应为 1990–2100 年之间的日期"))
        if key == date_key:
            checks.append((blank(r), key, None, "为空：缺少日期，应为该记录的登记/发现日期"))
    for key in spec.amounts:
        r = raw(key)
        value = values.parse_amounts(_without(r, empty), ep.amount_units, ep.ten_thousand_units)
        out[key] = value
        if key in fields:
            checks.append((~blank(r) & value.is_null(), key, r, "不是可识别的金额，应为数字（可带“元”或千分位逗号）"))
    for key in spec.flags:
        r = values.clean_ids(raw(key))
        out[key] = (
            pl.select(
                pl.when(pl.lit(r).is_in(list(ep.true_values)))
                .then(True)
                .when(pl.lit(r).is_in(list(ep.false_values)))
                .then(False)
            )
            .to_series()
            .cast(pl.Boolean)
        )
    for key in spec.columns:
        out[key] = raw(key)

    uscc = values.clean_ids(raw("merchant_uscc")).str.to_uppercase()
    out["merchant_uscc"] = uscc
    out["uscc_valid"] = values.uscc_valid_series(uscc)
    out["merchant_name"] = name = raw("merchant_name")
    name = values.fill_where(
        name, name.str.contains(r"\s").fill_null(False), name, lambda x: x.str.replace_all(r"\s", "")
    )
    out["merchant_key"] = values.fill_where(uscc, ~out["uscc_valid"], name, lambda x: x)
    out["platform_raw"] = raw("platform")
    out["region"] = raw("region")
    # The row's own personal values are cut out of its free text (numbers are masked by pattern anyway).
    own = [df.get_column(f"p.{i}") for i in loc.match.personal if not _mostly_numbers(df.get_column(f"p.{i}"))]
    masked = pl.DataFrame([privacy.mask_text(raw(k), own).alias(k) for k in spec.free_text if k in fields])
    for key in spec.free_text:
        out[key] = masked.get_column(key) if key in masked.columns else raw(key)
    phones = [privacy.normalize_phones(df.get_column(f"p.{i}")) for i in loc.match.phone]
    nulls = _nulls(df.height)
    out["__phone"] = pl.select(pl.coalesce([pl.lit(p) for p in phones])).to_series() if phones else nulls

    # --- per-distinct-value mappings (regions, platforms, categories) ------------------------------------
    resolver = mapping.UnitResolver(c)
    units = mapping.map_values(raw("region"), resolver.resolve)
    unit = raw("region").replace_strict({k: v[0] for k, v in units.items()}, default=None, return_dtype=pl.String)
    inferred = raw("region").replace_strict({k: v[1] for k, v in units.items()}, default=True, return_dtype=pl.Boolean)
    for fb in spec.region_fallback:  # no region: the handling unit says where, flagged inferred
        todo = unit.is_null()
        if not todo.any():
            break
        fb_units = mapping.map_values(raw(fb), resolver.resolve)
        guess = raw(fb).replace_strict(
            {k: v[0] for k, v in fb_units.items() if v[0] != c.outside_key}, default=None, return_dtype=pl.String
        )
        unit = values.fill_where(unit, todo, guess, lambda x: x)
    out["unit_inferred"] = (inferred | raw("region").is_null()).fill_null(True)
    out["unit"] = unit.fill_null(c.default_unit)

    platforms = mapping.PlatformNormalizer(c)
    out["platform"] = raw("platform").replace_strict(
        mapping.map_values(raw("platform"), platforms.normalize), default=None, return_dtype=pl.String
    )
    cat_cols = [pl.col(f"raw.{k}") for k in spec.categories if k in fields]
    cats = df.select(pl.concat_str(cat_cols, separator="|", ignore_nulls=True)).to_series() if cat_cols else nulls
    focus = mapping.map_values(cats, lambda t: mapping.classify(rules, c.unclassified_key, t))
    out["focus_key"] = cats.replace_strict(focus, default=c.unclassified_key, return_dtype=pl.String)
    if spec.online:
        online = out["platform"].is_not_null()
        if spec.online_mode is not None:
            modes = [fold(m) for m in c.online_consumption_modes]
            mode_online = mapping.map_values(raw(spec.online_mode), lambda m: any(x in fold(m) for x in modes))
            online = online | raw(spec.online_mode).replace_strict(mode_online, default=False, return_dtype=pl.Boolean)
        out["online"] = online

    # --- checks → quarantine; reasons are built for the bad rows only ---------------------------------------
    flags = [b.fill_null(False) for b, *_ in checks]
    bad = pl.select(pl.any_horizontal([pl.lit(b) for b in flags])).to_series()
    typed = pl.DataFrame([df.get_column(ROW), *[v.alias(k) for k, v in out.items()], bad.alias("__bad")])
    bad_idx = bad.arg_true()
    quarantined = _quarantine_frame(loc, spec, df, typed, checks, flags, bad_idx)
    good_mask = ~bad
    stage = typed.select(
        pl.lit(spec.kind).alias("source"),
        pl.col(ROW).cast(pl.Int32).alias("row_no"),
        *[pl.col(f) for f in stored_columns(spec)],
        pl.col("__phone"),
        pl.col("__bad"),
    )

    latest = [out[k].filter(good_mask).max() for k in spec.dates]
    return Staged(
        stage=stage,
        rows_loaded=int(good_mask.sum()),
        quarantined=quarantined,
        skipped=skipped,
        latest=max((d for d in latest if d is not None), default=None),
        invalid_uscc=int((good_mask & ~out["uscc_valid"] & out["merchant_uscc"].is_not_null()).sum()),
        outside=int((good_mask & (out["unit"] == c.outside_key)).sum()),
        inferred=int((good_mask & out["unit_inferred"]).sum()),
    )


def _quarantine_frame(loc, spec, df, typed, checks, flags, bad_idx) -> pl.DataFrame:
    """The refused rows: row number, first offending column and value, every reason, and the row's
    recognised non-personal cells (free text masked) as JSON."""
    fields = loc.match.fields
    small = pl.DataFrame(
        [
            df.get_column(ROW).gather(bad_idx),
            *[df.get_column(f"raw.{k}").gather(bad_idx) for k in fields if k not in spec.free_text],
            *[typed.get_column(k).gather(bad_idx).alias(f"raw.{k}") for k in spec.free_text if k in fields],
            *[f.gather(bad_idx).alias(f"__chk{i}") for i, f in enumerate(flags)],
            *[
                (v.gather(bad_idx) if v is not None else _nulls(len(bad_idx))).alias(f"__val{i}")
                for i, (_, _, v, _) in enumerate(checks)
            ],
        ]
    )
    parts, cols, vals = [], [], []
    for i, (_, f, _, msg) in enumerate(checks):
        b = pl.col(f"__chk{i}")
        header = pl.lit(_header(loc, f))
        text = pl.format("“{}”列{}{}", header, _found(pl.col(f"__val{i}")), pl.lit(msg))
        parts.append(pl.when(b).then(text))
        cols.append(pl.when(b).then(header))
        vals.append(pl.when(b).then(pl.col(f"__val{i}")))
    record = pl.struct([pl.col(f"raw.{k}").alias(loc.match.header(k)) for k in fields]).struct.json_encode()
    return small.select(
        pl.lit(spec.kind).alias("source"),
        pl.col(ROW).cast(pl.Int32).alias("row_no"),
        pl.lit(loc.grid.sheet, dtype=pl.String).alias("sheet"),
        pl.coalesce(cols).alias("column_name"),
        pl.concat_str(parts, separator="；", ignore_nulls=True).alias("reason"),
        _preview_value(pl.coalesce(vals)).alias("value"),
        record.alias("record"),
    )


def spec_id_column(spec: ExportSpec) -> str:
    return "hit_id" if spec.table == "hit_versions" else "record_id"


def _header(loc: Located, key: str) -> str:
    return loc.match.header(key) if key in loc.match.fields else key


def _found(value: pl.Expr) -> pl.Expr:
    v = _preview_value(value)
    return pl.when(v.is_null() | (v == "")).then(pl.lit("")).otherwise(pl.format("的值“{}”", v))


def stored_columns(spec: ExportSpec) -> list[str]:
    """The typed columns a spec writes into its versions table (besides source, row_no, batch_id)."""
    out = [spec_id_column(spec), *spec.dates, *spec.amounts, *spec.flags, *spec.columns, *spec.free_text]
    out += ["merchant_uscc", "uscc_valid", "merchant_name", "merchant_key", "platform", "platform_raw", "region"]
    out += ["unit", "unit_inferred", "focus_key"] + (["online"] if spec.online else [])
    return list(dict.fromkeys(out))
