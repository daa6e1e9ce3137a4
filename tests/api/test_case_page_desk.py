"""The case page offers only what the officer may decide: a barred step says why instead."""

from datetime import datetime, timedelta, timezone

from tests.api.helpers import Browser, decide, submit
from tests.conftest import PASSWORD


async def signed_in(api, username: str) -> Browser:
    browser = Browser(api)
    assert (await browser.sign_in(username, PASSWORD)).status_code == 303
    return browser


async def test_the_author_of_the_conclusion_is_told_why_another_decides(api, tokens):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "register", "registrar")
    at = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    await decide(api, tokens, n, "interview", "record_interview", "senior",
                 data={"held_at": at, "summary": "Consistent account."})
    await decide(api, tokens, n, "verification", "complete_verification", "senior",
                 data={"identity_established": True, "security_checks_done": True})
    await decide(api, tokens, n, "conclusion", "recommend_recognition", "senior", reason="Well-founded fear.")
    senior = await signed_in(api, "senior")
    page = await senior.get(f"/staff/cases/{n}?lang=ru")
    assert page.status_code == 200
    assert 'data-barred="barred_four_eyes"' in page.text and 'data-outcome="recognise"' not in page.text
    assert "Вы решали шаг" in page.text
    other = await signed_in(api, "supervisor2")
    assert 'data-outcome="recognise"' in (await other.get(f"/staff/cases/{n}")).text
    registrar = await signed_in(api, "registrar")
    shown = (await registrar.get(f"/staff/cases/{n}?lang=en")).text
    assert 'data-barred="barred_role"' in shown and "This step is decided by the role" in shown
    assert 'data-outcome="recognise"' not in shown
