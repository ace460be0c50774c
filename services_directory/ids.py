"""Stable UUIDs: uuid5 of one fixed namespace and a readable key.

Open Referral UK requires UUID ids. Deriving them from slugs means that
re-seeding, or importing the same data into another database, gives every
record the same id, so links from the referral log and from other systems
keep working.
"""
from __future__ import annotations

import uuid

# uuid5(NAMESPACE_URL, "urn:essex-signpost:directory"). Never change it:
# every stored id depends on it.
NAMESPACE = uuid.UUID("83205cca-f61a-51b4-9ed6-c92321eb0aa8")


def stable_id(kind: str, *parts: str) -> str:
    """The id of a `kind` record identified by `parts`, e.g. stable_id("service", slug)."""
    return str(uuid.uuid5(NAMESPACE, "/".join((kind, *parts))))


def is_uuid(value: object) -> bool:
    """True for a canonical hyphenated UUID string (the form ORUK uses)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False
