"""axe-core (WCAG 2.2 AA rules) on the commissioner pages in Chromium, and reflow at 320px."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from refl_helpers import TOKEN

from referral_log import auth
from referral_log.simulate import simulate
from web.app import create_app

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def server(sqlite_url, monkeypatch):
    if not CHROMIUM or not AXE.exists():
        pytest.skip("needs Chromium (make browser) and web/node_modules (make web-assets)")
    from werkzeug.serving import make_server

    monkeypatch.setenv(auth.TOKEN_ENV, TOKEN)
    simulate(sqlite_url, 5000, seed=11, months=6)
    ARTIFACTS.mkdir(exist_ok=True)
    srv = make_server("127.0.0.1", 0, create_app(database_url=sqlite_url))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def _violations(page) -> list:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def test_commissioner_pages_pass_axe_and_reflow(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            # axe is injected as a script, which our CSP rightly blocks: bypass it here only.
            page = browser.new_context(bypass_csp=True).new_page()
            page.goto(f"{server}/commissioners")  # 401: the sign-in form
            assert _violations(page) == []
            page.get_by_label("Access token").fill("wrong")
            page.get_by_role("button", name="Sign in").click()
            assert page.get_by_text("There is a problem").is_visible()
            assert _violations(page) == []
            page.get_by_label("Access token").fill(TOKEN)
            page.get_by_role("button", name="Sign in").click()
            page.goto(f"{server}/commissioners?source=synthetic")
            assert page.get_by_role("heading", level=1).inner_text() == "Commissioner statistics"
            assert page.get_by_role("img").count() == 2  # the monthly trend and districts
            # Headline figures come first, before the filters and every table.
            headings = page.locator("h1 ~ h2").all_inner_texts()
            assert headings[0].startswith("At a glance") and "Each month" in headings
            assert _violations(page) == []
            page.screenshot(path=str(ARTIFACTS / "commissioners-dashboard-1280.png"),
                            full_page=True)
            page.set_viewport_size({"width": 360, "height": 800})
            # Chart labels readable on a phone: at least 12 px high as drawn.
            sizes = page.locator("svg.bar-chart text").evaluate_all(
                "els => els.map(e => e.getBoundingClientRect().height)")
            assert sizes and min(sizes) >= 12, min(sizes)
            page.screenshot(path=str(ARTIFACTS / "commissioners-dashboard-360.png"),
                            full_page=True)
            page.set_viewport_size({"width": 320, "height": 800})  # WCAG 1.4.10 reflow
            assert page.evaluate("document.documentElement.scrollWidth") <= 320
            page.set_viewport_size({"width": 1280, "height": 800})

            # A date typed as people write it works; a bad one says why and still shows figures.
            page.goto(f"{server}/commissioners?source=synthetic&from=April+2024&to=June+2024")
            assert "April 2024 to June 2024" in page.locator("#at-a-glance").inner_text()
            page.get_by_label("Or from month").fill("the 31st of Smarch")
            page.get_by_role("button", name="Show figures").click()
            assert page.get_by_text("There is a problem").is_visible()
            assert page.get_by_text("for example April 2024").first.is_visible()
            assert page.locator("#at-a-glance").is_visible()  # the page still shows
            assert _violations(page) == []

            # With the CSP enforced: our stylesheet applies and none of our content is blocked.
            strict = browser.new_context(
                extra_http_headers={"Authorization": f"Bearer {TOKEN}"}).new_page()
            console: list[str] = []
            strict.on("console", lambda msg: console.append(msg.text))
            strict.goto(f"{server}/commissioners?source=synthetic")
            assert strict.locator(".stats-filters").evaluate(
                "el => getComputedStyle(el).display") == "flex"
            # nhsuk-frontend's CSS names a font on assets.nhs.uk: blocking it is the point
            # (no CDN); any other block would mean our own page is broken.
            blocked = [m for m in console if "Content Security Policy" in m
                       and "assets.nhs.uk/fonts" not in m]
            assert not blocked, blocked
        finally:
            browser.close()
