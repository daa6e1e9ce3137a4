"""Workflows that are not the case's, started by someone with access to the engine's port (issue 29):
a twin started under another ID from a case's copied input records nothing and ends; a write in a
case's name from another chain of runs is refused and audited; a workflow started by hand under the
next case number is ended when the API starts that case, and the applicant gets a live case."""

import uuid
from datetime import timedelta

from sqlalchemy import select
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.converter import DataConverter

from activities.read_model import ReadModelActivities
from api.services.workflows import StartOutcome, case_input, ensure_started, start_pending_workflows, started_by_aryz
from db.models import AuditEntry
from db.repositories.audit_verify import verify_chain
from schemas.messages import CaseOutcome, CaseStart, TransitionRecord
from schemas.procedures import PROCEDURES
from tests.api.test_pending_start import _stored
from tests.conftest import API_QUEUE, AUDIT_KEYS, SEALER, SIGNER
from tests.workflows.harness import CaseDriver
from workflows.steps.case_workflow import NOT_THE_CASES


async def _audited(sessions, case_number: str, action: str) -> list[AuditEntry]:
    async with sessions() as s:
        return list(await s.scalars(select(AuditEntry).where(AuditEntry.case_number == case_number,
                                                             AuditEntry.action == action)))


async def test_a_twin_started_from_a_cases_input_records_nothing_and_ends(dev_env, sessions, dev_worker):
    case = CaseDriver(dev_env.client, sessions, API_QUEUE)
    await case.lodge()
    await case.wait_task("registration")
    before = await case.events()
    copied = case_input(await case.case(), (await case.case()).lodged_at, SEALER, SIGNER)  # the case's own input
    twin = await dev_env.client.start_workflow(
        PROCEDURES["refugee"].workflow, copied, id=f"twin-{uuid.uuid4().hex[:8]}", task_queue=API_QUEUE,
        result_type=CaseOutcome)
    assert (await twin.result()).state == NOT_THE_CASES
    assert await case.events() == before
    await case.decide("registration", "register", "registrar")  # the case's own workflow goes on
    assert (await case.wait_state("REGISTERED")).state == "REGISTERED"


async def test_a_write_from_another_chain_of_runs_is_refused_and_audited(dev_env, sessions, dev_worker):
    case = CaseDriver(dev_env.client, sessions, API_QUEUE)
    await case.lodge()
    await case.wait_task("registration")
    bound = await case.case()
    assert bound.workflow_chain == (await case.handle.describe()).raw_description.workflow_execution_info \
        .first_run_id
    # What a twin of an older build, or any workflow of another chain, would write: the case's next
    # seq, its first transition again (as a retry would), and a later one from a newer task.
    acts = ReadModelActivities(sessions)
    foreign = dict(case_number=case.case_number, at=bound.updated_at + timedelta(minutes=1), chain="someone-else",
                   task_mark=(1 << 62))
    await acts.record_transition(TransitionRecord(seq=bound.last_seq + 1, state="REGISTERED", event="decided",
                                                  step="registration", outcome="register", **foreign))
    await acts.record_transition(TransitionRecord(seq=1, state="LODGED", event="lodged", **foreign))
    after = await case.case()
    assert (after.state, after.last_seq, after.last_task_mark) == (bound.state, bound.last_seq, bound.last_task_mark)
    refused = await _audited(sessions, case.case_number, "foreign_workflow_refused")
    assert sorted(e.detail["seq"] for e in refused) == [1, bound.last_seq + 1]
    async with sessions() as s:
        assert (await verify_chain(s, AUDIT_KEYS, [])).ok
    await case.decide("registration", "register", "registrar")
    assert (await case.wait_state("REGISTERED")).state == "REGISTERED"


async def test_a_case_number_taken_around_the_api_is_freed_and_the_applicant_gets_a_live_case(
        dev_env, sessions, dev_worker):
    stored = await _stored(sessions)  # submitted; its workflow not started yet
    # Someone with the engine's port starts a workflow under that number first, with an input of
    # their own (not encrypted: they have no keys), as `temporal workflow start` would.
    raw = Client(dev_env.client.service_client, namespace=dev_env.client.namespace,
                 data_converter=DataConverter.default)
    squatter = await raw.start_workflow("RefugeeRecognitionWorkflow", {"case_number": stored.case_number},
                                        id=stored.case_number, task_queue=API_QUEUE,
                                        memo={"aryz_start": {"case_number": stored.case_number}})
    assert not await started_by_aryz(dev_env.client, stored.case_number)
    await start_pending_workflows(sessions, dev_env.client, API_QUEUE, SIGNER)  # as the API's sweep does
    assert len(await _audited(sessions, stored.case_number, "squatter_evicted")) == 1
    squatted = await dev_env.client.get_workflow_handle(stored.case_number, run_id=squatter.result_run_id).describe()
    assert squatted.status == WorkflowExecutionStatus.TERMINATED
    assert await started_by_aryz(dev_env.client, stored.case_number)
    case = CaseDriver(dev_env.client, sessions, API_QUEUE)
    case.case_number, case.handle = stored.case_number, dev_env.client.get_workflow_handle(stored.case_number)
    await case.wait_task("registration")  # a live case, in the registrar's inbox
    # Starting it again (a retried submission, the sweep) finds the case's own workflow.
    assert await ensure_started(dev_env.client, stored, API_QUEUE, SEALER, SIGNER) is StartOutcome.ALREADY_STARTED


async def test_a_squatter_that_copied_another_cases_memo_is_not_taken_for_the_cases(dev_env, sessions, dev_worker):
    victim, stored = CaseDriver(dev_env.client, sessions, API_QUEUE), await _stored(sessions)
    await victim.lodge()
    # The victim's memo, as it is (the same sealed CaseStart the API made for the victim's case).
    copied = await (await victim.handle.describe()).memo_value("aryz_start", type_hint=CaseStart)
    await dev_env.client.start_workflow("RefugeeRecognitionWorkflow", "x", id=stored.case_number,
                                        task_queue=f"nobody-{uuid.uuid4()}", memo={"aryz_start": copied})
    assert not await started_by_aryz(dev_env.client, stored.case_number)  # the memo names the victim's case
    assert await ensure_started(dev_env.client, stored, API_QUEUE, SEALER, SIGNER) is StartOutcome.SQUATTER_EVICTED
    case = CaseDriver(dev_env.client, sessions, API_QUEUE)
    case.case_number, case.handle = stored.case_number, dev_env.client.get_workflow_handle(stored.case_number)
    await case.wait_task("registration")
