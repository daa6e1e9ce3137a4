"""Drives one case through a real workflow, worker, activities and database."""

import asyncio
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from api.services.applications import submit_application
from api.services.workflows import START_MEMO, case_input
from db.models import Case, CaseTransition, IssuedDocumentRow, Task
from db.repositories import documents as document_registry
from schemas.messages import (
    AppealInput,
    CaseOutcome,
    DecisionInput,
    DecisionResult,
    DocumentsProvided,
    ExtensionInput,
    ExtensionResult,
    FileRef,
    WithdrawalInput,
)
from schemas.procedures import PROCEDURES
from tests.conftest import SEALER, SECRET, SIGNER, eventually
from tests.factories import APPLICATIONS

ROLES = {"registrar": ["registrar"], "case_officer": ["case_officer"], "supervisor": ["supervisor"],
         "commission": ["commission"], "finance_officer": ["finance_officer"],
         "legal_officer": ["legal_officer"], "consular_officer": ["consular_officer"],
         "senior": ["case_officer", "supervisor"], "supervisor2": ["supervisor"]}


class CaseDriver:
    def __init__(self, client: Client, sessions, task_queue: str, env=None) -> None:
        self.env = env
        self.client = client
        self.sessions = sessions
        self.task_queue = task_queue
        self.case_number = ""
        self.procedure = ""
        self.handle: WorkflowHandle | None = None

    async def lodge(self, procedure: str = "refugee", lodged_at: datetime | None = None, **overrides) -> str:
        proc = PROCEDURES[procedure]
        self.procedure = procedure
        application = proc.application.model_validate(APPLICATIONS[procedure](**overrides))
        async with self.sessions.begin() as session:
            submitted = await submit_application(session, proc, application, f"test-{uuid.uuid4()}", SECRET)
        case = submitted.case
        self.case_number = case.case_number
        self.access_code = submitted.access_code

        start = case_input(case, lodged_at or case.lodged_at, SEALER, SIGNER)
        self.handle = await self.client.start_workflow(
            proc.workflow, start, id=case.case_number, task_queue=self.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE, memo={START_MEMO: start.start},
            result_type=CaseOutcome)
        return case.case_number

    async def decide(self, step: str, outcome: str, actor: str, reason: str = "", data: dict | None = None,
                     roles: list[str] | None = None, mission: str = "") -> DecisionResult:
        await self.wait_task(step)
        return await self.try_decide(step, outcome, actor, reason, data, roles, mission)

    async def signed(self, name: str, message, actor: str = "applicant", roles: list[str] | None = None,
                     mission: str = ""):
        """`message` with the proof the API would attach, made at the (possibly skipped) server time."""
        now = await self.env.get_current_time() if self.env else None
        return SIGNER.attach(name, self.case_number, actor, roles or ROLES.get(actor, [actor]), message, now,
                             mission=mission)

    async def try_decide(self, step: str, outcome: str, actor: str, reason: str = "", data: dict | None = None,
                         roles: list[str] | None = None, mission: str = "") -> DecisionResult:
        # A bound, so that a broken activity fails the test instead of hanging it.
        message = await self.signed("decide", DecisionInput(step, outcome, reason, data or {}), actor, roles, mission)
        return await asyncio.wait_for(self.handle.execute_update("decide", message, result_type=DecisionResult), 60)

    async def extend(self, until: str, reason: str, actor: str = "supervisor", clock: str = "decision",
                     roles: list[str] | None = None) -> ExtensionResult:
        message = await self.signed("extend_deadline", ExtensionInput(clock, until, reason), actor, roles)
        return await self.handle.execute_update("extend_deadline", message, result_type=ExtensionResult)

    async def sleep(self, duration: timedelta) -> None:
        """Skip time on the time-skipping server, a week at a time: one long skip is one long RPC,
        and those have been cut off ("h2 protocol error"); a cut-off skip resumes from where the
        server's clock got to."""
        target = await self.env.get_current_time() + duration
        for _ in range(400):
            left = target - await self.env.get_current_time()
            if left <= timedelta(0):
                return
            try:
                await asyncio.wait_for(self.env.sleep(min(left, timedelta(days=7))), 60)
            except (TimeoutError, RPCError):
                continue
        raise AssertionError(f"the time-skipping server did not reach {target}")

    async def provide_documents(self, n: int = 1) -> None:
        files = [FileRef(str(uuid.uuid4()), f"scan{i}.pdf", "0" * 64) for i in range(n)]
        await self.handle.signal("provide_documents",
                                 await self.signed("provide_documents", DocumentsProvided(files, "as requested")))

    async def withdraw(self, reason: str = "moving on") -> None:
        await self.handle.signal("withdraw", await self.signed("withdraw", WithdrawalInput(reason)))

    async def appeal(self, grounds: str = "The decision ignored the country reports.") -> None:
        await self.handle.signal("appeal", await self.signed("appeal", AppealInput(grounds)))

    async def case(self) -> Case:
        async with self.sessions() as session:
            return await session.get(Case, self.case_number)

    async def open_task(self, step: str) -> Task | None:
        async with self.sessions() as session:
            return await session.scalar(select(Task).where(Task.case_number == self.case_number, Task.step == step,
                                                           Task.closed_at.is_(None)))

    async def wait_task(self, step: str, timeout: float = 20.0) -> Task:
        async def opened():
            """task opened"""
            return await self.open_task(step)
        opened.__doc__ = f"task {step} open on {self.case_number}"
        return await eventually(opened, timeout=timeout)

    async def sleep_until(self, moment: datetime) -> None:
        """Skip time to `moment`: a deadline the case itself set, rather than a fixed number of
        days that falls short when the period's last day is a weekend or a holiday."""
        await self.sleep(moment - await self.env.get_current_time())

    async def wait_state(self, state: str) -> Case:
        async def reached():
            case = await self.case()
            return case if case.state == state else None
        reached.__doc__ = f"{self.case_number} in state {state}"
        return await eventually(reached)

    async def wait_event(self, event: str) -> CaseTransition:
        async def recorded():
            async with self.sessions() as session:
                return await session.scalar(select(CaseTransition).where(
                    CaseTransition.case_number == self.case_number, CaseTransition.event == event))
        recorded.__doc__ = f"event {event} on {self.case_number}"
        return await eventually(recorded)

    async def wait_event_after(self, event: str, earlier: int) -> CaseTransition:
        """The (earlier + 1)-th transition named `event`."""
        async def recorded():
            found = [t for t in await self.transitions() if t.event == event]
            return found[earlier] if len(found) > earlier else None
        return await eventually(recorded)

    async def transitions(self) -> list[CaseTransition]:
        async with self.sessions() as session:
            return list(await session.scalars(select(CaseTransition).where(
                CaseTransition.case_number == self.case_number).order_by(CaseTransition.seq)))

    async def events(self) -> list[str]:
        async with self.sessions() as session:
            return list(await session.scalars(select(CaseTransition.event).where(
                CaseTransition.case_number == self.case_number).order_by(CaseTransition.seq)))

    async def documents(self) -> list[IssuedDocumentRow]:
        async with self.sessions() as session:  # in the registry's order: a family's holder first
            return await document_registry.of_case(session, self.case_number)

    async def documents_when(self, check) -> list[IssuedDocumentRow]:
        """The case's documents once `check(documents)` holds: a document or a change of status
        follows the decision that caused it, after the decision's answer."""
        from tests.conftest import eventually

        async def ready():
            docs = await self.documents()
            return docs if check(docs) else None

        return await eventually(ready)

    async def open_tasks(self) -> list[Task]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Task).where(Task.case_number == self.case_number,
                                                                   Task.closed_at.is_(None))))

    async def open_task_count(self) -> int:
        async with self.sessions() as session:
            return await session.scalar(select(func.count()).select_from(Task).where(
                Task.case_number == self.case_number, Task.closed_at.is_(None)))


