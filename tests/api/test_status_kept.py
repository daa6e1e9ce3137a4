"""Status answers kept in memory (api/status_cache.py) are never told after their case changed:
whoever changes a case's row, its transitions or its documents, PostgreSQL tells the API (the
trigger of migration 0016), and while the API cannot hear, it keeps nothing."""

import uuid
from datetime import datetime, timezone

import httpx
import pytest
from sqlalchemy import text
from temporalio.client import Client

from api.app import create_app
from api.services.applications import submit_application
from api.status_cache import LOOKUPS
from db.repositories import documents
from db.repositories.transitions import apply_transition
from schemas.messages import TransitionRecord
from schemas.procedures import PROCEDURES
from schemas.refugee import RefugeeApplication
from tests.api.helpers import heard_all
from tests.conftest import SECRET, eventually, make_settings
from tests.factories import refugee_application


@pytest.fixture(scope="module")
async def served(database_url_):
    """The API with Temporal out of reach: a status look-up never needs it."""
    temporal = await Client.connect("127.0.0.1:1", lazy=True)
    app = create_app(make_settings(database_url_, "aryz-kept-tests"), temporal=temporal)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://aryz.test") as client:
            await eventually(lambda: _true(app.state.status_cache.live), timeout=10)
            yield app, client


async def _true(value):
    return value


async def _lodged(app, sessions) -> tuple[str, dict]:
    async with sessions.begin() as s:
        application = RefugeeApplication.model_validate(refugee_application())
        result = await submit_application(s, PROCEDURES["refugee"], application, str(uuid.uuid4()), SECRET)
    await heard_all(app)  # else the notice of its lodging could arrive after it is looked up
    return result.case.case_number, {"X-Access-Code": result.access_code}


def _looked_up(result: str) -> float:
    return LOOKUPS.labels(result)._value.get()


async def test_an_unchanged_case_is_answered_from_memory_in_each_language_and_the_code_still_checked(served, sessions):
    app, client = served
    n, code = await _lodged(app, sessions)
    url = f"/api/v1/cases/{n}/status"
    first = await client.get(url, headers={**code, "Accept-Language": "ru"})
    read, kept = _looked_up("read"), _looked_up("memory")
    again = await client.get(url, headers={**code, "Accept-Language": "ru"})
    assert (_looked_up("read"), _looked_up("memory")) == (read, kept + 1)
    assert again.status_code == 200 and again.content == first.content
    assert again.headers["content-type"] == "application/json"
    assert again.headers["cache-control"] == "no-store"
    # Each language is an answer of its own.
    english = await client.get(url, headers={**code, "Accept-Language": "en"})
    assert english.json()["state_text"] != again.json()["state_text"]
    assert {k: v for k, v in english.json().items() if not k.endswith("_text") and k != "timeline"} == \
           {k: v for k, v in again.json().items() if not k.endswith("_text") and k != "timeline"}
    # A wrong code on a kept answer is refused as on one read: the same 404, counted against the case.
    wrong = await client.get(url, headers={"X-Access-Code": "WRONG-CODE", "Accept-Language": "ru"})
    assert wrong.status_code == 404 and wrong.json()["code"] == "no_case_with_code"
    missing = await client.get(url)
    too_long = await client.get(url, headers={"X-Access-Code": "A" * 65})  # the header is read, not declared
    assert missing.status_code == too_long.status_code == 404 and too_long.json()["code"] == "no_case_with_code"
    assert (await client.get(url, headers={**code, "Accept-Language": "ru"})).content == first.content


async def test_a_case_changed_by_any_writer_is_read_again(served, sessions):
    app, client = served
    n, code = await _lodged(app, sessions)
    url = f"/api/v1/cases/{n}/status"
    assert (await client.get(url, headers=code)).json()["timeline"] == []
    assert (await client.get(url, headers=code)).json()["state"] == "LODGED"  # now kept

    # The worker's way: a transition with a note for the applicant.
    async with sessions.begin() as s:
        await apply_transition(s, TransitionRecord(
            case_number=n, seq=1, at=datetime.now(timezone.utc), state="REGISTERED", event="decided",
            step="registration", outcome="register", actor="registrar", actor_role="registrar", reason="",
            public_note="application_registered", awaiting="case_officer: Interview"))

    async def registered():
        answer = (await client.get(url, headers=code)).json()
        return answer if answer["state"] == "REGISTERED" else None
    answer = await eventually(registered, timeout=5)
    assert [e["note_key"] for e in answer["timeline"]] == ["application_registered"]

    # A document issued.
    async with sessions.begin() as s:
        await documents.issue(s, issue_key=f"{n}:RC:kept-test", case_number=n, doc_type="RC", region="GB",
                              issued_at=datetime.now(timezone.utc), valid_until=None, holder_initials="D. K.",
                              replaces="", seal_for=lambda number: "seal")

    async def with_document():
        answer = (await client.get(url, headers=code)).json()
        return answer if answer["documents"] else None
    assert [d["holder_initials"] for d in (await eventually(with_document, timeout=5))["documents"]] == ["D. K."]

    # A repair made by hand, outside aryz's code.
    async with sessions.begin() as s:
        await s.execute(text("UPDATE cases SET awaiting = 'by hand' WHERE case_number = :n"), {"n": n})

    async def repaired():
        answer = (await client.get(url, headers=code)).json()
        return answer if answer["awaiting"] == "by hand" else None
    await eventually(repaired, timeout=5)


async def test_while_the_api_cannot_hear_of_changes_it_keeps_nothing(served, sessions):
    app, client = served
    cache, listener = app.state.status_cache, app.state.case_changes
    n, code = await _lodged(app, sessions)
    url = f"/api/v1/cases/{n}/status"
    await client.get(url, headers=code)
    assert (n, "en") in cache._kept
    pid = listener.connection.get_server_pid()
    async with sessions.begin() as s:  # as a restart of PostgreSQL or a dropped connection would
        await s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await eventually(lambda: _true(not cache.live), timeout=5)
    assert len(cache) == 0
    read = _looked_up("read")
    await client.get(url, headers=code)
    await client.get(url, headers=code)
    assert _looked_up("read") == read + 2 and len(cache) == 0
    # It listens again on a new connection, and keeps answers again.
    await eventually(lambda: _true(cache.live), timeout=10)
    assert listener.connection.get_server_pid() != pid
    await client.get(url, headers=code)
    assert (n, "en") in cache._kept
