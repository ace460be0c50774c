"""What the assistant says when it cannot answer properly: too long a message, or a part of
the system (action server, database) not working.

Every text here keeps the crisis lines and a general route to a person, because a resident
may be writing in distress at exactly the moment something is broken. Shared by the Rasa
input channels (bot/channels.py), the actions and the web app. The lines themselves come from
signpost/help_lines.yml, the one place a number is written.
"""
from __future__ import annotations

from signpost.help_lines import CRISIS_MARKERS, help_now_text

# The limits the input channels enforce (documented in docs/performance.md).
MAX_MESSAGE_CHARS = 2_000  # one chat message; the widget's box is far smaller
MAX_BODY_BYTES = 16 * 1024  # one REST webhook request body

HELP_NOW = help_now_text()
GENERAL_ROUTE = (
    "Your GP practice can put you in touch with a social prescriber (a link worker who "
    "helps you find local support). Or call NHS 111 for health advice at any time."
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


__all__ = ["CRISIS_MARKERS", "has_crisis_lines"]  # CRISIS_MARKERS: from help_lines.yml


def has_crisis_lines(text: str) -> bool:
    return all(marker in text for marker in CRISIS_MARKERS)