async def rejected(update, kind: str) -> str:
    """Await an update that a validator must reject; returns the message."""
    try:
        await update
    except WorkflowUpdateFailedError as err:
        assert isinstance(err.cause, ApplicationError), err.cause
        assert err.cause.type == kind, (err.cause.type, err.cause.message)
        return err.cause.message
    raise AssertionError(f"update was accepted; expected rejection {kind}")


async def through_to_decision(d: CaseDriver, *, conclusion: str = "recommend_recognition") -> None:
    """Register, interview, verify and conclude: the case waits for the supervisor's decision."""
    await d.decide("registration", "register", "registrar")
    now = await d.env.get_current_time() if d.env else datetime.now().astimezone()  # the case's clock
    at = (now + timedelta(days=3)).isoformat()
    await d.decide("interview", "schedule_interview", "case_officer", data={"interview_at": at, "place": "Bishkek office"})
    held = (datetime.now().astimezone() - timedelta(hours=1)).isoformat()  # an interview record is of the past
    await d.decide("interview", "record_interview", "case_officer",
                   data={"held_at": held, "interpreter_language": "dari", "summary": "Consistent account."})
    await d.decide("verification", "complete_verification", "case_officer",
                   data={"identity_established": True, "security_checks_done": True})
    reason = "Well-founded fear established." if conclusion == "recommend_recognition" else "Account not credible."
    data = {} if conclusion == "recommend_recognition" else {"ground": "not_credible"}
    await d.decide("conclusion", conclusion, "case_officer", reason=reason, data=data)


async def workflow_task_in_flight(handle) -> bool:
    """A workflow task scheduled and not yet completed, as the history says (the time-skipping
    server does not report it in the description): terminating a workflow under it can leave the
    time-skipping server's clock locked for every later test, and its events are not yet in the
    history a test may be counting."""
    in_flight = False
    async for event in handle.fetch_history_events():
        kind = event.WhichOneof("attributes")
        if kind == "workflow_task_scheduled_event_attributes":
            in_flight = True
        elif kind in ("workflow_task_completed_event_attributes", "workflow_task_failed_event_attributes",
                      "workflow_task_timed_out_event_attributes"):
            in_flight = False
    return in_flight
