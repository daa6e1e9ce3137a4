"""Deadline arithmetic in Kyrgyz working and calendar days. Pure functions: safe in workflows."""

import calendar as _cal
from datetime import date, datetime, time, timedelta, timezone

from schemas.rules import CALENDAR_DAYS, MONTHS, WORKING_DAYS, Period, WorkingCalendar


class Calendar:
    def __init__(self, spec: WorkingCalendar) -> None:
        self.tz = timezone(timedelta(hours=spec.utc_offset_hours))
        self._holidays = {date.fromisoformat(d) for d in spec.holidays}
        self._years = set(spec.years)
        self._fixed = {tuple(int(p) for p in md.split("-")) for md in spec.fallback_fixed}

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        if day.year in self._years:
            return day not in self._holidays
        return (day.month, day.day) not in self._fixed

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def end_of_day(self, day: date) -> datetime:
        """A deadline falls due at the end of its last day, local time."""
        return datetime.combine(day + timedelta(days=1), time(0), self.tz).astimezone(timezone.utc)

    def last_day(self, due_at: datetime) -> date:
        """The last local day on which something due at `due_at` is still in time."""
        return self.local_date(due_at) - timedelta(days=1)

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (the start day itself does not count)."""
        day = start
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        n, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n += 1
        return n

    def due(self, start: datetime, period: Period) -> datetime:
        """When `period` counted from the moment `start` runs out."""
        first = self.local_date(start)
        if period.unit == WORKING_DAYS:
            return self.end_of_day(self.add_working_days(first, period.amount))
        if period.unit == CALENDAR_DAYS:
            last = first + timedelta(days=period.amount)
        elif period.unit == MONTHS:
            last = add_months(first, period.amount)
        else:
            raise ValueError(f"unknown period unit {period.unit!r}")
        # A period in calendar days or months that ends on a non-working day runs to the next
        # working day (Civil Code rule on time limits), so nobody loses a right to a holiday.
        while not self.is_working_day(last):
            last += timedelta(days=1)
        return self.end_of_day(last)

    def period_end(self, start: datetime, period: Period, n: int) -> datetime:
        """When the `n`-th of consecutive `period`s counted from `start` ends (e.g. a permit's
        quarters). Each boundary is counted from `start` itself, never from the previous boundary,
        and is not moved past a holiday: a boundary between periods is no time limit (the rule on
        time limits applies to the deadline that follows it), and a boundary that moved would push
        every later period with it."""
        first = self.local_date(start)
        if period.unit == CALENDAR_DAYS:
            return self.end_of_day(first + timedelta(days=period.amount * n))
        if period.unit == MONTHS:
            return self.end_of_day(add_months(first, period.amount * n))
        raise ValueError(f"periods that follow one another are counted in calendar days or months, not {period.unit!r}")


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))
