"""Whole resident conversations in the real widget, against the real running stack
(action server + Rasa + gunicorn web app): once with the mouse, once keyboard-only."""
from __future__ import annotations

import re

import pytest
from browser_helpers import BOT_TIMEOUT_MS, CRISIS_LINES, LOCAL_SERVICE, PHONE, screenshot
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.rasa]

LONELY = "I'm 79 and lonely, I live in Clacton"
CRISIS = "I want to end my life"

# The bot's answers since the person's last message, once the typing indicator has gone.
LATEST_REPLIES = """() => {
  const all = [...document.querySelectorAll('#chat-log .chat-msg')];
  const last = all.map(e => e.classList.contains('chat-msg--user')).lastIndexOf(true);
  return all.slice(last + 1).map(e => ({text: e.innerText, urgent:
    e.classList.contains('chat-msg--urgent'), error: e.classList.contains('chat-msg--error')}));
}"""


def wait_for_reply(page) -> list[dict]:
    page.wait_for_function(
        f"() => document.getElementById('chat-typing').hidden && ({LATEST_REPLIES})().length",
        timeout=BOT_TIMEOUT_MS)
    replies = page.evaluate(LATEST_REPLIES)
    assert not any(r["error"] for r in replies), replies
    return replies


def joined(replies: list[dict]) -> str:
    return "\n".join(r["text"] for r in replies)


def assert_crisis_first(replies: list[dict]) -> None:
    first = replies[0]
    assert all(line in first["text"] for line in CRISIS_LINES), first
    assert first["urgent"], "crisis lines should be styled as urgent"


def transcript(page) -> list[str]:
    return page.locator("#chat-log .chat-msg").all_inner_texts()


def test_full_conversation_with_the_mouse(page, web_url):
    page.goto(web_url + "/")
    page.get_by_role("button", name="Start a chat").click()
    assert "wellbeing" in joined(wait_for_reply(page)).lower()  # the bot's greeting

    page.get_by_label("Your message").fill(LONELY)
    page.get_by_role("button", name="Send").click()
    out = joined(wait_for_reply(page))
    assert LOCAL_SERVICE.search(out), out
    expect(page.locator(".chat-msg--user").last).to_have_text(f"You said: {LONELY}")
    # Compact cards from the bot's card data, a short summary for screen readers, one
    # prompt, and "Save or print these services" by service id only.
    cards = page.locator(".chat-card")
    assert cards.count() >= 1
    expect(cards.first.get_by_role("button", name=re.compile("^More details"))).to_be_visible()
    said = page.get_by_role("status").inner_text()
    assert re.match(r"\d+ services? found for loneliness and social isolation in Tendring\.",
                    said), said
    assert "reply options" in said and len(said.split()) < 80, said
    expect(page.locator(".chat-msg__replies")).to_have_count(1)
    save = page.get_by_role("link", name="Save or print these services")
    assert re.fullmatch(r"/my-services\?s=[a-z0-9-]+(&s=[a-z0-9-]+)*", save.get_attribute("href"))

    # A quick reply shows its title as the person's message and gets an answer.
    nav = "More options" if page.get_by_role("button", name="More options").count() \
        else "Something else"
    page.get_by_role("button", name=nav).click()
    expect(page.locator(".chat-msg--user").last).to_have_text(f"You said: {nav}")
    wait_for_reply(page)

    page.get_by_label("Your message").fill(CRISIS)
    page.get_by_label("Your message").press("Enter")
    assert_crisis_first(wait_for_reply(page))
    screenshot(page, "resident-conversation-1280")

    # After the crisis lines: local mental health support for the place already given.
    page.get_by_role("button", name="Mental health support near me").click()
    expect(page.locator(".chat-msg--user").last).to_have_text(
        "You said: Mental health support near me")
    assert "Tendring" in joined(wait_for_reply(page))

    before = transcript(page)
    page.reload()
    expect(page.locator("#chat-log .chat-msg")).to_have_count(len(before))
    assert transcript(page) == before
    page.set_viewport_size(PHONE)
    screenshot(page, "resident-conversation-360")


# --- keyboard only ------------------------------------------------------------------------------

