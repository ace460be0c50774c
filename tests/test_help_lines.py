"""One source of truth for the crisis lines (signpost/help_lines.yml): every rendering carries
all of them, and no other file writes one of their numbers by hand."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from actions import crisis_replies as R
from bot import channels, fallbacks
from signpost import help_lines
from signpost.config import ROOT
from web.app import create_app

MARKERS = help_lines.CRISIS_MARKERS


def carries_all(text: str) -> bool:
    return all(m in text for m in MARKERS)


def test_markers_are_the_help_now_lines():
    assert MARKERS == ("999", "NHS 111", "116 123", "85258", "0800 1111")
    assert [h.id for h in help_lines.help_now()] == help_lines.help_now_ids()
    for h in help_lines.lines().values():
        assert h.source_url.startswith("https://") and "{link}" in h.text


@pytest.mark.parametrize("tier", ["emergency", "crisis", "other_at_risk", "safeguarding"])
@pytest.mark.parametrize("under_18", [False, True])
@pytest.mark.parametrize("practitioner", [False, True])
def test_every_crisis_reply_carries_every_line(tier, under_18, practitioner):
    for repeat in (False, True):
        assert carries_all(R.for_tier(tier, practitioner, under_18, repeat))


def test_question_and_fallbacks_carry_every_line():
    for text in (R.question(), fallbacks.SOMETHING_WENT_WRONG, fallbacks.DIRECTORY_DOWN,
                 fallbacks.too_long(), channels.NOT_TEXT, fallbacks.HELP_NOW):
        assert carries_all(text), text


def test_under_18s_see_childline_first_and_emergencies_999_first():
    crisis = R.for_tier("crisis", False, under_18=True, repeat=False)
    assert crisis.index("0800 1111") < crisis.index("116 123")
    emergency = R.for_tier("emergency", False, under_18=True, repeat=False)
    assert emergency.index("999") < emergency.index("0800 1111") < emergency.index("116 123")


def test_safeguarding_gives_the_abuse_lines():
    text = R.for_tier("safeguarding", False, False, False)
    assert "0808 2000 247" in text and "0808 800 5000" in text and "Exit this page" in text


@pytest.fixture
def client(sqlite_url):
    app = create_app(database_url=sqlite_url)
    app.testing = True
    return app.test_client()


@pytest.mark.parametrize("path", ["/", "/practitioners", "/accessibility", "/commissioners"])
def test_every_page_carries_every_line_as_links_and_the_widget_copy(client, path):
    resp = client.get(path, follow_redirects=True)
    html = resp.get_data(as_text=True)
    for h in help_lines.help_now():
        assert f'<a href="{h.href.replace("&", "&amp;")}">{h.label}</a>' in html, h.id
    blob = re.search(r'<script type="application/json" id="help-lines">(.*?)</script>', html,
                     re.S)
    assert blob and json.loads(blob.group(1)) == help_lines.widget_json()


def test_error_pages_carry_every_line(client):
    from web.errors import friendly_error

    with client.application.test_request_context("/"):
        html = friendly_error(500, "Something went wrong", "x").get_data(as_text=True)
    assert carries_all(html)


def test_shout_link_prefills_the_word():
    assert help_lines.line("shout").href == "sms:85258?&body=SHOUT"


def test_no_other_file_writes_a_help_line_number_by_hand():
    distinctive = [h.number for h in help_lines.lines().values() if len(h.number) > 3]
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    # Where the numbers may stand: the source itself, the directory's records of the
    # services (data), docs, evaluation and training text, and the tests.
    allowed = re.compile(r"^(signpost/help_lines\.yml|services_directory/seed/|docs/|data/|"
                         r"tests/|README\.md)")
    offenders = []
    for name in files:
        path = Path(ROOT, name)
        if allowed.match(name) or path.suffix not in {".py", ".js", ".html", ".yml", ".css"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{name}: {n}" for n in distinctive if n in text]
    assert offenders == []
