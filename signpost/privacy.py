"""Mask personal details in conversation text before it is stored.

Used by the tracker store (signpost/tracker_store.py) on every user and bot event it
writes. It masks what a resident might type that identifies them, and keeps the rest of
the sentence (the need, the town, an age) so that transcripts stay useful:

- email addresses                          -> [email address]
- UK phone numbers (07..., 01206..., +44..) -> [phone number]
- full UK postcodes ("CO15 1AB")           -> [postcode]   (an outward code "CO15" stays)
- dates with a day, month and year         -> [date of birth]

Any full date is masked, not only ones next to "born": a date of birth is often typed
alone in answer to a question. Masking errs towards masking.
"""
from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
DATE = re.compile(
    r"\b(?:"
    r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"            # 01/02/1945, 1-2-45, 1.2.1945
    r"|(?:19|20)\d{2}[/.\-]\d{1,2}[/.\-]\d{1,2}"            # 1945-02-01
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"            # 1st of February 1945
    rf"|{_MONTH}\s+{_DAY},?\s+\d{{4}}"                      # February 1st, 1945
    r")\b",
    re.IGNORECASE,
)

# Outward code, optional space, inward code (digit + two of the letters Royal Mail uses).
POSTCODE = re.compile(
    r"\b(?:GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)

# +44 / 0044 / 0, then 9 or 10 more digits with spaces, dashes, dots or brackets between.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)(?:[\s\-().]{0,3}\d){9,10}(?![\d])"
)

MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (EMAIL, "[email address]"),
    (DATE, "[date of birth]"),
    (POSTCODE, "[postcode]"),
    (PHONE, "[phone number]"),
)


def mask_text(text: str | None) -> str | None:
    """The text with phone numbers, emails, full postcodes and dates masked."""
    if not text or not isinstance(text, str):
        return text
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def mask_event(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a serialised Rasa event (Event.as_dict()) with its text masked.

    User events: `text`, `parse_data.text` and string entity values. Bot events: `text`.
    Other events carry no free text and are returned unchanged (the same object).
    """
    kind = data.get("event")
    if kind not in ("user", "bot"):
        return data
    masked = dict(data)
    masked["text"] = mask_text(data.get("text"))
    parse = data.get("parse_data")
    if kind == "user" and isinstance(parse, dict):
        parse = dict(parse)
        parse["text"] = mask_text(parse.get("text"))
        if isinstance(parse.get("entities"), list):
            parse["entities"] = [
                {**e, "value": mask_text(e["value"])} if isinstance(e, dict)
                and isinstance(e.get("value"), str) else e
                for e in parse["entities"]
            ]
        masked["parse_data"] = parse
    return masked
