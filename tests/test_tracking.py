"""报送进度: the unit × week matrix (on time / late across 国庆 / missing / not yet due) and deliverables."""

from __future__ import annotations

import datetime as dt

import pytest

from auth.policy import SYSTEM
from loaders import withdraw
from loaders.result import FileRejected, Upload
from loaders.weekly.deliverables import CaseInfo, document_content, store_case, store_document
from metrics.tracking import deliverable_statuses, reporters, unit_documents, week_matrix, week_statuses
from tests.stats_helpers import make_and_load

PDF = b"%PDF-1.4 test document"
PNG = b"\x89PNG\r\n\x1a\n fake"


def _status(wh, as_of, unit="wujin", agency="aic"):
    return {s.week_start: s for s in week_statuses(wh, as_of) if (s.unit, s.agency) == (unit, agency)}


def test_matrix_covers_every_reporter_and_18_weeks(wh):
    statuses = week_statuses(wh, dt.date(2018, 11, 30))
    assert len(reporters(wh)) == 8 + 11
    assert len(statuses) == len(reporters(wh)) * 18
    assert {s.status for s in statuses} == {"missing", "not_due"}  # the week of 11-26 is due 12-03


def test_on_time_late_missing_and_not_due(wh, tmp_path):
    # Week 08-06 is due Monday 08-13: received that day → on time.
    make_and_load(wh, tmp_path, week=dt.date(2018, 8, 6), received_on=dt.date(2018, 8, 13))
    # Week 08-13 is due 08-20: received Wednesday 08-22 → 2 working days late.
    make_and_load(wh, tmp_path, week=dt.date(2018, 8, 13), received_on=dt.date(2018, 8, 22))
    st = _status(wh, dt.date(2018, 8, 28))
    assert (st[dt.date(2018, 8, 6)].status, st[dt.date(2018, 8, 6)].label) == ("on_time", "按时报送")
    late = st[dt.date(2018, 8, 13)]
    assert (late.status, late.workdays_late, late.label) == ("late", 2, "迟报2个工作日")
    # Week 08-20 (due 08-27) never came: missing and overdue by one working day on 08-28.
    missing = st[dt.date(2018, 8, 20)]
    assert (missing.status, missing.workdays_late, missing.label) == ("missing", 1, "逾期未报（1个工作日）")
    # Week 08-27 is due 09-03: not yet due on 08-28.
    assert st[dt.date(2018, 8, 27)].status == "not_due"
    assert st[dt.date(2018, 7, 30)].status == "missing"


def test_late_across_national_day(wh, tmp_path):
    # Week 09-17..09-23 is due 09-25 (09-24 is 中秋). Received 10-08, after 国庆: the working days in between are
    # 09-26, 09-27, 09-28, 09-29 (Sat, 调休), 09-30 (Sun, 调休) and 10-08 → 6, not the 13 calendar days.
    make_and_load(wh, tmp_path, week=dt.date(2018, 9, 17), received_on=dt.date(2018, 10, 8))
    # Week 09-24..09-30 is due 10-08 (the holiday pushes it): received 10-08 → on time.
    make_and_load(wh, tmp_path, week=dt.date(2018, 9, 24), received_on=dt.date(2018, 10, 8))
    st = _status(wh, dt.date(2018, 10, 10))
    assert st[dt.date(2018, 9, 17)].due_date == dt.date(2018, 9, 25)
    assert (st[dt.date(2018, 9, 17)].status, st[dt.date(2018, 9, 17)].workdays_late) == ("late", 6)
    assert st[dt.date(2018, 9, 24)].due_date == dt.date(2018, 10, 8)
    assert st[dt.date(2018, 9, 24)].status == "on_time"
    # Week 10-01..10-07 is also due 10-08; not received: on 10-07 it is not yet due, on 10-09 it is missing.
    assert _status(wh, dt.date(2018, 10, 7))[dt.date(2018, 10, 1)].status == "not_due"
    assert _status(wh, dt.date(2018, 10, 9))[dt.date(2018, 10, 1)].status == "missing"


