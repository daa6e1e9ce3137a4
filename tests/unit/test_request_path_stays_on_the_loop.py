"""Every route and dependency of the API is a coroutine: FastAPI hands a plain function to its
thread pool, one thread hand-off per call, which cost a decision's request more CPU than its
own work (the bench's profile: a tenth of the API's time waking threads for four getters)."""

import inspect

from api.app import create_app
from tests.api.helpers import every_route
from tests.conftest import make_settings

# Called by FastAPI itself to read a form: a class, not ours to make a coroutine.
FORM_CLASSES = {"OAuth2PasswordRequestForm"}


def _plain_calls(dependant, found: set[str]) -> set[str]:
    call = dependant.call
    if inspect.isclass(call):  # instantiated in the thread pool
        if call.__name__ not in FORM_CLASSES:
            found.add(call.__qualname__)
    elif call is not None:
        target = call if inspect.isfunction(call) or inspect.ismethod(call) else type(call).__call__
        if not (inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)):
            found.add(getattr(call, "__qualname__", repr(call)))
    for sub in dependant.dependencies:
        _plain_calls(sub, found)
    return found


def test_no_route_or_dependency_runs_in_the_thread_pool():
    app = create_app(make_settings("postgresql+asyncpg://unused/unused", "unused"))
    routes = [route for _, route in every_route(app.routes)]
    assert len(routes) > 80  # the API's and the pages' routes, not only the top level
    plain = {f"{','.join(sorted(route.methods))} {route.path}": calls for route in routes
             if (calls := _plain_calls(route.dependant, set()))}
    assert plain == {}
