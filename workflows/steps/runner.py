"""StepRunner: runs the human steps of one case on its statutory clocks.

It opens a task in the read model, waits for the decision while the step's clock reminds and
escalates, handles a request for documents (the clock stops while the applicant answers), and
records the decision together with the case's new state, so one decision is one transition.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.messages import (
        DecisionInput,
        DocumentsProvided,
        ExtensionInput,
        ExtensionResult,
        TaskRecord,
    )
    from schemas.rules import ProcedureRules
    from schemas.steps import StepSpec
    from workflows.steps.clock import StatutoryClock
    from workflows.steps.desk import DecisionDesk, OpenStep
    from workflows.steps.paperwork import Paperwork
    from workflows.steps.recorder import CaseInterrupted, CaseRecorder


@dataclass(frozen=True)
class Transition:
    """What an outcome does to the case: its new state (None keeps it) and the applicant's note."""

    state: str | None = None
    note: str = ""  # a key of schemas.notes.NOTES
    with_reason: bool = False  # refusals give their reasons to the applicant
    notify: bool = False
    letter: str = ""  # the letter this outcome sends (paperwork.REFUSAL_LETTER, TERMINATION_LETTER)
    ends: str = ""  # what it does to the documents in force (revoked, suspended, valid)
    params: dict[str, str] = field(default_factory=dict)  # the note's parameters
    data_params: tuple[str, ...] = ()  # fields of the decision's data the note also shows (an interview's time)
    # (a list in the decision's data, a note key): when the list is not empty, the applicant reads
    # that note instead, with how many the list holds (family members a recognition leaves out).
    counted: tuple[str, str] = ()


