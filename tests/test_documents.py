"""The 工作通报 and the 总结报告 pack, read back as a user gets them: every figure equals `python -m metrics summary
--json` and the registry for the same as-of date; the same inputs give the same bytes; the PDF is A4 and holds the
same figures; the pack's manifest matches the stored documents and lists what is missing; rights and audit."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import polars as pl
import pytest

from auth.policy import SYSTEM, PermissionDenied
from loaders import load_file
from loaders.result import Upload
from loaders.weekly.deliverables import CaseInfo, store_case, store_document
from metrics import cumulative, overview, registry, tracking
from metrics.documents.bulletin import bulletin
from metrics.documents.context import Scope
from metrics.documents.document import pdf_of
from metrics.documents.pack import pack
from metrics.documents.summary_report import file_name as draft_name
from tests.conftest import ROOT, TEST_USERS, create_test_users
from warehouse import open_warehouse

AS_OF = dt.date(2018, 10, 15)
AT = dt.datetime(2018, 10, 15, 18, 0, 0)
PDF = b"%PDF-1.4\n% test document\n"
SPIKE = 14  # complaints of one new category in one week: an anomaly the 通报 must name
ARTIFACTS = ROOT / "test-artifacts"
CHARTS = shutil.which("chromium") is not None  # kaleido renders the charts in Debian's Chromium


def _summary(db: Path, as_of: dt.date) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "metrics", "summary", "--json", "--as-of", str(as_of), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def _spike_csv(path: Path) -> Path:
    """A 12315 export with a complaint category the demo never had, SPIKE times in the week before AS_OF's."""
    lines = ["登记编号,登记时间,办结状态,问题类别,销售地所在行政区,投诉人,联系电话"]
    for i in range(SPIKE):
        lines.append(f"JS2018SPIKE{i:04d},2018-10-10 09:{i:02d}:00,处理中,预付卡,溧阳市天目湖镇,某人{i},1390000{i:04d}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> dict:
    """The shipped demo data loaded through the real loaders, a few deliverables, one account per role, and the
    summary CLI's answers for the as-of date and the week before (asked before any test opens the file)."""
    from loaders import demo
    from metrics import summary_tables

    db = tmp_path_factory.mktemp("documents") / "wangjian.duckdb"
    wh = open_warehouse(db)
    assert all(r.status == "loaded" for r in demo.load_demo(wh, user=SYSTEM))
    assert load_file(wh, _spike_csv(db.parent / "spike.csv"), user=SYSTEM).status == "loaded"
    summary_tables.refresh(wh)
    store_document(
        wh, Upload("武进联合执法纪要.pdf", PDF + b"joint"), unit="wujin", agency="aic",
        deliverable_key="joint_enforcement", user=SYSTEM, received_on=dt.date(2018, 10, 10),
    )  # fmt: skip
    store_case(
        wh, CaseInfo("某网店销售假冒商标商品案", "trademark", "常武市监罚〔2018〕12号", 3.5, True, False),
        unit="wujin", agency="aic", user=SYSTEM, decision_document=Upload("决定书.pdf", PDF + b"decision"),
        case_material=Upload("案情.pdf", PDF + b"material"), received_on=dt.date(2018, 10, 12),
    )  # fmt: skip
    store_document(
        wh, Upload("天宁联合执法.pdf", PDF + b"tianning"), unit="tianning", agency="aic",
        deliverable_key="joint_enforcement", user=SYSTEM, received_on=dt.date(2018, 10, 11),
    )  # fmt: skip
    create_test_users(wh)
    wh.close()
    return {"db": db, "now": _summary(db, AS_OF), "week_before": _summary(db, AS_OF - dt.timedelta(days=7))}


@pytest.fixture
def dwh(demo_db):
    w = open_warehouse(demo_db["db"])
    yield w
    w.close()


def _text(document: docx.document.Document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _tables(document) -> dict[str, list[list[str]]]:
    """Each table by its caption (表N　caption → caption)."""
    captions = [p.text.split("　", 1)[1] for p in document.paragraphs if re.match(r"^表\d+　", p.text)]
    return {
        cap: [[c.text for c in row.cells] for row in t.rows] for cap, t in zip(captions, document.tables, strict=True)
    }


def _fmt(wh, key: str, value: float) -> str:
    return registry.get(wh.campaign, key).format(value)


def test_every_bulletin_figure_equals_the_summary_cli_and_the_registry(dwh, demo_db):
    f = bulletin(dwh, SYSTEM, AS_OF, generated_at=AT, with_charts=False)
    d = docx.Document(io.BytesIO(f.data))
    text, tables, now, before = "\n".join(_text(d)), _tables(d), demo_db["now"], demo_db["week_before"]
    c = dwh.campaign

    # 统计表1: cumulative and this week's increase, against the summary CLI at the as-of date and a week before.
    t1 = {row[0]: row for row in tables["全市情况统计表1累计数"][1:]}
    assert len(t1) == len(c.table1)
    for m in c.table1:
        value, week_ago = now["district_stats"]["table1"][m.key], before["district_stats"]["table1"][m.key]
        assert t1[m.label][2] == _fmt(dwh, m.key, value), m.key
        assert t1[m.label][3] == _fmt(dwh, m.key, value - week_ago), m.key
    # The opening paragraph says the same figures in words.
    cases = now["district_stats"]["table1"]["cases_filed"]
    this_week = cases - before["district_stats"]["table1"]["cases_filed"]
    assert (
        f"立案查处网络违法案件 {_fmt(dwh, 'cases_filed', cases)} 件，较上周增加 {_fmt(dwh, 'cases_filed', this_week)} 件"
        in text
    )

    # Complaints and hits: the summary's totals per source, the registry's online count.
    online = registry.value(dwh, "complaints_online", AS_OF)
    online_week = online - registry.value(dwh, "complaints_online", AS_OF - dt.timedelta(days=7))
    assert f"全市共受理网络消费投诉举报 {online:,} 件，较上周增加 {online_week:,} 件" in text
    assert f"12315 投诉举报 {now['complaints_12315']['total']:,} 件" in text
    assert f"12358 价格举报 {now['price_12358']['total']:,} 件" in text
    assert f"收到监测线索 {now['monitoring']['total']:,} 条" in text
    total = now["complaints_12315"]["total"] + now["price_12358"]["total"]
    assert f"投诉举报总数 {total:,} 件" in text

    # Focus areas: each sentence against the registry cut by that area.
    for fa in c.focus_areas:
        cases_f = registry.value(dwh, "t2_cases_filed", AS_OF, where={"focus": fa.key})
        fines_f = registry.value(dwh, "t2_fines", AS_OF, where={"focus": fa.key})
        complaints_f = now["complaints_12315"]["by_focus_area"].get(fa.key, 0) + now["price_12358"][
            "by_focus_area"
        ].get(fa.key, 0)
        hits_f = now["monitoring"]["by_focus_area"].get(fa.key, 0)
        assert (
            f"{fa.label}：立案 {cases_f:,} 件，罚没 {_fmt(dwh, 't2_fines', fines_f)} 万元；"
            f"相关投诉举报 {complaints_f:,} 件、监测线索 {hits_f:,} 条。" in text
        ), fa.key

    # The district league: every cell against the registry by unit; complaints against the summary by unit.
    league = tables["各地区主要工作进展（累计）"]
    by_unit = registry.breakdown(dwh, list(overview.LEAGUE_KEYS), ["unit"], AS_OF).rows_by_key("unit", named=True)
    for row in league[1:]:
        unit = next(u.key for u in c.units if u.label == row[0])
        for j, key in enumerate(overview.LEAGUE_KEYS, 1):
            assert row[j] == _fmt(dwh, key, by_unit[unit][0][key]), (unit, key)
        complaints_u = now["complaints_12315"]["by_unit"].get(unit, 0) + now["price_12358"]["by_unit"].get(unit, 0)
        assert row[len(overview.LEAGUE_KEYS) + 1] == f"{complaints_u:,}"
    assert [r[0] for r in league[1:]] == overview.district_league(dwh, AS_OF)["label"].to_list()  # ranked

    # Reporting: the latest week past its due date, late and missing reporters named, as 报送进度 counts them.
    statuses = tracking.week_statuses(dwh, AS_OF)
    latest = max(s.week_start for s in statuses if s.due_date < AS_OF)
    week = [s for s in statuses if s.week_start == latest]
    counts = tracking.status_counts(week)
    assert f"按时报送 {counts['on_time']} 家；迟报 {counts['late']} 家" in text
    labels = {(r.unit, r.agency): r.label for r in tracking.reporters(dwh)}
    for s in week:
        if s.status == "missing":
            assert labels[(s.unit, s.agency)] in text.split("逾期未报")[1]
    assert "截至2018年10月15日" in text and "第12期" in text  # the as-of date and issue on its face
    assert "统计范围：全市" in text  # the filters printed on it


def test_hits_deliverables_anomalies_and_deadlines_in_the_bulletin_equal_their_sources(dwh, demo_db):
    """The rest of the 通报's figures: monitoring hits against the summary's statuses, the amount recovered,
    each deliverable's count against 报送进度, each anomaly against 投诉分析's flags, deadlines against the clock."""
    from metrics import complaints, monitoring
    from metrics.registry import DISPOSED_STATUSES

    d = docx.Document(io.BytesIO(bulletin(dwh, SYSTEM, AS_OF, generated_at=AT, with_charts=False).data))
    text, now = "\n".join(_text(d)), demo_db["now"]
    by_status = now["monitoring"]["by_status"]
    disposed = sum(by_status.get(s, 0) for s in DISPOSED_STATUSES)
    assert disposed == registry.value(dwh, "hits_disposed", AS_OF) > 0
    rate = _fmt(dwh, "hit_disposal_rate", registry.value(dwh, "hit_disposal_rate", AS_OF))
    assert f"已处置监测线索 {disposed:,} 条，线索处置率 {rate}%" in text
    assert f"{now['monitoring']['total']:,} 条，较上周" in text
    recovered = _fmt(dwh, "recovered_loss", registry.value(dwh, "recovered_loss", AS_OF))
    assert f"挽回经济损失 {recovered} 万元" in text
    late = monitoring.overdue(dwh, AS_OF, limit=1)
    assert late["pending"] == by_status.get(monitoring.PENDING, 0)
    assert f"待核查监测线索共 {late['pending']:,} 条，其中超过 {monitoring.DEFAULT_OVERDUE_WORKDAYS} 个工作日" in text
    assert f"仍未核查的 {late['total']:,} 条" in text

    statuses = tracking.deliverable_statuses(dwh, AS_OF)
    for deliverable in dwh.campaign.deliverables:
        done = [s for s in statuses if s.deliverable_key == deliverable.key and s.status in ("on_time", "late")]
        assert f"{deliverable.label}：" in text and f"已报送 {len(done)} 家" in text.split(f"{deliverable.label}：")[1]

    since = overview.current_week(AS_OF) - dt.timedelta(days=7)
    flags = complaints.anomalies(dwh, complaints.Filters(), AS_OF).filter(pl.col("week") >= since).head(5)
    sentences = [line for line in _text(d) if "请属地单位关注" in line]
    assert flags.height >= 1 and len(sentences) == flags.height  # at least the fixture's 预付卡 spike
    for r, line in zip(flags.iter_rows(named=True), sentences, strict=True):
        assert f"投诉举报 {r['count']:,} 件" in line, line
        assert (f"的 {r['ratio']:.1f} 倍" if r["trailing_mean"] else "此前4周均无此类投诉举报") in line, line
    assert f"问题类别“预付卡”投诉举报 {SPIKE:,} 件，此前4周均无此类投诉举报" in text  # never "inf 倍"

    for deadline in overview.campaign_clock(dwh, AS_OF).next_deadlines:
        left = "今日截止" if deadline.working_days_left == 0 else f"还有 {deadline.working_days_left} 个工作日"
        assert (
            f"{deadline.label}应于{deadline.due.year}年{deadline.due.month}月{deadline.due.day}日前报送，{left}" in text
        )


def test_same_inputs_give_the_same_bytes_but_for_the_creation_time(dwh):
    a = bulletin(dwh, SYSTEM, AS_OF, generated_at=AT)
    b = bulletin(dwh, SYSTEM, AS_OF, generated_at=AT)
    assert a.data == b.data and a.sha256 == b.sha256
    later = bulletin(dwh, SYSTEM, AS_OF, generated_at=AT + dt.timedelta(hours=3))
    za, zl = zipfile.ZipFile(io.BytesIO(a.data)), zipfile.ZipFile(io.BytesIO(later.data))
    assert za.namelist() == zl.namelist()
    differ = [n for n in za.namelist() if za.read(n) != zl.read(n)]
    assert differ == ["docProps/core.xml"]
    assert {i.date_time for i in za.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    if CHARTS:
        assert len([n for n in za.namelist() if n.startswith("word/media/")]) == 3  # three charts as images


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="未安装 LibreOffice 或 poppler：跳过 PDF 测试",
)
def test_pdf_is_a4_page_by_page_and_holds_the_same_figures(dwh, demo_db):
    f = pdf_of(dwh, SYSTEM, bulletin(dwh, SYSTEM, AS_OF, generated_at=AT))
    assert f.data.startswith(b"%PDF") and f.file_name.endswith(".pdf")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "bulletin.pdf"
    path.write_bytes(f.data)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(path)], capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert pages >= 2 and len(sizes) == pages
    assert all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in sizes)  # A4 portrait
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    now = demo_db["now"]
    assert f"{now['complaints_12315']['total']:,}" in flat
    assert _fmt(dwh, "cases_filed", now["district_stats"]["table1"]["cases_filed"]) in flat
    assert _fmt(dwh, "fines", now["district_stats"]["table1"]["fines"]) in flat
    assert "工作通报" in flat and "□" not in text  # Chinese rendered, not boxes
    subprocess.run(
        [
            "pdftoppm",
            "-f",
            "1",
            "-l",
            "1",
            "-r",
            "110",
            "-png",
            "-singlefile",
            str(path),
            str(ARTIFACTS / "bulletin-page1"),
        ],
        check=True,
    )
    assert (ARTIFACTS / "bulletin-page1.png").stat().st_size > 20_000


