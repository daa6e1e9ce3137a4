"""The OpenAPI document: every operation summarised and described, every request body with an
example the API accepts, errors documented as the body they are sent in."""

from api.openapi import Problem

ERROR_CODES = {"400", "401", "403", "404", "409", "413", "415", "422", "429", "503"}


async def test_every_operation_is_described_and_every_body_has_an_example(api):
    schema = (await api.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    assert "HTTPValidationError" not in components and "Problem" in components
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            assert op.get("summary") and op.get("description"), where
            for media in op.get("requestBody", {}).get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                assert "example" in media or "examples" in media or "examples" in components.get(ref, {}), where
            for code, response in op["responses"].items():
                if code in ERROR_CODES:
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"}, \
                        (where, code)
            if op.get("security"):
                assert {"401", "403"} <= set(op["responses"]), where


async def test_the_examples_are_accepted_as_they_stand(api, tokens):
    """'Try it out' in /docs with each application's example creates a case."""
    schema = (await api.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    for slug in ("refugee", "kairylman", "repatriation", "work-permit", "agency-permit"):
        body = schema["paths"][f"/api/v1/applications/{slug}"]["post"]["requestBody"]["content"]["application/json"]
        example = components[body["schema"]["$ref"].rsplit("/", 1)[-1]]["examples"][0]
        r = await api.post(f"/api/v1/applications/{slug}", json=example)
        assert r.status_code == 201, (slug, r.text)
    decide = schema["paths"]["/api/v1/cases/{case_number}/decisions"]["post"]
    examples = decide["requestBody"]["content"]["application/json"]["examples"]
    assert {name.split(":")[0] for name in examples} == {"refugee", "kairylman", "repatriation", "work-permit",
                                                         "agency-permit"}
    for procedure in ("refugee", "kairylman", "repatriation", "work-permit", "agency-permit"):
        assert f"**{procedure}**" in decide["description"]  # its steps, outcomes and data


async def test_a_422_is_sent_as_documented(api):
    r = await api.post("/api/v1/applications/refugee", json={"applicant": {}})
    assert r.status_code == 422
    body = Problem.model_validate(r.json())
    assert body.errors and any(e.field == "applicant.family_name" for e in body.errors)