class StepRunner:
    def __init__(self, case: CaseRecorder, desk: DecisionDesk, rules: ProcedureRules, papers: Paperwork) -> None:
        self.case = case
        self.desk = desk
        self.rules = rules
        self.calendar = papers.calendar
        self.papers = papers
        self.documents: list[DocumentsProvided] = []
        self.superseded: list[str] = []  # tasks of steps offered anew after a wake-up: closed when reopened

    # ---- clocks -------------------------------------------------------------------------
    def clock(self, name: str, period: str, *, started_at: datetime | None = None, lapses: bool = False,
              limit: str | None = None, reminders: tuple[str, ...] = (), reminder_note: str = "",
              ends_at: datetime | None = None) -> StatutoryClock:
        """A running clock. Officers' deadlines remind at the rules' fraction; a clock that lapses
        reminds only at the named `reminders` periods, telling the applicant `reminder_note`.
        `ends_at` is a boundary the caller counted itself (a quarter of a permit's year), used
        instead of the period counted from `started_at`."""
        start = started_at or workflow.now()
        clock = StatutoryClock(name, self.calendar, self.rules.period(period), start,
                               None if lapses else self.rules.reminder_fraction, lapses=lapses,
                               reminders=[self.rules.period(r) for r in reminders])
        if ends_at is not None:
            clock.due_at = ends_at
        clock.limit = self.calendar.due(start, self.rules.period(limit)) if limit else None
        clock.reminder_note = reminder_note
        self.desk.clocks[name] = clock
        return clock.start(self._remind, self._breach)

    async def stop(self, clock: StatutoryClock) -> None:
        await clock.stop()
        self.desk.clocks.pop(clock.name, None)

    async def stop_all(self) -> None:
        for clock in list(self.desk.clocks.values()):
            await self.stop(clock)

    async def _remind(self, clock: StatutoryClock) -> None:
        await self.case.record("deadline_reminder", detail=self._clock_detail(clock),
                               remind_tasks=[s.task_id for s in self.desk.steps_on(clock)],
                               public_note=clock.reminder_note, notify_applicant=bool(clock.reminder_note),
                               # The day it runs out, from the clock: never a period written into the text.
                               note_params={"until": self.calendar.last_day(clock.due_at).isoformat()}
                               if clock.reminder_note else {})

    async def _breach(self, clock: StatutoryClock) -> None:
        if clock.lapses:
            return  # the procedure records what the lapse means
        await self.case.record("deadline_breached", detail=self._clock_detail(clock),
                               escalate_tasks=[s.task_id for s in self.desk.steps_on(clock)])

    @staticmethod
    def _clock_detail(clock: StatutoryClock) -> dict:
        return {"clock": clock.name, "due_at": clock.due_at.isoformat(), "period": clock.period.describe(),
                "source": clock.period.source}

    async def extend(self, e: ExtensionInput) -> ExtensionResult:
        until = self.desk.validate_extension(e, self.rules.max_extensions)
        self.desk.guard.consume(e.proof)
        clock = self.desk.clocks[e.clock]
        clock.extend(until, e.reason, e.actor)
        retimed = [replace(self.case.open_tasks[s.task_id], due_at=until, escalated=False)
                   for s in self.desk.steps_on(clock)]
        await self.case.record("deadline_extended", actor=e.actor, actor_role="supervisor", reason=e.reason,
                               open_tasks=retimed, deadline=until if retimed else False,
                               public_note="deadline_extended", note_params={"until": self.calendar.last_day(until).isoformat()},
                               detail={"clock": clock.name, "due_at": until.isoformat()}, notify_applicant=True)
        return ExtensionResult(clock.name, until)

    # ---- human steps --------------------------------------------------------------------
    async def decide(self, spec: StepSpec, clock: StatutoryClock, transitions: dict[str, Transition],
                     *, lapse: StatutoryClock | None = None, documents_state: str | None = None,
                     check=None) -> DecisionInput | None:
        """The decision on `spec`, or None if `lapse` ran out first. Raises CaseInterrupted."""
        chosen = await self.decide_any([(spec, clock, check)], transitions, lapse=lapse,
                                       documents_state=documents_state)
        return chosen[1] if chosen else None

    async def decide_any(self, options: list[tuple],
                         transitions: dict[str, Transition], *,
                         lapse: StatutoryClock | list[StatutoryClock] | None = None,
                         documents_state: str | None = None,
                         wake=None) -> tuple[StepSpec, DecisionInput] | None:
        """Open several steps at once and take the first decision on any of them (the others
        close with it). A step without a clock is an action available to its role (e.g. ending a
        status), not work in an inbox. An option may carry a third item: a check of the decision
        against the case, run by the update validator. While the applicant is asked for documents the case is in
        `documents_state`, if given. None if `lapse` ran out first, or `wake()` became true (the
        caller offers the steps anew). Raises CaseInterrupted."""
        lapses = lapse if isinstance(lapse, list) else [lapse] if lapse is not None else []
        resume_state = None
        while True:
            steps = [OpenStep(o[0], self.case.new_task_id(o[0].name), o[1], check=o[2] if len(o) > 2 else None)
                     for o in options]  # (spec, clock or None[, check])
            tasks = [TaskRecord(s.task_id, s.spec.name, s.spec.role, s.spec.title, s.clock.due_at if s.clock else None,
                                s.spec.outcome_names(), escalated=bool(s.clock and s.clock.breached),
                                kind="task" if s.clock else "action",
                                clock=s.clock.name if s.clock and not s.clock.lapses else "") for s in steps]
            self.desk.open.update({s.spec.name: s for s in steps})
            timed = [s for s in steps if s.clock]
            due = min((s.clock.due_at for s in timed), default=min((c.due_at for c in lapses), default=None))
            superseded, self.superseded = self.superseded, []
            await self.case.record("task_opened", state=resume_state, step=",".join(s.spec.name for s in steps),
                                   open_tasks=tasks, awaiting="; ".join(f"{s.spec.role}: {s.spec.title}" for s in timed),
                                   deadline=due, close_tasks=superseded)
            await self.case.wait_for(lambda: any(s.decision is not None for s in steps) or self.case.interrupted
                                     or any(c.lapsed for c in lapses) or (wake is not None and wake()))
            for s in steps:
                del self.desk.open[s.spec.name]
            step = next((s for s in steps if s.decision is not None), None)
            if step is None:
                if self.case.interrupted:
                    raise CaseInterrupted()
                if not any(c.lapsed for c in lapses):  # woken: the caller offers these steps anew
                    self.superseded = [s.task_id for s in steps]
                return None
            d, batch = step.decision, [s.task_id for s in steps]
            if step.spec.outcome(d.outcome).requests_documents:
                resume_state = self.case.state if documents_state else None
                await self._request_documents(step, d, batch, documents_state)
                continue
            t = transitions[d.outcome]
            params = {**t.params, **{k: str(d.data[k]) for k in t.data_params if d.data.get(k)}}
            note = t.note
            if t.counted and d.data.get(t.counted[0]):
                note, params["count"] = t.counted[1], str(len(d.data[t.counted[0]]))
            if t.with_reason and d.reason:
                params["reason"] = d.reason
            await self.case.record("decided", state=t.state, step=step.spec.name, outcome=d.outcome, actor=d.actor,
                                   actor_role=step.spec.role, reason=d.reason, public_note=note, note_params=params, awaiting="",
                                   deadline=None, close_tasks=batch, detail={"data": d.data},
                                   notify_applicant=t.notify)
            step.recorded = True
            if t.letter:
                await self.papers.letter(t.letter, d.outcome, str(d.data.get("ground", "")), d.reason)
            if t.ends:
                await self.papers.set_status(t.ends, d.outcome)
            return step.spec, d

    async def decide_within(self, spec: StepSpec, period: str, transitions: dict[str, Transition], *,
                            started_at: datetime | None = None, documents_state: str | None = None,
                            check=None) -> DecisionInput:
        """A step with a clock of its own, stopped once the step is decided."""
        clock = self.clock(spec.name, period, started_at=started_at)
        try:
            return await self.decide(spec, clock, transitions, documents_state=documents_state, check=check)
        finally:
            await self.stop(clock)

    async def _request_documents(self, step: OpenStep, d: DecisionInput, batch: list[str],
                                 documents_state: str | None) -> None:
        wanted = d.data["documents"]
        step.clock.pause()
        reply = self.clock(f"{step.spec.name}_documents_reply", "documents_reply", lapses=True)
        await self.case.record("documents_requested", state=documents_state, step=step.spec.name, outcome=d.outcome,
                               actor=d.actor, actor_role=step.spec.role, reason=d.reason, close_tasks=batch,
                               awaiting="applicant: provide " + "; ".join(wanted), deadline=reply.due_at,
                               **self._documents_note(wanted, d.data.get("message", "")),
                               detail={"data": d.data}, notify_applicant=True)
        step.recorded = True
        received = len(self.documents)
        await self.case.wait_for(lambda: len(self.documents) > received or reply.lapsed or self.case.interrupted)
        await self.stop(reply)
        step.clock.resume()
        if self.case.interrupted:
            raise CaseInterrupted()
        if len(self.documents) == received:
            await self.case.record("documents_not_received", step=step.spec.name, detail={"requested": wanted},
                                   public_note="documents_not_received")

    @staticmethod
    def _documents_note(wanted: list[str], message: str) -> dict:
        params = {"documents": "; ".join(wanted)}
        if message:
            return {"public_note": "documents_requested_message", "note_params": {**params, "message": message}}
        return {"public_note": "documents_requested", "note_params": params}

    async def receive_documents(self, provided: DocumentsProvided) -> None:
        await self.case.record("documents_provided", actor="applicant", actor_role="applicant",
                               public_note="documents_received", note_params={"count": str(len(provided.files))},
                               detail={"files": [f.__dict__ for f in provided.files], "note": provided.note})
        self.documents.append(provided)
