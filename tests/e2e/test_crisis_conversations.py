"""Each tier of the crisis net end to end, through the running stack's REST and socket.io
channels (the widget's own test is in tests/browser). Our own wording: the figures on unseen
text come from `signpost evaluate` on data/eval/crisis_final_*.csv."""
from __future__ import annotations

import uuid

import pytest
from chat_clients import say, socketio_conversation, texts

from signpost.help_lines import CRISIS_MARKERS


def lines_in(text: str) -> bool:
    return all(m in text for m in CRISIS_MARKERS)


@pytest.fixture
def sender() -> str:
    return f"crisis-{uuid.uuid4().hex}"


@pytest.mark.parametrize(("message", "first_words"), [
    ("I've just swallowed a whole box of paracetamol", "Please call 999 now"),
    ("i honestly dont want to wake up tomorrow", "I'm really sorry you're feeling like this"),
    ("my best mate posted a goodbye message and now his phone is off",
     "Thank you for looking out for them"),
    ("my husband hits me and I'm frightened to go home", "I'm sorry this is happening"),
])
def test_each_tier_opens_with_its_response_over_rest(rasa_url, sender, message, first_words):
    replies = say(rasa_url, sender, message)
    assert replies[0]["text"].startswith(first_words), replies
    assert lines_in(replies[0]["text"])


def test_means_ready_tonight_in_the_middle_of_the_weight_form(rasa_url, sender):
    assert "town" in texts(say(rasa_url, sender, "I want help to lose weight")).lower()
    replies = say(rasa_url, sender, "the tablets are ready for tonight, I've decided")
    assert lines_in(replies[0]["text"]) and "town" not in texts(replies).lower(), replies
    # carrying on goes back to the need they came with
    out = texts(say(rasa_url, sender, "/carry_on"))
    assert "town" in out.lower(), out


def test_after_the_crisis_lines_age_and_town_give_local_mental_health_support(rasa_url,
                                                                              sender):
    assert lines_in(texts(say(rasa_url, sender, "i want to kill myself")))
    out = texts(say(rasa_url, sender, "im 15 and i live in harlow"))
    assert "What would you like help with?" not in out
    assert "mental health" in out.lower() and "Harlow" in out, out


def test_after_the_crisis_lines_a_bare_age_is_not_a_broken_turn(rasa_url, sender):
    out = texts(say(rasa_url, sender, "its 2am in clacton and everyone would be better off "
                                      "if i wasnt here"))
    assert lines_in(out)
    out = texts(say(rasa_url, sender, "im 34"))
    assert "isn't working" not in out and "Tendring" in out, out


def test_a_parent_asking_what_to_do_gets_the_steps_again(rasa_url, sender):
    assert "stay with them" in texts(say(rasa_url, sender,
                                         "my daughter is 15 and told me tonight she's been "
                                         "cutting, what do i do"))
    out = texts(say(rasa_url, sender, "what should I do tonight"))
    assert "stay with them" in out and lines_in(out), out


def test_unclear_gets_the_question_then_no_carries_on_with_the_need(rasa_url, sender):
    replies = say(rasa_url, sender, "I feel so hopeless about my weight")
    out = texts(replies)
    assert "thoughts of ending your life" in out and lines_in(out), out
    payloads = [b["payload"] for m in replies for b in m.get("buttons", [])]
    assert payloads[:2] == ["/risk_yes", "/risk_no"]
    out = texts(say(rasa_url, sender, "/risk_no"))
    assert "carry on" in out.lower() and "town" in out.lower(), out


def test_unclear_then_a_typed_yes_gives_the_crisis_response(rasa_url, sender):
    assert "thoughts of ending" in texts(say(rasa_url, sender,
                                             "I feel so hopeless about my weight"))
    out = texts(say(rasa_url, sender, "yes"))
    assert out.startswith("I'm really sorry") and lines_in(out), out


def test_a_negated_mention_keeps_the_need_with_a_samaritans_line(rasa_url, sender):
    out = texts(say(rasa_url, sender,
                    "I'm not suicidal or anything, I just want to stop smoking"))
    assert "Samaritans are there on 116 123" in out and "town" in out.lower(), out
    assert not out.startswith("I'm really sorry")


def test_an_idiom_is_not_a_crisis(rasa_url, sender):
    out = texts(say(rasa_url, sender, "my job is killing me, I need to get more active"))
    assert not lines_in(out) and "town" in out.lower(), out


def test_practitioner_with_a_patient_at_risk(rasa_url, sender):
    out = texts(say(rasa_url, sender, "I'm a link worker and my patient told me today "
                                      "she has been stockpiling her tablets"))
    assert out.startswith("For a patient or client at risk now") and lines_in(out), out


def test_crisis_over_socketio_then_local_support(rasa_url):
    out = socketio_conversation(rasa_url, ["i feel suicidal", "/local_support"],
                                until="town")
    assert lines_in(out) and "town" in out.lower(), out


def test_safeguarding_over_socketio(rasa_url):
    out = socketio_conversation(rasa_url, ["my dad beats me when he's drunk, I'm 14"],
                                until="0808 2000 247")
    assert lines_in(out) and out.index("0800 1111") < out.index("116 123"), out
