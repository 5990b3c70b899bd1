"""督办 items: lights on the working-day calendar (调休 included), the state machine, rights by direct call and by
page, files with sha256, citations of the unit's own cases and 立案, and the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from actions import board
from actions import items as fi
from auth.accounts import lookup
from auth.policy import PermissionDenied
from loaders.result import Upload
from loaders.weekly.deliverables import CaseInfo, store_case
from tests.conftest import run_page
from tests.stats_helpers import make_and_load

PDF = b"%PDF-1.4 feedback report"
D = dt.date


@pytest.fixture
def users(wh):
    from tests.conftest import create_test_users

    create_test_users(wh)
    return {name: lookup(wh, name) for name in ("admin", "leader", "analyst", "wujin_staff", "psb_staff")}


SEP26 = D(2018, 9, 26)


def _open(wh, users, unit="wujin", agency="aic", opened_on=SEP26, workdays=3, **kw) -> int:
    return fi.open_item(
        wh, users["analyst"], title="核查某网店销售不合格商品", unit=unit, agency=agency, opened_on=opened_on,
        workdays=workdays, **kw,
    )  # fmt: skip


def test_light_crosses_the_due_date_over_the_tiaoxiu_weekend(wh, users):
    # Issued Wednesday 09-26 with 3 working days: 09-27, 09-28 and Saturday 09-29, a 调休 working day before 国庆.
    # Without the 调休 the due date would be 10-08, after the holiday.
    item_id = _open(wh, users)
    item = board.get_item(wh, users["analyst"], item_id, D(2018, 9, 26))
    assert item.due_date == D(2018, 9, 29)
    seen = {}
    for day in (D(2018, 9, 26), D(2018, 9, 27), D(2018, 9, 28), D(2018, 9, 29), D(2018, 9, 30), D(2018, 10, 8)):
        i = board.get_item(wh, users["analyst"], item_id, day)
        seen[day] = (i.light, i.workdays_left, i.light_label)
    assert seen == {
        D(2018, 9, 26): ("green", 3, "剩 3 个工作日"),
        D(2018, 9, 27): ("yellow", 2, "剩 2 个工作日"),
        D(2018, 9, 28): ("yellow", 1, "剩 1 个工作日"),
        D(2018, 9, 29): ("yellow", 0, "今日到期"),
        D(2018, 9, 30): ("red", -1, "超期 1 个工作日"),  # Sunday 09-30 is a working day (调休) too
        D(2018, 10, 8): ("red", -2, "超期 2 个工作日"),  # 国庆 10-01..10-07 adds nothing
    }
    # Not yet issued on the day before: the item does not exist on that as-of date.
    assert board.get_item(wh, users["analyst"], item_id, D(2018, 9, 25)) is None


def test_feedback_stops_the_clock_and_close_ends_the_light(wh, users):
    item_id = _open(wh, users)
    fi.act(wh, users["wujin_staff"], item_id, "sign", on_date=D(2018, 9, 27))
    fi.act(wh, users["wujin_staff"], item_id, "answer", on_date=D(2018, 9, 28), note="已责令下架并立案")
    later = board.get_item(wh, users["leader"], item_id, D(2018, 10, 10))
    assert (later.state, later.light, later.light_label) == ("answered", "green", "按期反馈")
    # Returned with a reason: back to 核查中, the clock runs again and is now past the due date.
    fi.act(wh, users["analyst"], item_id, "return", on_date=D(2018, 10, 8), note="未附处罚决定书")
    back = board.get_item(wh, users["leader"], item_id, D(2018, 10, 10))
    assert (back.state, back.light) == ("checking", "red")
    # As of 10-01 (before the return) the item still stood fed back on time: the as-of date replays the steps.
    assert board.get_item(wh, users["leader"], item_id, D(2018, 10, 1)).state == "answered"
    fi.act(wh, users["wujin_staff"], item_id, "answer", on_date=D(2018, 10, 9), note="补充决定书")
    fi.act(wh, users["analyst"], item_id, "close", on_date=D(2018, 10, 10))
    done = board.get_item(wh, users["leader"], item_id, D(2018, 10, 12))
    assert (done.state, done.light, done.closed_on, done.answered_on) == (
        "closed",
        None,
        D(2018, 10, 10),
        D(2018, 10, 9),
    )
    assert [s["action"] for s in board.step_log(wh, users["admin"], item_id)] == [
        "issue", "sign", "answer", "return", "answer", "close",
    ]  # fmt: skip


def test_unit_staff_cannot_see_or_change_another_units_items(wh, users):
    wujin_item = _open(wh, users)
    psb_item = _open(wh, users, unit="city", agency="psb")
    day = D(2018, 10, 8)
    psb, wujin = users["psb_staff"], users["wujin_staff"]
    assert [i.item_id for i in board.items(wh, psb, day)] == [psb_item]
    assert [i.item_id for i in board.items(wh, wujin, day)] == [wujin_item]
    with pytest.raises(PermissionDenied, match="只能查看本单位"):
        board.items(wh, psb, day, unit="wujin", agency="aic")
    with pytest.raises(PermissionDenied):
        board.get_item(wh, psb, wujin_item, day)
    with pytest.raises(PermissionDenied):
        board.step_log(wh, psb, wujin_item)
    for action in ("sign", "answer"):
        with pytest.raises(PermissionDenied):
            fi.act(wh, psb, wujin_item, action, on_date=day, note="x")
    # Leadership and the office see all; the unit's steps are the unit's, the office's the office's.
    assert {i.item_id for i in board.items(wh, users["leader"], day)} == {wujin_item, psb_item}
    with pytest.raises(PermissionDenied, match="应由承办单位填报员办理"):
        fi.act(wh, users["analyst"], wujin_item, "sign", on_date=day)
    with pytest.raises(PermissionDenied, match="无权下发"):
        fi.open_item(wh, users["leader"], title="x", unit="wujin", agency="aic", opened_on=day)
    with pytest.raises(PermissionDenied, match="无权下发"):
        fi.open_item(wh, wujin, title="x", unit="wujin", agency="aic", opened_on=day)
    fi.act(wh, wujin, wujin_item, "sign", on_date=day)
    fi.act(wh, wujin, wujin_item, "answer", on_date=day, note="核查完毕")
    with pytest.raises(PermissionDenied, match="无权办结"):
        fi.act(wh, wujin, wujin_item, "close", on_date=day)
    with pytest.raises(PermissionDenied, match="无权挂牌督办"):
        fi.act(wh, users["analyst"], psb_item, "list", on_date=day)
    fi.act(wh, users["leader"], psb_item, "list", on_date=day)
    assert board.get_item(wh, psb, psb_item, day).level_label == "挂牌督办"
    with wh.read() as cur:
        (n,) = cur.execute("SELECT count(*) FROM followup_steps WHERE username = 'psb_staff'").fetchone()
    assert n == 0  # nothing of the refused steps was written


def test_feedback_files_and_citations_are_the_units_own(wh, users, tmp_path):
    make_and_load(
        wh,
        tmp_path,
        week=D(2018, 8, 6),
        received_on=D(2018, 8, 13),
        table2={"substandard": {"cases_filed": 2}, "trademark": {"cases_filed": 0}},
    )
    case = store_case(
        wh, CaseInfo("某网店销售不合格电热水壶案", "substandard", "常武市监罚〔2018〕12号", 1.5, False, False),
        unit="wujin", agency="aic", user=users["wujin_staff"], decision_document=Upload("决定书.pdf", PDF),
    )  # fmt: skip
    other = store_case(
        wh, CaseInfo("公安侦办案", "trademark", "常公罚〔2018〕1号", 0, False, True),
        unit="city", agency="psb", user=users["psb_staff"], decision_document=Upload("决定书.pdf", PDF),
    )  # fmt: skip
    item_id = _open(wh, users, opened_on=D(2018, 8, 20), workdays=5)
    staff = users["wujin_staff"]
    fi.act(wh, staff, item_id, "sign", on_date=D(2018, 8, 21))
    with pytest.raises(fi.FollowupError, match="不是承办单位已报送的典型案例"):
        fi.act(wh, staff, item_id, "answer", on_date=D(2018, 8, 22), note="x", cite=fi.Citation(other.batch_id))
    with pytest.raises(fi.FollowupError, match="没有“trademark”类立案"):
        fi.act(wh, staff, item_id, "answer", on_date=D(2018, 8, 22), note="x",
               cite=fi.Citation(week=D(2018, 8, 6), violation_key="trademark"))  # fmt: skip
    with pytest.raises(fi.FollowupError, match="格式不支持"):
        fi.act(wh, staff, item_id, "answer", on_date=D(2018, 8, 22), note="x",
               cite=fi.Citation(files=[Upload("脚本.exe", b"MZ")]))  # fmt: skip
    with pytest.raises(fi.FollowupError, match="早于该事项上一步"):
        fi.act(wh, staff, item_id, "answer", on_date=D(2018, 8, 20), note="x")
    with pytest.raises(fi.FollowupError, match="反馈须写明"):
        fi.act(wh, staff, item_id, "answer", on_date=D(2018, 8, 22))
    fi.act(
        wh, staff, item_id, "answer", on_date=D(2018, 8, 22), note="已立案查处",
        cite=fi.Citation(case.batch_id, D(2018, 8, 6), "substandard", [Upload("核查报告.pdf", PDF)]),
    )  # fmt: skip
    log = board.step_log(wh, users["analyst"], item_id)
    answer = log[-1]
    assert (answer["cited_case_name"], answer["cited_week"], answer["cited_violation"]) == (
        "某网店销售不合格电热水壶案", D(2018, 8, 6), "substandard",
    )  # fmt: skip
    (f,) = answer["files"]
    assert (f["file_name"], f["sha256"]) == ("核查报告.pdf", hashlib.sha256(PDF).hexdigest())
    name, mime, data, sha = board.file_content(wh, users["leader"], f["file_id"])
    assert (name, mime, data, sha) == ("核查报告.pdf", "application/pdf", PDF, hashlib.sha256(PDF).hexdigest())
    with pytest.raises(PermissionDenied):
        board.file_content(wh, users["psb_staff"], f["file_id"])
    # Exactly one answer step and one file: the refused attempts left nothing behind.
    with wh.read() as cur:
        assert cur.execute("SELECT count(*) FROM followup_files").fetchone()[0] == 1
        steps = cur.execute(
            "SELECT action FROM followup_steps WHERE item_id = ? ORDER BY step_id", [item_id]
        ).fetchall()
        trail = cur.execute(
            "SELECT username, detail, sha256 FROM audit_log WHERE action = 'followup' ORDER BY audit_id"
        ).fetchall()
    assert [s for (s,) in steps] == ["issue", "sign", "answer"]
    assert [t[0] for t in trail] == ["analyst", "wujin_staff", "wujin_staff"]
    assert "附件 核查报告.pdf" in trail[-1][1] and trail[-1][2] == hashlib.sha256(PDF).hexdigest()


def test_bad_input_is_refused_in_chinese(wh, users):
    with pytest.raises(fi.FollowupError, match="承办单位“nowhere”不存在"):
        _open(wh, users, unit="nowhere")
    with pytest.raises(fi.FollowupError, match="部门应为aic"):
        _open(wh, users, unit="wujin", agency="psb")
    with pytest.raises(fi.FollowupError, match="办理时限"):
        _open(wh, users, workdays=0)
    with pytest.raises(PermissionDenied, match="挂牌督办"):
        _open(wh, users, level="listed")  # an analyst cannot list; leadership decides
    item_id = fi.open_item(wh, users["admin"], title="挂牌", unit="wujin", agency="aic", opened_on=D(2018, 9, 3),
                           level="listed", origin=fi.Origin("lead", "91320412MA1XXXXX0X", ("A1", "H2")))  # fmt: skip
    item = board.get_item(wh, users["leader"], item_id, D(2018, 9, 3))
    assert (item.level, item.origin.kind, item.origin.record_ids) == ("listed", "lead", ("A1", "H2"))
    with pytest.raises(fi.FollowupError, match="当前为“已下发”，不能办结"):
        fi.act(wh, users["analyst"], item_id, "close", on_date=D(2018, 9, 4))


def test_open_by_unit_counts_the_lights_on_the_day(wh, users):
    _open(wh, users)  # due 09-29
    _open(wh, users, workdays=10)  # due 10-15
    _open(wh, users, unit="city", agency="psb", opened_on=D(2018, 9, 3))  # due 09-06
    counts = {(r["unit"], r["agency"]): r for r in board.open_by_unit(wh, users["leader"], D(2018, 9, 28)).to_dicts()}
    assert (
        counts[("wujin", "aic")]["open"],
        counts[("wujin", "aic")]["yellow"],
        counts[("wujin", "aic")]["green"],
    ) == (2, 1, 1)
    assert counts[("city", "psb")]["red"] == 1
    mine = board.open_by_unit(wh, users["wujin_staff"], D(2018, 9, 28))
    assert mine["unit"].to_list() == ["wujin"]


def test_followup_page_shows_a_unit_only_its_own_items(app_env):
    from warehouse import open_warehouse

    wh = open_warehouse(app_env)
    analyst = lookup(wh, "analyst")
    fi.open_item(wh, analyst, title="武进区的事项", unit="wujin", agency="aic", opened_on=D(2018, 7, 2))
    fi.open_item(wh, analyst, title="市公安局的事项", unit="city", agency="psb", opened_on=D(2018, 7, 2))
    wh.close()

    def shown(at) -> set[str]:
        (table,) = at.dataframe
        return set(table.value["事项"]) | {o for o in at.selectbox(key="fu_item").options if o.startswith("#")}

    at = run_page("followup", user="psb_staff")
    assert not at.exception and not at.error
    assert shown(at) == {"市公安局的事项", "#2 市公安局的事项"}
    assert not at.get("expandable")  # no open form for a unit
    at = run_page("followup", user="leader")
    assert not at.exception
    assert shown(at) == {"武进区的事项", "市公安局的事项", "#1 武进区的事项", "#2 市公安局的事项"}
    # A link naming another unit's item shows nothing of it.
    at = run_page(None, user="psb_staff")
    at.query_params["item"] = "1"
    at.switch_page("app_pages/followup.py")
    at.run()
    assert at.selectbox(key="fu_item").value is None
    assert "武进区的事项" not in " ".join(m.value for m in at.markdown)


def test_attention_names_the_red_items_until_they_are_fed_back(wh, users):
    from metrics import attention

    assert attention.red_followups(wh, D(2018, 9, 28)) == []  # nothing issued yet
    late = _open(wh, users)  # due 09-29: red from 09-30
    _open(wh, users, unit="city", agency="psb", opened_on=D(2018, 9, 3))  # due 09-06
    _open(wh, users, workdays=10)  # due 10-15: never red in this test
    on_28 = attention.red_followups(wh, D(2018, 9, 28))
    assert [c.text for c in on_28] == ["1 件督办事项超期未反馈：市本级·市公安局"]
    assert (on_28[0].level, on_28[0].page) == ("error", "followup")
    on_30 = attention.red_followups(wh, D(2018, 9, 30))
    assert on_30[0].text.startswith("2 件督办事项超期未反馈：") and "武进区" in on_30[0].text
    fi.act(wh, users["wujin_staff"], late, "sign", on_date=D(2018, 10, 8))
    fi.act(wh, users["wujin_staff"], late, "answer", on_date=D(2018, 10, 8), note="已核查，下架商品")
    assert [c.text for c in attention.red_followups(wh, D(2018, 10, 8))] == ["1 件督办事项超期未反馈：市本级·市公安局"]
