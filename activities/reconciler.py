"""Reconciler: holds each case's read model against what the engine's history has recorded.

Side effects: for a case whose read model says more than the engine recorded (a transition
written by a workflow task that was lost with the Update it took, or history an operator's reset
discarded: db/repositories/reconciling.py), the read model is brought to the engine's state, with
an audit entry `transitions_reconciled`; for a case whose workflow an operator ended through the
engine, its tasks are closed and it reads ENDED_IN_ENGINE (audit `workflow_ended_in_engine`).
A case whose workflow does not answer is marked stalled (cases.stalled_since) until it answers again:
its page says so. A running case with no task open and no clock running, seen twice, is logged.
Metrics: gauges `aryz_cases_out_of_step` (found at the last round), `aryz_cases_not_answering`
(whose workflow did not answer: its workflow task failing, or no workflow),
`aryz_cases_waiting_for_nothing`, and a counter `aryz_cases_reconciled`. Runs in every worker
(each round takes the cases moved since the rounds last looked, so the first round of a worker that
starts after a crash sees the moment phantoms are likeliest) and as `aryz reconcile` (every open case).

A case is changed only when two looks `grace` apart agree that it is out of step and the read model
did not move between them: the engine answers a query once the case's workflow task in flight has
completed or failed, so a transition still being made is never taken for a lost one.
"""

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowQueryFailedError, WorkflowQueryRejectedError
from temporalio.service import RPCError

from db.repositories.reconciling import (
    ReadModelCase,
    bring_to_engine,
    cases_to_check,
    checked_through,
    end_case,
    note_answering,
    note_checked_through,
    out_of_step,
    read_model_case,
)
from schemas.messages import RecordedState
from schemas.procedures import ENDED_IN_ENGINE, PROCEDURES

log = logging.getLogger(__name__)

FINAL_STATES = frozenset(s for p in PROCEDURES.values() for s in p.final)
QUERY_TIMEOUT = timedelta(seconds=10)


@dataclass
class Round:
    """What one round found and did."""

    checked: int = 0
    out_of_step: list[str] = field(default_factory=list)
    reconciled: list[str] = field(default_factory=list)
    not_answering: list[str] = field(default_factory=list)
    # Open cases that wait for nobody and nothing: no task open, no clock running (a case that would
    # never move again by itself): said in the log and by a gauge, for an operator to look at.
    waiting_for_nothing: list[str] = field(default_factory=list)


ENDED_OUTSIDE = (WorkflowExecutionStatus.TERMINATED, WorkflowExecutionStatus.FAILED,
                 WorkflowExecutionStatus.TIMED_OUT, WorkflowExecutionStatus.CANCELED)


def waits_for_nothing(engine: RecordedState) -> bool:
    """A running case whose workflow holds no task open and runs no clock: nothing can move it."""
    return not engine.ended and engine.state not in FINAL_STATES and not engine.open_tasks and not engine.clocks


def _out_of_step(read: ReadModelCase, engine: RecordedState) -> bool:
    if engine.ended:  # ended through the engine: out of step until the records say so (a case
        # that had reached its legal end before keeps it; only what was still open is closed)
        return read.state not in FINAL_STATES or bool(read.open_tasks)
    return out_of_step(read, engine)


