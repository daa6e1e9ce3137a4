"""The reconciler holds each case's read model against the engine's history (issue 29, phantom
decisions): a decision written by a workflow task that was lost with its Update, which the engine
never took and no retry ever records again, is withdrawn, and the case waits in the inbox again.
The writes of the lost task are made here as that task made them (the same activity, the task's
mark); tests/faults/test_lost_workflow_task.py shows a worker writing them and dying."""

import contextlib
import uuid
from datetime import timedelta

from sqlalchemy import select
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import ResetReapplyType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest

from activities.read_model import ReadModelActivities
from activities.reconciler import Reconciler, waits_for_nothing
from db.models import AuditEntry, SupersededTransition
from db.repositories.audit_verify import verify_chain
from schemas.messages import TaskRecord, TransitionRecord
from schemas.procedures import ENDED_IN_ENGINE
from tests.conftest import AUDIT_KEYS, DOCUMENT_SIGNER, PUBLIC_URL, eventually
from tests.workflows.harness import CaseDriver
from worker import build_worker


@contextlib.asynccontextmanager
async def reconciling(dev_env, sessions):
    """A queue of its own with its worker running, a driver for a case on it, a reconciler with no grace."""
    queue = f"aryz-reconcile-{uuid.uuid4().hex[:6]}"
    async with build_worker(dev_env.client, sessions, queue, DOCUMENT_SIGNER, PUBLIC_URL):
        yield CaseDriver(dev_env.client, sessions, queue), Reconciler(dev_env.client, sessions, grace=timedelta(0)), queue


async def lost_registration(driver: CaseDriver, sessions) -> int:
    """What a workflow task that took the registrar's decision wrote before it was lost with the
    server: the decision (registration closed, the applicant told) and the interview opened."""
    case, description = await driver.case(), await driver.handle.describe()
    start_ms = int(description.start_time.timestamp() * 1000)
    mark = (start_ms << 20) | description.history_length  # the lost task began on the history as it is
    registration = await driver.open_task("registration")
    seq = case.last_seq + 1
    interview = TaskRecord(f"{driver.case_number}:{seq + 1}:interview", "interview", "case_officer", "Interview",
                           case.deadline, ["schedule_interview"])
    acts = ReadModelActivities(sessions)
    await acts.record_transition(TransitionRecord(
        case_number=driver.case_number, seq=seq, at=description.start_time + timedelta(minutes=1), state="REGISTERED",
        event="decided", step="registration", outcome="register", actor="registrar", actor_role="registrar",
        close_tasks=[registration.task_id], public_note="registered", notify_applicant=True, task_mark=mark,
        open_now=[]))
    await acts.record_transition(TransitionRecord(
        case_number=driver.case_number, seq=seq + 1, at=description.start_time + timedelta(minutes=1),
        state="REGISTERED", event="task_opened", open_tasks=[interview], task_mark=mark, open_now=[interview.task_id]))
    return seq


async def test_a_decision_the_engine_never_took_is_withdrawn_and_the_case_waits_in_the_inbox_again(
        dev_env, sessions):
    async with reconciling(dev_env, sessions) as (driver, reconciler, queue):
        await driver.lodge()
        registration = await driver.wait_task("registration")
        untouched = await reconciler.check([driver.case_number])
        assert untouched.checked == 1 and untouched.out_of_step == [] and untouched.not_answering == []
        assert untouched.waiting_for_nothing == []  # its registration task is open, its clock running
        engine = await reconciler.engine_state(driver.case_number)
        assert engine.clocks == ["registration"] and waits_for_nothing(engine) is False
        assert waits_for_nothing(type(engine)(engine.seq, "REGISTERED", "", None, [], []))  # nothing could move it

        seq = await lost_registration(driver, sessions)
        assert (await driver.case()).state == "REGISTERED" and await driver.open_task("registration") is None

        found = await reconciler.check([driver.case_number])
        assert found.out_of_step == found.reconciled == [driver.case_number]
        case = await driver.case()
        assert (case.state, case.last_seq) == ("LODGED", seq - 1)
        assert (await driver.open_task("registration")).task_id == registration.task_id  # in the inbox again
        assert await driver.open_task("interview") is None and await driver.open_task_count() == 1
        async with sessions() as s:
            withdrawn = list(await s.scalars(select(SupersededTransition).where(
                SupersededTransition.case_number == driver.case_number).order_by(SupersededTransition.seq)))
            entry = await s.scalar(select(AuditEntry).where(AuditEntry.case_number == driver.case_number,
                                                            AuditEntry.action == "transitions_reconciled"))
            assert (await verify_chain(s, AUDIT_KEYS, [])).ok
        assert [(w.seq, w.record["event"], w.record["notification"]["message"] if w.record["notification"] else None)
                for w in withdrawn] == [(seq, "decided", "registered"), (seq + 1, "task_opened", None)]
        assert entry.detail["engine"] == {"seq": seq - 1, "state": "LODGED", "open_tasks": [registration.task_id]}
        assert [w["event"] for w in entry.detail["withdrawn"]] == ["decided", "task_opened"]

        # The registrar decides again, and this time the engine takes it: the records follow it.
        result = await driver.try_decide("registration", "register", "registrar")
        assert result.state == "REGISTERED"
        await driver.wait_task("interview")
        events = await driver.events()
        assert events[seq - 1] == "decided" and events.count("decided") == 1
        assert (await reconciler.check([driver.case_number])).out_of_step == []


