import datetime as dt

import pytest

from campaign.calendar import WorkCalendar, week_of


def test_official_2018_calendar_with_tiaoxiu():
    cal = WorkCalendar()
    assert cal.is_workday(dt.date(2018, 9, 29))  # Saturday, 调休上班
    assert cal.is_workday(dt.date(2018, 9, 30))  # Sunday, 调休上班
    assert not cal.is_workday(dt.date(2018, 9, 24))  # 中秋
    assert all(not cal.is_workday(dt.date(2018, 10, d)) for d in range(1, 8))  # 国庆
    assert cal.is_workday(dt.date(2018, 10, 8))


def test_due_dates_around_the_holidays():
    cal = WorkCalendar()
    # Week of 09-24 ends Sunday 09-30 (a 调休 working day, but the Sunday itself); 10-01..07 are off.
    assert cal.week_due(dt.date(2018, 9, 24)) == dt.date(2018, 10, 8)
    assert cal.week_due(dt.date(2018, 10, 1)) == dt.date(2018, 10, 8)
    # Week of 09-17 ends 09-23; Monday 09-24 is 中秋, so it is due Tuesday 09-25.
    assert cal.week_due(dt.date(2018, 9, 17)) == dt.date(2018, 9, 25)
    assert cal.week_due(dt.date(2018, 8, 6)) == dt.date(2018, 8, 13)


def test_override_table_wins():
    cal = WorkCalendar({dt.date(2018, 8, 13): False})
    assert cal.week_due(dt.date(2018, 8, 6)) == dt.date(2018, 8, 14)


def test_working_days_between_counts_late_days_across_national_day():
    cal = WorkCalendar()
    assert cal.workdays_between(dt.date(2018, 9, 28), dt.date(2018, 10, 8)) == 3  # 09-29, 09-30, 10-08
    assert cal.workdays_between(dt.date(2018, 10, 8), dt.date(2018, 9, 28)) == -3
    assert cal.workdays_between(dt.date(2018, 10, 8), dt.date(2018, 10, 8)) == 0


def test_working_days_to_one_end_from_many_starts_equals_one_by_one():
    cal = WorkCalendar()
    end = dt.date(2018, 10, 8)
    starts = [dt.date(2018, 7, 1) + dt.timedelta(days=i) for i in range(0, 150, 3)]  # before and after the end
    assert cal.workdays_to(starts, end) == [cal.workdays_between(s, end) for s in starts]
    assert cal.workdays_to([dt.date(2018, 9, 28)], end) == [3] and cal.workdays_to([], end) == []


def test_week_keys():
    assert week_of(dt.date(2018, 10, 7)) == dt.date(2018, 10, 1)
    assert week_of(dt.date(2018, 10, 1)) == dt.date(2018, 10, 1)
    with pytest.raises(ValueError):
        WorkCalendar().week_due(dt.date(2018, 10, 2))
