"""Activities are idempotent: a retried or replayed activity changes nothing twice."""

import uuid
from datetime import datetime, timezone

from sqlalchemy import func, select

from activities.read_model import ReadModelActivities
from api.services.applications import submit_application
from db.models import AuditEntry, Case, CaseTransition, Notification, Task
from schemas.messages import TaskRecord, TransitionRecord
from schemas.procedures import PROCEDURES
from schemas.refugee import RefugeeApplication
from tests.conftest import SECRET
from tests.factories import refugee_application


async def new_case(sessions) -> str:
    async with sessions.begin() as session:
        app = RefugeeApplication.model_validate(refugee_application())
        return (await submit_application(session, PROCEDURES["refugee"], app, str(uuid.uuid4()), SECRET)).case.case_number


def transition(case_number: str, seq: int, **kw) -> TransitionRecord:
    return TransitionRecord(case_number=case_number, seq=seq, at=datetime.now(timezone.utc), **kw)


async def count(sessions, model, *where) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def test_a_transition_applied_twice_is_recorded_once(sessions):
    n = await new_case(sessions)
    acts = ReadModelActivities(sessions)
    task = TaskRecord(f"{n}:1:registration", "registration", "registrar", "Register", None, ["register"])
    record = transition(n, 1, state="LODGED", event="lodged", open_tasks=[task], public_note="application_lodged",
                        notify_applicant=True)
    await acts.record_transition(record)
    await acts.record_transition(record)
    assert await count(sessions, CaseTransition, CaseTransition.case_number == n) == 1
    assert await count(sessions, Task, Task.case_number == n) == 1
    assert await count(sessions, Notification, Notification.case_number == n) == 1
    assert await count(sessions, AuditEntry, AuditEntry.case_number == n, AuditEntry.action == "lodged") == 1


async def test_an_older_transition_arriving_late_does_not_move_the_case_back(sessions):
    n = await new_case(sessions)
    acts = ReadModelActivities(sessions)
    await acts.record_transition(transition(n, 2, state="REGISTERED", event="decided"))
    await acts.record_transition(transition(n, 1, state="LODGED", event="lodged"))
    async with sessions() as s:
        case = await s.get(Case, n)
    assert case.state == "REGISTERED" and case.last_seq == 2


