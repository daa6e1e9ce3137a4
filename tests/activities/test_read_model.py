"""Activities are idempotent: a retried or replayed activity changes nothing twice."""

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from activities.documents import DocumentActivities
from activities.read_model import ReadModelActivities
from api.services.applications import submit_application
from db.models import AuditEntry, Case, CaseTransition, IssuedDocumentRow, Notification, Task
from schemas.messages import IssueDocumentInput, TaskRecord, TransitionRecord
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
    record = transition(n, 1, state="LODGED", event="lodged", open_tasks=[task], public_note="Lodged",
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


async def test_a_document_is_numbered_once_per_issue_key_even_under_concurrent_retries(sessions):
    n = await new_case(sessions)
    acts = DocumentActivities(sessions)
    now = datetime.now(timezone.utc)
    req = IssueDocumentInput(n, "RC", f"{n}:RC:1", "GB", now, now + timedelta(days=365))

    async def attempt():
        try:
            return await acts.issue_document(req)
        except Exception:  # the loser of the race fails on the unique key; Temporal would retry it
            return await acts.issue_document(req)

    results = await asyncio.gather(*(attempt() for _ in range(5)))
    assert len({r.number for r in results}) == 1
    assert await count(sessions, IssuedDocumentRow, IssuedDocumentRow.case_number == n) == 1


async def test_document_numbers_are_unique_and_gap_free_per_type_region_and_year(sessions):
    numbers = []
    acts = DocumentActivities(sessions)
    now = datetime.now(timezone.utc)
    for _ in range(3):
        n = await new_case(sessions)
        numbers.append((await acts.issue_document(IssueDocumentInput(n, "AC", f"{n}:AC:1", "O", now, None))).number)
    seqs = [int(x.rsplit("-", 1)[1]) for x in numbers]
    assert all(x.startswith(f"AC-O-{now.year}-") for x in numbers)
    assert seqs == list(range(seqs[0], seqs[0] + 3))
