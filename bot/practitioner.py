"""Does a message read like a GP, social prescriber or link worker asking for a referral route?"""
from __future__ import annotations

import re

# Role words and referral phrasing. "My GP said..." is a resident, so "GP" alone does not count.
_PATTERNS = [
    r"\b(i'?m|i am|as) an? (gp|doctor|nurse|practice nurse|social prescriber|link worker|"
    r"care navigator|social worker|health visitor|pharmacist|care co-?ordinator|community agent)\b",
    r"\b(social prescriber|link worker|care co-?ordinator)\b( here)?",
    r"\b(my|a|the|our|this) (patient|client|service user)s?\b",
    r"^\s*(patient|client|service user|pt)\b",
    r"\breferral (route|pathway|criteria|form)s?\b",
    r"\b(refer|referring) (him|her|them|a patient|my patient|a client|someone|patients|clients)\b",
    r"\bwhat can i refer\b",
    r"\bon my caseload\b",
]
_RE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


def is_practitioner_text(text: str) -> bool:
    return bool(text) and bool(_RE.search(text.replace("’", "'")))
