"""Transitions written by a local activity, inside a workflow task that may never complete: the
retry of that task supersedes what the lost attempt wrote, and the lost attempt's late writes are
refused. Each scenario is a worker that dies (or stalls past the workflow task timeout) after
writing, and a retry that records something else under the same seq: here the engine did not hand
it the registrar's decision the lost attempt took, and it records the applicant's withdrawal."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from activities.read_model import ReadModelActivities
from db.models import AuditEntry, Case, CaseTransition, Notification, SupersededTransition, Task
from db.repositories.audit_verify import verify_chain
from schemas.messages import TaskRecord, TransitionRecord
from tests.activities.test_read_model import new_case
from tests.conftest import AUDIT_KEYS

LODGED, LOST, RETRY = 1000, 2000, 3000  # task marks: the lodging task, the lost attempt, its retry
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def task(n: str, seq: int, step: str, role: str = "registrar") -> TaskRecord:
    return TaskRecord(f"{n}:{seq}:{step}", step, role, step.title(), T0 + timedelta(days=3), ["done"])


def record(n: str, seq: int, mark: int, event: str, state: str, *, minutes: int = 0, **kw) -> TransitionRecord:
    return TransitionRecord(case_number=n, seq=seq, at=T0 + timedelta(minutes=minutes), event=event, state=state,
                            task_mark=mark, **kw)


async def lodged_then_lost_attempt(sessions) -> tuple[str, ReadModelActivities]:
    """Seq 1 lodged (registration open); then an attempt that is lost: seq 2 registered (the
    applicant told), seq 3 the interview opened."""
    n = await new_case(sessions)
    acts = ReadModelActivities(sessions)
    registration, interview = task(n, 1, "registration"), task(n, 3, "interview", "case_officer")
    await acts.record_transition(record(n, 1, LODGED, "lodged", "LODGED", open_tasks=[registration],
                                        open_now=[registration.task_id]))
    await acts.record_transition(record(n, 2, LOST, "decided", "REGISTERED", close_tasks=[registration.task_id],
                                        open_now=[], public_note="registered", notify_applicant=True, actor="reg1"))
    await acts.record_transition(record(n, 3, LOST, "task_opened", "REGISTERED", open_tasks=[interview],
                                        open_now=[interview.task_id]))
    return n, acts


async def read(sessions, n: str):
    async with sessions() as s:
        transitions = list(await s.scalars(select(CaseTransition).where(CaseTransition.case_number == n)
                                           .order_by(CaseTransition.seq)))
        tasks = {t.task_id: t for t in await s.scalars(select(Task).where(Task.case_number == n))}
        notes = [x.message for x in await s.scalars(select(Notification).where(Notification.case_number == n)
                                                    .order_by(Notification.seq))]
        superseded = list(await s.scalars(select(SupersededTransition).where(SupersededTransition.case_number == n)
                                          .order_by(SupersededTransition.seq)))
        audit = [e.action for e in await s.scalars(select(AuditEntry).where(
            AuditEntry.case_number == n, AuditEntry.action != "application_submitted").order_by(AuditEntry.id))]
        return await s.get(Case, n), transitions, tasks, notes, superseded, audit


async def test_the_retry_of_a_lost_workflow_task_supersedes_what_it_wrote(sessions):
    n, acts = await lodged_then_lost_attempt(sessions)
    registration = f"{n}:1:registration"
    # The retry saw the withdrawal first: seq 2 is the withdrawal, and the registration never happened.
    await acts.record_transition(record(n, 2, RETRY, "withdrawn", "WITHDRAWN", minutes=1, close_tasks=[registration],
                                        open_now=[], public_note="withdrawn", notify_applicant=True))
    case, transitions, tasks, notes, superseded, audit = await read(sessions, n)
    assert [(t.seq, t.event, t.state) for t in transitions] == [(1, "lodged", "LODGED"), (2, "withdrawn", "WITHDRAWN")]
    assert (case.state, case.last_seq, case.last_task_mark) == ("WITHDRAWN", 2, RETRY)
    assert list(tasks) == [registration] and tasks[registration].closed_at is not None  # the interview never opened
    assert notes == ["withdrawn"]
    # What the lost attempt wrote is kept aside for the auditors, the unsent notification with it.
    assert [(s.seq, s.record["event"], s.superseded_by_task_mark) for s in superseded] == [
        (2, "decided", RETRY), (3, "task_opened", RETRY)]
    assert superseded[0].record["notification"]["message"] == "registered"
    assert audit == ["lodged", "decided", "task_opened", "transitions_superseded", "withdrawn"]
    async with sessions() as s:
        assert (await verify_chain(s, AUDIT_KEYS)).ok


async def test_a_retry_that_keeps_a_step_open_reopens_the_task_the_lost_attempt_closed(sessions):
    n, acts = await lodged_then_lost_attempt(sessions)
    registration = f"{n}:1:registration"
    await acts.record_transition(record(n, 2, RETRY, "documents_provided", "LODGED", minutes=1,
                                        open_now=[registration], actor="applicant"))
    case, transitions, tasks, _, _, _ = await read(sessions, n)
    assert [t.event for t in transitions] == ["lodged", "documents_provided"]
    assert case.state == "LODGED" and list(tasks) == [registration] and tasks[registration].closed_at is None


async def test_the_same_path_retried_later_changes_nothing(sessions):
    n, acts = await lodged_then_lost_attempt(sessions)
    # The retry took the same path: same transitions, written at a later workflow time.
    await acts.record_transition(record(n, 2, RETRY, "decided", "REGISTERED", minutes=5,
                                        close_tasks=[f"{n}:1:registration"], open_now=[], public_note="registered",
                                        notify_applicant=True, actor="reg1"))
    case, transitions, tasks, notes, superseded, audit = await read(sessions, n)
    assert [t.event for t in transitions] == ["lodged", "decided", "task_opened"] and superseded == []
    assert audit == ["lodged", "decided", "task_opened"] and notes == ["registered"]
    assert case.last_seq == 3 and tasks[f"{n}:3:interview"].closed_at is None
    # and the lost attempt, still running somewhere, may no longer write.
    await acts.record_transition(record(n, 4, LOST, "task_opened", "REGISTERED", open_now=[]))
    assert [t.event for t in (await read(sessions, n))[1]] == ["lodged", "decided", "task_opened"]


async def test_a_late_write_from_the_lost_attempt_is_refused(sessions):
    n, acts = await lodged_then_lost_attempt(sessions)
    await acts.record_transition(record(n, 2, RETRY, "withdrawn", "WITHDRAWN", close_tasks=[f"{n}:1:registration"],
                                        open_now=[]))
    # The lost attempt's worker was only stalled: it goes on writing, at the same seq and the next ones.
    await acts.record_transition(record(n, 2, LOST, "decided", "REGISTERED", open_now=[], actor="reg1"))
    await acts.record_transition(record(n, 3, LOST, "task_opened", "REGISTERED",
                                        open_tasks=[task(n, 3, "interview")], open_now=[f"{n}:3:interview"]))
    case, transitions, tasks, _, superseded, audit = await read(sessions, n)
    assert [t.event for t in transitions] == ["lodged", "withdrawn"] and case.state == "WITHDRAWN"
    assert list(tasks) == [f"{n}:1:registration"] and len(superseded) == 2
    assert audit == ["lodged", "decided", "task_opened", "transitions_superseded", "withdrawn"]


async def test_transitions_recorded_by_activity_tasks_are_never_superseded(sessions):
    n = await new_case(sessions)
    acts = ReadModelActivities(sessions)
    await acts.record_transition(TransitionRecord(case_number=n, seq=1, at=T0, event="lodged", state="LODGED"))
    await acts.record_transition(TransitionRecord(case_number=n, seq=1, at=T0, event="other", state="OTHER"))
    _, transitions, _, _, superseded, _ = await read(sessions, n)
    assert [t.event for t in transitions] == ["lodged"] and superseded == []
