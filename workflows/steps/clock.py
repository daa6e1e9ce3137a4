"""StatutoryClock: a legal deadline that reminds, escalates, pauses, extends and may lapse."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.calendar import Calendar
    from schemas.rules import WORKING_DAYS, Period

# Timers fire at or after their time; anything closer than this counts as reached.
_SLACK = timedelta(seconds=1)


class StatutoryClock:
    """One deadline of one case, counted in working or calendar days.

    A watcher coroutine fires `on_reminder` at each reminder time (a fraction of the period,
    and/or fixed periods from the start, e.g. 24 and 30 months into a 3-year certificate) and
    `on_breach` once at the due time. A clock that `lapses` stops at the due time (the law
    decides, e.g. an appeal window); any other clock only escalates and keeps running.
    Pausing (the applicant was asked for documents) stops the count; resuming adds back the
    time that was left, in the clock's own unit.
    """

    def __init__(
        self,
        name: str,
        calendar: Calendar,
        period: Period,
        started_at: datetime,
        reminder_fraction: float | None,
        *,
        reminders: list[Period] = (),
        lapses: bool = False,
    ) -> None:
        self.name = name
        self.calendar = calendar
        self.period = period
        self.started_at = started_at
        self.due_at = calendar.due(started_at, period)
        self.reminder_fraction = reminder_fraction
        self.reminder_periods = list(reminders)
        self.lapses = lapses
        self.paused_at: datetime | None = None
        self.extensions: list[dict[str, str]] = []
        self.reminded = 0  # how many reminders have fired
        self.breached = False
        self.lapsed = False
        self.limit: datetime | None = None  # an extension may not go past this
        self.reminder_note = ""  # what the applicant is told at a reminder, if anything
        self._stopped = False
        self._version = 0
        self._watcher: asyncio.Task[None] | None = None

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def reminder_times(self) -> list[datetime]:
        times = [self.calendar.due(self.started_at, p) for p in self.reminder_periods]
        if self.reminder_fraction is not None:
            times.append(self.started_at + (self.due_at - self.started_at) * self.reminder_fraction)
        return sorted(t for t in times if t < self.due_at)

    def start(
        self,
        on_reminder: Callable[["StatutoryClock"], Awaitable[None]],
        on_breach: Callable[["StatutoryClock"], Awaitable[None]],
    ) -> "StatutoryClock":
        self._watcher = asyncio.create_task(self._watch(on_reminder, on_breach))
        return self

    async def stop(self) -> None:
        self._stopped = True
        self._changed()
        if self._watcher is not None:
            await self._watcher

    def pause(self) -> None:
        if self.paused_at is None:
            self.paused_at = workflow.now()
            self._changed()

    def resume(self) -> None:
        if self.paused_at is None:
            return
        now = workflow.now()
        if self.period.unit == WORKING_DAYS:
            left = self.calendar.working_days_between(self.calendar.local_date(self.paused_at),
                                                      self.calendar.local_date(self.due_at) - timedelta(days=1))
            self.due_at = self.calendar.end_of_day(self.calendar.add_working_days(self.calendar.local_date(now), left))
        else:
            self.due_at = self.due_at + (now - self.paused_at)
        self.paused_at = None
        self._changed()

    def extend(self, until: datetime, reason: str, actor: str) -> None:
        self.extensions.append({"from": self.due_at.isoformat(), "to": until.isoformat(),
                                "reason": reason, "by": actor})
        self.due_at = until
        now = workflow.now()
        self.breached = now >= until
        self.reminded = sum(1 for t in self.reminder_times if t <= now)
        self._changed()

    def _changed(self) -> None:
        self._version += 1

    def _next_event(self) -> tuple[datetime, str] | None:
        """When the clock next acts, and what it does then: remind, or fall due (lapse, for a
        clock that lapses)."""
        if self._stopped or self.paused_at is not None:
            return None
        times = self.reminder_times
        if self.reminded < len(times):
            return times[self.reminded], "reminder"
        if not self.breached:
            return self.due_at, "lapse" if self.lapses else "due"
        return None

    async def _watch(self, on_reminder, on_breach) -> None:
        while not self._stopped and not self.lapsed:
            version = self._version
            target, waits_for = self._next_event() or (None, "")
            if target is not None and target - workflow.now() <= _SLACK:
                if waits_for == "reminder":
                    self.reminded += 1
                    await on_reminder(self)
                else:
                    self.breached = True
                    self.lapsed = self.lapses
                    await on_breach(self)
                self._changed()
                continue
            try:
                # The timer's summary names its clock and what it waits for, for the auditor reading
                # the engine's history (and the Temporal UI). Metadata, not a command: histories
                # recorded without it replay unchanged.
                await workflow.wait_condition(
                    lambda: self._version != version,
                    timeout=None if target is None else target - workflow.now(),
                    timeout_summary=None if target is None else f"{self.name}: {waits_for}",
                )
            except TimeoutError:
                pass
