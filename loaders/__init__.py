"""Loaders: file → warehouse. One module per source kind, each exposing the same three things:

- ``KIND``: its stable key (``complaints_12315``, ``price_12358``, ``monitoring``, ``district_stats``);
- ``sniff(path) -> float``: how well the file looks like this kind (0 = not at all, 1 = certain);
  must not raise for any input (a hostile or unreadable file scores 0);
- ``load(wh, path, *, user, is_demo=False, **options) -> LoadResult``: one file, one transaction;
  raises ``FileRejected`` for a file-level failure (the warehouse is left untouched);
- ``undo_batch(cur, batch_id)``: remove a batch's rows (and bring back what it superseded), inside the
  caller's transaction, for withdrawal (撤销).

The entries, for any kind: ``load_file`` (a file on disk, as the command line loads it), ``load_uploads``
(files as uploaded: temporary files, the kind checked against what the page accepts, then the summary
tables refreshed), ``withdraw`` (撤销, then the summary tables refreshed). Below them three rooms:
``reading`` (the shared reading core), ``exports`` (12315, 12358, monitoring) and ``weekly`` (统计表 and
deliverables).

This package never draws a widget.
"""

from __future__ import annotations

import importlib
import importlib.util
import tempfile
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from types import ModuleType

import duckdb

from auth.audit import audit, record
from auth.policy import PermissionDenied, Principal, require_load, require_withdraw
from campaign import Campaign, load_campaign
from loaders.result import FileRejected, LoadResult, Problem, Upload, refusal_detail
from loaders.weekly.deliverables import KIND as DELIVERABLE
from metrics import summary_tables
from warehouse import Warehouse
from warehouse.batches import mark_withdrawn


def file_kinds(c: Campaign | None = None) -> dict[str, str]:
    """The kinds load_file loads, kind → label, from the campaign (the campaign file's when none is given): every
    upload kind but the deliverables, which loaders.weekly.deliverables stores (a form with several files)."""
    c = c or load_campaign()
    return {key: kind.label for key, kind in c.kinds.items() if key != DELIVERABLE}


# The rooms a kind's module lives in: loaders.exports.<kind> (an export source) or loaders.weekly.<kind>.
ROOMS = ("loaders.exports", "loaders.weekly")


def loader_for(kind: str, c: Campaign | None = None) -> ModuleType:
    kinds = file_kinds(c)
    if kind not in kinds:
        raise ValueError(f"未知的数据类型：{kind}（可选：{'、'.join(kinds)}）")
    for room in ROOMS:
        if importlib.util.find_spec(f"{room}.{kind}") is not None:
            return importlib.import_module(f"{room}.{kind}")
    raise ModuleNotFoundError(f"no loader module for {kind} in {', '.join(ROOMS)}", name=kind)


def detect_kind(path: str | Path, c: Campaign | None = None) -> str | None:
    """The kind whose sniff scores best, or None when nothing recognises the file. A kind whose loader
    module is not installed (yet) is skipped rather than breaking detection of the others."""
    c = c or load_campaign()
    scores = {}
    for kind in file_kinds(c):
        try:
            module = loader_for(kind, c)
        except ModuleNotFoundError as exc:
            if exc.name != kind:
                raise
            continue
        scores[kind] = module.sniff(Path(path))
    if not scores:
        return None
    kind, score = max(scores.items(), key=lambda kv: kv[1])
    return kind if score > 0 else None


def load_file(
    wh: Warehouse,
    path: str | Path,
    *,
    user: Principal,
    kind: str = "auto",
    is_demo: bool = False,
    display_name: str | None = None,
    **options,
) -> LoadResult:
    """Load one file of any kind, as `user`. Never raises for bad input: a refused file, or one the user may
    not load, comes back as status 'rejected'. This is the guarded entry point: the role and, for a unit's
    own files, the unit and agency the file turns out to belong to are checked here, not only by the pages.
    A loaded file's audit row is written by its loader in the load's own transaction; a refused or duplicate
    one gets its row here. The summary tables are left as they are (see refresh_summaries)."""
    path = Path(path)
    return _load_kind(
        wh,
        path,
        user,
        detect_kind(path, wh.campaign) if kind == "auto" else kind,
        is_demo,
        display_name or path.name,
        options,
    )