FOCUSED = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
    && s.outlineColor !== 'rgba(0, 0, 0, 0)' && s.outlineColor !== 'transparent';
  return {id: e.id, tag: e.tagName, text: (e.innerText || e.value || '').trim(),
          inChat: !!e.closest('#chat'), visible: outline || s.boxShadow !== 'none'};
}"""


def tab_to(page, wanted, *, back: bool = False, limit: int = 60) -> dict:
    """Press Tab (or Shift+Tab) until `wanted(focused)` is true; every stop must show focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["visible"], f"no visible focus on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"could not reach the element by {'Shift+' if back else ''}Tab")


def say(page, text: str) -> list[dict]:
    if page.evaluate("document.activeElement.id") != "chat-input":
        # After an answer with reply options focus is on the first one; the message box is
        # next with Tab (forwards, never only backwards).
        tab_to(page, lambda f: f["id"] == "chat-input")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    return wait_for_reply(page)


def press_reply_button(page, title: str) -> list[dict]:
    # Focus is on the first reply option after an answer: the others follow with Tab.
    def wanted(f: dict) -> bool:
        return f["tag"] == "BUTTON" and f["text"] == title

    if not wanted(page.evaluate(FOCUSED)):
        tab_to(page, wanted)
    page.keyboard.press("Enter")
    # Focus goes back to the message box, not lost to <body> when the buttons go.
    assert page.evaluate("document.activeElement.id") == "chat-input"
    return wait_for_reply(page)


def test_the_same_conversation_keyboard_only(page, web_url):
    page.goto(web_url + "/")
    tab_to(page, lambda f: f["id"] == "chat-launcher")
    page.keyboard.press("Enter")
    wait_for_reply(page)

    assert LOCAL_SERVICE.search(joined(say(page, LONELY)))
    next_step = page.get_by_role("button", name="More options")
    press_reply_button(page, "More options" if next_step.count() else "Something else")
    assert_crisis_first(say(page, CRISIS))
    press_reply_button(page, "Mental health support near me")

    # No keyboard trap: Tab goes on past Send and Start again and out of the chat.
    tab_to(page, lambda f: not f["inChat"])


# --- the other tiers in the real widget -------------------------------------------------------

def first_message(page, web_url: str, text: str) -> str:
    """Open the chat on the resident page, say `text`, and return the answer."""
    page.goto(web_url + "/")
    page.get_by_role("button", name="Start a chat").click()
    wait_for_reply(page)
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")
    return joined(wait_for_reply(page))


def test_unclear_risk_asks_with_yes_and_no_and_no_carries_on(page, web_url):
    out = first_message(page, web_url, "I feel so hopeless about my weight")
    assert "thoughts of ending your life" in out and all(x in out for x in CRISIS_LINES)
    page.get_by_role("button", name="No", exact=True).click()
    assert "town" in joined(wait_for_reply(page)).lower()


def test_safeguarding_then_exit_this_page_leaves_and_forgets(page, web_url):
    page.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Weather</title><p>Weather</p>"))
    out = first_message(page, web_url, "my boyfriend hits me and checks my phone")
    assert "0808 2000 247" in out and "Exit this page" in out, out
    page.get_by_role("button", name="Exit this page").click()
    page.wait_for_url("https://www.bbc.co.uk/**")
    page.goto(web_url + "/")
    assert page.evaluate("sessionStorage.getItem('signpost-chat-v1')") is None


def test_a_second_need_is_offered_with_a_button_and_axe_passes(new_page, web_url):
    """Two needs in one message: the main one's services, then one tap for the other."""
    from browser_helpers import axe_violations

    page = new_page(bypass_csp=True)  # so that axe can be injected
    page.goto(web_url + "/")
    page.get_by_role("button", name="Start a chat").click()
    wait_for_reply(page)
    page.get_by_label("Your message").fill(
        "I'm 45 and live in Chelmsford, I drink too much since I lost my job and I need to "
        "find work")
    page.get_by_role("button", name="Send").click()
    out = joined(wait_for_reply(page))
    assert "alcohol" in out.lower()
    assert "You also mentioned work, training and education" in out
    also = page.get_by_role("button", name="Also: Work, training and education")
    expect(also).to_be_visible()
    assert axe_violations(page, "second-need button") == []
    also.click()
    out = joined(wait_for_reply(page))
    assert "work, training and education in Chelmsford" in out, out
