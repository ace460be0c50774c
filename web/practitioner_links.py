"""Readable links for the practitioner pages: service pages by slug, and the "Back to results"
link, whose search travels in a `back` parameter.

`back` holds the query string of a /practitioners search ("q=stop+smoking&where=Clacton").
It is never used as given: only known search parameters are kept and the link is rebuilt
under /practitioners, so a crafted `back` can never send anyone to another site.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.models import Service

SEARCH_PATH = "/practitioners"
MAX_BACK = 1000  # characters: more than any search the form can make
MAX_SLUG = 100  # Service.slug's column size


def clean_back(value: str | None, allowed: tuple[str, ...]) -> str:
    """The search query string in `value`, keeping only `allowed` parameters; "" if none."""
    if not value or len(value) > MAX_BACK:
        return ""
    pairs = [(k, v) for k, v in parse_qsl(value, keep_blank_values=False) if k in allowed]
    return urlencode(pairs)


def back_url(query: str) -> str:
    """The results page for a cleaned query string (from clean_back)."""
    return f"{SEARCH_PATH}?{query}" if query else SEARCH_PATH


def service_ids_by_slug(session: Session, slugs: list[str]) -> dict[str, str]:
    """slug -> service id, for the slugs that exist (any status)."""
    wanted = [s for s in slugs if 0 < len(s) <= MAX_SLUG]
    if not wanted:
        return {}
    rows = session.execute(select(Service.slug, Service.id).where(Service.slug.in_(wanted)))
    return dict(rows.all())
