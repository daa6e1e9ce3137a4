"""Submitting applications: one case per application, however often it is sent; bad input refused."""

import uuid
from datetime import date, timedelta

import pytest

from tests.api.helpers import snapshot, submit
from tests.factories import refugee_application, service_today

URL = "/api/v1/applications/refugee"


async def test_submission_returns_a_case_number_and_an_access_code_shown_once(api, sessions):
    body = await submit(api)
    assert body["state"] == "LODGED"
    year = service_today().year
    assert body["case_number"].startswith(f"REF-{year}-") and len(body["case_number"]) == len(f"REF-{year}-000001")
    assert len(body["access_code"]) == 14
    async with sessions() as s:
        from db.models import Case
        case = await s.get(Case, body["case_number"])
    assert body["access_code"] not in str(case.__dict__)  # only a hash is stored


@pytest.mark.parametrize("asked, kept", [("ru-RU,ru;q=0.9,en;q=0.5", "ru"), ("de, ky;q=0.3", "ky"), ("", "")])
async def test_the_language_asked_for_is_kept_for_texts_to_the_applicant(api, sessions, asked, kept):
    from db.models import Case

    headers = {"Idempotency-Key": str(uuid.uuid4()), **({"Accept-Language": asked} if asked else {})}
    r = await api.post(URL, json=refugee_application(), headers=headers)
    async with sessions() as s:
        assert (await s.get(Case, r.json()["case_number"])).lang == kept


async def test_the_same_idempotency_key_returns_the_same_case(api, sessions):
    key = str(uuid.uuid4())
    first = await api.post(URL, json=refugee_application(), headers={"Idempotency-Key": key})
    before = await snapshot(sessions)
    again = await api.post(URL, json=refugee_application(), headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotency-Replayed"] == "true"
    assert await snapshot(sessions) == before


async def test_an_idempotency_key_reused_for_another_application_is_refused(api, sessions):
    key = str(uuid.uuid4())
    await api.post(URL, json=refugee_application(), headers={"Idempotency-Key": key})
    before = await snapshot(sessions)
    r = await api.post(URL, json=refugee_application(grounds="A completely different story of persecution."),
                       headers={"Idempotency-Key": key})
    assert r.status_code == 422 and "different application" in r.json()["detail"]
    assert await snapshot(sessions) == before


async def test_the_same_application_retried_without_a_key_returns_the_same_case_but_not_its_code(api, sessions):
    app = refugee_application(grounds=f"Unique grounds for this retry test {uuid.uuid4()}")
    first = await api.post(URL, json=app)
    before = await snapshot(sessions)
    again = await api.post(URL, json=app)
    assert again.json()["case_number"] == first.json()["case_number"]
    # Whoever knows the applicant's details could send them again: that must not open the case.
    assert first.json()["access_code"] and again.json()["access_code"] is None
    assert await snapshot(sessions) == before


async def test_concurrent_retries_create_one_case(api, sessions):
    import asyncio
    key = str(uuid.uuid4())
    before = await snapshot(sessions)
    results = await asyncio.gather(*(api.post(URL, json=refugee_application(), headers={"Idempotency-Key": key})
                                     for _ in range(5)))
    assert {r.json()["case_number"] for r in results} == {results[0].json()["case_number"]}
    assert (await snapshot(sessions))[0] == before[0] + 1


def _without(path: str) -> dict:
    data = refugee_application()
    *parents, last = path.split(".")
    target = data
    for p in parents:
        target = target[p]
    del target[last]
    return data


BAD = {
    "missing applicant": (_without("applicant"), "applicant"),
    "missing date of birth": (_without("applicant.date_of_birth"), "applicant.date_of_birth"),
    "wrong type": (refugee_application(family_members="none"), "family_members"),
    "date in the future": (refugee_application(date_of_entry=(date.today() + timedelta(days=2)).isoformat()),
                           "date_of_entry"),
    "oversized grounds": (refugee_application(grounds="x" * 10_001), "grounds"),
    "unknown region": (refugee_application(region="XX"), "region"),
    "bad nationality": (refugee_application(applicant={**refugee_application()["applicant"], "nationality": "afghan"}),
                        "applicant.nationality"),
    "no way to reach": (refugee_application(contact={"address": "Bishkek"}), "contact"),
    "unexpected field": (refugee_application(favourite_colour="blue"), "favourite_colour"),
}


@pytest.mark.parametrize("name", BAD)
async def test_bad_applications_get_a_clear_422_and_change_nothing(api, sessions, name):
    payload, field = BAD[name]
    before = await snapshot(sessions)
    r = await api.post(URL, json=payload, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"]
    assert await snapshot(sessions) == before


async def test_malformed_json_is_a_422(api, sessions):
    before = await snapshot(sessions)
    r = await api.post(URL, content=b'{"applicant": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"]
    assert await snapshot(sessions) == before


async def test_an_oversized_body_is_a_413(api, sessions):
    before = await snapshot(sessions)
    r = await api.post(URL, content=b"{" + b" " * (2 * 1024 * 1024) + b"}", headers={"content-type": "application/json"})
    assert r.status_code == 413 and "larger than" in r.json()["detail"]
    assert await snapshot(sessions) == before


async def test_an_unknown_procedure_is_a_404(api):
    r = await api.post("/api/v1/applications/citizenship", json={})
    assert r.status_code == 404 and "unknown procedure" in r.json()["detail"]


async def test_a_bad_idempotency_key_is_a_422(api):
    r = await api.post(URL, json=refugee_application(), headers={"Idempotency-Key": "x" * 101})
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["detail"]


async def test_a_phone_no_text_can_reach_is_refused_in_the_readers_language_and_nothing_is_stored(api, sessions):
    app = refugee_application()
    app["contact"] = {"address": "Bishkek", "phone": "8 916 123 45 67"}
    before = await snapshot(sessions)
    r = await api.post(URL, json=app, headers={"Idempotency-Key": str(uuid.uuid4()), "Accept-Language": "ru"})
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["code"] == "phone_unreadable" and "contact" in str(error)
    assert "с кодом страны" in r.text
    assert await snapshot(sessions) == before
