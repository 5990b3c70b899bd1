"""Freshness and coverage (issue 14): the labels on the pages equal what the warehouse holds, and a withdrawal
changes them at once. Real loads of the fixture exports and of generated weekly tables; the expected labels are
worked out here from the warehouse's own rows, not from metrics.freshness."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import duckdb
import pytest

import loaders
from auth.policy import SYSTEM
from campaign import load_campaign
from metrics import freshness, summary_tables
from tests.conftest import FIXTURES, run_page
from tests.stats_helpers import W0806, make_and_load
from warehouse import open_warehouse

AS_OF = dt.date(2018, 8, 13)  # the week of 08-06 has ended: it is the week in view


@pytest.fixture
def loaded(app_env, tmp_path):
    """Two 12315 exports (to 09-04 and to 08-06), monitoring hits, and weekly tables of 武进区 and 溧阳市 for the
    week of 08-06. No 12358 export. Yields the batch ids by name."""
    wh = open_warehouse(app_env)
    ids = {}
    for name in ("12315_sheets.xlsx", "12315_quirks_utf8.csv", "monitoring_small.xlsx"):
        result = loaders.load_file(wh, FIXTURES / "exports" / name, user=SYSTEM)
        assert result.status == "loaded", result.errors[:3]
        ids[name] = result.batch_id
    for unit in ("wujin", "liyang"):
        result = make_and_load(wh, tmp_path, unit, week=W0806, received_on=dt.date(2018, 8, 13))
        assert result.status == "loaded", result.errors[:3]
        ids[unit] = result.batch_id
    summary_tables.refresh(wh)  # as the upload page does after a load: page views then write nothing
    wh.close()
    return ids


def _held(db_path) -> dict[str, tuple[dt.date | None, dt.datetime | None]]:
    """Per kind: the newest record date of the live data and the latest live load in office time, read here
    (through a bare connection: opening a Warehouse syncs the reference tables, a write the app would notice)."""
    cur = duckdb.connect(str(db_path))
    try:
        server_zone = ZoneInfo(cur.execute("SELECT current_setting('TimeZone')").fetchone()[0])
        newest = dict(
            cur.execute(
                "SELECT source, CAST(max(received_at) AS DATE) FROM v_complaints_current GROUP BY source"
            ).fetchall()
        )
        newest["monitoring"] = cur.execute("SELECT CAST(max(detected_at) AS DATE) FROM v_hits_current").fetchone()[0]
        (week,) = cur.execute("SELECT max(week_start) FROM v_stats_tables_current").fetchone()
        newest["district_stats"] = week + dt.timedelta(days=6) if week else None
        loads = dict(
            cur.execute("SELECT kind, max(loaded_at) FROM batches WHERE status = 'loaded' GROUP BY kind").fetchall()
        )
    finally:
        cur.close()
    office = ZoneInfo(load_campaign().office_timezone)
    return {
        k: (newest.get(k), loads[k].replace(tzinfo=server_zone).astimezone(office) if k in loads else None)
        for k in ("complaints_12315", "price_12358", "monitoring", "district_stats")
    }


def _md(d: dt.date, ref: dt.date | None = None) -> str:
    return f"{d.month}月{d.day}日" if ref is None or d.year == ref.year else f"{d.year}年{d.month}月{d.day}日"


def _expected_badges(db_path) -> list[str]:
    held = _held(db_path)
    out = []
    for kind, label in (
        ("complaints_12315", "12315投诉举报"),
        ("price_12358", "12358价格举报"),
        ("monitoring", "网络交易监测线索"),
    ):
        newest, loaded = held[kind]
        out.append(
            f"{label} 导出截至 {_md(newest)}，{_md(loaded.date(), newest)}导入" if newest else f"{label} 尚未导入"
        )
    newest, loaded = held["district_stats"]
    monday = newest - dt.timedelta(days=6)
    out.append(f"情况统计表（周报） 报至 {_md(monday)}当周，{_md(loaded.date(), newest)}导入")
    return out


def _badges(at) -> list[tuple[str, str]]:
    """(colour, text) of every st.badge on the page (AppTest shows them as markdown)."""
    found = []
    for md in at.markdown:
        value = md.value
        if value.startswith(":") and "-badge[" in value:
            colour = value[1 : value.index("-badge[")]
            text = value[value.index("[") + 1 : -1].split(": ", 1)[-1]  # drop the icon
            found.append((colour, text))
    return found


def _rerun(at, as_of: dt.date):
    at.sidebar.date_input(key="as_of_widget").set_value(as_of)
    return at.run()


def test_freshness_labels_equal_the_warehouse_before_and_after_a_withdrawal(app_env, loaded):
    at = _rerun(run_page(None, user="leader"), AS_OF)
    assert not at.exception, [e.value for e in at.exception]
    expected = _expected_badges(app_env)
    assert expected[0].startswith("12315投诉举报 导出截至 9月4日，")  # the newer export's last record
    assert expected[1] == "12358价格举报 尚未导入"
    badges = _badges(at)
    assert [text for _, text in badges[:4]] == expected
    # Amber: 12358 has nothing; the hits end 08-03, ten days before 08-13 (cadence 7). 12315 (09-04) and the
    # weekly tables (week to 08-12, cadence 9) are fresh.
    assert [colour for colour, _ in badges[:4]] == ["gray", "orange", "orange", "gray"]

    # Later in the campaign the weekly tables (cadence 9 days) and 12315 (7 days) have gone stale too.
    at = _rerun(at, dt.date(2018, 9, 14))
    assert [colour for colour, _ in _badges(at)[:4]] == ["orange", "orange", "orange", "orange"]

    # Withdrawing the export that reached 09-04 brings 12315 back to the other one's last record, at once.
    wh = open_warehouse(app_env)
    loaders.withdraw(wh, loaded["12315_sheets.xlsx"], user=SYSTEM)
    wh.close()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    expected_after = _expected_badges(app_env)
    assert expected_after[0].startswith("12315投诉举报 导出截至 8月6日，")
    assert [text for _, text in _badges(at)[:4]] == expected_after


def _reporters(wh) -> tuple[list[str], list[str]]:
    c = wh.campaign
    return [u.label for u in c.units], [a.label for a in c.agencies if not a.lead]


def test_coverage_labels_equal_the_warehouse_before_and_after_a_withdrawal(app_env, loaded):
    wh = open_warehouse(app_env)
    units, agencies = _reporters(wh)
    wh.close()
    at = _rerun(run_page(None, user="leader"), AS_OF)
    assert not at.exception, [e.value for e in at.exception]
    missing_units = [u for u in units if u not in ("武进区", "溧阳市")]
    assert ("orange", f"统计表不完整：8月6日当周 2/{len(units)} 单位已报，0/{len(agencies)} 成员单位已报") in _badges(
        at
    )
    tiles = {m.label: m for m in at.metric}
    tile = tiles[":orange-badge[不完整] 立案查处网络违法案件（件）"]
    assert tile.help == (
        f"8月6日当周 2/{len(units)} 单位已报，0/{len(agencies)} 成员单位已报。"
        f"未报单位：{'、'.join(missing_units)}；未报成员单位：{'、'.join(agencies)}。"
    )
    assert "网络消费投诉举报（件）" in tiles  # a complaint figure does not depend on the weekly tables

    wh = open_warehouse(app_env)
    loaders.withdraw(wh, loaded["liyang"], user=SYSTEM)
    wh.close()
    at = _rerun(at.run(), AS_OF)  # new data moves the sidebar's date to the data's latest day: pick 08-13 again
    assert not at.exception, [e.value for e in at.exception]
    assert ("orange", f"统计表不完整：8月6日当周 1/{len(units)} 单位已报，0/{len(agencies)} 成员单位已报") in _badges(
        at
    )
    tile = {m.label: m for m in at.metric}[":orange-badge[不完整] 立案查处网络违法案件（件）"]
    assert "溧阳市" in tile.help.split("；")[0] and "武进区" not in tile.help

    # 报送进度 shows the same coverage.
    at.switch_page("app_pages/tracking.py")
    at.run()
    assert ("orange", f"统计表不完整：8月6日当周 1/{len(units)} 单位已报，0/{len(agencies)} 成员单位已报") in _badges(
        at
    )


def test_coverage_is_complete_when_every_reporter_is_in(app_env, tmp_path):
    wh = open_warehouse(app_env)
    units, agencies = _reporters(wh)
    for r in freshness.tracking.reporters(wh):
        make_and_load(wh, tmp_path, r.unit, r.agency, week=W0806, received_on=dt.date(2018, 8, 13))
    cov = freshness.coverage(wh, AS_OF)
    wh.close()
    assert (
        cov.complete
        and cov.text == f"8月6日当周 {len(units)}/{len(units)} 单位已报，{len(agencies)}/{len(agencies)} 成员单位已报"
    )
    at = _rerun(run_page(None, user="leader"), AS_OF)
    assert ("green", f"统计表：{cov.text}") in _badges(at)
    assert "立案查处网络违法案件（件）" in {m.label for m in at.metric}  # no 不完整 on a complete figure
