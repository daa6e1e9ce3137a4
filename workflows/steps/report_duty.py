"""ReportDuty: a periodic report the holder of a permit owes while the permit is in force.

After each period of the rules' `report_period`, a report falls due within `report_due` (the
holder reminded before); a report filed through the API (signal `file_report`, by the holder)
closes it, a missed one is recorded and told, so that the permit may be suspended for it.
Composed by a procedure like the other steps; it runs beside the procedure's own sequence.
"""

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.messages import PlacementReportInput
    from workflows.steps.recorder import CaseRecorder
    from workflows.steps.runner import StepRunner


ANCHORED_PERIODS = "report-periods-anchored-to-the-start"


class ReportDuty:
    def __init__(self, case: CaseRecorder, steps: StepRunner) -> None:
        self.case = case
        self.steps = steps
        self.period = 0  # the periods that have fallen due
        self.filed: dict[int, PlacementReportInput] = {}
        self.missed = 0
        self._running = False
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._running = True
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._running = False
        for name in ("report_period", "placement_report"):
            clock = self.steps.desk.clocks.get(name)
            if clock is not None:
                await self.steps.stop(clock)
        if self._task is not None:
            await self._task

    def receive(self, report: PlacementReportInput) -> None:
        """A report for the period that is due (once); any other is ignored."""
        if self._running and report.period == self.period and report.period not in self.filed:
            self.filed[report.period] = report

    async def _run(self) -> None:
        # Periods follow one another from the permit's start, whenever reports come. Each period's
        # end is counted from that start (quarter n ends n quarters after it), so a quarter that
        # ended on a holiday does not push every later quarter (it did before the patch: a permit
        # active on 8 December had its second quarter end on 11 June, not 8 June).
        anchored = workflow.patched(ANCHORED_PERIODS)
        origin = workflow.now()
        ends = None
        while self._running:
            boundary = (self.steps.calendar.period_end(origin, self.steps.rules.period("report_period"), self.period + 1)
                        if anchored else None)
            period = self.steps.clock("report_period", "report_period", lapses=True, started_at=ends,
                                      ends_at=boundary)
            ends = period.due_at
            await workflow.wait_condition(lambda: period.lapsed or period.stopped)
            await self.steps.stop(period)
            if not period.lapsed or not self._running:
                return
            self.period += 1
            due = self.steps.clock("placement_report", "report_due", lapses=True, reminders=("report_reminder",),
                                   reminder_note="placement_report_reminder", started_at=ends)
            await self.case.record("report_due", deadline=False, notify_applicant=True,
                                   public_note="placement_report_due",
                                   note_params={"until": self.steps.calendar.last_day(due.due_at).isoformat()},
                                   detail={"period": self.period, "period_ended": ends.isoformat(),
                                           "due_at": due.due_at.isoformat()})
            number = self.period
            await workflow.wait_condition(lambda: number in self.filed or due.lapsed or due.stopped)
            await self.steps.stop(due)
            if number in self.filed:
                report = self.filed[number]
                await self.case.record("report_filed", actor="applicant", actor_role="applicant",
                                       public_note="placement_report_filed",
                                       detail={"period": number, "placed": sum(line.placed for line in report.lines)})
            elif due.lapsed:
                self.missed += 1
                await self.case.record("report_missed", notify_applicant=True, public_note="placement_report_missed",
                                       detail={"period": number})
