"""Deadline arithmetic in Kyrgyz working days and calendar periods."""

from datetime import date, datetime, timedelta, timezone

import pytest

from rules import RulesError, procedure_rules, working_calendar
from schemas.calendar import Calendar, add_months
from schemas.rules import CALENDAR_DAYS, MONTHS, WORKING_DAYS, Period

cal = Calendar(working_calendar())


def at_local_noon(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 6, tzinfo=timezone.utc)  # 12:00 in Bishkek


def test_weekends_and_public_holidays_are_not_working_days():
    assert not cal.is_working_day(date(2026, 11, 28))  # Saturday
    assert not cal.is_working_day(date(2026, 3, 20))  # Orozo Ait 2026
    assert not cal.is_working_day(date(2026, 8, 31))  # Independence Day
    assert cal.is_working_day(date(2026, 11, 24))


def test_years_beyond_the_calendar_fall_back_to_fixed_holidays():
    assert not cal.is_working_day(date(2040, 8, 31))
    assert cal.is_working_day(date(2040, 9, 3))


def test_three_working_days_skip_the_weekend_and_end_at_local_midnight():
    due = cal.due(at_local_noon(date(2026, 11, 26)), Period(3, WORKING_DAYS))  # Thursday
    assert cal.last_day(due) == date(2026, 12, 1)  # Fri, Mon, Tue
    assert due == datetime(2026, 12, 1, 18, tzinfo=timezone.utc)


def test_working_days_skip_a_run_of_holidays():
    # Lodged on 30 April 2026: 1-9 May are holidays or the weekend.
    due = cal.due(at_local_noon(date(2026, 4, 30)), Period(3, WORKING_DAYS))
    assert cal.last_day(due) == date(2026, 5, 13)


def test_calendar_periods_ending_on_a_holiday_run_to_the_next_working_day():
    due = cal.due(at_local_noon(date(2026, 8, 1)), Period(30, CALENDAR_DAYS))  # 31 Aug is a holiday
    assert cal.last_day(due) == date(2026, 9, 1)


def test_months_clamp_to_the_end_of_a_shorter_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    due = cal.due(at_local_noon(date(2026, 6, 10)), Period(3, MONTHS))
    assert cal.last_day(due) == date(2026, 9, 10)


def test_working_days_between_counts_only_working_days():
    assert cal.working_days_between(date(2026, 11, 20), date(2026, 11, 27)) == 5


def test_every_refugee_period_has_a_legal_source():
    rules = procedure_rules("refugee")
    assert {"registration", "decision", "decision_max", "appeal_window"} <= set(rules.periods)
    assert all(p.source for p in rules.periods.values())
    assert rules.period("registration") == Period(3, WORKING_DAYS, rules.period("registration").source)


def test_unknown_procedure_has_no_rules():
    with pytest.raises(RulesError):
        procedure_rules("no-such-procedure")


def test_the_service_day_is_bishkeks_not_utcs():
    from rules import local_today

    assert local_today(datetime(2026, 12, 31, 17, 59, tzinfo=timezone.utc)) == date(2026, 12, 31)
    assert local_today(datetime(2026, 12, 31, 18, 0, tzinfo=timezone.utc)) == date(2027, 1, 1)


QUARTER = procedure_rules("agency-permit").period("report_period")
REPORT_DUE = procedure_rules("agency-permit").period("report_due")


def _every_day(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day = date.fromordinal(day.toordinal() + 1)


@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_a_permits_quarters_are_counted_from_its_start_on_any_day_of_the_year(year):
    """Quarter n ends n quarters after the permit's start, whatever day it started and whatever
    holiday an earlier quarter ended on; each report deadline then falls on a working day. (Chained
    from the previous quarter's end moved past a holiday, a permit active on 8 December 2026 had its
    second quarter end on 11 June instead of 8 June, and every later quarter with it.)"""
    for day in _every_day(date(year, 1, 1), date(year, 12, 31)):
        start = at_local_noon(day)
        ends = [cal.period_end(start, QUARTER, n) for n in range(1, 9)]
        for n, end in enumerate(ends, start=1):
            assert cal.local_date(end) == date.fromordinal(add_months(day, 3 * n).toordinal() + 1), (day, n)
            assert end.astimezone(cal.tz).time().hour == 0  # at the end of the local day
            report_due = cal.due(end, REPORT_DUE)
            assert cal.is_working_day(cal.last_day(report_due)) and report_due - end >= timedelta(days=15)
        assert ends == sorted(ends) and len(set(ends)) == len(ends)
        # Two years of quarters end two years after the start, to the day (Feb 29 aside).
        if (day.month, day.day) != (2, 29):
            assert cal.last_day(ends[7]) == day.replace(year=day.year + 2)


def test_a_quarter_that_ends_on_a_holiday_does_not_move_the_next():
    start = datetime(2026, 12, 7, 23, 6, tzinfo=timezone.utc)  # 8 December in Bishkek
    first, second = (cal.period_end(start, QUARTER, n) for n in (1, 2))
    assert cal.last_day(first) == date(2027, 3, 8)  # International Women's Day: the boundary stays
    assert cal.last_day(cal.due(first, REPORT_DUE)) == date(2027, 3, 24)  # 15 days from 9 March
    assert cal.last_day(second) == date(2027, 6, 8)


def test_periods_that_follow_one_another_are_not_counted_in_working_days():
    with pytest.raises(ValueError):
        cal.period_end(at_local_noon(date(2026, 1, 5)), Period(3, WORKING_DAYS), 1)
