"""What the assistant says for each risk tier (bot/risk.py). Numbers come only from
signpost/help_lines.yml; every reply here carries all the help-now lines
(tests/test_help_lines.py), so nobody at risk leaves without them.

Hazards and controls: docs/hazard-log.md.
"""
from __future__ import annotations

import re

from signpost.help_lines import as_bullets, help_now_ids, line

CARRY_ON_BUTTON = {"title": "Carry on", "payload": "/carry_on"}
LOCAL_SUPPORT_BUTTON = {"title": "Mental health support near me", "payload": "/local_support"}
YES_NO = [{"title": "Yes", "payload": "/risk_yes"}, {"title": "No", "payload": "/risk_no"}]


def _lines(first: list[str], under_18: bool) -> str:
    """The help-now lines with `first` at the top; Childline first for under-18s."""
    order = (["childline"] if under_18 else []) + first
    order += [k for k in help_now_ids() if k not in order]
    return as_bullets(order)


def crisis(under_18: bool = False, repeat: bool = False) -> str:
    if repeat:
        return ("I'm still here with you. Please talk to someone now:\n"
                + _lines(["samaritans", "shout"], under_18))
    return (
        "I'm really sorry you're feeling like this. You don't have to face it on your own. "
        "Please talk to someone now:\n"
        + _lines(["samaritans", "shout", "nhs111"], under_18)
        + "\nI'm still here. When you're ready, I can find support near you."
    )


def emergency(under_18: bool = False) -> str:
    return (
        "Please call 999 now, or go to A&E. Help can reach you quickly. "
        "If you have taken something or hurt yourself, tell them what and when.\n"
        + _lines(["emergency", "childline"] if under_18 else ["emergency"], under_18=False)
        + "\nIf you can, let someone near you know, and stay with them."
    )


def other_at_risk(under_18: bool = False) -> str:
    return (
        "Thank you for looking out for them. Here is what you can do now:\n"
        "- If they are in danger right now, call 999.\n"
        "- If it's safe, stay with them, or keep talking by phone or message.\n"
        "- Ask them straight out if they are thinking of suicide. Asking does not put the "
        "idea in their head.\n"
        "- If you can, move anything they could use to hurt themselves out of reach.\n"
        "- NHS 111 (mental health option) can tell you what to do next, any time.\n"
        "Lines you or they can call:\n"
        + _lines(["emergency", "nhs111", "samaritans", "shout"], under_18)
        + "\n- " + line("nspcc").as_text()
    )


def safeguarding(under_18: bool = False) -> str:
    return (
        "I'm sorry this is happening. It is not your fault, and you deserve to be safe.\n"
        "- If you are in danger now, call 999.\n"
        f"- {line('domestic_abuse').as_text()}\n"
        f"- {line('nspcc').as_text()}\n"
        + _lines(["emergency"], under_18)
        + "\nYou can leave this page at once with the \"Exit this page\" button."
    )


def practitioner() -> str:
    return (
        "For a patient or client at risk now:\n"
        "- Immediate danger to life: call 999, or send them to A&E, where the psychiatric "
        "liaison team can assess them.\n"
        "- Urgent mental health help: NHS 111, mental health option, 24 hours a day.\n"
        "- If there is a safeguarding concern, make a referral under your organisation's "
        "safeguarding procedure.\n"
        "Lines to give them:\n"
        + _lines(["samaritans", "shout", "nhs111"], under_18=False)
        + f"\n- {line('domestic_abuse').as_text()}"
    )


def question() -> str:
    return (
        "Thank you for telling me. I want to check you're safe. Are you having thoughts of "
        "ending your life or of hurting yourself?\n"
        "Whatever your answer, these lines are here for you:\n"
        + _lines(["samaritans", "shout"], under_18=False)
    )


MENTIONED_LINE = (f"If things ever feel too much, Samaritans are there on "
                  f"{line('samaritans').label}, free, any time.")
ANSWER_NO = "Thank you for letting me know. Let's carry on."
TELL_ME = "Tell me what's on your mind and I'll look for local support."
CARRY_ON_ASK = "OK. " + TELL_ME
ACKNOWLEDGED = "OK. Is there anything else I can help with?"
# "I don't want to ring anyone", "he checks my phone": after a crisis or safeguarding
# response, the ways to get help without a call.
NO_CALL = re.compile(r"\b(?:don'?t|do not|dont|can'?t|cannot|cant|won'?t|wont|not able to|"
                     r"unable to|scared to|too scared to|rather not)\s+(?:want to\s+)?"
                     r"(?:ring|call|phone|talk|speak)\b|\bchecks? my phone\b|"
                     r"\b(?:text|message|typing) (?:instead|rather)\b|\bmaybe text\b", re.I)


def without_a_call() -> str:
    return ("You don't have to talk on the phone. You can text instead: "
            + line("shout").as_text() + "\n" + line("emergency").as_text())


LINES_STILL_HERE = (f"If things feel too much, Samaritans are there any time on "
                    f"{line('samaritans').label}, or text SHOUT to {line('shout').label}.")


def for_tier(tier: str, practitioner_mode: bool, under_18: bool, repeat: bool) -> str:
    if practitioner_mode and tier in ("emergency", "crisis", "other_at_risk"):
        return practitioner()
    if tier == "emergency":
        return emergency(under_18)
    if tier == "other_at_risk":
        return other_at_risk(under_18)
    if tier == "safeguarding":
        return safeguarding(under_18)
    return crisis(under_18, repeat=repeat)
