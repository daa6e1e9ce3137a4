"""axe-core (the engine of the axe browser tools, bundled by the PyPI package
axe-playwright-python) run inside each public page in Chromium: no serious or critical
violation, in each language."""

from axe_playwright_python.async_playwright import Axe

from api.forms.steps import FORMS
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_journeys import apply, decide
from tests.factories import refugee_application

PUBLIC = ("/", "/help", "/privacy", "/accessibility", "/verify", "/verify/AC-GB-1999-000001", "/apply",
          *(f"/apply/{slug}" for slug in FORMS))


async def look(page, lang: str, path: str) -> list[str]:
    """axe's serious findings on the page, and its picture in test-output/screenshots/ to look at."""
    name = path.strip("/").replace("/", "-") or "home"
    await page.screenshot(path=str(SCREENSHOTS / f"public-{lang}-{name}.png"), full_page=True)
    return await violations(page)


async def violations(page) -> list[str]:
    results = await Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core"  # it ran in the page
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


async def test_no_public_page_has_a_serious_accessibility_violation(page, live_url):
    case = await apply(live_url, "refugee", refugee_application())
    await decide(live_url, case["case_number"], "registration", "register", "registrar")
    found = {}
    for lang in ("ky", "ru", "en"):
        for path in PUBLIC:
            await page.goto(f"{live_url}{path}?lang={lang}")
            found[(lang, path)] = await look(page, lang, path)
        # A form page with its errors shown.
        await page.goto(f"{live_url}/apply/kairylman?lang={lang}")
        await page.click("button[value=continue]:not(.default-submit)")
        found[(lang, "/apply/kairylman (errors)")] = await look(page, lang, "/apply/kairylman-errors")
        # The applicant's own pages: the status page (with its documents and actions) and the
        # withdrawal's confirmation.
        await page.goto(f"{live_url}/?lang={lang}")
        await page.fill("#case_number", case["case_number"])
        await page.fill("#access_code", case["access_code"])
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{live_url}/status")
        found[(lang, "/status")] = await look(page, lang, "/status")
        await page.goto(f"{live_url}/status/withdraw")
        found[(lang, "/status/withdraw")] = await look(page, lang, "/status/withdraw")
        await page.goto(f"{live_url}/status")
        await page.click("form[action='/status/sign-out'] button")
    bad = {k: v for k, v in found.items() if v}
    assert not bad, bad


async def test_the_check_finds_what_it_should(page, live_url):
    """A control without a label and an image without a text: axe must say so, or it proves nothing."""
    await page.goto(f"{live_url}/help")
    await page.evaluate("""document.querySelector('main').insertAdjacentHTML('beforeend',
        '<input type=text><img src=/static/aryz.css>')""")
    found = " ".join(await violations(page))
    assert "label (critical)" in found and "image-alt (critical)" in found