def _members(data: bytes) -> tuple[zipfile.ZipFile, list[dict], list[dict]]:
    z = zipfile.ZipFile(io.BytesIO(data))
    manifest = list(csv.DictReader(io.StringIO(z.read("manifest.csv").decode("utf-8-sig"))))
    missing = list(csv.DictReader(io.StringIO(z.read("missing.csv").decode("utf-8-sig"))))
    return z, manifest, missing


def test_pack_manifest_matches_the_stored_documents_and_lists_what_is_missing(dwh):
    f = pack(dwh, SYSTEM, dt.date(2018, 11, 15), scope=Scope("wujin", "aic"), generated_at=AT, with_charts=False)
    z, manifest, missing = _members(f.data)
    with dwh.read() as cur:
        stored = dict(
            cur.execute(
                "SELECT d.sha256, b.loaded_by FROM deliverable_docs d JOIN batches b USING (batch_id) "
                "WHERE d.unit = 'wujin' AND b.status = 'loaded'"
            ).fetchall()
        )
    uploaded = [r for r in manifest if "/" in r["kind"]]
    assert {r["sha256"] for r in uploaded} == set(stored) and len(uploaded) == 3
    for r in manifest:  # every listed file is in the zip with exactly that digest
        assert hashlib.sha256(z.read(r["file"])).hexdigest() == r["sha256"], r["file"]
    assert {r["kind"] for r in uploaded} == {
        "joint_enforcement/document",
        "typical_cases/decision_document",
        "typical_cases/case_material",
    }
    assert all(r["uploaded_by"] == "system" and r["uploaded_at"].startswith("20") for r in uploaded)
    assert {r["kind"] for r in manifest} >= {"summary_report_draft", "statistics_workbook"}
    assert sorted(z.namelist()) == sorted([r["file"] for r in manifest] + ["manifest.csv", "missing.csv"])
    # Only wujin's files; what wujin still lacks on 11/15 is listed, not a failure.
    assert not any("天宁" in name for name in z.namelist())
    lacking = {(r["unit"], r["deliverable"]): r for r in missing}
    assert set(lacking) == {("wujin", "实施方案"), ("wujin", "总结报告"), ("wujin", "典型案例（附行政处罚决定书）")}
    assert (
        lacking[("wujin", "典型案例（附行政处罚决定书）")]["have"],
        lacking[("wujin", "典型案例（附行政处罚决定书）")]["need"],
    ) == ("1", "2")
    assert any("典型案例" in m and "1/2" in m for m in f.missing)
    # The draft in the pack: generated figures for wujin, and the headings staff fill in.
    draft = docx.Document(io.BytesIO(z.read(next(r["file"] for r in manifest if r["kind"] == "summary_report_draft"))))
    text = "\n".join(_text(draft))
    wujin_cases = registry.value(dwh, "cases_filed", dt.date(2018, 11, 15), where={"unit": "wujin", "agency": "aic"})
    assert "武进区累计" in text and f"立案查处网络违法案件 {wujin_cases:,} 件" in text
    assert "【待填写：" in text and "存在的问题和不足" in text and "各地区进展" not in text
    assert "某网店销售假冒商标商品案" in str([[c.text for c in r.cells] for t in draft.tables for r in t.rows])
    # Same data, same pack.
    again = pack(dwh, SYSTEM, dt.date(2018, 11, 15), scope=Scope("wujin", "aic"), generated_at=AT, with_charts=False)
    assert again.data == f.data


