"""Issue 15 in the browser, on a 390 x 844 phone and a 1280 px desktop: the chat starts from
the first screen, compact cards with "More details", one prompt after results, "Save or print
these services" (a page by service id only, print and copy), keyboard order, what a screen
reader hears (the live region's text), and a shared device (Start again, Exit this page and
the time limit clear the stored transcript).

Rasa is faked by page.route with answers in the real REST shape: the results are built by
the real wording functions (actions/replies.py) from the seeded directory, each card's text
followed by its `custom` data, as Rasa's REST channel sends them. test_resident_journeys.py
holds the same conversation against the real stack.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_helpers import DESKTOP, PHONE_390, axe_violations
from playwright.sync_api import expect
from test_chat_widget import GREETING, FakeRasa, bot

from actions import replies
from services_directory.search import search_services
from signpost import help_lines
from signpost.db import session_scope

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": PHONE_390, "desktop": DESKTOP}
STORE = "sessionStorage.getItem('signpost-chat-v1')"


@pytest.fixture(scope="module")
def site(serve_app, seeded_db) -> str:
    return serve_app(seeded_db)


@pytest.fixture(scope="module")
def shown(seeded_db):
    """Three resident services for loneliness in Tendring, from the seeded directory."""
    with session_scope(seeded_db) as s:
        return search_services(s, "loneliness", "Tendring", 79, audience="resident")[:3]


def results(services) -> list[dict]:
    """Rasa's REST reply to a need, place and age, as the real action words it."""
    out = [bot(replies.intro("loneliness", "Tendring", False, services=services)),
           {"recipient_id": "x", "custom": replies.results_summary(
               "loneliness", "Tendring", len(services), False)}]
    for service in services:
        # Rasa's REST channel splits a text at blank lines; the custom data comes after it.
        out += [bot(part) for part in replies.resident_card(service).split("\n\n")]
        out.append({"recipient_id": "x", "custom": replies.resident_card_data(service)})
    out.append(bot(replies.closing(services),
                   *[(b["title"], b["payload"])
                     for b in replies.closing_buttons(None, has_more=True)]))
    return out


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def chat(new_page, site, shown, viewport):
    """A page at the viewport (axe allowed in), the chat open after one need message."""
    page = new_page(viewport=VIEWPORTS[viewport], bypass_csp=True)
    fake = FakeRasa(page, GREETING, results(shown), [bot("Thank you.")], GREETING)
    page.goto(site + "/")
    page.get_by_role("button", name="Start a chat").click()
    expect(page.locator(".chat-msg--bot").first).to_be_visible()
    page.get_by_label("Your message").fill("I'm 79 and lonely, I live in Clacton")
    page.keyboard.press("Enter")
    expect(page.locator(".chat-card")).to_have_count(len(shown))
    expect(page.locator("#chat-typing")).to_be_hidden()
    page.fake = fake
    return page


def strict_axe(page, label: str) -> None:
    """axe clean at every impact level (axe_violations returns them all)."""
    found = axe_violations(page, label)
    assert found == [], [f"{v['impact']} {v['id']}" for v in found]


# --- phone first ---------------------------------------------------------------------------

def test_the_chat_starts_from_the_first_screen_with_the_help_lines_visible(new_page, site,
                                                                          viewport):
    size = VIEWPORTS[viewport]
    page = new_page(viewport=size, bypass_csp=True)
    FakeRasa(page, GREETING)
    page.goto(site + "/")
    launcher = page.get_by_role("button", name="Start a chat")
    box = launcher.bounding_box()
    assert box["y"] + box["height"] <= size["height"], box  # no scrolling to start
    panel = page.locator(".help-now")
    help_box = panel.bounding_box()
    assert help_box["y"] < size["height"]
    # every help line is on the first screen, each number a link
    for line in help_lines.help_now():
        link = panel.get_by_role("link", name=line.label, exact=True)
        expect(link).to_have_attribute("href", line.href)
        lb = link.bounding_box()
        assert lb["y"] + lb["height"] <= size["height"], line.id
    if viewport == "phone":
        assert help_box["height"] <= 300, help_box  # compact
    strict_axe(page, f"resident-{viewport}")
    launcher.click()
    expect(page.get_by_label("Your message")).to_be_focused()


