"""On the case page: earlier decisions' data, files opened (and audited), who holds a task,
reassignment by a supervisor, taking over a claimed task, and extending a deadline."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from db.models import AuditEntry
from tests.api.helpers import decide, submit, wait_task
from tests.workspace.conftest import signed_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def last_audit(sessions, n: str, action: str):
    async with sessions() as s:
        return await s.scalar(select(AuditEntry).where(AuditEntry.case_number == n, AuditEntry.action == action)
                              .order_by(AuditEntry.id.desc()).limit(1))


async def test_earlier_decisions_show_their_data_to_those_who_see_decisions(api, tokens):
    n = (await submit(api))["case_number"]
    await decide(api, tokens, n, "registration", "register", "registrar")
    at = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
    await decide(api, tokens, n, "interview", "schedule_interview", "case_officer",
                 data={"interview_at": at, "place": "Bishkek, room 4", "interpreter_language": "dari"})
    await wait_task(api, tokens, n, "interview", "case_officer")
    officer = await signed_in(api, "case_officer")
    page = (await officer.get(f"/staff/cases/{n}?lang=ru")).text
    assert "Bishkek, room 4" in page and "Место" in page and 'class="data decision-data"' in page
    assert "Назначить собеседование" in page or "Решение" in page  # the event, in the reader's language
    registrar = await signed_in(api, "registrar")  # a refugee's registrar does not see decisions
    assert "Bishkek, room 4" not in (await registrar.get(f"/staff/cases/{n}")).text


async def test_files_open_for_those_who_see_them_and_each_opening_is_audited(api, tokens, sessions):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "request_documents", "registrar", data={"documents": ["passport"]})
    r = await api.post(f"/api/v1/cases/{n}/documents", headers={"X-Access-Code": case["access_code"]},
                       files=[("files", ("паспорт.pdf", PDF, "application/pdf"))])
    assert r.status_code == 202
    await wait_task(api, tokens, n, "registration", "registrar")
    detail = (await api.get(f"/api/v1/cases/{n}", headers=await tokens("registrar"))).json()
    file_id = detail["files"][0]["file_id"]
    registrar = await signed_in(api, "registrar")
    page = await registrar.get(f"/staff/cases/{n}")
    assert f"/staff/cases/{n}/files/{file_id}" in page.text
    opened = await registrar.get(f"/staff/cases/{n}/files/{file_id}")
    assert opened.status_code == 200 and opened.content == PDF
    assert opened.headers["content-type"] == "application/pdf" and "sandbox" in opened.headers["content-security-policy"]
    assert (await last_audit(sessions, n, "file_opened")).actor == "registrar"
    by_api = await api.get(f"/api/v1/cases/{n}/files/{file_id}", headers=await tokens("case_officer"))
    assert by_api.status_code == 200 and by_api.content == PDF
    assert (await last_audit(sessions, n, "file_opened")).actor == "case_officer"
    finance = await api.get(f"/api/v1/cases/{n}/files/{file_id}", headers=await tokens("finance_officer"))
    assert finance.status_code == 403
    missing = await api.get(f"/api/v1/cases/{n}/files/00000000-0000-0000-0000-000000000000",
                            headers=await tokens("registrar"))
    assert missing.status_code == 404


async def test_a_supervisor_reassigns_and_a_claimed_task_is_taken_over_only_when_confirmed(api, tokens, sessions):
    n = (await submit(api))["case_number"]
    task = await wait_task(api, tokens, n, "registration", "registrar")
    supervisor = await signed_in(api, "supervisor")
    page = await supervisor.get(f"/staff/cases/{n}?lang=en")
    assert 'action="/staff/tasks/' in page.text and '<option value="registrar2">' in page.text
    moved = await supervisor.post(f"/staff/tasks/{task['task_id']}/assign?lang=en",
                                  {"case_number": n, "username": "registrar2", "holder": ""})
    assert moved.status_code == 303
    entry = await last_audit(sessions, n, "task_reassigned")
    assert entry.actor == "supervisor" and entry.detail["to"] == "registrar2"
    stale = await supervisor.post(f"/staff/tasks/{task['task_id']}/assign?lang=en",
                                  {"case_number": n, "username": "registrar", "holder": ""})
    assert stale.status_code == 409  # it changed since that page was shown
    wrong = await api.post(f"/api/v1/tasks/{task['task_id']}/assignee", json={"username": "finance_officer",
                                                                              "holder": "registrar2"},
                           headers={**await tokens("supervisor"), "Accept-Language": "ru"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "not_a_holder" and "нет роли" in wrong.json()["detail"]
    registrar = await signed_in(api, "registrar")
    shown = (await registrar.get(f"/staff/cases/{n}?lang=ky")).text
    assert "registrar2" in shown and 'name="take_over"' in shown
    refused = await registrar.post(f"/staff/cases/{n}/decisions?lang=ky", {
        "step": "registration", "outcome": "register", "reason": "Толук", "decision_key": "k1"})
    assert refused.status_code == 409 and "registrar2" in refused.text and "Толук" in refused.text  # the typed reason kept
    nonsense = await registrar.post(f"/staff/cases/{n}/decisions?lang=ru", {
        "step": "registration", "outcome": "nonsense", "decision_key": "kx", "take_over": "on"})
    assert nonsense.status_code == 422 and "нет такого решения" in nonsense.text
    # A take-over whose decision is refused (a refusal needs its reason and ground) takes nothing over.
    invalid = await registrar.post(f"/staff/cases/{n}/decisions", {
        "step": "registration", "outcome": "refuse_registration", "reason": "", "decision_key": "k0", "take_over": "on"})
    assert invalid.status_code == 422
    assert await last_audit(sessions, n, "task_taken_over") is None
    assert 'Claimed by registrar2' in (await registrar.get(f"/staff/cases/{n}?lang=en")).text
    taken = await registrar.post(f"/staff/cases/{n}/decisions", {
        "step": "registration", "outcome": "register", "reason": "", "decision_key": "k2", "take_over": "on"})
    assert taken.status_code == 303, taken.text
    entry = await last_audit(sessions, n, "task_taken_over")
    assert entry.actor == "registrar" and entry.detail["from"] == "registrar2", entry.detail
    not_sup = await api.post(f"/api/v1/tasks/{task['task_id']}/assignee", json={"username": "registrar"},
                             headers=await tokens("registrar"))
    assert not_sup.status_code == 403


async def test_a_supervisor_extends_a_deadline_from_the_case_page(api, tokens, sessions):
    n = (await submit(api))["case_number"]
    task = await wait_task(api, tokens, n, "registration", "registrar")
    supervisor = await signed_in(api, "supervisor")
    page = (await supervisor.get(f"/staff/cases/{n}?lang=ru")).text
    assert 'id="extend"' in page and '<option value="registration"' in page and "Срок регистрации" in page
    assert 'id="extend"' not in (await (await signed_in(api, "registrar")).get(f"/staff/cases/{n}")).text
    due = datetime.fromisoformat(task["due"]).astimezone(timezone(timedelta(hours=6))).date()
    no_reason = await supervisor.post(f"/staff/cases/{n}/extensions?lang=ru", {
        "clock": "registration", "until": (due + timedelta(days=3)).isoformat(), "reason": " "})
    assert no_reason.status_code == 422 and "Укажите причину продления" in no_reason.text
    done = await supervisor.post(f"/staff/cases/{n}/extensions", {
        "clock": "registration", "until": (due + timedelta(days=3)).isoformat(), "reason": "Interpreter ill"})
    assert done.status_code == 303 and done.headers["location"].endswith("saved=extended"), done.text

    async def retimed():
        t = await wait_task(api, tokens, n, "registration", "registrar")
        return t if datetime.fromisoformat(t["due"]).astimezone(timezone(timedelta(hours=6))).date() > due else None
    from tests.conftest import eventually
    await eventually(retimed)


async def test_standing_actions_are_offered_on_the_case_not_queued_in_the_inbox(api, tokens):
    from datetime import date

    from tests.factories import kairylman_application

    r = await api.post("/api/v1/applications/kairylman", json=kairylman_application(),
                       headers={"Idempotency-Key": str(datetime.now().timestamp()).replace(".", "-")})
    n = r.json()["case_number"]
    await decide(api, tokens, n, "intake", "accept_complete", "registrar")
    await decide(api, tokens, n, "case_file", "put_on_agenda", "case_officer", data={"security_checks_requested": True})
    await decide(api, tokens, n, "commission_decision", "grant", "commission",
                 data={"session_date": date.today().isoformat(), "protocol_number": "IC-30"})
    supervisor = await signed_in(api, "supervisor")

    async def offered():
        page = (await supervisor.get(f"/staff/cases/{n}?lang=ru")).text
        return page if 'data-outcome="terminate"' in page else None
    from tests.conftest import eventually
    page = await eventually(offered)
    assert "Прекратить" in page
    inbox = await supervisor.get(f"/staff/inbox?case={n}")
    assert f'data-case="{n}"' not in inbox.text  # a standing action is not work due


async def test_a_decision_on_a_closed_case_is_refused_in_the_officers_language(api, tokens):
    """The engine's refusals reach the page in the officer's words (this one once came in English)."""
    from tests.conftest import eventually

    case = await submit(api)
    n, h = case["case_number"], {"X-Access-Code": case["access_code"]}
    await wait_task(api, tokens, n, "registration", "registrar")
    registrar = await signed_in(api, "registrar")
    await registrar.get(f"/staff/cases/{n}?lang=ky")  # the page the officer decides on, open before the withdrawal
    assert (await api.post(f"/api/v1/cases/{n}/withdraw", headers=h, json={"reason": "Leaving"})).status_code == 202

    async def closed():
        return (await api.get(f"/api/v1/cases/{n}/status", headers=h)).json()["state"] == "WITHDRAWN"
    await eventually(closed)
    refused = await registrar.post(f"/staff/cases/{n}/decisions?lang=ky", {"step": "registration", "outcome": "register"})
    assert refused.status_code == 409 and "Иш жабылган" in refused.text, refused.text[-800:]
    assert "nothing on it can be decided" not in refused.text and "WITHDRAWN" not in refused.text


async def test_a_case_whose_processing_does_not_answer_says_so_instead_of_offering_steps(api, tokens, sessions,
                                                                                         dev_env):
    from activities.reconciler import Reconciler
    from api.services.workflows import ensure_started
    from tests.api.test_pending_start import _stored
    from tests.conftest import API_QUEUE, SEALER, SIGNER

    stored = await _stored(sessions)  # in the records, its workflow not (yet) in the engine
    n = stored.case_number
    reconciler = Reconciler(dev_env.client, sessions)
    assert (await reconciler.check([n])).not_answering == [n]
    registrar = await signed_in(api, "registrar")
    page = (await registrar.get(f"/staff/cases/{n}?lang=ru")).text
    assert 'id="stalled"' in page and "Обработка приостановилась" in page and 'name="outcome"' not in page
    read = (await api.get(f"/api/v1/cases/{n}", headers=await tokens("registrar"))).json()
    assert read["stalled_since"] is not None
    await ensure_started(dev_env.client, stored, API_QUEUE, SEALER, SIGNER)
    await wait_task(api, tokens, n, "registration", "registrar")
    assert (await reconciler.check([n])).not_answering == []
    page = (await registrar.get(f"/staff/cases/{n}?lang=en")).text
    assert 'id="stalled"' not in page and 'id="task-registration"' in page
