"""Every route with a path parameter, generated from the app itself so that a route added later is
covered too: a NUL in any path part is a 404, never a query PostgreSQL fails on. Before the
check at the front door (api/deps.refuse_nul_in_path), a supervisor's reassignment of
`/staff/tasks/a%00b`, a case file and an account page answered 500."""

import re
from urllib.parse import quote

from tests.api.helpers import every_route, submit
from tests.workspace.conftest import signed_in

NUL_PART = quote("a\x00b", safe="")


def filled(path: str, hostile: str, ordinary: dict[str, str]) -> str:
    def value(found: re.Match) -> str:
        return NUL_PART if found[1] == hostile else ordinary.get(found[1], "x")
    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


async def test_a_nul_in_any_path_part_is_not_found_on_every_route(api, tokens):
    case = await submit(api)
    ordinary = {"case_number": case["case_number"], "slug": "refugee", "username": "registrar"}
    # Signed in every way a request can be: the staff cookie of a supervisor (the pages), the bearer
    # token of an admin (the API) and the applicant's access code, so each route gets past its
    # sign-in to where a path part would reach the database.
    supervisor = await signed_in(api, "supervisor")
    headers = {**supervisor.headers(Origin="http://aryz.test"), **(await tokens("admin")),
               "X-Access-Code": case["access_code"]}
    routes = [(path, route) for path, route in every_route(api._transport.app.routes) if route.param_convertors]
    assert len(routes) >= 35, len(routes)  # pages and API alike
    answered = {}
    for template, route in routes:
        for method in sorted(route.methods - {"HEAD"}):
            for name in route.param_convertors:
                r = await api.request(method, filled(template, name, ordinary), headers=headers,
                                      data={"csrf_token": supervisor.token} if method == "POST" else None)
                api.cookies.clear()
                answered[f"{method} {template} ({name})"] = r.status_code
    wrong = {what: code for what, code in answered.items() if code != 404}
    assert not wrong, wrong
