"""Deadline arithmetic in Kyrgyz working days and calendar periods."""

from datetime import date, datetime, timezone

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
