"""What residents read: plain English at a reading age of about 9 to 11, and no jargon.

Reading age is the Flesch-Kincaid grade plus 5 (textstat). Fixed replies are held to
grade 6 each (reading age 11). The service descriptions in the directory are not yet plain
enough to hold to that; `bench/reading_age.py` measures them (docs/conversation.md).
"""
from __future__ import annotations

import re
import statistics

import pytest
import textstat
import yaml

from actions import crisis_replies, replies
from bot import fallbacks
from services_directory.search import ServiceResult, get_service, name_index
from services_directory.seed import seed
from signpost import migrate, other_help
from signpost.config import ROOT
from signpost.db import session_scope
from signpost.help_lines import help_now_text

JARGON = re.compile(r"commissioner|clinical commissioning|\bCCGs?\b|\bICB\b|\bJHWS\b|"
                    r"named in the strategy", re.I)


def fixed_replies() -> dict[str, str]:
    """Every fixed text a resident can be sent, by name."""
    out = {f"replies.{n}": v for n, v in vars(replies).items()
           if n.isupper() and isinstance(v, str) and len(v) > 30}
    out |= {f"crisis_replies.{n}": v for n, v in vars(crisis_replies).items()
            if n.isupper() and isinstance(v, str) and len(v) > 30}
    out |= {"fallbacks.GENERAL_ROUTE": fallbacks.GENERAL_ROUTE, "help_now": help_now_text()}
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    out |= {f"domain.{k}": v[0]["text"] for k, v in domain["responses"].items()}
    out |= {f"ask.{p}": replies.ask_place_and_age(p, False) for p in (None, "dad", "patient")}
    out |= {f"other_help.{t}": replies.other_help_text([t], 40) for t in other_help.topics()}
    out["talk_to_person"] = replies.talk_to_person([])
    return out


def grade(text: str) -> float:
    # URLs and numbers are not words a reader sounds out; each line (a list item, a
    # question) is read as a sentence of its own.
    text = re.sub(r"https?://\S+|\d[\d ]{2,}", " ", text)
    text = ".\n".join(line.rstrip(" .:?!") for line in text.splitlines() if line.strip())
    return textstat.flesch_kincaid_grade(text)


@pytest.mark.parametrize(("name", "text"), sorted(fixed_replies().items()))
def test_each_fixed_reply_reads_at_about_age_11_or_younger(name, text):
    assert grade(text) <= 6.0, f"{name}: grade {grade(text):.1f}: {text}"


@pytest.mark.parametrize(("name", "text"), sorted(fixed_replies().items()))
def test_no_jargon_in_what_residents_read(name, text):
    assert not JARGON.search(text), f"{name}: {text}"


def test_fixed_replies_are_plain_on_average():
    grades = [grade(t) for t in fixed_replies().values()]
    assert statistics.mean(grades) <= 4.5, statistics.mean(grades)


def test_service_cards_have_no_jargon(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cards.db'}"
    migrate.upgrade(url)
    seed(url)
    monkeypatch.setenv("DATABASE_URL", url)
    with session_scope() as session:
        services: list[ServiceResult] = [get_service(session, i)
                                         for i, _, _ in name_index(session)]
    cards = [replies.resident_card(s) for s in services]
    assert cards
    jargon = [c.splitlines()[0] for c in cards if JARGON.search(c)]
    assert not jargon, jargon