def test_city_pack_holds_every_unit_and_the_city_workbook(dwh):
    f = pack(dwh, SYSTEM, dt.date(2018, 11, 15), generated_at=AT, with_charts=False)
    z, manifest, missing = _members(f.data)
    units = {r["unit"] for r in manifest if "/" in r["kind"]}
    assert units == {"wujin", "tianning"}
    assert {r["unit"] for r in missing} >= {u.key for u in dwh.campaign.units}  # nobody has everything yet
    from openpyxl import load_workbook

    book = next(r["file"] for r in manifest if r["kind"] == "statistics_workbook")
    ws = load_workbook(io.BytesIO(z.read(book)))["统计表1"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in rows if r[0] == "序号")
    total = next(r for r in rows if r[0] == "合计")
    col = header.index("立案查处网络违法案件（件）")
    assert total[col] == registry.value(dwh, "cases_filed", dt.date(2018, 11, 15))
    assert len([r for r in rows if isinstance(r[0], int)]) == len(dwh.campaign.units)


def test_rights_and_audit(dwh):
    from auth.accounts import lookup

    users = {name: lookup(dwh, name) for name in ["admin", *TEST_USERS]}
    for name in ("leader", "analyst", "admin"):
        f = bulletin(dwh, users[name], AS_OF, with_charts=False)
        with dwh.read() as cur:
            row = cur.execute(
                "SELECT username, target, sha256 FROM audit_log WHERE action = 'document' ORDER BY rowid DESC LIMIT 1"
            ).fetchone()
        assert row == (name, f.file_name, f.sha256)
    staff = users["wujin_staff"]
    with pytest.raises(PermissionDenied, match="无权生成全市工作通报"):
        bulletin(dwh, staff, AS_OF, with_charts=False)
    with pytest.raises(PermissionDenied, match="只能生成本单位"):
        pack(dwh, staff, AS_OF, scope=Scope("tianning", "aic"), with_charts=False)
    assert pack(dwh, staff, AS_OF, scope=Scope("wujin", "aic"), with_charts=False).file_name.endswith(".zip")
    psb = users["psb_staff"]
    with pytest.raises(PermissionDenied):
        pack(dwh, psb, AS_OF, scope=Scope("city"), with_charts=False)  # all of 市本级 is more than psb's own
    f = pack(dwh, psb, AS_OF, scope=Scope("city", "psb"), with_charts=False)
    z, manifest, _ = _members(f.data)
    assert {r["agency"] for r in manifest} == {"psb"}
    draft = docx.Document(io.BytesIO(z.read(draft_name(dwh, AS_OF, Scope("city", "psb")))))
    assert "不含按属地统计的投诉举报" in "\n".join(_text(draft))


