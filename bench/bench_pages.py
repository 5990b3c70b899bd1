"""Page and query benchmark at campaign scale (issue 5): 10,000,000 complaint records, 1,000,000 monitoring
hits and a full set of weekly 统计表.

    python bench/bench_pages.py                       # build /tmp/wangjian-bench/bench.duckdb if absent, measure
    python bench/bench_pages.py --rebuild             # build afresh
    python bench/bench_pages.py --complaints 1000000  # a smaller run

The export records are inserted straight into the loaders' tables with DuckDB `INSERT … SELECT … FROM
range(…)` (minutes, not hours); 10% of the complaints also have an older version in an earlier export, so
"current version" has real work to do. The weekly tables go through helper B's generator and the real loader.

Every timing stands next to a bare `count(*)` over the table the query reads, run in the same process on
the same file, so the ratio says how much a query costs beyond touching the data. Pages are timed as full
AppTest script runs: cold (empty Streamlit cache: what the first user after an upload waits) and warm.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auth.policy import SYSTEM  # noqa: E402 - after the path set-up, so the bench runs from anywhere
from datagen.vocabulary import PRICE_VIOLATIONS as PRICE  # noqa: E402
from datagen.vocabulary import PROBLEMS  # noqa: E402

PLATFORMS = ["淘宝", "天猫", "京东", "拼多多", "美团", "饿了么", "唯品会", "苏宁易购", "携程", "微信小程序"]
GOODS = [
    "家用电器",
    "儿童用品",
    "餐饮和住宿服务",
    "一般食品",
    "旅游服务",
    "通讯产品",
    "化妆品",
    "服装鞋帽",
    "医疗器械",
    "家居用品",
    "教育培训服务",
]
UNITS = ["tianning", "zhonglou", "xinbei", "wujin", "jintan", "liyang", "jingkai", "city"]
FOCUS = ["F0", "F1", "F2", "F3", "F4", "F5", "F6"]
HIT_TYPES = ["刷单炒信", "价格欺诈", "未亮照", "虚假宣传", "侵权假冒", "不合格商品", "无照经营", "禁售商品", "违法广告"]
HIT_STATUSES = ["待核查", "核查中", "已立案", "已整改", "不属实", "非本辖区"]
MONITOR_SOURCES = ["省网络交易监测中心", "全国互联网广告监测中心", "电子商务产品质量风险监测中心"]
SUBJECTS = ["网店", "网站", "小程序", "微信公众号", "APP"]
MERCHANTS = 60_000
SECONDS = 153 * 86_400  # 2018-07-01 … 2018-11-30


def _pick(values: list[str], salt: int) -> str:
    """SQL picking one of `values` from a hash of the row number (literals only, no user text)."""
    items = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"[{items}][CAST(hash(i, {salt}) % {len(values)} AS BIGINT) + 1]"


def _batch(cur, kind: str, name: str, exported_at: str) -> int:
    from warehouse.batches import insert_batch

    bid = insert_batch(
        cur, kind=kind, file_name=name, sha256=name, size_bytes=0, loaded_by="bench", note="基准测试数据"
    )
    cur.execute(
        "INSERT INTO export_batches (batch_id, source, file_format, header_row, exported_at, exported_at_basis, "
        "columns_mapped, columns_personal, columns_ignored) VALUES (?, ?, 'csv', 1, ?, 'title', '{}', [], [])",
        [bid, kind, exported_at],
    )
    return bid


COMPLAINTS_SQL = """
INSERT INTO complaint_versions
SELECT $batch, src, record_id, (i % 1000000)::INTEGER, received_at, info_type, channel, mode, platform IS NOT NULL,
       '常州市' || m || '号商贸有限公司', CASE WHEN m % 10 = 0 THEN '常州市' || m || '号商贸有限公司' ELSE uscc END,
       uscc, m % 10 <> 0, platform, platform, goods, problem, NULL, price, '常州市某区某街道', unit, false,
       unit || '市场监督管理局', status, CASE WHEN status = '已办结' THEN received_at + INTERVAL 7 DAY END,
       round((hash(i, 11) % 500000) / 100.0, 2), round((hash(i, 12) % 100000) / 100.0, 2), NULL,
       '消费者***反映商品问题，联系电话***。', focus, md5(CAST(hash(i, 13) % 2000000 AS VARCHAR)),
       true  -- is_current: the default for a new version; contested records are re-decided after the build
