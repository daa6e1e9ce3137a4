from tests.api.conftest import api, tokens  # noqa: F401
from tests.api.helpers import Browser
from tests.conftest import PASSWORD


async def signed_in(client, username: str, password: str = PASSWORD) -> Browser:
    browser = Browser(client)
    r = await browser.sign_in(username, password)
    assert r.status_code == 303, r.text
    return browser