class Reconciler:
    def __init__(self, client: Client, sessions: async_sessionmaker, meter=None, *,
                 grace: timedelta = timedelta(seconds=15), concurrency: int = 4) -> None:
        self.client, self.sessions, self.meter, self.grace = client, sessions, meter, grace
        self._limit = asyncio.Semaphore(concurrency)

    async def engine_state(self, case_number: str) -> RecordedState | None:
        """What the engine recorded, or None when the case's workflow does not answer. A workflow
        ended through the engine (terminated, failed, timed out) answers with its status instead:
        its recorded state no longer holds anything open."""
        handle = self.client.get_workflow_handle(case_number)
        try:
            status = (await handle.describe(rpc_timeout=QUERY_TIMEOUT)).status
            if status in ENDED_OUTSIDE:
                return RecordedState(0, ENDED_IN_ENGINE, "", None, [], ended=status.name)
            return await handle.query("recorded", result_type=RecordedState, rpc_timeout=QUERY_TIMEOUT)
        except (TimeoutError, RPCError, WorkflowQueryFailedError, WorkflowQueryRejectedError) as e:
            log.warning("case %s: its workflow did not answer (%s)", case_number, type(e).__name__,
                        extra={"case_number": case_number})
            return None

    async def _look(self, case_number: str) -> tuple[ReadModelCase | None, RecordedState | None]:
        # The read model first, then the engine: a transition committed between the two reads the
        # engine ahead (never out of step); the other order could read it as a phantom. The session
        # is closed before the engine is asked.
        async with self._limit:
            async with self.sessions() as session:
                read = await read_model_case(session, case_number)
            return read, (await self.engine_state(case_number) if read is not None else None)

    async def check(self, case_numbers: Iterable[str]) -> Round:
        found = Round()
        suspects: dict[str, ReadModelCase] = {}
        idle: dict[str, int] = {}
        numbers = list(case_numbers)
        found.checked = len(numbers)
        for number, (read, engine) in zip(numbers, await asyncio.gather(*(self._look(n) for n in numbers)),
                                          strict=True):
            if read is None:
                continue
            if engine is None:
                found.not_answering.append(number)
            elif _out_of_step(read, engine):
                suspects[number] = read
            elif waits_for_nothing(engine):
                idle[number] = engine.seq  # unless it is between two steps: looked at again below
        answering = [n for n in numbers if n not in found.not_answering]
        async with self.sessions.begin() as session:
            await note_answering(session, answering, found.not_answering)
        if suspects or idle:
            await asyncio.sleep(self.grace.total_seconds())
        for number, seq in idle.items():
            _, engine = await self._look(number)
            if engine is not None and engine.seq == seq and waits_for_nothing(engine):
                found.waiting_for_nothing.append(number)
                log.warning("case %s waits for nobody and nothing in state %s (no task open, no clock running)",
                            number, engine.state, extra={"case_number": number})
        for number, first in suspects.items():
            read, engine = await self._look(number)
            if read is None or engine is None or read != first or not _out_of_step(read, engine):
                continue  # it moved, or the engine caught up: look again next round
            found.out_of_step.append(number)
            async with self.sessions.begin() as session:
                if engine.ended:
                    brought = await end_case(session, read, engine.ended,
                                             read.state if read.state in FINAL_STATES else ENDED_IN_ENGINE)
                else:
                    brought = await bring_to_engine(session, read, engine)
                if brought:
                    found.reconciled.append(number)
                    log.warning("case %s reconciled: read model at #%d %s, the engine at #%d %s", number,
                                read.last_seq, read.state, engine.seq, engine.state, extra={"case_number": number})
        self._count(found)
        return found

    async def round(self, since: datetime | None) -> Round:
        async with self.sessions() as session:
            numbers = await cases_to_check(session, since=since, final=FINAL_STATES)
        return await self.check(numbers)

    async def run(self, every: float, stop: asyncio.Event) -> None:
        """Every `every` seconds, the cases moved since the rounds last looked (by any worker, before
        a crash too: the mark is kept in the database), less the grace and a margin so that a move
        made during a round is seen by the next. With no mark yet (a new installation, or one from
        before the reconciler: run `aryz reconcile` once) it starts from now."""
        margin = self.grace + timedelta(seconds=every)
        while not stop.is_set():
            began = datetime.now(timezone.utc)
            try:
                async with self.sessions() as session:
                    mark = await checked_through(session)
                await self.round((mark or began) - margin)
                async with self.sessions.begin() as session:
                    await note_checked_through(session, began)
            except Exception:  # the database or the engine away: the next round tries again
                log.exception("reconciliation round failed")
            try:
                await asyncio.wait_for(stop.wait(), every)
            except TimeoutError:
                pass

    def _count(self, found: Round) -> None:
        if self.meter is None:
            return
        self.meter.create_gauge("aryz_cases_out_of_step", "Cases whose read model said other than the engine, "
                                "at the last reconciliation round").set(len(found.out_of_step))
        self.meter.create_gauge("aryz_cases_not_answering", "Cases whose workflow did not answer the last "
                                "reconciliation round (its workflow task failing, or no workflow)").set(
            len(found.not_answering))
        self.meter.create_gauge("aryz_cases_waiting_for_nothing", "Open cases whose workflow holds no task and runs "
                                "no clock (nothing can move them), at the last reconciliation round").set(
            len(found.waiting_for_nothing))
        if found.reconciled:
            self.meter.create_counter("aryz_cases_reconciled", "Cases whose read model was brought to the "
                                      "engine's state").add(len(found.reconciled))
