"""Staff search: by part of a name, by document number however it is typed, by case number."""

import uuid

from tests.api.helpers import submit
from tests.factories import refugee_application


async def test_search_by_part_of_a_name_a_document_number_or_a_case_number(api, tokens):
    family = f"Nazarbekova{uuid.uuid4().hex[:6]}"
    passport = f"PX{uuid.uuid4().int % 10**7:07d}"
    applicant = {**refugee_application()["applicant"], "family_name": family, "document_number": passport}
    case = await submit(api, applicant=applicant)
    n = case["case_number"]
    officer = await tokens("case_officer")

    async def found(q: str) -> list[str]:
        r = await api.post("/api/v1/cases/search", json={"q": q}, headers=officer)
        assert r.status_code == 200, r.text
        return [c["case_number"] for c in r.json()["items"]]

    assert n in await found(family[4:])  # the middle of a name
    assert n in await found(f"{passport[:2]} {passport[2:5]}-{passport[5:]}".lower())  # spaced, dashed, lower case
    assert n in await found(n) and n in await found(n[:-1])  # the number, or its beginning (ten cases at most)
    assert n not in await found("Zzzzqqq")
