"""What the assistant says when it cannot answer properly: too long a message, or a part of
the system (action server, database) not working.

Every text here keeps the crisis lines and a general route to a person, because a resident
may be writing in distress at exactly the moment something is broken. Shared by the Rasa
input channels (bot/channels.py), the actions and the web app; no imports, so it is cheap to
load in every process.
"""
from __future__ import annotations

# The limits the input channels enforce (documented in docs/performance.md).
MAX_MESSAGE_CHARS = 2_000  # one chat message; the widget's box is far smaller
MAX_BODY_BYTES = 16 * 1024  # one REST webhook request body

HELP_NOW = (
    "If you need help now:\n"
    "- If you or someone else is in immediate danger, call 999 or go to A&E.\n"
    "- Call NHS 111 and choose the mental health option, any time.\n"
    "- Samaritans: call 116 123, free, any time.\n"
    "- Text SHOUT to 85258, free, any time.\n"
    "- Under 19? Call Childline on 0800 1111."
)
GENERAL_ROUTE = (
    "Your GP practice can put you in touch with a social prescriber (link worker), "
    "or call NHS 111 for health advice at any time."
)

# Said instead of nothing when the action server is down or an action failed.
SOMETHING_WENT_WRONG = (
    "Sorry, part of this service isn't working just now, so I can't look up local services "
    "for you. Please try again in a few minutes.\n"
    + HELP_NOW + "\n" + GENERAL_ROUTE
)

# Said when the service directory (database) cannot be read.
DIRECTORY_DOWN = (
    "Sorry, I can't reach the service directory just now. Please try again in a few minutes.\n"
    + HELP_NOW + "\n" + GENERAL_ROUTE
)


def too_long(limit: int = MAX_MESSAGE_CHARS) -> str:
    """Said when a message is over the size limit (with HTTP 413 on the REST channel)."""
    return (
        f"Sorry, that message is too long for me: please keep it under {limit:,} characters. "
        "Could you tell me in a sentence or two what you would like help with?\n"
        + HELP_NOW + "\n" + GENERAL_ROUTE
    )


# What tests (and the channel) check a reply for: each crisis line is present.
CRISIS_MARKERS = ("999", "NHS 111", "116 123", "85258", "0800 1111")


def has_crisis_lines(text: str) -> bool:
    return all(marker in text for marker in CRISIS_MARKERS)
