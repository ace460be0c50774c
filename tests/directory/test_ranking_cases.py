"""The ranking cases (ranking_cases.yml): what must and must not be on page 1 (the top 3)
for a person's need, district, age and role. Written by a reviewer from the services' own
eligibility texts, without reading the ranking code; run on SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from services_directory.search import search_services
from signpost.db import session_scope

CASES = yaml.safe_load((Path(__file__).with_name("ranking_cases.yml")).read_text("utf-8"))
PAGE = 3


def test_there_are_enough_cases_and_each_need_has_some():
    cases = CASES["cases"]
    assert len(cases) >= 40
    assert len({c["id"] for c in cases}) == len(cases)
    from signpost.needs import NEED_IDS
    assert {c["need"] for c in cases} == set(NEED_IDS) - {"out_of_scope"}


def _params() -> list:
    """A case with `known_gap` is a strict xfail: the gap is on record, and the test fails
    as soon as the ranking gets it right, so that the mark is removed."""
    return [pytest.param(c, id=c["id"], marks=[pytest.mark.xfail(strict=True,
                                                                  reason=c["known_gap"])]
                         if c.get("known_gap") else []) for c in CASES["cases"]]


@pytest.mark.parametrize("case", _params())
def test_page_one(seeded_url, case):
    with session_scope(seeded_url) as session:
        page = search_services(session, case["need"], district=case["district"],
                               age=case["age"], audience=case["audience"], limit=PAGE,
                               circumstances=case.get("circumstances"))
    shown = [s.slug for s in page]
    explain = f"{case['why']}\npage 1: " + "; ".join(
        f"{s.slug} ({s.score}: {', '.join(s.reasons)})" for s in page)
    missing = [slug for slug in case.get("must_include") or [] if slug not in shown]
    wrong = [slug for slug in case.get("must_exclude") or [] if slug in shown]
    assert not missing and not wrong, f"missing {missing}, wrong {wrong}\n{explain}"
