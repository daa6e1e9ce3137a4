"""The pages every footer links to: help, the privacy notice and the accessibility statement."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.pages.common import render

router = APIRouter(include_in_schema=False)
# Each page: its paragraphs, catalogue keys "<page>_p1" … in context "ui".
PAGES = {"help": 5, "privacy": 5, "accessibility": 4}


def _page(name: str):
    async def page(request: Request) -> HTMLResponse:
        return render(request, "info.html", {"page": name, "paragraphs": [f"{name}_p{i}" for i in range(1, PAGES[name] + 1)]})

    page.__name__ = f"{name}_page"
    return page


for _name in PAGES:
    router.add_api_route(f"/{_name}", _page(_name), methods=["GET"], response_class=HTMLResponse)
