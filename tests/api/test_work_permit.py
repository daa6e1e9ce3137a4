"""Work permits over HTTP: the admin's quota, and no bucket oversold under concurrent applications."""

import asyncio
import random
import uuid

from tests.conftest import eventually
from tests.factories import work_permit_application

URL = "/api/v1/applications/work-permit"


async def test_many_simultaneous_applications_never_oversell_a_small_bucket(api, tokens):
    year, admin = random.randint(2030, 2099), await tokens("admin")
    r = await api.put(f"/api/v1/quota/{year}/GO/hospitality", headers=admin,
                      json={"size": 3, "legal_act": "Cabinet order No. 52 of 2026"})
    assert r.status_code == 200 and r.json()["free"] == 3
    apps = [work_permit_application(quota_year=year, region="GO", sector="hospitality") for _ in range(12)]
    results = await asyncio.gather(*(api.post(URL, json=a, headers={"Idempotency-Key": str(uuid.uuid4())})
                                     for a in apps))
    assert all(r.status_code == 201 for r in results)
    cases = [r.json() for r in results]

    async def all_settled():
        states = {}
        for c in cases:
            status = await api.get(f"/api/v1/cases/{c['case_number']}/status", headers={"X-Access-Code": c["access_code"]})
            states[c["case_number"]] = status.json()["state"]
        settled = [s for s in states.values() if s in ("UNDER_REVIEW", "REJECTED")]
        return states if len(settled) == len(cases) else None
    all_settled.__doc__ = "all 12 applications under review or rejected"
    states = await eventually(all_settled, timeout=120, interval=0.3)
    assert sorted(states.values()).count("UNDER_REVIEW") == 3
    buckets = (await api.get(f"/api/v1/quota?year={year}", headers=admin)).json()
    ours = [b for b in buckets if (b["region"], b["sector"]) == ("GO", "hospitality")]
    assert [(b["size"], b["reserved"], b["consumed"], b["free"]) for b in ours] == [(3, 3, 0, 0)]
    shrink = await api.put(f"/api/v1/quota/{year}/GO/hospitality", headers=admin,
                           json={"size": 2, "legal_act": "Cabinet order No. 60"})
    assert shrink.status_code == 409 and "cannot be smaller" in shrink.json()["detail"]


async def test_quota_administration_is_for_admins_and_checks_its_input(api, tokens):
    officer, admin = await tokens("case_officer"), await tokens("admin")
    assert (await api.get("/api/v1/quota?year=2026", headers=officer)).status_code == 403
    bad_region = await api.put("/api/v1/quota/2026/XX/hospitality", headers=admin, json={"size": 1, "legal_act": "abc"})
    bad_sector = await api.put("/api/v1/quota/2026/GO/piracy", headers=admin, json={"size": 1, "legal_act": "abc"})
    negative = await api.put("/api/v1/quota/2026/GO/trade", headers=admin, json={"size": -1, "legal_act": "abc"})
    no_act = await api.put("/api/v1/quota/2026/GO/trade", headers=admin, json={"size": 5})
    assert bad_region.status_code == bad_sector.status_code == negative.status_code == no_act.status_code == 422