def load_uploads(
    wh: Warehouse,
    files: Sequence[Upload],
    *,
    user: Principal,
    accept: Collection[str],
    kind: str = "auto",
    elsewhere: Mapping[str, str] | None = None,
    progress: Callable[[int, str], None] | None = None,
    **options,
) -> list[LoadResult]:
    """Load files as uploaded (name and bytes), in order, as `user`: one LoadResult each, never raising for bad
    input. Each file is written to a temporary file, its kind detected (kind="auto") or taken as given, and
    refused with a message naming it unless its kind is one this place accepts (`elsewhere`: where a file of
    another kind is uploaded instead, for that message); then load_file. After the files, if any loaded, the
    summary tables are refreshed. `progress(i, name)` is called before each file and `progress(len, "")` at
    the end; `options` go to every file's loader (unit, agency, week, received_on)."""
    results = []
    with tempfile.TemporaryDirectory(prefix="wangjian-upload-") as tmp:
        for i, f in enumerate(files):
            if progress:
                progress(i, f.name)
            path = Path(tmp) / f"{i}{Path(f.name).suffix.lower()}"
            path.write_bytes(f.data)
            chosen = detect_kind(path, wh.campaign) if kind == "auto" else kind
            if chosen is None or chosen in accept:
                results.append(_load_kind(wh, path, user, chosen, False, f.name, options))
            else:
                hint = (elsewhere or {}).get(chosen)
                label = wh.campaign.kind_label
                where = f"请在{hint}上报" if hint else f"这里只接收{'、'.join(label(k) for k in accept)}"
                message = f"文件 {f.name} 看起来是{label(chosen)}，{where}。"
                refused = LoadResult(file=f.name, kind=chosen, status="rejected", errors=[Problem(message)])
                results.append(_audited(wh, user, f.name, refused))
    if any(r.status == "loaded" for r in results):
        refresh_summaries(wh)
    if progress:
        progress(len(results), "")
    return results


def refresh_summaries(wh: Warehouse) -> None:
    """After a change made through the uploads, a withdrawal or the demo data: the dashboard's summary tables
    follow the new data now, not at the next reader's cost. (Command-line loads leave them to
    `python -m metrics refresh`, or to the first page view.)"""
    summary_tables.refresh(wh)


def _load_kind(
    wh: Warehouse, path: Path, user: Principal, kind: str | None, is_demo: bool, name: str, options: dict
) -> LoadResult:
    """Load a file whose kind is decided (None: nothing recognised it), with the audit row of a refusal."""
    result = _unrecognised(path, name) if kind is None else _load(wh, path, user, kind, is_demo, name, options)
    return _audited(wh, user, name, result)


def _audited(wh: Warehouse, user: Principal, name: str, result: LoadResult) -> LoadResult:
    """Every upload that did not load (refused for any reason, or a duplicate) gets its audit row here; a loaded one
    got its row from its loader, in the load's own transaction."""
    if result.status != "loaded":
        outcome = "重复文件，未改变数据" if result.status == "duplicate" else refusal_detail(result.errors)
        record(wh, user, "upload", name, detail=outcome)
    return result


def _unrecognised(path: Path, name: str) -> LoadResult:
    from loaders.reading.grids import file_level_problem

    return LoadResult(
        file=name,
        kind=None,
        status="rejected",
        errors=[
            file_level_problem(path, name)  # empty, corrupt, hostile … said specifically
            or Problem(
                f"文件 {name} 无法识别：既不是 12315/12358/监测线索导出文件，也不是情况统计表。请检查文件内容，或指定数据类型。"
            )
        ],
    )


def _load(wh: Warehouse, path: Path, user: Principal, kind: str, is_demo: bool, name: str, options: dict) -> LoadResult:
    try:
        require_load(user, kind, options.get("unit"), options.get("agency"))

        def authorize(unit: str | None, agency: str | None) -> None:
            """Called by a unit-bound loader once it knows whose file this is."""
            require_load(user, kind, unit, agency)

        return loader_for(kind, wh.campaign).load(
            wh, path, user=user.username, is_demo=is_demo, display_name=name, authorize=authorize, **options
        )
    except FileRejected as exc:
        return LoadResult(file=name, kind=kind, status="rejected", errors=exc.problems)
    except PermissionDenied as exc:
        return LoadResult(file=name, kind=kind, status="rejected", errors=[Problem(f"文件 {name}：{exc}")])


def withdraw(wh: Warehouse, batch_id: int, *, user: Principal) -> str:
    """撤销 a batch in one transaction: its rows go, and the versions it had superseded come back; then the
    summary tables follow. Admins withdraw any batch; others only batches of their own they may load
    (auth.policy.require_withdraw)."""
    with wh.write() as cur:
        row = cur.execute("SELECT kind, unit, loaded_by FROM batches WHERE batch_id = ?", [batch_id]).fetchone()
        if row is None:
            raise ValueError(f"批次 {batch_id} 不存在")
        require_withdraw(user, *row)
        kind = withdraw_in(cur, batch_id, user=user, campaign=wh.campaign)
    refresh_summaries(wh)
    return kind


def withdraw_in(cur: duckdb.DuckDBPyConnection, batch_id: int, *, user: Principal, campaign: Campaign) -> str:
    """The withdrawal itself, with its audit row, inside the caller's transaction."""
    kind = mark_withdrawn(cur, batch_id, user.username)
    if kind in file_kinds(campaign):
        loader_for(kind, campaign).undo_batch(cur, batch_id)
    audit(
        cur,
        user,
        "withdraw",
        f"批次 #{batch_id}",
        detail=campaign.kinds[kind].label if kind in campaign.kinds else kind,
    )
    return kind
