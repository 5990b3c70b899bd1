"""The export-loading engine shared by the 12315, 12358 and monitoring-hit loaders.

A source module declares an ExportSpec (which fields are dates, amounts, free text, categories …) and
delegates sniff/load/undo_batch here. One file is one batch and one transaction: the batch row, the record
versions, the quarantined rows and the counts commit together or not at all.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from campaign import Campaign
from loaders import core, privacy
from loaders.core import COL, ROW, HeaderIndex, Located
from loaders.result import FileRejected, LoadResult, Problem
from warehouse import Warehouse, load_sql, sha256_file
from warehouse.batches import find_duplicate, insert_batch, set_counts

MAX_LISTED_ERRORS = 200
VALUE_PREVIEW = 40


@dataclass(frozen=True)
class ExportSpec:
    """What one export source's fields are, beyond the header synonyms in the campaign file."""

    kind: str
    table: str  # complaint_versions | hit_versions
    insert_sql: str  # named SQL (loaders/sql/<name>.sql) inserting the staged rows
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
    return core.preview(Path(path), name)


def _preview(path: Path, name: str):
    st = path.stat()
    return _preview_cached(str(path), st.st_mtime_ns, st.st_size, name)


def sniff_export(path: Path, spec: ExportSpec, campaign: Campaign | None = None) -> float:
    """How well the file matches this source (0..1). Never raises."""
    try:
        c = campaign or _default_campaign()
        fmt, grids, text = _preview(Path(path), Path(path).name)
        found = core.locate(Path(path), Path(path).name, HeaderIndex(c.sources[spec.kind]), grids, fmt, text)
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

    fmt, grids, text = core.preview(path, name)
    loc = core.locate(path, name, index, grids, fmt, text)
    if loc is None:
        core.locate_or_reject(path, name, index, source.label)  # raises with the missing columns named
        raise FileRejected(f"文件 {name} 不像是{source.label}。")
    _refuse_other_kind(path, name, loc, spec, c, grids, fmt, text)

    sha = sha256_file(path)
    with wh.read() as cur:
        dup = find_duplicate(cur, spec.kind, sha)
    if dup is not None:
        return _duplicate_result(name, spec.kind, dup)

    try:
        staged = stage_rows(loc, spec, c, _rules(wh))
    except FileRejected:
        raise
    except Exception as exc:  # a bug or a file shape we did not foresee: refuse the file, name no values
        raise FileRejected(
            f"文件 {loc.where} 处理失败（{type(exc).__name__}），未写入任何数据。请将该文件交系统管理员检查。"
        ) from None

    key = privacy.hmac_key()
    ipad, opad = privacy.hmac_pads(key)
    try:
        with wh.write() as cur:
            again = find_duplicate(cur, spec.kind, sha)
            if again is not None:
                raise _Duplicate(again)
            batch_id = insert_batch(
                cur,
                kind=spec.kind,
                file_name=name,
                sha256=sha,
                size_bytes=path.stat().st_size,
                loaded_by=user,
                is_demo=is_demo,
            )
            cur.execute(
                load_sql("export_batch_insert", __file__),
                {
                    "batch_id": batch_id,
                    "source": spec.kind,
                    "file_format": loc.fmt.kind,
                    "encoding": loc.text.encoding if loc.text else None,
                    "sheet": loc.grid.sheet,
                    "header_row": loc.header_row,
                    "exported_at": staged.exported_at,
                    "basis": staged.exported_at_basis,
                    "mapped": json.dumps({k: loc.match.header(k) for k in loc.match.fields}, ensure_ascii=False),
                    "personal": list(loc.match.personal.values()),
                    "ignored": [h for h in loc.match.ignored if h],
                    "skipped": staged.skipped,
                    "key_id": privacy.key_id(key),
                },
            )
            insert_sql = load_sql(spec.insert_sql, __file__)
            _insert(
                cur,
                "export_stage",
                staged.good.with_columns(pl.lit(batch_id).alias("batch_id")),
                insert_sql,
                {"ipad": ipad, "opad": opad} if "$ipad" in insert_sql else None,
            )
            _insert(
                cur,
                "export_quarantine_stage",
                staged.quarantined.with_columns(pl.lit(batch_id).alias("batch_id")),
                "INSERT INTO export_quarantine BY NAME SELECT * FROM export_quarantine_stage",
                None,
            )
            set_counts(
                cur,
                batch_id,
                rows_total=staged.good.height + staged.quarantined.height,
                rows_loaded=staged.good.height,
                rows_quarantined=staged.quarantined.height,
            )
    except _Duplicate as d:
        return _duplicate_result(name, spec.kind, d.batch_id)

    return LoadResult(
        file=name,
        kind=spec.kind,
        status="loaded",
        rows_loaded=staged.good.height,
        rows_quarantined=staged.quarantined.height,
        batch_id=batch_id,
        errors=staged.errors(loc),
        warnings=staged.warnings(loc),
    )


