"""axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on every page of the running stack, reflow at
360 px, and screenshots at 1280 and 360 px under tests/artifacts/ for a person to look at."""
from __future__ import annotations

import re

import pytest
from browser_helpers import BOT_TIMEOUT_MS, DESKTOP, PHONE, axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.rasa]


def check_page(page, name: str) -> list[str]:
    """axe at desktop width, then reflow at 360 px; screenshots at both. Returns problems."""
    problems = [f"{name}: axe {v['impact']} {v['id']}: {v['help']}"
                for v in axe_violations(page, name)]
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
        problems.append(f"{name}: scrolls sideways at {PHONE['width']} px")
    screenshot(page, f"{name}-360")
    page.set_viewport_size(DESKTOP)
    return problems


def test_every_page_passes_axe_and_reflows(new_page, web_url, stack):
    # bypass_csp: our Content-Security-Policy rightly refuses the injected axe script.
    page = new_page(bypass_csp=True)
    problems: list[str] = []

    page.goto(web_url + "/")
    problems += check_page(page, "resident")
    page.get_by_role("button", name="Start a chat").click()
    page.wait_for_selector("#chat-log .chat-msg--bot", timeout=BOT_TIMEOUT_MS)
    page.get_by_label("Your message").fill("I'm 79 and lonely, I live in Clacton")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.chat-msg__replies').length > 0 &&"
                           " document.getElementById('chat-typing').hidden",
                           timeout=BOT_TIMEOUT_MS)
    problems += check_page(page, "resident-chat")
    page.get_by_role("link", name="Save or print these services").click()
    page.wait_for_url("**/my-services?**")
    problems += check_page(page, "my-services")
    resp = page.goto(web_url + "/my-services?s=")
    assert resp.status == 400
    problems += check_page(page, "my-services-error")

    page.goto(web_url + "/practitioners")
    problems += check_page(page, "practitioners")
    page.goto(web_url + "/practitioners?q=lonely+widower&where=Clacton&age=79")
    problems += check_page(page, "practitioners-results")
    first = page.locator(".service-card h3 a").first.get_attribute("href")
    assert re.fullmatch(r"/practitioners/services/[a-z0-9-]+\?back=\S+", first)
    page.goto(web_url + first)
    problems += check_page(page, "practitioner-service")
    page.goto(web_url + "/practitioners?q=lonely&where=CM3")
    problems += check_page(page, "practitioners-choose-area")
    page.goto(web_url + "/practitioners?need=loneliness&where=Clacton")
    picks = page.locator("input[name=s]")
    picks.nth(0).check()
    picks.nth(1).check()
    page.get_by_role("button", name="Make a list for the patient").click()
    page.wait_for_url("**/practitioners/summary?**")
    problems += check_page(page, "practitioners-summary")
    resp = page.goto(web_url + "/practitioners?need=nope&age=200")
    assert resp.status == 400
    problems += check_page(page, "practitioners-error")

    page.goto(web_url + "/accessibility")
    problems += check_page(page, "accessibility")

    # The commissioner page (another team's) needs the stack's token.
    page.set_extra_http_headers(
        {"Authorization": f"Bearer {stack.env['COMMISSIONER_TOKEN']}"})
    resp = page.goto(web_url + "/commissioners")
    if resp.status != 404:
        assert resp.status == 200, resp.status
        problems += check_page(page, "commissioners")
        page.goto(web_url + "/commissioners/directory-freshness")
        problems += check_page(page, "directory-freshness")

    assert not problems, "\n".join(problems)