def test_received_after_as_of_is_not_yet_received(wh, tmp_path):
    make_and_load(wh, tmp_path, week=dt.date(2018, 8, 6), received_on=dt.date(2018, 8, 20))
    assert _status(wh, dt.date(2018, 8, 15))[dt.date(2018, 8, 6)].status == "missing"
    assert _status(wh, dt.date(2018, 8, 20))[dt.date(2018, 8, 6)].status == "late"


def test_correction_keeps_first_arrival_and_withdrawal_counts(wh, tmp_path):
    v1 = make_and_load(wh, tmp_path, received_on=dt.date(2018, 8, 13), table1={"staff_deployed": 1})
    make_and_load(wh, tmp_path, received_on=dt.date(2018, 8, 20), table1={"staff_deployed": 2})
    s = _status(wh, dt.date(2018, 8, 30))[dt.date(2018, 8, 6)]
    assert (s.status, s.versions) == ("on_time", 2)
    withdraw(wh, v1.batch_id, user=SYSTEM)
    assert _status(wh, dt.date(2018, 8, 30))[dt.date(2018, 8, 6)].status == "late"


def test_member_agency_row(wh, tmp_path):
    make_and_load(wh, tmp_path, "city", "psb", received_on=dt.date(2018, 8, 10))
    assert _status(wh, dt.date(2018, 8, 30), "city", "psb")[dt.date(2018, 8, 6)].status == "on_time"
    assert _status(wh, dt.date(2018, 8, 30), "city", "aic")[dt.date(2018, 8, 6)].status == "missing"


# --- deliverables -----------------------------------------------------------------------------------


def _deliv(wh, as_of, key, unit="wujin", agency="aic"):
    (d,) = [d for d in deliverable_statuses(wh, as_of) if (d.unit, d.agency, d.deliverable_key) == (unit, agency, key)]
    return d


def test_deliverables_in_late_missing_not_due(wh):
    store_document(
        wh, Upload("方案.pdf", PDF), unit="wujin", agency="aic", deliverable_key="implementation_plan", user=SYSTEM,
        received_on=dt.date(2018, 7, 30),
    )  # fmt: skip
    store_document(
        wh, Upload("总结.pdf", PDF), unit="wujin", agency="aic", deliverable_key="summary_report", user=SYSTEM,
        received_on=dt.date(2018, 11, 20),
    )  # fmt: skip
    assert _deliv(wh, dt.date(2018, 8, 1), "implementation_plan").status == "on_time"
    assert _deliv(wh, dt.date(2018, 8, 1), "implementation_plan", unit="liyang").status == "missing"
    assert _deliv(wh, dt.date(2018, 11, 10), "summary_report").status == "not_due"
    assert _deliv(wh, dt.date(2018, 11, 16), "summary_report").status == "missing"
    assert _deliv(wh, dt.date(2018, 11, 30), "summary_report").status == "late"
    assert _deliv(wh, dt.date(2018, 11, 30), "summary_report").label == "逾期报送"


def test_typical_cases_need_two_types_with_decision_documents(wh):
    def case(name, violation, decision=True, day=dt.date(2018, 11, 1)):
        return store_case(
            wh,
            CaseInfo(name, violation, f"常市监罚〔2018〕{len(name)}号", 2.5, True, False),
            unit="wujin",
            agency="aic",
            user=SYSTEM,
            decision_document=Upload("决定书.pdf", PDF) if decision else None,
            case_material=Upload("案例.png", PNG),
            received_on=day,
        )

    case("案一", "trademark")
    case("案二号", "trademark")  # same type: does not make two
    d = _deliv(wh, dt.date(2018, 11, 10), "typical_cases")
    assert (d.status, d.have, d.need, d.label) == ("not_due", 1, 2, "未到期（1/2）")
    case("案三号号", "false_publicity", decision=False)  # without its decision document: does not count
    assert _deliv(wh, dt.date(2018, 11, 16), "typical_cases").status == "missing"
    case("案四号号号", "unlicensed", day=dt.date(2018, 11, 14))
    d = _deliv(wh, dt.date(2018, 11, 16), "typical_cases")
    assert (d.status, d.have, d.done_on) == ("on_time", 2, dt.date(2018, 11, 14))