FROM (
    SELECT i, m, src, received_at, unit, focus, status,
           CASE WHEN src = 'complaints_12315' THEN {info} ELSE '举报' END AS info_type,
           CASE WHEN src = 'complaints_12315' THEN {channel} END AS channel,
           CASE WHEN src = 'complaints_12315' THEN (CASE WHEN hash(i, 4) % 4 = 0 THEN '电视购物' ELSE '网络购物' END) END AS mode,
           CASE WHEN src = 'price_12358' OR hash(i, 4) % 4 <> 0 THEN {platform} END AS platform,
           CASE WHEN src = 'complaints_12315' THEN {goods} END AS goods,
           CASE WHEN src = 'complaints_12315' THEN {problem} END AS problem,
           CASE WHEN src = 'price_12358' THEN {price} END AS price,
           printf('91320%013d', m) AS uscc,
           CASE WHEN src = 'complaints_12315' THEN printf('32041200000%014d', i) ELSE printf('12358%013d', i) END AS record_id
    FROM (
        SELECT i, CAST(hash(i, 3) % {merchants} AS BIGINT) AS m,
               CASE WHEN i % 5 = 0 THEN 'price_12358' ELSE 'complaints_12315' END AS src,
               TIMESTAMP '2018-07-01 00:00:00' + to_seconds(CAST(hash(i, 1) % {seconds} AS BIGINT)) AS received_at,
               {unit} AS unit, {focus} AS focus, {status} AS status
        FROM range($lo, $hi) t(i)
    )
)
"""

HITS_SQL = """
INSERT INTO hit_versions
SELECT $batch, 'monitoring', printf('JC2018%010d', i), (i % 1000000)::INTEGER, detected_at, {src}, {subject},
       {platform}, {platform}, '某网店' || m, 'https://shop' || m || '.example.com', '常州市' || m || '号商贸有限公司',
       CASE WHEN m % 10 = 0 THEN '常州市' || m || '号商贸有限公司' ELSE printf('91320%013d', m) END,
       printf('91320%013d', m), m % 10 <> 0, '常州市某区', {unit}, false, {hit_type}, '关键词', {unit},
       detected_at + INTERVAL 1 DAY, status,
       CASE WHEN status IN ('已立案', '已整改', '不属实', '非本辖区') THEN '已处置' END,
       CASE WHEN status NOT IN ('待核查') THEN detected_at + to_seconds(CAST(hash(i, 9) % (20 * 86400) AS BIGINT)) END,
       {focus}, true
