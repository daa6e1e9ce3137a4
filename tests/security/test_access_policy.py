"""Least privilege, as a role × route × field matrix: who sees which procedure's cases, and which
parts of each dossier, through the JSON API and the pages alike."""

import uuid

import pytest
from sqlalchemy import select

from api import policy
from api.deps import Staff
from api.security import ROLES
from api.services.applications import submit_application
from db.models import AuditEntry
from schemas.procedures import PROCEDURES
from stack.demo import DEMO_MISSIONS
from tests.api.helpers import Browser
from tests.conftest import PASSWORD, SECRET
from tests.factories import APPLICATIONS


@pytest.fixture(scope="module")
async def cases(sessions) -> dict[str, str]:
    """One stored case per procedure (the policy is about reading; no workflow is needed)."""
    numbers = {}
    async with sessions.begin() as s:
        for slug, proc in PROCEDURES.items():
            app = proc.application.model_validate(APPLICATIONS[slug]())
            numbers[slug] = (await submit_application(s, proc, app, str(uuid.uuid4()), SECRET)).case.case_number
    return numbers


def stored(procedure: str) -> dict:
    return PROCEDURES[procedure].application.model_validate(APPLICATIONS[procedure]()).model_dump(mode="json")


def seen(role: str, procedure: str, mission: str | None = None) -> frozenset[str]:
    """The parts of a case lodged at `mission` (None: at home) that the demo account `role` sees."""
    return policy.case_parts(Staff(role, (role,), DEMO_MISSIONS.get(role)), procedure, mission)


def expected_fields(role: str, procedure: str) -> set[str]:
    return set(policy.application_view(seen(role, procedure), procedure, stored(procedure)))


@pytest.mark.parametrize("procedure", list(PROCEDURES))
@pytest.mark.parametrize("role", ROLES)
async def test_case_detail_shows_only_the_parts_of_the_role(api, tokens, cases, role, procedure):
    n = cases[procedure]
    r = await api.get(f"/api/v1/cases/{n}", headers=await tokens(role))
    if not seen(role, procedure):
        assert r.status_code == 403, r.text
        return
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body["application"]) == expected_fields(role, procedure)
    assert set(body["hidden_parts"]) == set(policy.hidden_parts(seen(role, procedure), procedure))
    if "files" not in seen(role, procedure):
        assert body["files"] == []


@pytest.mark.parametrize("procedure", list(PROCEDURES))
@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
async def test_search_by_procedure_is_allowed_exactly_where_reading_is(api, tokens, cases, role, procedure):
    r = await api.get(f"/api/v1/cases?procedure={procedure}", headers=await tokens(role))
    assert r.status_code == (200 if policy.can_read([role], procedure) else 403), r.text


async def test_what_the_law_of_each_desk_says(api, tokens, cases):
    """Independent of the table: the cases the issue names."""
    finance = await tokens("finance_officer")
    assert (await api.get(f"/api/v1/cases/{cases['refugee']}", headers=finance)).status_code == 403
    payment = (await api.get(f"/api/v1/cases/{cases['repatriation']}", headers=finance)).json()["application"]
    assert "bank_account" in payment and "deceased" in payment and "contact" not in payment
    registrar = (await api.get(f"/api/v1/cases/{cases['refugee']}", headers=await tokens("registrar"))).json()
    assert "grounds" not in registrar["application"] and "applicant" in registrar["application"]
    assert "bank_account" not in (await api.get(f"/api/v1/cases/{cases['repatriation']}",
                                                headers=await tokens("registrar"))).json()["application"]
    auditor = (await api.get(f"/api/v1/cases/{cases['refugee']}", headers=await tokens("auditor"))).json()
    assert set(auditor["application"]) == set(stored("refugee")) and auditor["hidden_parts"] == []
    for slug, n in cases.items():
        assert (await api.get(f"/api/v1/cases/{n}", headers=await tokens("admin"))).status_code == 403, slug


async def test_every_deciding_role_can_read_its_procedure():
    for slug, proc in PROCEDURES.items():
        for step in proc.steps.values():
            assert policy.can_read([step.role], slug), (slug, step.name, step.role)


async def test_a_search_needs_a_query_or_a_filter_and_each_revealed_case_is_audited(api, tokens, cases, sessions):
    officer = await tokens("case_officer")
    assert (await api.get("/api/v1/cases", headers=officer)).status_code == 422
    assert (await api.post("/api/v1/cases/search", json={"q": " "}, headers=officer)).status_code == 422
    n = cases["refugee"]
    r = await api.post("/api/v1/cases/search", json={"q": n}, headers=officer)
    assert r.status_code == 200 and [c["case_number"] for c in r.json()["items"]] == [n]
    async with sessions() as s:
        revealed = list(await s.scalars(select(AuditEntry).where(AuditEntry.case_number == n,
                                                                 AuditEntry.action == "case_revealed_in_search")))
    assert revealed and revealed[-1].actor == "case_officer"
    # A finance officer's search never returns a refugee, whatever the query.
    found = (await api.post("/api/v1/cases/search", json={"q": n}, headers=await tokens("finance_officer"))).json()
    assert found["items"] == []


async def test_refusals_are_audited_and_the_auditors_timeline_is_theirs_alone(api, tokens, cases, sessions):
    n = cases["refugee"]
    assert (await api.get(f"/api/v1/cases/{n}", headers=await tokens("finance_officer"))).status_code == 403
    for role in ROLES:
        status = (await api.get(f"/api/v1/cases/{n}/history", headers=await tokens(role))).status_code
        assert (status == 403) == (role != "auditor"), (role, status)  # (no workflow was started: 409)
    async with sessions() as s:
        # The finance officer's refusals on this case, of the case and of its history (in any order).
        refused = set(await s.scalars(select(AuditEntry.detail["route"].astext).where(
            AuditEntry.case_number == n, AuditEntry.action == "access_refused", AuditEntry.actor == "finance_officer")))
    assert {"/api/v1/cases/{case_number}", "/api/v1/cases/{case_number}/history"} <= refused


@pytest.mark.parametrize("role", ROLES)
async def test_the_case_page_follows_the_same_policy(api, cases, role):
    browser = Browser(api)
    r = await browser.sign_in(role, PASSWORD)
    assert r.status_code == 303, r.text
    for slug, n in cases.items():
        for lang in ("ky", "ru"):
            page = await browser.get(f"/staff/cases/{n}?lang={lang}")
            assert page.status_code == (200 if seen(role, slug) else 403), (role, slug, lang)
            assert f'lang="{lang}"' in page.text
            if page.status_code == 200:
                holder = {"work-permit": "Zhang", "agency-permit": "Osmonov"}.get(slug)
                assert holder is None or holder in page.text, (role, slug)  # the person the case is about
            if page.status_code == 200 and slug == "refugee":
                assert ("Persecution" in page.text) == ("grounds" in seen(role, slug))
            if page.status_code == 200 and slug == "repatriation":  # the payment data, for those who pay
                assert ('data-part="bank_account"' in page.text) == ("payment" in seen(role, slug))
                assert 'data-part="deceased"' in page.text
