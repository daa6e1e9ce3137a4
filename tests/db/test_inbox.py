"""Inbox queries, each in a transaction rolled back after the test."""

from datetime import datetime, timedelta, timezone

from db.models import Case, Task
from db.repositories import tasks as task_repo


async def add_case_with_task(session, n: str, role: str, due_in: timedelta, escalated: bool = False) -> Task:
    now = datetime.now(timezone.utc)
    session.add(Case(case_number=n, procedure="refugee", state="LODGED", region="GB", applicant_name="Test",
                     application={}, access_code_hash="0" * 64, access_seed="s", dedupe_key=n, payload_hash="h"))
    task = Task(task_id=f"{n}:1:step", case_number=n, procedure="refugee", step="registration", role=role,
                title="Register", outcomes=["register"], due_at=now + due_in, opened_at=now,
                escalated_at=now if escalated else None)
    session.add(task)
    await session.flush()
    return task


async def test_supervisors_see_every_overdue_escalated_task_most_urgent_first(session):
    await add_case_with_task(session, "REF-1990-000001", "registrar", timedelta(days=2))
    await add_case_with_task(session, "REF-1990-000002", "registrar", timedelta(days=-1), escalated=True)
    await add_case_with_task(session, "REF-1990-000003", "supervisor", timedelta(days=1))
    supervisor = [t.case_number for t in await task_repo.inbox(session, ["supervisor"], username="s", mine=False)
                  if t.case_number.startswith("REF-1990")]
    registrar = [t.case_number for t in await task_repo.inbox(session, ["registrar"], username="r", mine=False)
                 if t.case_number.startswith("REF-1990")]
    assert supervisor == ["REF-1990-000002", "REF-1990-000003"]
    assert registrar == ["REF-1990-000002", "REF-1990-000001"]


async def test_claimed_tasks_show_under_mine_and_cannot_be_taken(session):
    task = await add_case_with_task(session, "REF-1990-000004", "registrar", timedelta(days=1))
    assert await task_repo.claim(session, task.task_id, "alice")
    assert not await task_repo.claim(session, task.task_id, "bob")
    mine = await task_repo.inbox(session, ["registrar"], username="alice", mine=True)
    assert task.task_id in [t.task_id for t in mine]


async def test_the_inbox_is_paged_most_urgent_first(session):
    """Fifty tasks a page, ordered by due date; a supervisor's escalated tasks merge into the same
    order without repeats."""
    number = "REF-1991-000001"
    first_task = await add_case_with_task(session, number, "legal_officer", timedelta(hours=200))
    now = first_task.opened_at
    for i in range(120):
        session.add(Task(task_id=f"{number}:p{i}", case_number=number, procedure="refugee", step="verification",
                         role="legal_officer", title="t", kind="task", outcomes=["x"], opened_at=now,
                         due_at=now + timedelta(hours=120 - i), escalated_at=now if i % 10 == 0 else None))
    await session.flush()
    first = await task_repo.inbox(session, ["legal_officer"], username="x", mine=False, case_number=number)
    second = await task_repo.inbox(session, ["legal_officer"], username="x", mine=False, page=2, case_number=number)
    assert len(first) == 50 and len(second) == 50
    assert [t.due_at for t in first + second] == sorted(t.due_at for t in first + second)
    assert not {t.task_id for t in first} & {t.task_id for t in second}
    both = await task_repo.inbox(session, ["legal_officer", "supervisor"], username="x", mine=False,
                                 case_number=number)
    assert len({t.task_id for t in both}) == 50 and [t.task_id for t in both] == [t.task_id for t in first]
