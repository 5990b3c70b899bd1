"""Loading one export file: one file is one batch and one transaction. The batch row, the record versions, the
quarantined rows and the counts commit together or not at all.

A source module declares an ExportSpec (which fields are dates, amounts, free text, categories …) and gets its
sniff/load/undo_batch from loader_functions here.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb

import settings
from auth.audit import audit
from loaders.exports import privacy
from loaders.exports.sniff import refuse_other_kind, sniff_export
from loaders.exports.spec import ExportSpec
from loaders.exports.staging import Totals, stage_rows
from loaders.exports.stream import SLICE_ROWS, insert_frame, insert_staged, mapped_ahead
from loaders.exports.versions import refresh_current, undo_export
from loaders.reading import headers, tables, values
from loaders.reading.grids import preview
from loaders.reading.headers import HeaderIndex, Located
from loaders.result import FileRejected, LoadResult, Problem
from warehouse import Warehouse, load_sql, sha256_file
from warehouse.batches import find_duplicate, insert_batch, same_size_loaded, set_counts

MAX_LISTED_ERRORS = 200


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
    refuse_other_kind(path, name, loc, spec, c, grids, fmt, text)

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
            quarantined = insert_staged(
                cur,
                mapped_ahead(
                    lambda frame: _refuse_on_surprise(loc, lambda: stage_rows(loc, spec, c, rules, frame)),
                    tables.iter_table(loc, columns, [fields[source.id_field]], SLICE_ROWS),
                ),
                totals,
                batch_id,
                insert_sql,
                hash_params,
            )
            if quarantined.height:
                insert_frame(
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
            _refuse_mostly_quarantined(cur, loc, batch_id, loaded, quarantined, source.id_field)
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


MANGLED_ID_HINT = "请将编号列设为“文本”格式后重新导出。"
LISTED_IN_REFUSAL = 20


def _refuse_mostly_quarantined(
    cur: duckdb.DuckDBPyConnection, loc: Located, batch_id: int, loaded: int, quarantined: int, id_field: str
) -> None:
    """Before COMMIT: a file in which no row loads, or more than $WANGJIAN_MAX_QUARANTINE_SHARE of the rows would be
    quarantined, is refused whole (the transaction rolls back: no batch). The message names the counts and the
    first rows' reasons; the hint for IDs Excel turned into numbers is the fix users need most."""
    share = settings.max_quarantine_share()
    total = loaded + quarantined
    if loaded > 0 and quarantined <= share * total:
        return
    rows = _errors(cur, loc, batch_id, quarantined, limit=LISTED_IN_REFUSAL, suffix="")
    (mangled,) = cur.execute(
        "SELECT count(*) FROM export_quarantine WHERE batch_id = ? AND column_name = ? AND reason LIKE '%科学计数法%'",
        [batch_id, loc.match.header(id_field)],
    ).fetchone()
    why = (
        f"{total} 行数据全部有问题，没有一行可以导入"
        if loaded == 0
        else f"{total} 行数据中 {quarantined} 行有问题（{quarantined / total:.0%}，超过允许的 {share:.0%}），只有 {loaded} 行可以导入"
    )
    hint = MANGLED_ID_HINT if mangled * 2 >= quarantined else "请按下列原因修正后重新导出。"
    head = f"文件 {loc.where} 已拒收：{why}，整个文件未导入。{hint}"
    raise FileRejected([Problem(head), *rows])


def _errors(
    cur: duckdb.DuckDBPyConnection,
    loc: Located,
    batch_id: int,
    count: int,
    limit: int = MAX_LISTED_ERRORS,
    suffix: str = "（该行已隔离，其余行照常导入）",
) -> list[Problem]:
    rows = cur.execute(
        "SELECT row_no, column_name, reason FROM export_quarantine WHERE batch_id = ? ORDER BY row_no LIMIT ?",
        [batch_id, limit],
    ).fetchall()
    out = [
        Problem(f"{loc.where}第 {row} 行：{reason}{suffix}", row, column, loc.grid.sheet)
        for row, column, reason in rows
    ]
    if count > limit:
        where = "，请在“隔离行”中查看或下载" if suffix else ""
        out.append(Problem(f"另有 {count - limit} 行问题未逐条列出{where}。"))
    return out


def _duplicate_result(name: str, kind: str, batch_id: int) -> LoadResult:
    return LoadResult(
        file=name,
        kind=kind,
        status="duplicate",
        batch_id=batch_id,
        warnings=[Problem(f"文件 {name} 与已导入的批次 #{batch_id} 内容完全相同，本次未做任何改动。")],
    )


def _rules(wh: Warehouse) -> list[tuple[str, str]]:
    with wh.read() as cur:
        return cur.execute("SELECT focus_key, keyword FROM classification_rules ORDER BY priority, keyword").fetchall()


def loader_functions(spec: ExportSpec):
    """The loader-module contract (sniff, load, undo_batch) for one export spec: a source module is its spec."""

    def sniff(path: Path) -> float:
        return sniff_export(path, spec)

    def load(wh: Warehouse, path: Path, *, user: str, is_demo: bool = False, **options) -> LoadResult:
        return load_export(wh, path, spec, user=user, is_demo=is_demo, **options)

    def undo_batch(cur: duckdb.DuckDBPyConnection, batch_id: int) -> None:
        undo_export(cur, batch_id, spec)

    return sniff, load, undo_batch
