"""The inbox, search and backlog pages: filters, names, urgency, paging, and the lists behind figures."""

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from api import i18n
from db.models import AuditEntry, Task
from tests.api.helpers import submit, wait_task
from tests.factories import refugee_application
from tests.workspace.conftest import signed_in


def person(family_name: str) -> dict:
    return {**refugee_application()["applicant"], "family_name": family_name}


async def test_the_inbox_filters_by_procedure_step_state_and_due_and_names_each_case(api, tokens, sessions):
    case = await submit(api, applicant=person("Бакиров"))
    n = case["case_number"]
    task = await wait_task(api, tokens, n, "registration", "registrar")
    async with sessions.begin() as s:  # make it overdue by two days, as the clock would
        await s.execute(update(Task).where(Task.task_id == task["task_id"])
                        .values(due_at=datetime.now(timezone.utc) - timedelta(days=2)))
    registrar = await signed_in(api, "registrar")
    page = await registrar.get(f"/staff/inbox?lang=ru&procedure=refugee&step=registration&state=LODGED&due=overdue&case={n}")
    assert page.status_code == 200
    row = re.search(rf'<tr data-case="{n}" data-step="registration" data-urgency="overdue">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    assert "Бакиров" in row[1] and i18n.t("refugee", "ru") in row[1] and "Заявление подано" in row[1]
    assert "просрочено на 2 дн." in row[1]
    for other in ("procedure=kairylman", "step=interview", "state=REGISTERED", "due=soon"):
        shown = await registrar.get(f"/staff/inbox?{other}&case={n}")
        assert f'data-case="{n}"' not in shown.text, other
    # Nonsense in a filter is ignored, never an error: a shared link must not break.
    assert (await registrar.get("/staff/inbox?procedure=%00&step=x&state=zz&due=later&page=-3")).status_code == 200
    async with sessions() as s:
        seen = await s.scalar(select(AuditEntry).where(AuditEntry.action == "inbox_viewed", AuditEntry.actor == "registrar")
                              .order_by(AuditEntry.id.desc()).limit(1))
    assert n in seen.detail["shown"]


async def searched(officer, form: dict, lang: str = ""):
    """The search form posted, and the list it leads to (followed as a browser follows it)."""
    posted = await officer.post("/staff/search" + (f"?lang={lang}" if lang else ""), form)
    assert posted.status_code == 303, posted.text
    return await officer.get(posted.headers["location"])


async def test_search_by_name_number_region_and_due_date_paged_and_audited(api, tokens, sessions):
    case = await submit(api, applicant=person("Жээнбеков"), region="N")
    n = case["case_number"]
    await wait_task(api, tokens, n, "registration", "registrar")
    officer = await signed_in(api, "case_officer")
    # The terms are posted and kept sealed in a cookie of the page; the list is then read by GET,
    # its address holding the filters only: a name or a document number never lands in an address.
    posted = await officer.post("/staff/search?lang=ky", {"q": "жээнбеков", "procedure": "refugee"})
    assert posted.status_code == 303 and posted.headers["location"] == "/staff/search?procedure=refugee&terms=1&lang=ky"
    cookie = posted.headers["set-cookie"].lower()
    assert "жээнбеков" not in cookie and "path=/staff/search" in cookie and "httponly" in cookie
    by_name = await officer.get(posted.headers["location"])
    assert by_name.status_code == 200 and f'data-case="{n}"' in by_name.text and 'value="жээнбеков"' in by_name.text
    later = await officer.get(posted.headers["location"] + "&page=2")  # a later page keeps the terms, by terms=1
    assert 'href="?procedure=refugee&amp;sort=deadline&amp;terms=1&amp;page=1"' in later.text
    assert f'data-case="{n}"' in (await searched(officer, {"q": n})).text
    in_naryn, elsewhere = await searched(officer, {"q": n, "region": "N"}), await searched(officer, {"q": n, "region": "T"})
    assert f'data-case="{n}"' in in_naryn.text and f'data-case="{n}"' not in elsewhere.text
    soon = (datetime.now() + timedelta(days=60)).date().isoformat()
    assert f'data-case="{n}"' in (await searched(officer, {"q": n, "due_before": soon})).text
    bad = await searched(officer, {"q": "x", "due_before": "2026-02-31"}, "ru")
    assert bad.status_code == 422 and "Укажите дату полностью" in bad.text
    # Terms in an address are not read, nor shown back; the search form alone starts afresh.
    addressed = await officer.get("/staff/search?q=жээнбеков")
    assert 'id="results"' not in addressed.text and "жээнбеков" not in addressed.text
    assert 'value=""' in (await officer.get("/staff/search")).text.split('id="s-q"')[1][:80]
    # Another officer's browser cannot open these terms, and a form without its token is refused.
    other = await signed_in(api, "supervisor")
    other.cookies["aryz_search"] = officer.cookies["aryz_search"]
    assert 'id="results"' not in (await other.get("/staff/search?terms=1")).text
    assert (await officer.post("/staff/search", {"q": n}, with_token=False)).status_code == 403
    empty = await officer.get("/staff/search?lang=en")
    assert empty.status_code == 200 and 'id="results"' not in empty.text
    second = await officer.get("/staff/search?procedure=refugee&sort=lodged&page=2")
    assert second.status_code == 200 and "page=1" in second.text  # the way back to the first page
    async with sessions() as s:
        revealed = await s.scalar(select(AuditEntry).where(AuditEntry.case_number == n,
                                                           AuditEntry.action == "case_revealed_in_search"))
    assert revealed is not None and revealed.actor == "case_officer"
    finance = await signed_in(api, "finance_officer")
    assert f'data-case="{n}"' not in (await searched(finance, {"q": n})).text
    signed_out = await officer.post("/staff/logout", {})  # the terms' cookie goes with the session
    assert 'aryz_search=""' in signed_out.headers["set-cookie"] or "aryz_search=;" in signed_out.headers["set-cookie"]


async def test_the_backlog_counts_link_to_the_lists_behind_them(api, tokens, sessions):
    case = await submit(api)
    n = case["case_number"]
    task = await wait_task(api, tokens, n, "registration", "registrar")
    async with sessions.begin() as s:
        await s.execute(update(Task).where(Task.task_id == task["task_id"])
                        .values(due_at=datetime.now(timezone.utc) - timedelta(days=1)))
    supervisor = await signed_in(api, "supervisor")
    page = await supervisor.get("/staff/backlog?lang=ky")
    assert page.status_code == 200
    row = re.search(r'<tr data-procedure="refugee" data-step="registration">(.*?)</tr>', page.text, re.S)[1]
    overdue = re.search(r'href="(/staff/inbox\?scope=all&amp;procedure=refugee&amp;step=registration&amp;due=overdue)"[^>]*>(\d+)<',
                        row)
    assert overdue and int(overdue[2]) >= 1, row
    listed = await supervisor.get(overdue[1].replace("&amp;", "&") + f"&case={n}")
    assert f'data-case="{n}"' in listed.text  # a registrar's task, shown to the supervisor behind the figure
    registrar = await signed_in(api, "registrar")
    assert (await registrar.get("/staff/backlog")).status_code == 403
    assert f'data-case="{n}"' in (await registrar.get(f"/staff/inbox?scope=all&case={n}")).text  # own role only
