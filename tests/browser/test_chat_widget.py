"""The chat widget with Rasa faked by page.route: escaping, links, buttons, failures, layout.
Fast and deterministic; the real conversation is in test_resident_journeys.py."""
from __future__ import annotations

import json

import pytest
from browser_helpers import CRISIS_LINES, PHONE, WEBHOOK, screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

XSS_TEXT = ('Try <img src=x onerror="window.__xss=1"> and <script>window.__xss=1</script>\n'
            '<a href="javascript:window.__xss=1">click</a> javascript:window.__xss=1')
XSS_BUTTON = '<img src=x onerror="window.__xss=1">Yes'
XSS_TITLE = ('<svg onload=window["__xss"]=1> Club (<b onclick="window.__xss=1">Org</b>)\n'
             'A service.')


@pytest.fixture(scope="module")
def site(serve_app, seeded_db) -> str:
    return serve_app(seeded_db)


class FakeRasa:
    """Answers the widget's webhook calls from a script; records what was sent."""

    def __init__(self, page, *answers):
        self.answers = list(answers)
        self.sent: list[dict] = []
        page.route(WEBHOOK, self.handle)

    def handle(self, route):
        cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*",
                "Access-Control-Allow-Methods": "POST, OPTIONS"}
        if route.request.method == "OPTIONS":
            return route.fulfill(status=204, headers=cors)
        self.sent.append(json.loads(route.request.post_data or "{}"))
        answer = self.answers.pop(0) if self.answers else []
        if answer == "abort":
            return route.abort("connectionrefused")
        status, body = answer if isinstance(answer, tuple) else (200, answer)
        route.fulfill(status=status, headers=cors, content_type="application/json",
                      body=json.dumps(body))


def bot(text, *buttons):
    return {"recipient_id": "x", "text": text,
            **({"buttons": [{"title": t, "payload": p} for t, p in buttons]} if buttons else {})}


GREETING = [bot("Hello. Tell me, in your own words, what's on your mind.")]


def open_chat(page, site):
    page.goto(site + "/")
    page.get_by_role("button", name="Start a chat").click()
    expect(page.locator(".chat-msg--bot").first).to_be_visible()


def test_bot_and_button_html_is_shown_as_text_and_never_runs(new_page, site):
    # bypass_csp: prove the escaping itself, not just our Content-Security-Policy.
    page = new_page(bypass_csp=True)
    FakeRasa(page, [bot(XSS_TITLE), bot(XSS_TEXT, (XSS_BUTTON, "/helpful_yes"))], GREETING)
    open_chat(page, site)
    log = page.locator("#chat-log")
    expect(log.get_by_role("heading", level=3)).to_have_text(XSS_TITLE.split("\n")[0])
    expect(log).to_contain_text('<img src=x onerror="window.__xss=1">')
    expect(log).to_contain_text("<script>window.__xss=1</script>")
    assert log.locator("img, script, iframe, svg, b").count() == 0
    # javascript: addresses never become links.
    assert all(not (h or "").startswith("javascript")
               for h in log.locator("a").evaluate_all("as => as.map(a => a.href)"))
    button = page.get_by_role("button", name=XSS_BUTTON)
    button.click()  # the title is shown as the person's message, still as text
    expect(page.locator(".chat-msg--user")).to_have_text(f"You said: {XSS_BUTTON}")
    page.wait_for_timeout(300)  # give any injected handler a chance to fire
    assert page.evaluate("window.__xss") is None


