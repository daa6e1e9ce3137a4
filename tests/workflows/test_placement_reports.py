"""An agency files its quarterly placement report through the API, once the quarter is over; the
figures feed the ministry's statistics. On the time-skipping server, with the real app."""

from datetime import timedelta

import httpx

from api.app import create_app
from tests.api.test_applicant_pages import open_case
from tests.conftest import PASSWORD, eventually, make_settings
from tests.workflows.conftest import TS_QUEUE
from tests.workflows.test_agency_permit_paths import to_active

REPORT = {"lines": [{"country": "KOR", "sector": "manufacturing", "placed": 12},
                    {"country": "DEU", "sector": "health", "placed": 3}]}


async def test_the_agency_files_its_report_when_due_and_the_statistics_sum_it(case, ts_env, database_url_,
                                                                               staff_accounts):
    app = create_app(make_settings(database_url_, TS_QUEUE), temporal=ts_env.client)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://aryz.test") as api:
        await to_active(case)
        agency = {"X-Access-Code": case.access_code}
        early = await api.post(f"/api/v1/cases/{case.case_number}/reports", headers=agency, json=REPORT)
        assert early.status_code == 409 and early.json()["code"] == "no_report_due"
        await case.sleep(timedelta(days=93))
        due = await case.wait_event("report_due")
        bad = await api.post(f"/api/v1/cases/{case.case_number}/reports", headers=agency,
                             json={"lines": [*REPORT["lines"], REPORT["lines"][0]]})  # a line twice
        assert bad.status_code == 422
        unknown = await api.post(f"/api/v1/cases/{case.case_number}/reports", headers=agency,
                                 json={"lines": [{"country": "ZZZ", "sector": "health", "placed": 1}]})
        assert unknown.status_code == 422
        # The API signs the agency's message at its clock's time; here the engine's clock has been
        # skipped 93 days ahead, so the API reads the engine's time, as its own clock would in service.
        signer, server_now = app.state.signer, await ts_env.get_current_time()
        attach = signer.attach
        signer.attach = lambda *args, **kwargs: attach(*args, **{**kwargs, "now": server_now})
        filed = await api.post(f"/api/v1/cases/{case.case_number}/reports", headers=agency, json=REPORT)
        assert filed.status_code == 202, filed.text
        assert (await case.wait_event("report_filed")).detail == {"period": 1, "placed": 15}
        again = await api.post(f"/api/v1/cases/{case.case_number}/reports", headers=agency, json=REPORT)
        assert again.status_code == 409  # the quarter is reported; nothing is stored twice
        wrong = await api.post(f"/api/v1/cases/{case.case_number}/reports", headers={"X-Access-Code": "X" * 14},
                               json=REPORT)
        assert wrong.status_code == 404

        async def token(user):
            r = await api.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
            return {"Authorization": f"Bearer {r.json()['access_token']}"}
        year = due.detail["period_ended"][:4]

        async def summed():
            r = await api.get("/api/v1/statistics/placements", params={"year": year}, headers=await token("commission"))
            rows = {(x["country"], x["sector"]): x for x in r.json()}
            return rows if ("KOR", "manufacturing") in rows else None
        rows = await eventually(summed)
        assert rows["KOR", "manufacturing"]["placed"] >= 12 and rows["DEU", "health"]["agencies"] >= 1
        refused = await api.get("/api/v1/statistics/placements", params={"year": year}, headers=await token("registrar"))
        assert refused.status_code == 403

        # The next quarter's report through the status page, in Kyrgyz: a mistake first, then sent.
        await case.sleep(timedelta(days=92))
        await eventually(lambda: _second_due(case))
        server_now = await ts_env.get_current_time()
        signer.attach = lambda *args, **kwargs: attach(*args, **{**kwargs, "now": server_now})
        visitor = await open_case(api, {"case_number": case.case_number, "access_code": case.access_code}, "ky")
        page = (await visitor.get("/status?lang=ky")).text
        assert 'id="report"' in page and "2-чейрек" in page and 'name="lines.0.country"' in page
        bad = await visitor.post("/status/report", {"lines.0.country": "KOR", "lines.0.sector": "health",
                                                    "lines.0.placed": "many"})
        assert bad.status_code == 422 and "Бүтүн санды жазыңыз" in bad.text and 'value="many"' in bad.text
        more = await visitor.post("/status/report", {"lines.0.country": "KOR", "lines.0.sector": "health",
                                                     "lines.0.placed": "4", "_action": "add:lines"})
        assert 'name="lines.1.country"' in more.text and 'value="4"' in more.text
        sent = await visitor.post("/status/report", {"lines.0.country": "KOR", "lines.0.sector": "health",
                                                     "lines.0.placed": "4"})
        assert sent.status_code == 303 and sent.headers["location"] == "/status?done=report"
        assert (await case.wait_event_after("report_filed", 1)).detail == {"period": 2, "placed": 4}


async def _second_due(case):
    return len([t for t in await case.transitions() if t.event == "report_due"]) == 2