async def test_a_read_model_behind_the_engine_is_left_to_catch_up_and_a_case_without_workflow_is_reported(
        dev_env, sessions):
    async with reconciling(dev_env, sessions) as (driver, reconciler, queue):
        await driver.lodge()
        await driver.wait_task("registration")
        engine = await reconciler.engine_state(driver.case_number)
        assert engine.state == "LODGED" and engine.open_tasks == [(await driver.open_task("registration")).task_id]
        # The engine one transition ahead (its record still being retried into the database): not touched.
        ahead = type(engine)(engine.seq + 1, "REGISTERED", "", None, [])
        reconciler.engine_state = lambda number, real=reconciler.engine_state: _ahead(number, ahead)
        assert (await reconciler.check([driver.case_number])).out_of_step == []
    missing = Reconciler(dev_env.client, sessions, grace=timedelta(0))
    other = CaseDriver(dev_env.client, sessions, queue)
    async with sessions.begin() as s:  # a case in the read model whose workflow the engine never had
        from api.services.applications import submit_application
        from schemas.procedures import PROCEDURES
        from tests.conftest import SECRET
        from tests.factories import APPLICATIONS
        proc = PROCEDURES["refugee"]
        submitted = await submit_application(s, proc, proc.application.model_validate(APPLICATIONS["refugee"]()),
                                             f"test-{uuid.uuid4()}", SECRET)
        other.case_number = submitted.case.case_number
    found = await missing.check([other.case_number])
    assert found.not_answering == [other.case_number] and found.reconciled == []


async def _ahead(number, state):
    return state


async def test_a_case_terminated_through_the_engine_reads_ended_and_offers_nothing(dev_env, sessions):
    async with reconciling(dev_env, sessions) as (driver, reconciler, queue):
        await driver.lodge()
        await driver.wait_task("registration")
        await driver.handle.terminate("an operator ended it through the engine")
        found = await reconciler.check([driver.case_number])
    assert found.reconciled == [driver.case_number]
    case = await driver.case()
    assert case.state == ENDED_IN_ENGINE and case.awaiting == "" and await driver.open_task_count() == 0
    async with sessions() as s:
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.case_number == driver.case_number,
                                                        AuditEntry.action == "workflow_ended_in_engine"))
    assert entry.detail["workflow_status"] == "TERMINATED" and entry.detail["tasks_closed"]
    assert (await reconciler.check([driver.case_number])).out_of_step == []  # said once


async def test_a_reset_through_the_engine_is_followed_by_the_records(dev_env, sessions):
    """An operator resets a case to before its registration (the decision dropped, not reapplied):
    the records withdraw what the engine no longer holds, the registration waits again, and the
    reset run's own transitions are written (it serves the same chain of runs)."""
    async with reconciling(dev_env, sessions) as (driver, reconciler, queue):
        await driver.lodge()
        await driver.wait_task("registration")
        await driver.decide("registration", "register", "registrar")
        await driver.wait_task("interview")
        events = (await driver.handle.fetch_history()).events
        accepted = next(e.event_id for e in events if e.HasField("workflow_execution_update_accepted_event_attributes"))
        before = max(e.event_id for e in events if e.event_id < accepted
                     and e.HasField("workflow_task_completed_event_attributes"))
        await dev_env.client.workflow_service.reset_workflow_execution(ResetWorkflowExecutionRequest(
            namespace=dev_env.client.namespace, workflow_execution=WorkflowExecution(workflow_id=driver.case_number),
            reason="operator: undo a registration taken in error", workflow_task_finish_event_id=before,
            request_id=str(uuid.uuid4()), reset_reapply_type=ResetReapplyType.RESET_REAPPLY_TYPE_NONE))

        async def back_to_registration():
            await reconciler.check([driver.case_number])
            return await driver.open_task("registration")
        await eventually(back_to_registration, timeout=30)
        assert (await driver.case()).state == "LODGED" and await driver.open_task("interview") is None
        # The reset run is the case's own: the registrar decides again and it is recorded.
        await driver.try_decide("registration", "register", "registrar")
        await driver.wait_task("interview")
        assert (await driver.case()).state == "REGISTERED"
    async with sessions() as s:
        refused = await s.scalar(select(AuditEntry).where(AuditEntry.case_number == driver.case_number,
                                                          AuditEntry.action == "foreign_workflow_refused"))
    assert refused is None