def test_shout_prefills_the_word_and_still_shows_the_number(new_page, site, viewport):
    page = new_page(viewport=VIEWPORTS[viewport])
    shout = help_lines.line("shout")
    FakeRasa(page, [bot(f"- {shout.as_text()}")])
    page.goto(site + "/")
    panel_link = page.locator(".help-now").get_by_role("link", name=shout.label)
    expect(panel_link).to_have_attribute("href", "sms:85258?&body=SHOUT")
    page.get_by_role("button", name="Start a chat").click()
    chat_link = page.locator("#chat-log").get_by_role("link", name=shout.label)
    expect(chat_link).to_have_attribute("href", shout.href)
    expect(chat_link).to_have_text(shout.number)  # the number stays visible


# --- compact cards, one prompt ---------------------------------------------------------------

def test_results_are_compact_cards_with_more_details_and_one_prompt(chat, shown, viewport):
    cards = chat.locator(".chat-card")
    for card, service in zip(cards.all(), shown, strict=True):
        expect(card.get_by_role("heading", level=3)).to_have_text(service.title)
        expect(card).to_contain_text(replies.one_line(service))
        contact = replies.main_contact(service)
        if contact:
            expect(card.locator(".chat-card__contact a")).to_contain_text(contact["value"])
        if replies.who_for_line(service):
            expect(card).to_contain_text("Who it's for: " + replies.who_for_line(service))
        more = card.get_by_role("button", name=re.compile("^More details"))
        details = card.locator(".chat-card__more")
        expect(details).to_be_hidden()
        assert more.get_attribute("aria-expanded") == "false"
    # One card's details open on request, with the full text the bot sent.
    first = cards.first
    first.get_by_role("button", name=re.compile("^More details")).click()
    expect(first.locator(".chat-card__more")).to_be_visible()
    expect(first.get_by_role("button", name=re.compile("^Fewer details"))).to_have_attribute(
        "aria-expanded", "true")
    if shown[0].checked_month:
        expect(first.locator(".chat-card__more")).to_contain_text(shown[0].checked_month)
    # Short: all three compact cards take well under a screen each on a phone.
    heights = [c.bounding_box()["height"] for c in cards.all()[1:]]
    assert max(heights) < VIEWPORTS[viewport]["height"] / 2, heights
    # One prompt with buttons after the results, and "Start again" only once on the page.
    expect(chat.locator(".chat-msg__replies")).to_have_count(1)
    expect(chat.locator(".chat-msg").last).to_contain_text("Was this helpful?")
    expect(chat.get_by_role("button", name="Start again")).to_have_count(1)
    strict_axe(chat, f"compact-cards-{viewport}")


def test_a_bot_start_again_button_is_left_to_the_widgets_own(new_page, site):
    page = new_page()
    FakeRasa(page, [bot("Sorry.", ("What can you help with?", "/what_can_you_do"),
                        ("Start again", "/restart"))])
    page.goto(site + "/")
    page.get_by_role("button", name="Start a chat").click()
    expect(page.get_by_role("button", name="What can you help with?")).to_be_visible()
    expect(page.get_by_role("button", name="Start again")).to_have_count(1)


# --- take it away ------------------------------------------------------------------------------

def test_save_or_print_gives_a_page_by_service_id_only(chat, shown, site, viewport):
    save = chat.get_by_role("link", name="Save or print these services")
    href = save.get_attribute("href")
    query = parse_qs(urlsplit(href).query)
    assert urlsplit(href).path == "/my-services"
    assert query == {"s": [s.slug for s in shown]}  # only the services' ids
    save.click()
    chat.wait_for_url("**/my-services?**")
    expect(chat.get_by_role("heading", level=1)).to_have_text("Your services")
    for service in shown:
        expect(chat.get_by_role("heading", level=2, name=service.name)).to_be_visible()
    # Copyable text with every service, and the link to open it later.
    text = chat.get_by_label("The same list as plain text").input_value()
    assert all(s.name in text for s in shown)
    assert "lonely" not in chat.get_by_label("Link to this list").input_value()
    assert chat.get_by_label("Link to this list").input_value().endswith(urlsplit(href).query)
    strict_axe(chat, f"my-services-{viewport}")
    # Print: the services and the help lines, not the furniture or the copy box.
    chat.emulate_media(media="print")
    expect(chat.locator(".summary-service").first).to_be_visible()
    expect(chat.locator(".help-now")).to_be_visible()
    expect(chat.locator(".summary-copy")).to_be_hidden()
    expect(chat.locator(".nhsuk-header")).to_be_hidden()
    chat.emulate_media(media="screen")
    # Back to the chat: the conversation is still there.
    chat.get_by_role("link", name="Back to the chat").click()
    expect(chat.locator(".chat-card")).to_have_count(len(shown))