def test_links_are_clickable_and_safe_and_buttons_send_their_payload(page, site):
    text = ("Contact: phone 01206 123456, email help@example.org, https://example.org/page.\n"
            "- Samaritans: call 116 123\n- Text SHOUT to 85258\n- Call NHS 111\n"
            "Or see www.essex.gov.uk")
    card = "Befriending Scheme (Essex County Council)\nRegular friendly contact."
    fake = FakeRasa(page, [bot(card), bot(text, ("More options", "/more_options"))],
                    [bot("More here.")])
    open_chat(page, site)
    links = page.locator("#chat-log a")
    hrefs = links.evaluate_all("as => as.map(a => [a.textContent, a.getAttribute('href'), a.rel])")
    by_text = {t.replace(" (opens in a new tab)", ""): (h, r) for t, h, r in hrefs}
    assert by_text["01206 123456"][0] == "tel:01206123456"
    assert by_text["help@example.org"][0] == "mailto:help@example.org"
    assert by_text["https://example.org/page"][0] == "https://example.org/page"  # not the "."
    assert by_text["116 123"][0] == "tel:116123"
    assert by_text["85258"][0] == "sms:85258?&body=SHOUT"  # prefills the word to text
    assert by_text["NHS 111"][0] == "tel:111"
    assert by_text["www.essex.gov.uk"][0] == "https://www.essex.gov.uk/"
    assert all(r == "noopener noreferrer" for _, (_, r) in by_text.items())
    # "- " lines are a real list; a service's "Name (Organisation)" line is a heading
    assert page.locator("#chat-log .chat-msg__list li").count() == 3
    expect(page.get_by_role("heading", level=3, name="Befriending Scheme (Essex County Council)")
           ).to_be_visible()

    page.get_by_role("button", name="More options").click()
    expect(page.locator(".chat-msg--user")).to_have_text("You said: More options")
    expect(page.locator("#chat-log")).to_contain_text("More here.")
    assert fake.sent[0]["message"] == "/greet"
    assert fake.sent[1]["message"] == "/more_options"
    assert fake.sent[0]["sender"] == fake.sent[1]["sender"]
    # old reply buttons are gone; focus went to the message box, not <body>
    assert page.get_by_role("button", name="More options").count() == 0
    assert page.evaluate("document.activeElement.id") == "chat-input"


@pytest.mark.parametrize("failure", ["abort", (500, {"error": "boom"}), []],
                         ids=["unreachable", "http-500", "empty-reply"])
def test_rasa_down_says_so_with_crisis_lines_and_a_general_route(page, site, failure):
    fake = FakeRasa(page, GREETING, failure, [bot("Back again.")])
    open_chat(page, site)
    page.get_by_label("Your message").fill("I feel lonely")
    page.get_by_label("Your message").press("Enter")
    error = page.locator(".chat-msg--error")
    expect(error).to_contain_text("can't reach the assistant")
    for line in CRISIS_LINES:
        expect(error).to_contain_text(line)
    expect(error).to_contain_text("GP practice")
    expect(error).to_contain_text("NHS 111")
    expect(page.locator(".chat__typing")).to_be_hidden()
    # "Try again" resends the same message, without showing it twice
    page.get_by_role("button", name="Try again").click()
    expect(page.locator("#chat-log")).to_contain_text("Back again.")
    assert fake.sent[-1]["message"] == "I feel lonely"
    assert page.locator(".chat-msg--user").count() == 1


def test_too_many_messages_shows_the_channels_own_text_not_cant_reach(page, site):
    """The chat channel's 429 (and 413) carry a friendly text with the crisis lines."""
    slow = "You're sending messages faster than I can answer. " + " ".join(CRISIS_LINES)
    FakeRasa(page, GREETING, (429, {"error": "Too Many Requests", "status": 429,
                                    "text": slow, "messages": [bot(slow)]}))
    open_chat(page, site)
    page.get_by_label("Your message").fill("hello?")
    page.get_by_label("Your message").press("Enter")
    expect(page.locator("#chat-log")).to_contain_text("faster than I can answer")
    expect(page.locator(".chat-msg--error")).to_have_count(0)