def _insert(cur: duckdb.DuckDBPyConnection, view: str, frame: pl.DataFrame, sql: str, params: dict | None) -> None:
    if frame.height == 0:
        return
    cur.register(view, frame.to_arrow())
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
        other = core.locate(path, name, HeaderIndex(c.sources[kind]), grids, fmt, text)
        if other is not None and other.score > loc.score + 0.15:
            raise FileRejected(
                f"文件 {name} 看起来是{c.sources[kind].label}，而不是所选的{c.sources[spec.kind].label}。"
                "请选择正确的数据类型，或选“自动识别”。"
            )


def _rules(wh: Warehouse) -> list[tuple[str, str]]:
    with wh.read() as cur:
        return cur.execute("SELECT focus_key, keyword FROM classification_rules ORDER BY priority, keyword").fetchall()


def undo_export(cur: duckdb.DuckDBPyConnection, batch_id: int, spec: ExportSpec) -> None:
    """Withdrawal: the batch's versions and quarantined rows go; the versions it superseded become current
    again through the views (they choose the newest live version)."""
    cur.execute(f"DELETE FROM {spec.table} WHERE batch_id = ?", [batch_id])  # noqa: S608 - table from a spec, not input
    cur.execute("DELETE FROM export_quarantine WHERE batch_id = ?", [batch_id])


# --- staging: text → typed, checked, masked rows -------------------------------------------------------------
@dataclass
class Staged:
    good: pl.DataFrame
    quarantined: pl.DataFrame
    skipped: int
    exported_at: object
    exported_at_basis: str
    invalid_uscc: int
    outside: int
    inferred: int
    note: str | None

    def errors(self, loc: Located) -> list[Problem]:
        q = self.quarantined.head(MAX_LISTED_ERRORS)
        out = [
            Problem(
                f"{loc.where}第 {r['row_no']} 行：{r['reason']}（该行已隔离，其余行照常导入）",
                r["row_no"],
                r["column_name"],
                loc.grid.sheet,
            )
            for r in q.iter_rows(named=True)
        ]
        if self.quarantined.height > MAX_LISTED_ERRORS:
            out.append(
                Problem(
                    f"另有 {self.quarantined.height - MAX_LISTED_ERRORS} 行问题未逐条列出，请在“隔离行”中查看或下载。"
                )
            )
        return out

    def warnings(self, loc: Located) -> list[Problem]:
        out = []
        if self.note:
            out.append(Problem(self.note))
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


def _clean(e: pl.Expr) -> pl.Expr:
    t = e.str.strip_chars()
    return pl.when(t.str.len_chars() > 0).then(t).otherwise(None)


def _preview_value(e: pl.Expr) -> pl.Expr:
    return pl.when(e.str.len_chars() > VALUE_PREVIEW).then(e.str.slice(0, VALUE_PREVIEW) + "…").otherwise(e)


