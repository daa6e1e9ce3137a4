"""Every staff page, for every role, in Kyrgyz and Russian: the right answer (200, or 403 for a
role that may not see it), never a 500, and no English word from the catalogue on the page."""

import html
import re
import uuid

import pytest
from sqlalchemy import func, select

from api import i18n, policy
from api.deps import Staff
from api.forms.fields import form_fields
from api.i18n.catalogues import read_source
from api.security import ROLES
from db.models import Case
from schemas.procedures import PROCEDURES
from stack.demo import DEMO_MISSIONS
from tests.factories import (
    agency_permit_application,
    kairylman_application,
    refugee_application,
    repatriation_application,
    work_permit_application,
)
from tests.i18n.test_catalogues import TECHNICAL_TERMS
from tests.workspace.conftest import signed_in

APPLICATIONS = {"refugee": refugee_application, "kairylman": kairylman_application,
                "repatriation": repatriation_application, "work-permit": work_permit_application,
                "agency-permit": agency_permit_application}
# Words on a page that are data, not interface: the demo accounts' usernames, and what the
# factories' applicants typed (in English, as a foreigner might).
DATA_WORDS = {w for role in (*ROLES, "senior") for w in re.findall(r"[a-z]{4,}", role)} | {"system"} | TECHNICAL_TERMS
ENGLISH = {w.lower() for m in read_source("en") if m.id
           for w in re.findall(r"[A-Za-z]{5,}", re.sub(r"\{[a-z_]+\}", "", m.string))}


def _all_fields(fields):
    for f in fields:
        yield f
        yield from _all_fields(f.children)


# The codes an application's choices are stored as ("construction", "spouse", "passport"…): on a page
# they must read as words, even where the page shows what applicants typed (which the check above
# lets through as data). Excluded: codes that are also ordinary typed words.
CHOICE_CODES = {c for p in PROCEDURES.values() for f in _all_fields(form_fields(p.application)) for c in f.choices
                if re.fullmatch(r"[a-z_]{4,}", c)} - {"other", "none"}
CASE_READERS = ("registrar", "case_officer", "supervisor", "commission", "finance_officer", "legal_officer",
                "consular_officer", "auditor")