FROM (
    SELECT i, CAST(hash(i, 3) % {hit_merchants} AS BIGINT) AS m, {status} AS status,
           TIMESTAMP '2018-07-01 00:00:00' + to_seconds(CAST(hash(i, 1) % {seconds} AS BIGINT)) AS detected_at
    FROM range($lo, $hi) t(i)
)
"""


def build(db: Path | str, complaints: int, hits: int) -> None:
    """Build the bench warehouse at `db`: a file (replaced), or a new, empty DuckLake target."""
    from warehouse import open_warehouse

    if isinstance(db, Path) and db.exists():
        db.unlink()
    t0 = time.perf_counter()
    wh = open_warehouse(db)
    fmt = dict(
        info=_pick(["投诉", "投诉", "举报", "咨询"], 5),
        channel=_pick(["全国12315平台转件", "电话", "互联网络", "12345转件"], 6),
        platform=_pick(PLATFORMS, 7),
        goods=_pick(GOODS, 8),
        problem=_pick(PROBLEMS, 9),
        price=_pick(PRICE, 10),
        unit=_pick(UNITS, 14),
        focus=_pick(FOCUS, 15),
        status=_pick(["已办结", "已办结", "已受理", "处理中"], 16),
        merchants=MERCHANTS,
        seconds=SECONDS,
    )
    sql = COMPLAINTS_SQL.format(**fmt)
    chunk = 2_000_000
    with wh.write() as cur:
        # An older export holding a first version of 10% of the records: the newer export must win.
        old = _batch(cur, "complaints_12315", "bench_old.csv", "2018-09-01 00:00:00")
        cur.execute(
            sql.replace("'已办结', '已办结'", "'处理中', '处理中'"), {"batch": old, "lo": 0, "hi": complaints // 10}
        )
        for n, lo in enumerate(range(0, complaints, chunk)):
            bid = _batch(cur, "complaints_12315", f"bench_{n}.csv", "2018-12-01 00:00:00")
            cur.execute(sql, {"batch": bid, "lo": lo, "hi": min(lo + chunk, complaints)})
    print(
        f"投诉举报 {complaints:,} 条（另有 {complaints // 10:,} 条旧版本）：{time.perf_counter() - t0:.1f} s",
        flush=True,
    )

    t1 = time.perf_counter()
    hsql = HITS_SQL.format(
        src=_pick(MONITOR_SOURCES, 20),
        subject=_pick(SUBJECTS, 21),
        platform=_pick(PLATFORMS, 22),
        unit=_pick(UNITS[:-1], 23),
        hit_type=_pick(HIT_TYPES, 24),
        focus=_pick(FOCUS[1:], 25),
        status=_pick(HIT_STATUSES, 26),
        hit_merchants=int(MERCHANTS * 1.5),
        seconds=SECONDS,
    )
    with wh.write() as cur:
        old = _batch(cur, "monitoring", "bench_hits_old.csv", "2018-09-01 00:00:00")
        cur.execute(
            hsql.replace("% 6 AS BIGINT) + 1]", "% 2 AS BIGINT) + 1]"), {"batch": old, "lo": 0, "hi": hits // 10}
        )
        bid = _batch(cur, "monitoring", "bench_hits.csv", "2018-12-01 00:00:00")
        cur.execute(hsql, {"batch": bid, "lo": 0, "hi": hits})
    print(f"监测线索 {hits:,} 条：{time.perf_counter() - t1:.1f} s", flush=True)

    t3 = time.perf_counter()
    from loaders.exports.complaints_12315 import SPEC as COMPLAINTS
    from loaders.exports.monitoring import SPEC as HITS
    from loaders.exports.versions import refresh_current

    with wh.write() as cur:
        refresh_current(cur, COMPLAINTS, None)
        refresh_current(cur, HITS, None)
    print(f"判定当前版本（全部记录）：{time.perf_counter() - t3:.1f} s", flush=True)
    from metrics import summary_tables

    t4 = time.perf_counter()
    summary_tables.refresh(wh)  # as the upload page does after every upload
    print(f"汇总表（投诉按日 × 维度、按来源 × 主体；上传后刷新）：{time.perf_counter() - t4:.1f} s", flush=True)

    t2 = time.perf_counter()
    n = _weekly_tables(wh)
    print(f"情况统计表 {n} 份（经加载器）：{time.perf_counter() - t2:.1f} s", flush=True)
    wh.checkpoint()  # on DuckLake: the nightly maintenance (small files merged)
    size = (
        db.stat().st_size if isinstance(db, Path) else sum(f.stat().st_size for f in wh.path.rglob("*") if f.is_file())
    )
    wh.close()
    print(f"建库合计 {time.perf_counter() - t0:.1f} s，数据 {size / 1e9:.2f} GB", flush=True)


def _weekly_tables(wh) -> int:
    import loaders
    from datagen.stats import write_demo_tables

    with tempfile.TemporaryDirectory() as tmp:
        files = write_demo_tables(tmp, seed=7, skip=0.0)
        for path, *_ in files:
            r = loaders.load_file(wh, path, user=SYSTEM, kind="district_stats")
            if r.status == "rejected":
                raise RuntimeError(f"{path.name}: {r.errors[0].message}")
    return len(files)


# --- measuring ------------------------------------------------------------------------------------


REPEAT = 3  # --once sets 1 and skips the warm-up run (at 10M rows over the window view, each run takes seconds)
WARM_UP = True


def timed(fn: Callable[[], object], repeat: int | None = None) -> float:
    """Median wall time in ms over `repeat` runs (after one untimed warm-up of the OS page cache)."""
    repeat = min(repeat or REPEAT, REPEAT)
    if WARM_UP:
        fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


BASE_TABLE = {
    "v_complaints_current": "complaint_versions",
    "v_hits_current": "hit_versions",
    "v_stats_table1_current": "stats_table1_values",
    "v_stats_table2_focus": "stats_table2_values",
}


def measure_queries(db: Path | str, rows: list[tuple[str, str, float, float]]) -> None:
    from metrics import complaints as mc
    from metrics import monitoring as mm
    from metrics import registry
    from warehouse import open_warehouse

    wh = open_warehouse(db)
    as_of = dt.date(2018, 11, 30)
    baselines: dict[str, float] = {}
    for rel, table in BASE_TABLE.items():

        def q(table=table):
            with wh.read() as cur:
                return cur.execute(f"SELECT count(*) FROM {table}").fetchone()

        baselines[rel] = timed(q)
        rows.append(("基线", f"count(*) FROM {table}", baselines[rel], 1.0))
    for key, m in registry.registry(wh.campaign).items():
        ms = timed(lambda key=key: registry.value(wh, key, as_of), repeat=1)
        rows.append(("指标", key, ms, ms / baselines[m.relation]))
    f = mc.Filters()
    fu = mc.Filters(unit="wujin", online=True)
    fg = mc.Filters(goods="家用电器")
    fs = mc.Filters(status="已办结")
    checks: list[tuple[str, str, Callable[[], object]]] = [
        # one GROUPING SETS scan: trends, every breakdown, the anomaly flags and the filter options
        ("v_complaints_current", "complaints.cube", lambda: mc.cube(wh, f, as_of)),
        ("v_complaints_current", "complaints.cube(武进·网购)", lambda: mc.cube(wh, fu, as_of)),
        # a cut the day summary cannot answer: counted live, in one GROUPING SETS scan
        ("v_complaints_current", "complaints.cube(已办结)", lambda: mc.cube(wh, fs, as_of)),
        ("v_complaints_current", "complaints.cube(家用电器, 实时)", lambda: mc.cube(wh, fg, as_of)),
        ("v_complaints_current", "complaints.totals", lambda: mc.totals(wh, f, as_of)),
        ("v_complaints_current", "complaints.totals(武进·网购)", lambda: mc.totals(wh, fu, as_of)),
        ("v_complaints_current", "complaints.top_merchants", lambda: mc.top_merchants(wh, f, as_of)),
        ("v_complaints_current", "complaints.records(500)", lambda: mc.records(wh, f, as_of)),
        ("v_complaints_current", "complaints.records(500, 武进·网购)", lambda: mc.records(wh, fu, as_of)),
        ("v_hits_current", "monitoring.summary", lambda: mm.summary(wh, as_of)),
        ("v_hits_current", "monitoring.overdue", lambda: mm.overdue(wh, as_of, 5)),
        ("v_hits_current", "monitoring.cross_source_leads", lambda: mm.cross_source_leads(wh, as_of)),
    ]
    for rel, name, fn in checks:
        ms = timed(fn, repeat=1)
        rows.append(("页面查询", name, ms, ms / baselines[rel]))
    wh.close()


def measure_pages(db: Path | str, rows: list[tuple[str, str, float, float]]) -> None:
    os.environ["WANGJIAN_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    from tests.conftest import TEST_USERS, create_test_users
    from warehouse import open_warehouse

    wh = open_warehouse(db)
    with wh.read() as cur:
        have = cur.execute("SELECT count(*) FROM users").fetchone()[0]
        (base,) = [cur.execute("SELECT count(*) FROM complaint_versions").fetchone()]
    if not have:
        create_test_users(wh)
    t = time.perf_counter()
    with wh.read() as cur:
        cur.execute("SELECT count(*) FROM complaint_versions").fetchone()
    baseline = (time.perf_counter() - t) * 1000
    wh.close()
    assert "admin" in TEST_USERS and base
    for page in ("overview", "complaints", "monitoring", "tracking", "uploads"):
        for label in ("冷", "热"):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            at.session_state["username"] = "admin"
            t = time.perf_counter()
            at.run()  # the frame and the default page, which is 总览 for every role that sees it
            ms = (time.perf_counter() - t) * 1000
            if page != "overview":
                t = time.perf_counter()
                at.switch_page(f"app_pages/{page}.py")
                at.run()
                ms = (time.perf_counter() - t) * 1000
            err = f"（异常：{at.exception[0].value[:60]}）" if at.exception else ""
            rows.append((f"页面（{label}）", page + err, ms, ms / baseline))
        # the next page starts cold again
        import streamlit as st

        st.cache_data.clear()


class Rows(list):
    """Measurements, each also printed the moment it is taken (a full run takes a while)."""

    def append(self, row: tuple[str, str, float, float]) -> None:
        super().append(row)
        print(f"  {row[0]} {row[1]}: {row[2]:,.1f} ms ({row[3]:,.1f}×)", file=sys.stderr, flush=True)


def report(title: str, rows: list[tuple[str, str, float, float]]) -> None:
    print(f"\n## {title}\n")
    print("| 类别 | 项目 | 用时 (ms) | 相对 count(*) |")
    print("|---|---|---:|---:|")
    for kind, name, ms, ratio in rows:
        print(f"| {kind} | {name} | {ms:,.1f} | {ratio:,.1f}× |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="/tmp/wangjian-bench/bench.duckdb")
    ap.add_argument("--complaints", type=int, default=10_000_000)
    ap.add_argument("--hits", type=int, default=1_000_000)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--no-pages", action="store_true")
    ap.add_argument("--once", action="store_true", help="每个查询只测一次、不预热（快速跑完全量）")
    args = ap.parse_args()
    if args.once:
        global REPEAT, WARM_UP
        REPEAT, WARM_UP = 1, False
    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    if args.rebuild or not db.exists():
        build(db, args.complaints, args.hits)
    if args.build_only:
        return
    targets = [("当前版本以标记维护（is_current）", db)]
    for title, path in targets:
        rows = Rows()
        measure_queries(path, rows)
        if not args.no_pages:
            measure_pages(path, rows)
        report(title, rows)


if __name__ == "__main__":
    main()