def stage_rows(loc: Located, spec: ExportSpec, c: Campaign, rules: Sequence[tuple[str, str]]) -> Staged:
    source = c.sources[spec.kind]
    fields = loc.match.fields
    id_key, date_key = source.id_field, source.date_field
    ep = c.export_parsing
    empty = list(ep.empty_marks)

    columns = sorted({*fields.values(), *loc.match.personal})
    frame = core.read_table(loc, columns, numeric_cols=[fields[id_key]])

    def raw(key: str) -> pl.Expr:
        return pl.col(f"raw.{key}") if key in fields else pl.lit(None, dtype=pl.String)

    personal_cols = [f"p.{i}" for i in loc.match.personal]
    df = frame.select(
        pl.col(ROW),
        *[_clean(pl.col(COL.format(i))).alias(f"raw.{k}") for k, i in fields.items()],
        *[_clean(pl.col(COL.format(i))).alias(f"p.{i}") for i in loc.match.personal],
        pl.col(COL.format(fields[id_key]) + "__num").alias("id_was_number"),
    )
    del frame
    filled = pl.sum_horizontal([raw(k).is_not_null().cast(pl.Int32) for k in fields])
    keep = (filled >= 2) | raw(id_key).is_not_null()
    total_rows = df.height
    df = df.filter(keep)
    skipped = total_rows - df.height
    if df.height == 0:
        raise FileRejected(f"文件 {loc.where} 只有表头（第 {loc.header_row} 行），没有数据行。")

    # --- casting ---------------------------------------------------------------------------------------
    typed: list[pl.Expr] = []
    checks: list[tuple[pl.Expr, str, pl.Expr, str]] = []  # (bad?, field, value, reason)

    rid = core.clean_id(raw(id_key))
    digits = rid.str.replace_all(r"\D", "").str.len_chars()
    typed.append(rid.alias(spec_id_column(spec)))
    checks.append((rid.is_null(), id_key, pl.lit(""), "为空：缺少编号，无法识别这条记录，应为完整的编号"))
    checks.append(
        (
            rid.str.contains(core.SCI_RE) | (pl.col("id_was_number") & (digits >= 16)),
            id_key,
            rid,
            "被 Excel 改成了科学计数法或丢失了末尾数字，无法还原，应为文本格式的完整编号（请在原系统导出时将编号列设为文本）",
        )
    )
    for key in spec.dates:
        if key not in fields:
            typed.append(pl.lit(None, dtype=pl.Datetime("us")).alias(key))
            continue
        r = raw(key)
        value = pl.when(r.is_in(empty)).then(None).otherwise(core.parse_datetime(r))
        typed.append(value.alias(key))
        checks.append(
            (
                r.is_not_null() & ~r.is_in(empty) & value.is_null(),
                key,
                r,
                "不是可识别的日期，应为如 2018-08-03 14:22:10、2018/8/3、2018年8月3日 或 20180803 的日期",
            )
        )
        checks.append(
            (
                value.is_not_null() & ((value.dt.year() < 1990) | (value.dt.year() > 2100)),
                key,
                r,
                "超出合理的日期范围，应为 1990–2100 年之间的日期",
            )
        )
        if key == date_key:
            checks.append((r.is_null() | r.is_in(empty), key, pl.lit(""), "为空：缺少日期，应为该记录的登记/发现日期"))
    for key in spec.amounts:
        if key not in fields:
            typed.append(pl.lit(None, dtype=pl.Float64).alias(key))
            continue
        r = raw(key)
        value = (
            pl.when(r.is_in(empty)).then(None).otherwise(core.parse_amount(r, ep.amount_units, ep.ten_thousand_units))
        )
        typed.append(value.alias(key))
        checks.append(
            (
                r.is_not_null() & ~r.is_in(empty) & value.is_null(),
                key,
                r,
                "不是可识别的金额，应为数字（可带“元”或千分位逗号）",
            )
        )
    for key in spec.flags:
        r = core.normalize_text(raw(key))
        typed.append(
            pl.when(r.is_in(list(ep.true_values)))
            .then(True)
            .when(r.is_in(list(ep.false_values)))
            .then(False)
            .otherwise(None)
            .alias(key)
        )
    for key in spec.columns:
        typed.append(raw(key).alias(key))

    uscc = core.normalize_text(raw("merchant_uscc")).str.to_uppercase()
    valid = core.uscc_valid(uscc)
    name_key = core.normalize_text(raw("merchant_name")).str.replace_all(r"\s", "")
    typed += [
        uscc.alias("merchant_uscc"),
        valid.alias("uscc_valid"),
        raw("merchant_name").alias("merchant_name"),
        pl.when(valid).then(uscc).otherwise(name_key).alias("merchant_key"),
        raw("platform").alias("platform_raw"),
        raw("region").alias("region"),
    ]
    own = [pl.col(p) for p in personal_cols]
    for key in spec.free_text:
        typed.append(privacy.mask_text(raw(key), own).alias(key))
    phones = [privacy.normalize_phone(pl.col(f"p.{i}")) for i in loc.match.phone]
    typed.append((pl.coalesce(phones) if phones else pl.lit(None, dtype=pl.String)).alias("__phone"))

    bad_any = pl.any_horizontal([b.fill_null(False) for b, *_ in checks])
    reason = pl.concat_str(
        [
            pl.when(b.fill_null(False)).then(pl.format("“{}”列{}{}", pl.lit(_header(loc, f)), _found(v), pl.lit(msg)))
            for b, f, v, msg in checks
        ],
        separator="；",
        ignore_nulls=True,
    )
    first_col = pl.coalesce([pl.when(b.fill_null(False)).then(pl.lit(_header(loc, f))) for b, f, _, _ in checks])
    first_val = pl.coalesce([pl.when(b.fill_null(False)).then(v) for b, _, v, _ in checks])
    df = df.with_columns(
        *typed,
        bad_any.alias("__bad"),
        reason.alias("__reason"),
        first_col.alias("__column"),
        _preview_value(first_val).alias("__value"),
    )

    # The same record twice in one file: the last row wins, earlier ones are quarantined.
    idc = spec_id_column(spec)
    last = pl.col(ROW).filter(~pl.col("__bad")).max().over(idc)
    dup = ~pl.col("__bad") & pl.col(idc).is_not_null() & (pl.col(ROW) != last)
    df = df.with_columns(
        pl.when(dup)
        .then(
            pl.format(
                "“{}”列的编号在本文件第 {} 行再次出现：同一文件内以最后一行为准", pl.lit(_header(loc, id_key)), last
            )
        )
        .otherwise(pl.col("__reason"))
        .alias("__reason"),
        pl.when(dup).then(pl.lit(_header(loc, id_key))).otherwise(pl.col("__column")).alias("__column"),
        pl.when(dup).then(pl.col(idc)).otherwise(pl.col("__value")).alias("__value"),
        (pl.col("__bad") | dup).alias("__bad"),
    )

    # --- per-distinct-value mappings (regions, platforms, categories) ------------------------------------
    resolver = core.UnitResolver(c)
    fallback = [raw(k).alias(f"fb.{k}") for k in spec.region_fallback]
    df = df.with_columns(fallback)
    region_cols = ["region", *[f"fb.{k}" for k in spec.region_fallback]]

    def unit_of(region: str | None, *fallbacks: str | None) -> tuple[str, bool]:
        unit, inferred = resolver.resolve(region)
        if unit is None or (inferred and unit == c.default_unit and not core.fold(region)):
            for fb in fallbacks:
                u, _ = resolver.resolve(fb)
                if u is not None and u != c.outside_key:
                    return u, True
            return c.default_unit, True
        return unit, inferred

    df = core.map_distinct(df, region_cols, unit_of, {"unit": pl.String, "unit_inferred": pl.Boolean})
    platforms = core.PlatformNormalizer(c)
    df = core.map_distinct(df, ["platform_raw"], lambda p: (platforms.normalize(p),), {"platform": pl.String})
    cat_cols = [k for k in spec.categories]
    df = df.with_columns([raw(k).alias(f"cat.{k}") for k in cat_cols])
    df = core.map_distinct(
        df,
        [f"cat.{k}" for k in cat_cols],
        lambda *t: (core.classify(rules, c.unclassified_key, *t),),
        {"focus_key": pl.String},
    )
    if spec.online:
        online = pl.col("platform").is_not_null()
        if spec.online_mode is not None:
            mode = core.normalize_text(raw(spec.online_mode)).str.replace_all(r"\s", "")
            modes = [core.fold(m) for m in c.online_consumption_modes]
            online = online | pl.any_horizontal([mode.str.contains(m, literal=True).fill_null(False) for m in modes])
        df = df.with_columns(online.alias("online"))

    # --- split -------------------------------------------------------------------------------------------
    good = df.filter(~pl.col("__bad"))
    bad = df.filter(pl.col("__bad"))
    good_out = good.select(
        pl.lit(spec.kind).alias("source"),
        pl.col(ROW).cast(pl.Int32).alias("row_no"),
        *[pl.col(f) for f in stored_columns(spec)],
        pl.col("__phone"),
    )
    record_fields = [k for k in fields if k not in spec.free_text]
    record = pl.struct(
        [pl.col(f"raw.{k}").alias(loc.match.header(k)) for k in record_fields]
        + [pl.col(k).alias(loc.match.header(k)) for k in spec.free_text if k in fields]
    ).struct.json_encode()
    bad_out = bad.select(
        pl.lit(spec.kind).alias("source"),
        pl.col(ROW).cast(pl.Int32).alias("row_no"),
        pl.lit(loc.grid.sheet, dtype=pl.String).alias("sheet"),
        pl.col("__column").alias("column_name"),
        pl.col("__reason").alias("reason"),
        pl.col("__value").alias("value"),
        record.alias("record"),
    )

    # When was this export made? A date in the title lines, else the latest date the file speaks of.
    title_dates = [d for d in (core.find_datetime(t) for t in loc.title_lines) if d is not None]
    if title_dates:
        exported_at, basis = max(title_dates), "title"
    else:
        exported_at = (
            good.select(pl.max_horizontal([pl.col(k).max() for k in spec.dates])).item() if good.height else None
        )
        basis = "data"

    return Staged(
        good=good_out,
        quarantined=bad_out,
        skipped=skipped,
        exported_at=exported_at,
        exported_at_basis=basis,
        invalid_uscc=good.filter(~pl.col("uscc_valid") & pl.col("merchant_uscc").is_not_null()).height,
        outside=good.filter(pl.col("unit") == c.outside_key).height,
        inferred=good.filter(pl.col("unit_inferred")).height,
        note=loc.fmt.note,
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
