from tests.browser.conftest import live_url  # noqa: F401  (a live aryz on 127.0.0.1)
