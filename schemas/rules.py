"""Statutory values as the workflow sees them: a snapshot taken when a case starts.

The snapshot travels in the workflow input, so a case's history records which values
(and which legal sources) governed it, and replay never depends on today's rules files.
"""

from dataclasses import dataclass, field

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
MONTHS = "months"
UNITS = (WORKING_DAYS, CALENDAR_DAYS, MONTHS)


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str
    source: str = ""

    def describe(self) -> str:
        return f"{self.amount} {self.unit.replace('_', ' ')}"


@dataclass(frozen=True)
class WorkingCalendar:
    """Non-working days of the Kyrgyz Republic, besides Saturdays and Sundays."""

    version: str
    utc_offset_hours: int
    holidays: list[str] = field(default_factory=list)  # ISO dates
    years: list[int] = field(default_factory=list)  # years that `holidays` covers in full
    fallback_fixed: list[str] = field(default_factory=list)  # "MM-DD" for other years


@dataclass(frozen=True)
class ProcedureRules:
    procedure: str
    version: str
    periods: dict[str, Period]
    calendar: WorkingCalendar
    reminder_fraction: float = 0.75
    max_extensions: int = 1
    values: dict[str, int] = field(default_factory=dict)  # other statutory numbers

    def period(self, name: str) -> Period:
        return self.periods[name]