def test_conversation_survives_reload_and_restart_clears_it(page, site):
    fake = FakeRasa(page, GREETING, [bot("Which town?", ("Rather not say", "/deny"))],
                    GREETING)
    open_chat(page, site)
    page.get_by_label("Your message").fill("I'm lonely")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Rather not say")).to_be_visible()
    page.reload()
    # same transcript, the last answer's buttons still offered, no new request
    expect(page.locator(".chat-msg--user")).to_have_text("You said: I'm lonely")
    expect(page.get_by_role("button", name="Rather not say")).to_be_visible()
    expect(page.get_by_role("button", name="Start a chat")).to_be_hidden()
    # the restored transcript is not read out again (the live region only speaks for new
    # answers)
    expect(page.get_by_role("status")).to_have_text("")
    assert len(fake.sent) == 2
    sender = fake.sent[0]["sender"]
    page.get_by_role("button", name="Start again").click()
    expect(page.locator(".chat-msg--user")).to_have_count(0)
    expect(page.locator(".chat-msg--bot")).to_have_count(1)
    assert fake.sent[-1]["message"] == "/greet" and fake.sent[-1]["sender"] != sender
    assert page.evaluate("document.activeElement.id") == "chat-input"


def test_labels_roles_reflow_and_reduced_motion(new_page, site):
    page = new_page(viewport=PHONE, reduced_motion="reduce")
    FakeRasa(page, [bot("Hello https://example.org/" + "a-very-long-path-" * 8,
                        ("Something else", "/something_else"))])
    page.goto(site + "/")
    launcher = page.get_by_role("button", name="Start a chat")
    assert launcher.get_attribute("aria-expanded") == "false"
    launcher.click()
    assert page.get_by_role("status").get_attribute("aria-live") == "polite"
    expect(page.get_by_role("region", name="Conversation")).to_be_visible()
    expect(page.locator(".chat-msg--bot")).to_be_visible()
    # the answer has a reply option: focus moved to it (it comes next with Tab)
    expect(page.get_by_role("button", name="Something else")).to_be_focused()
    page.evaluate("document.getElementById('chat-typing').hidden = false")
    dots = page.locator(".chat__dots span").first
    assert dots.evaluate("e => getComputedStyle(e).animationName") == "none"
    # 360 px phone, and 1280 px at 200% and 400% zoom (640 and 320 CSS px): no sideways scroll
    for width in (360, 640, 320):
        page.set_viewport_size({"width": width, "height": 740})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
    page.set_viewport_size(PHONE)
    screenshot(page, "resident-chat-fake-360")


def test_exit_this_page_by_button_or_three_shifts_clears_the_transcript(page, site):
    page.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Weather</title>"))
    FakeRasa(page, GREETING, [bot("I'm sorry this is happening.")], GREETING)
    open_chat(page, site)
    page.get_by_label("Your message").fill("someone is hurting me")
    page.keyboard.press("Enter")
    expect(page.locator("#chat-log")).to_contain_text("I'm sorry this is happening.")
    exit_button = page.get_by_role("button", name="Exit this page")
    expect(exit_button).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('signpost-chat-v1')")
    exit_button.click()
    page.wait_for_url("https://www.bbc.co.uk/weather")
    assert page.evaluate("history.length") <= 2  # replaced, not pushed
    page.goto(site + "/")
    assert page.evaluate("sessionStorage.getItem('signpost-chat-v1')") is None
    # Shift three times does the same.
    open_chat(page, site)
    page.get_by_label("Your message").focus()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url("https://www.bbc.co.uk/weather")


def test_offline_text_and_links_come_from_the_help_lines(page, site):
    from signpost import help_lines

    FakeRasa(page, GREETING, "abort")
    open_chat(page, site)
    page.get_by_label("Your message").fill("hello")
    page.keyboard.press("Enter")
    error = page.locator(".chat-msg--error")
    for line in help_lines.help_now():
        expect(error).to_contain_text(line.as_text())
    shout = error.get_by_role("link", name=help_lines.line("shout").label)
    expect(shout).to_have_attribute("href", help_lines.line("shout").href)