def test_printing_the_chat_prints_the_services_with_their_details(chat, shown):
    chat.emulate_media(media="print")
    cards = chat.locator(".chat-card")
    expect(cards).to_have_count(len(shown))
    for card in cards.all():
        expect(card).to_be_visible()
        expect(card.locator(".chat-card__more")).to_be_visible()  # details open on paper
        expect(card.locator(".chat-card__toggle")).to_be_hidden()
    expect(chat.locator(".chat-msg--user")).to_be_hidden()  # not the person's own words
    expect(chat.locator("#chat-form")).to_be_hidden()
    expect(chat.locator(".help-now")).to_be_visible()


# --- keyboard --------------------------------------------------------------------------------

def test_after_an_answer_focus_is_on_the_reply_options_then_the_message_box(chat, viewport):
    focused = chat.evaluate("document.activeElement.textContent")
    assert focused == "Yes", focused  # the first reply option
    # Forward with Tab: every option, then the message box; nothing only backwards.
    seen = []
    for _ in range(6):
        seen.append(chat.evaluate("document.activeElement.id || document.activeElement"
                                  ".textContent"))
        if seen[-1] == "chat-input":
            break
        chat.keyboard.press("Tab")
    assert seen == ["Yes", "No", "More options", "Something else", "chat-input"], seen
    # The focused element is in view.
    assert chat.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight; }""")
    # Typing after the answer works at once from the message box.
    chat.keyboard.type("thanks")
    chat.keyboard.press("Enter")
    expect(chat.locator(".chat-msg--user").last).to_have_text("You said: thanks")
    expect(chat.get_by_label("Your message")).to_be_focused()  # no buttons: focus stays


def _chat_awaiting_a_question(new_page, site):
    """A desktop page with the chat open, whose next answer asks for the town with a button."""
    page = new_page()
    fake = FakeRasa(page, GREETING)
    page.goto(site + "/")
    page.get_by_role("button", name="Start a chat").click()
    expect(page.locator(".chat-msg--bot")).to_have_count(1)
    fake.answers.append([bot("Which town?", ("Rather not say", "/deny"))])
    return page


def test_focus_is_not_taken_while_the_person_is_typing(new_page, site):
    page = _chat_awaiting_a_question(new_page, site)
    box = page.get_by_label("Your message")
    box.fill("lonely")
    box.press("Enter")
    box.type("Clac")  # typing again before the answer arrives
    expect(page.get_by_role("button", name="Rather not say")).to_be_visible()
    expect(box).to_be_focused()
    assert box.input_value() == "Clac"


# --- screen reader -----------------------------------------------------------------------------

def test_the_live_region_says_a_summary_and_the_options_not_whole_cards(chat, shown):
    status = chat.get_by_role("status")
    assert status.get_attribute("aria-live") == "polite"
    said = status.inner_text()
    assert said.startswith("3 services found for loneliness and social isolation in Tendring.")
    assert "Was this helpful?" in said
    items = status.locator("li").all_inner_texts()
    assert items == ["Yes,", "No,", "More options,", "Something else."], items
    for service in shown:  # no card is read out
        assert service.name not in said and replies.one_line(service) not in said
    assert len(said.split()) < 60, said
    # The conversation itself is not a live region (no whole cards read out).
    log = chat.get_by_role("region", name="Conversation")
    assert log.get_attribute("aria-live") is None
    assert log.get_attribute("role") == "region"


def test_typing_is_announced(new_page, site):
    page = new_page()
    page.route("**/webhooks/rest/webhook", lambda route: None)  # never answers
    page.goto(site + "/")
    page.get_by_role("button", name="Start a chat").click()
    expect(page.get_by_role("status")).to_have_text("The assistant is typing.")
    expect(page.locator("#chat-typing")).to_be_visible()


# --- shared devices ----------------------------------------------------------------------------

def test_start_again_clears_the_stored_transcript(chat):
    before = chat.evaluate(STORE)
    assert "Help with loneliness" in before or "services" in before
    chat.get_by_role("button", name="Start again").click()
    expect(chat.locator(".chat-card")).to_have_count(0)
    expect(chat.locator(".chat-msg--bot")).to_have_count(1)  # the new greeting only
    stored = chat.evaluate(STORE)
    assert "chat-card" not in stored and "lonely" not in stored and '"card"' not in stored


def test_exit_this_page_clears_the_stored_transcript(chat, site):
    chat.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Weather</title>"))
    assert chat.evaluate(STORE)
    chat.get_by_role("button", name="Exit this page").click()
    chat.wait_for_url("https://www.bbc.co.uk/weather")
    chat.goto(site + "/")
    assert chat.evaluate(STORE) is None


def test_the_page_says_how_long_the_tab_keeps_it_and_then_it_is_gone(new_page, site):
    page = new_page()
    FakeRasa(page, GREETING, [bot("Which town?")])
    page.goto(site + "/")
    minutes = int(page.locator("#chat").get_attribute("data-keep-minutes"))
    expect(page.locator("#chat-keep")).to_contain_text(f"{minutes} minutes after your last "
                                                        "message")
    page.get_by_role("button", name="Start a chat").click()
    page.get_by_label("Your message").fill("I'm lonely")
    page.keyboard.press("Enter")
    expect(page.locator(".chat-msg--user")).to_have_count(1)
    # Pretend the last message was longer ago than the page says: a reload forgets it.
    page.evaluate(f"""() => {{ const s = JSON.parse({STORE});
        s.savedAt = Date.now() - ({minutes} * 60 + 5) * 1000;
        sessionStorage.setItem('signpost-chat-v1', JSON.stringify(s)); }}""")
    page.reload()
    expect(page.get_by_role("button", name="Start a chat")).to_be_visible()
    expect(page.locator(".chat-msg")).to_have_count(0)
    assert page.evaluate(STORE) is None


def test_a_conversation_left_open_longer_than_that_is_cleared_from_the_page(new_page, site):
    page = new_page()
    page.clock.install()
    FakeRasa(page, GREETING, [bot("Which town?", ("Rather not say", "/deny"))])
    page.goto(site + "/")
    minutes = int(page.locator("#chat").get_attribute("data-keep-minutes"))
    page.get_by_role("button", name="Start a chat").click()
    page.get_by_label("Your message").fill("I'm lonely")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Rather not say")).to_be_visible()
    page.clock.fast_forward(f"{minutes - 1}:00")
    expect(page.locator(".chat-msg--user")).to_have_count(1)  # not yet
    page.clock.fast_forward("02:00")
    expect(page.locator(".chat-msg")).to_have_count(0)
    expect(page.get_by_role("button", name="Start a chat")).to_be_visible()
    assert page.evaluate(STORE) is None


def test_a_bad_save_link_says_why_and_passes_axe(new_page, site, viewport):
    page = new_page(viewport=VIEWPORTS[viewport], bypass_csp=True)
    resp = page.goto(site + "/my-services?s=")
    assert resp.status == 400
    expect(page.get_by_role("alert")).to_contain_text("no services in it")
    expect(page.locator(".help-now")).to_be_visible()
    strict_axe(page, f"my-services-error-{viewport}")


def test_focus_is_not_taken_from_elsewhere_on_the_page(new_page, site):
    page = _chat_awaiting_a_question(new_page, site)
    page.route("**/webhooks/rest/webhook", lambda route: page.wait_for_timeout(500)
               or route.fallback())
    page.get_by_label("Your message").fill("lonely")
    page.keyboard.press("Enter")
    samaritans = page.locator(".help-now").get_by_role("link", name="116 123")
    samaritans.focus()  # the person moved on to the help lines while the answer came
    expect(page.get_by_role("button", name="Rather not say")).to_be_visible()
    expect(samaritans).to_be_focused()
