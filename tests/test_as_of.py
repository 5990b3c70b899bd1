"""The sidebar's 统计截止日期 across other users' work: a date a user picked stays when someone loads data or
exports a file; a user who kept the default follows new data; the audit trail alone changes no data version."""

from __future__ import annotations

import datetime as dt

import loaders
from auth.audit import record
from auth.policy import SYSTEM
from tests.conftest import FIXTURES, run_page
from warehouse import open_warehouse


def _as_of(at) -> dt.date:
    return at.sidebar.date_input(key="as_of_widget").value


def _load(db, name: str) -> None:
    wh = open_warehouse(db)
    try:
        result = loaders.load_file(wh, FIXTURES / "exports" / name, user=SYSTEM)
        assert result.status == "loaded", result.errors[:3]
    finally:
        wh.close()


def test_a_picked_date_stays_and_a_kept_default_follows_new_data(app_env):
    _load(app_env, "12315_quirks_utf8.csv")  # records to 08-06
    picker, follower = run_page(None, user="leader"), run_page(None, user="analyst")
    assert _as_of(picker) == _as_of(follower) == dt.date(2018, 8, 6)
    picker.sidebar.date_input(key="as_of_widget").set_value(dt.date(2018, 7, 31))
    picker.run()

    # Someone exports a file: a line in the audit trail, not new data.
    wh = open_warehouse(app_env)
    version = wh.data_version()
    record(wh, "analyst", "export", "投诉明细.xlsx", detail="12 行")
    assert wh.data_version() == version
    wh.close()
    # Someone loads an export that reaches 09-04.
    _load(app_env, "12315_sheets.xlsx")

    picker.run()
    follower.run()
    assert not picker.exception and not follower.exception
    assert _as_of(picker) == dt.date(2018, 7, 31)  # what the leader chose to look at
    assert _as_of(follower) == dt.date(2018, 9, 4)  # the default, moved with the data
