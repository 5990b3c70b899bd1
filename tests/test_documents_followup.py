"""The 督办事项 section of the 工作通报 and the 总结报告, read back from the .docx: its counts by state and light and
the items it names equal actions.board's items on the as-of date, scoped to the document's unit, and it says so
when there are none."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest

from actions import board
from actions import items as fi
from auth.accounts import lookup
from metrics.documents.bulletin import bulletin
from metrics.documents.context import Scope
from metrics.documents.summary_report import summary_report
from tests.conftest import create_test_users

D = dt.date
AS_OF = D(2018, 10, 15)
AT = dt.datetime(2018, 10, 15, 18, 0, 0)


@pytest.fixture
def users(wh):
    create_test_users(wh)
    return {name: lookup(wh, name) for name in ("admin", "leader", "analyst", "wujin_staff", "psb_staff")}


@pytest.fixture
def opened(wh, users) -> dict[str, int]:
    """Four items: wujin's 挂牌督办 one overdue since 9/29, wujin's fresh one, psb's closed one, and one issued
    after the as-of date (which the 通报 must not count)."""
    office, ids = users["admin"], {}  # the admin may both 下发 and 挂牌督办

    def new(key, unit, agency, opened_on, workdays, **kw):
        ids[key] = fi.open_item(
            wh, office, title=f"督办{key}", unit=unit, agency=agency, opened_on=opened_on, workdays=workdays, **kw
        )

    new("overdue", "wujin", "aic", D(2018, 9, 26), 3, level="listed")
    fi.act(wh, users["wujin_staff"], ids["overdue"], "sign", on_date=D(2018, 9, 27))
    new("fresh", "wujin", "aic", D(2018, 10, 12), 5)
    new("closed", "city", "psb", D(2018, 9, 26), 5)
    fi.act(wh, users["psb_staff"], ids["closed"], "sign", on_date=D(2018, 9, 27))
    fi.act(wh, users["psb_staff"], ids["closed"], "answer", on_date=D(2018, 9, 28), note="已核查，移送")
    fi.act(wh, office, ids["closed"], "close", on_date=D(2018, 10, 8))
    new("later", "wujin", "aic", D(2018, 10, 20), 5)
    return ids


def _section(data: bytes) -> tuple[list[str], dict[str, list[list[str]]]]:
    """The 督办 section's paragraphs (heading to the next heading) and all tables by caption."""
    d = docx.Document(io.BytesIO(data))
    texts = [p.text for p in d.paragraphs]
    start = next(i for i, t in enumerate(texts) if re.fullmatch(r"[一二三四五六七八九十]、督办事项(办理情况)?", t))
    end = next((i for i in range(start + 1, len(texts)) if re.match(r"^[一二三四五六七八九十]、", texts[i])), None)
    captions = [t.split("　", 1)[1] for t in texts if re.match(r"^表\d+　", t)]
    tables = {c: [[x.text for x in r.cells] for r in t.rows] for c, t in zip(captions, d.tables, strict=True)}
    return texts[start + 1 : end], tables


def _counts(sentence: str) -> dict[str, int]:
    return {
        label: int(n)
        for label, n in re.findall(r"(已下发|已签收|核查中|已反馈|已办结|正常|临期|超期|挂牌督办) (\d+) 件", sentence)
    }


def _expected(items: list[board.Item]) -> dict[str, int]:
    """The counts the sentence names: those that are not zero."""
    still = [i for i in items if i.is_open]
    counts = {
        **{label: sum(i.state == s for i in items) for s, label in fi.STATES.items()},
        **{label: sum(i.light == k for i in still) for k, label in board.LIGHTS.items()},
        "挂牌督办": sum(i.level == "listed" for i in still),
    }
    return {label: n for label, n in counts.items() if n}


def test_city_bulletin_counts_and_names_the_items_as_board_shows_them(wh, users, opened):
    analyst = users["analyst"]
    items = board.items(wh, analyst, AS_OF)
    assert {i.item_id for i in items} == {opened["overdue"], opened["fresh"], opened["closed"]}  # not "later"
    doc = bulletin(wh, analyst, AS_OF, generated_at=AT, with_charts=False)
    paragraphs, tables = _section(doc.data)
    head = paragraphs[0]
    assert f"全市共有督办事项 {len(items)} 件" in head
    assert f"未办结的 {sum(i.is_open for i in items)} 件中" in head
    assert _counts(head) == _expected(items)
    assert _counts(head) == {"已下发": 1, "已签收": 1, "已办结": 1, "正常": 1, "超期": 1, "挂牌督办": 1}
    assert "0 件" not in head  # states and lights with no item are not listed
    named = tables["挂牌督办和超期的督办事项"]
    overdue = next(i for i in items if i.item_id == opened["overdue"])
    assert named[1:] == [
        [f"#{overdue.item_id} 督办overdue", "武进区", "挂牌督办", "已签收", "9月29日", overdue.light_label]
    ]
    assert overdue.light_label.startswith("超期")
    per_unit = board.open_by_unit(wh, analyst, AS_OF)
    assert tables["各承办单位未办结督办事项"][1:] == [
        ["武进区", *(str(r[k]) for k in ("open", "green", "yellow", "red", "listed"))]
        for r in per_unit.iter_rows(named=True)
    ]
    assert tables["各承办单位未办结督办事项"][1] == ["武进区", "2", "1", "0", "1", "1"]


def test_a_units_bulletin_and_draft_show_its_own_items_only(wh, users, opened):
    staff = users["psb_staff"]
    mine = board.items(wh, staff, AS_OF)
    assert [i.item_id for i in mine] == [opened["closed"]]
    for make in (bulletin, summary_report):
        doc = make(wh, staff, AS_OF, scope=Scope("city", "psb"), generated_at=AT, with_charts=False)
        paragraphs, tables = _section(doc.data)
        assert (
            paragraphs[0] == "截至2018年10月15日，市本级（市公安局）共有督办事项 1 件，已全部办结。"
        )  # its one item, closed
        assert [i.state for i in mine] == ["closed"] and len(paragraphs) == 1
        assert "挂牌督办和超期的督办事项" not in tables and "各承办单位未办结督办事项" not in tables
        assert "督办overdue" not in "".join(paragraphs)
    wujin = bulletin(wh, users["wujin_staff"], AS_OF, scope=Scope("wujin", "aic"), generated_at=AT, with_charts=False)
    paragraphs, tables = _section(wujin.data)
    assert _counts(paragraphs[0]) == _expected(board.items(wh, users["wujin_staff"], AS_OF))
    assert [r[0] for r in tables["挂牌督办和超期的督办事项"][1:]] == [f"#{opened['overdue']} 督办overdue"]


def test_no_items_on_the_date_gives_the_sentence(wh, users, opened):
    before = D(2018, 9, 25)
    assert board.items(wh, users["leader"], before) == []
    paragraphs, tables = _section(bulletin(wh, users["leader"], before, generated_at=AT, with_charts=False).data)
    assert paragraphs == ["截至2018年9月25日，全市尚无督办事项。"]
    assert not any("督办" in caption for caption in tables)