def visible_text(page: str) -> str:
    body = page.split("<main>", 1)[-1]
    body = re.sub(r"<(script|style|textarea)[^>]*>.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(body)


def english_words(page: str, data: set[str]) -> set[str]:
    words = {w.lower() for w in re.findall(r"[A-Za-z]{5,}", visible_text(page))}
    return (words & ENGLISH) - DATA_WORDS - data


def expected(role: str, path: str) -> int:
    if path.startswith("/staff/backlog"):
        return 200 if role == "supervisor" else 403
    if path.startswith("/staff/audit"):
        return 200 if role == "auditor" else 403
    if path.startswith("/staff/admin"):
        return 200 if role == "admin" else 403
    if path.startswith("/staff/search"):
        return 200 if role in CASE_READERS else 403
    return 200


PAGES = ["/staff/inbox", *(f"/staff/inbox?procedure={p}" for p in PROCEDURES), "/staff/inbox?due=overdue",
         *(f"/staff/search?procedure={p}" for p in PROCEDURES), "/staff/backlog", "/staff/audit",
         "/staff/admin/users", "/staff/admin/quota"]


@pytest.mark.parametrize("role", ROLES)
async def test_every_staff_page_answers_each_role_in_its_language(api, role):
    browser = await signed_in(api, role)
    for path in PAGES:
        for lang in ("ky", "ru"):
            page = await browser.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert page.status_code == expected(role, path), (role, path, lang, page.status_code)
            assert f'lang="{lang}"' in page.text
            left = english_words(page.text, _typed_words(page.text))  # names in a list are data
            assert not left, (role, path, lang, left)


@pytest.fixture(scope="module")
async def one_case_per_state(api, sessions) -> dict[tuple[str, str, str | None], str]:
    """A case of every procedure in every state the suite has reached (the API and path tests
    before this one drive cases through most states), by where it was lodged, plus a fresh one of
    each procedure and a claim lodged at the mission in Russia."""
    fresh = [(slug, make()) for slug, make in APPLICATIONS.items()]
    fresh.append(("repatriation", repatriation_application(mission="RUS", bank_account=None)))
    for slug, body in fresh:
        r = await api.post(f"/api/v1/applications/{slug}", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 201, r.text
    async with sessions() as s:
        rows = await s.execute(select(Case.procedure, Case.state, Case.mission, func.min(Case.case_number))
                               .group_by(Case.procedure, Case.state, Case.mission))
        return {(p, st, m): n for p, st, m, n in rows}


@pytest.mark.parametrize("role", ROLES)
async def test_a_case_of_every_procedure_in_every_state_opens_for_each_role(api, one_case_per_state, role):
    """Claims lodged at a mission included: a consular officer opens those of their own mission."""
    assert {p for p, _, _ in one_case_per_state} == set(PROCEDURES)
    assert ("repatriation", "SUBMITTED", "RUS") in one_case_per_state
    browser = await signed_in(api, role)
    reader = Staff(role, (role,), DEMO_MISSIONS.get(role))
    for (procedure, state, mission), n in sorted(one_case_per_state.items(), key=str):
        page = await browser.get(f"/staff/cases/{n}?lang=ky")
        want = 200 if policy.case_parts(reader, procedure, mission) else 403
        assert page.status_code == want, (role, procedure, state, n, page.status_code)
        if want == 200:
            assert i18n.state_label(state, "ky") in page.text, (procedure, state)
            # English left on the page can only be what applicants and officers typed.
            typed = {w.lower() for w in re.findall(r"[A-Za-z]{5,}", " ".join(
                re.findall(r'(?:data-part="[^"]+"|<td data-label="[^"]+">)([^<]*)', page.text)))}
            assert not english_words(page.text, typed | _typed_words(page.text)), (role, procedure, state)
            # The application's lines (a code there is the page's, unlike "child" in a request an
            # officer typed), and a code with an underscore anywhere: nobody types those.
            lines = " ".join(re.findall(r'<p data-part="[^"]+">(.*?)</p>', page.text, flags=re.S))
            raw = set(re.findall(r"\b[a-z_]{4,}\b", html.unescape(re.sub(r"<[^>]+>", " ", lines))))
            raw |= {w for w in re.findall(r"\b[a-z]+_[a-z_]+\b", visible_text(page.text))}
            assert not raw & CHOICE_CODES, (role, procedure, state, raw & CHOICE_CODES)
            assert not re.search(r"Жынысы: [FMX]\b", lines), (role, procedure, state)


async def test_the_auditors_desk_of_a_case_of_every_procedure_in_every_state_reads_in_ky_and_ru(api, one_case_per_state):
    """The merged timeline: every event, timer, decision's data and rules' fact in words."""
    auditor = await signed_in(api, "auditor")
    for (procedure, state, _), n in sorted(one_case_per_state.items(), key=str):
        for lang in ("ky", "ru"):
            page = await auditor.get(f"/staff/audit/cases/{n}?lang={lang}")
            if page.status_code == 409:  # a case stored while Temporal was away: no history yet
                continue
            assert page.status_code == 200, (procedure, state, n, lang, page.status_code)
            timeline = page.text.split('id="timeline"')[1].split('id="views"')[0]
            assert not english_words(timeline, _typed_words(timeline)), (procedure, state, lang)
            # Who acted is a username ("case_officer" in the demo accounts): data, not a code.
            actors = re.escape(f'<td data-label="{i18n.t("actor", lang)}">') + r".*?</td>"
            codes = re.findall(r"\b[a-z]+_[a-z_]+\b", visible_text(re.sub(actors, "", timeline, flags=re.S)))
            assert not codes, (procedure, state, lang, codes)
            # A step's deadline is the last day still in time; only a timer fires at a moment.
            due = re.findall(re.escape(i18n.t("deadline", lang)) + r": ([^<]*)</span>", timeline)
            assert all("UTC" not in d for d in due), (procedure, state, lang, due)


def _typed_words(page: str) -> set[str]:
    """Names, addresses, reasons, decision data and the names of files sent: values, not interface words."""
    values = re.findall(r"</strong>([^<]*)</p>|<dd>([^<]*)</dd>|<td data-label=\"[^\"]*\">([^<]*)</td>"
                        r"|<a href=\"/staff/cases/[^\"]*/files/[^\"]*\"[^>]*>([^<]*)</a>", page)
    return {w.lower() for group in values for part in group for w in re.findall(r"[A-Za-z]{5,}", part)}
