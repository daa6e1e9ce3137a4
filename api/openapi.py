"""The OpenAPI document says what the API sends: one error body for every refusal, the status
codes each operation answers, and an example for every request body.

The codes follow from what an operation is, written once here rather than on each route: a
staff operation (it needs a bearer token) may answer 401 and 403; an operation on something
named in its path may answer 404; an operation with parameters or a body answers 422 with the
problems found, and one with a body 400 when the body cannot be parsed at all; whatever reads
the database answers 503 when PostgreSQL is away. A route adds what is its own (409, 413, 415,
429) with `responses=refusals(...)`."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field


class FieldProblem(BaseModel):
    field: str = Field(description="Where: a dotted path into the body, or the query parameter's name",
                       examples=["applicant.date_of_birth"])
    code: str | None = Field(default=None, description="The problem's stable code (missing, too_long, date…)",
                             examples=["date_in_future"])
    problem: str = Field(examples=["date_of_birth is in the future"])


class Problem(BaseModel):
    """Every refusal: what is wrong, in words (in Kyrgyz or Russian when Accept-Language asks for
    it, else in English), and for a program the refusal's `code` and `params`, or the fields at fault."""

    detail: str = Field(examples=["step 'interview' is not open on REF-2026-000001"])
    code: str = Field(description="A stable code of the refusal (four_eyes, step_not_open, no_case_with_code…): "
                                  "every refusal has one, and a program may word it itself from it")
    params: dict[str, Any] | None = None
    errors: list[FieldProblem] | None = Field(default=None, description="422: each field at fault")


_WHY = {
    400: "The request is malformed (too many form fields, a broken multipart body)",
    401: "No valid bearer token: sign in at /api/v1/auth/token",
    403: "Signed in, but the policy does not let your roles do this (audited)",
    404: "Not found, or not yours to see: an unknown case and a wrong access code look the same",
    409: "Not possible in the case's present state (the step is not open, the case is closed…)",
    413: "A file is larger than the limit",
    415: "A file is not a PDF, PNG or JPEG",
    422: "The request's parameters or body are not valid: `errors` names each field",
    429: "Too many requests from this client: wait for Retry-After seconds",
    503: "The case database (or the workflow engine) is not reachable; nothing was changed; try again",
}
# Operations that do not touch the database (no sign-in either), so never answer 503 for it.
_NO_DATABASE = {"/healthz", "/verify/keys"}


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the refusals of its own, each with the Problem body."""
    return {code: {"model": Problem, "description": _WHY[code]} for code in codes}


def _problem(code: int) -> dict:
    return {"description": _WHY[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def install(app: FastAPI) -> None:
    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.update({name: s for name, s in
                        Problem.model_json_schema(ref_template="#/components/schemas/{model}")
                        .pop("$defs").items()})
        schemas["Problem"] = {k: v for k, v in Problem.model_json_schema(
            ref_template="#/components/schemas/{model}").items() if k != "$defs"}
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path, operations in schema["paths"].items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                wanted = set()
                if operation.get("parameters") or operation.get("requestBody"):
                    wanted.add(422)
                if operation.get("requestBody"):
                    wanted.add(400)
                if operation.get("security"):
                    wanted |= {401, 403}
                if "{" in path:
                    wanted.add(404)
                if path not in _NO_DATABASE:
                    wanted.add(503)
                for code in wanted:
                    responses.setdefault(str(code), _problem(code))
                if "422" in responses:
                    responses["422"] = _problem(422)
                for code, response in responses.items():  # a route's own refusal, described in words only
                    if code.isdigit() and int(code) in _WHY and "content" not in response:
                        response["content"] = _problem(int(code))["content"]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
