"""Applying on a phone, in Chromium, for each of the five procedures (all three languages across
them): from the home page, page by page, through a mistake, to the case number and access code."""

import pytest

from api.forms.steps import FORMS
from tests.api.test_apply_pages import as_form
from tests.browser.conftest import SCREENSHOTS
from tests.factories import APPLICATIONS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def answer(phone, name: str, value: str) -> None:
    field = phone.locator(f'[name="{name}"]').first
    tag = await field.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
    if tag in ("input:radio", "input:checkbox"):
        await phone.check(f'[name="{name}"][value="{value}"]')
    elif tag.startswith("select"):
        await field.select_option(value)
    else:
        await field.fill(value)


async def no_horizontal_scroll(phone) -> None:
    assert await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), phone.url


@pytest.mark.parametrize("slug,lang", [("refugee", "ky"), ("kairylman", "ru"), ("repatriation", "en"),
                                       ("work-permit", "ru"), ("agency-permit", "ky")])
async def test_an_applicant_applies_on_a_phone(browser, live_url, slug, lang):
    context = await browser.new_context(viewport={"width": 360, "height": 780})
    phone = await context.new_page()
    await phone.goto(f"{live_url}/?lang={lang}")
    await phone.click("#apply-link")
    await phone.click(f'a[href="/apply/{slug}"]')
    answers = as_form(APPLICATIONS[slug]())
    for index, step in enumerate(FORMS[slug].steps):
        mine = [(n, v) for n, v in answers if n.split(".", 1)[0] in step.fields]
        for entries in ("family_members",):
            if any(n.startswith(entries + ".") for n, _ in mine):
                await phone.click(f'button[value="add:{entries}"]')
        if index == 0:  # a first try with a mistake: the summary names it, the answers stay
            first, value = mine[0]
            await phone.click("button[value=continue]:not(.default-submit)")
            assert await phone.locator("#error-summary").is_visible()
            await phone.screenshot(path=str(SCREENSHOTS / f"apply-{slug}-{lang}-error.png"), full_page=True)
            await phone.click(f'#error-summary a[href="#f-{first.replace(".", "-")}"]')
        for name, value in mine:
            await answer(phone, name, value)
        await no_horizontal_scroll(phone)
        await phone.screenshot(path=str(SCREENSHOTS / f"apply-{slug}-{lang}-{index + 1}-{step.key}.png"),
                               full_page=True)
        await phone.click("button[value=continue]:not(.default-submit)")
        assert not await phone.locator("#error-summary").count(), await phone.locator("#error-summary").inner_text()
    assert await phone.locator("#submit-application").is_visible()
    await phone.set_input_files("#f-files", files=[{"name": "passport.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF}])
    await no_horizontal_scroll(phone)
    await phone.screenshot(path=str(SCREENSHOTS / f"apply-{slug}-{lang}-check.png"), full_page=True)
    await phone.click("#submit-application")
    number = await phone.locator("#case-number").inner_text()
    assert number.startswith(FORMS[slug].procedure.case_prefix)
    assert len(await phone.locator("#access-code").inner_text()) >= 12
    await phone.screenshot(path=str(SCREENSHOTS / f"apply-{slug}-{lang}-done.png"), full_page=True)
    await phone.click("a[href='/status']")
    await phone.wait_for_url(f"{live_url}/status")
    assert number in await phone.content()
    await no_horizontal_scroll(phone)
    await context.close()