def test_cli_writes_the_bulletin_and_its_pdf(demo_db, tmp_path):
    out = tmp_path / "通报.docx"
    args = [sys.executable, "-m", "metrics", "bulletin", "--as-of", str(AS_OF), "--out", str(out)]
    args += ["--db", str(demo_db["db"])] + (["--pdf"] if shutil.which("soffice") else [])
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "已写出" in done.stdout
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "2018网剑行动工作通报"
    assert len(d.inline_shapes) == (3 if CHARTS else 0)
    if shutil.which("soffice"):
        assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")


def test_figures_at_several_dates_in_one_scan_equal_value_at_each(dwh):
    dates = [AS_OF, dt.date(2018, 8, 5), AS_OF - dt.timedelta(days=7), dt.date(2018, 7, 1)]
    for keys, where in [
        (["complaints_online", "complaints_12315", "recovered_loss", "amount_involved"], {"unit": "wujin"}),
        (["cases_filed", "fines", "staff_deployed"], None),
        (["hits_received", "hits_disposed"], None),
    ]:
        got = cumulative.at_dates(dwh, keys, dates, where)
        assert got == [{k: registry.value(dwh, k, d, where=where) for k in keys} for d in dates]
    with pytest.raises(ValueError, match="可累加"):
        cumulative.at_dates(dwh, ["hit_disposal_rate"], dates)