def test_case_metadata_is_checked(wh):
    with pytest.raises(FileRejected) as exc:
        store_case(
            wh,
            CaseInfo("", "trademark", "", -1, False, False, focus_key="F5"),
            unit="wujin",
            agency="aic",
            user=SYSTEM,
            decision_document=Upload("决定书.pdf", PDF),
        )
    assert [p.message for p in exc.value.problems] == [
        "请填写案件名称",
        "违法类型“侵犯注册商标专用权”属于重点工作“打击侵权假冒”，与所选“打击网络虚假宣传、违法广告”不一致",
        "请填写行政处罚决定书文号",
        "罚没金额应为不小于 0 的金额（万元）",
    ]


def test_documents_are_stored_with_sha256_and_download_again(wh):
    import hashlib

    r = store_document(
        wh, Upload("联合执法.pdf", PDF), unit="city", agency="psb", deliverable_key="joint_enforcement", user=SYSTEM
    )
    (doc,) = unit_documents(wh, "city", "psb")
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest()
    name, mime, data, sha = document_content(wh, doc["doc_id"])
    assert (name, mime, data, sha) == ("联合执法.pdf", "application/pdf", PDF, hashlib.sha256(PDF).hexdigest())
    withdraw(wh, r.batch_id, user=SYSTEM)
    assert unit_documents(wh, "city", "psb") == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (Upload("a.exe", b"MZ"), "文件“a.exe”的格式不支持：请上传 PDF、Word（.docx/.doc）或图片（.jpg/.png/.tif）"),
        (Upload("a.pdf", b""), "文件“a.pdf”是空文件"),
        (
            Upload("a.pdf", b"PK\x03\x04zip"),
            "文件“a.pdf”的内容与扩展名 .pdf 不符（文件可能已损坏或被改名），请重新导出后上传",
        ),
    ],
)
def test_bad_documents_are_refused(wh, upload, message):
    with pytest.raises(FileRejected) as exc:
        store_document(wh, upload, unit="wujin", agency="aic", deliverable_key="summary_report", user=SYSTEM)
    assert [p.message for p in exc.value.problems] == [message]
    assert unit_documents(wh, "wujin", "aic") == []


def test_week_matrix_frame(wh, tmp_path):
    make_and_load(wh, tmp_path, week=dt.date(2018, 8, 13), received_on=dt.date(2018, 8, 22))
    m = week_matrix(wh, dt.date(2018, 8, 28))
    assert m.height == 19 * 18
    row = m.filter((m["unit"] == "wujin") & (m["agency"] == "aic") & (m["week_start"] == dt.date(2018, 8, 13)))
    assert row.select("status", "workdays_late", "label").row(0) == ("late", 2, "迟报2个工作日")


def test_load_without_receive_date_after_the_campaign_is_a_backfill(wh, tmp_path):
    # Today is long after the last table was due: timing unknown, taken as the due date and noted.
    r = make_and_load(wh, tmp_path, week=dt.date(2018, 8, 6))
    s = _status(wh, dt.date(2018, 8, 20))[dt.date(2018, 8, 6)]
    assert (s.status, s.received_on) == ("on_time", dt.date(2018, 8, 13))
    with wh.read() as cur:
        note = cur.execute("SELECT note FROM batches WHERE batch_id = ?", [r.batch_id]).fetchone()[0]
    assert note == "收到日期未记录（事后补录），按截止日计"
