"""Screenshots of a whole resident conversation for docs/web.md, on a 390 x 844 phone and a
1280 px desktop, saved under docs/img/.

    .venv/bin/python tests/browser/docs_screenshots.py --stack        # the real stack
    .venv/bin/python tests/browser/docs_screenshots.py --web http://127.0.0.1:8000   # running
    .venv/bin/python tests/browser/docs_screenshots.py                # replayed answers

Without --web it serves the web app on a freshly seeded directory and answers the widget's
calls with the assistant's own wording (domain.yml's greeting, actions/replies.py's results
for the seeded services, in Rasa's REST shape), so the pictures can be made without a
trained model. With --web it talks to a running stack (`make run`); --stack starts one on free
ports (actions, Rasa with models/signpost.tar.gz, web app) on a freshly seeded directory.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from browser_helpers import CHROMIUM, DESKTOP, LAUNCH_ARGS, PHONE_390, WEBHOOK  # noqa: E402

from signpost.config import ROOT  # noqa: E402

OUT = ROOT / "docs" / "img"
NEED = "I'm 79 and lonely, I live in Clacton"


def replayed_answers(database_url: str) -> list[list[dict]]:
    """The assistant's answers for the conversation, as its REST channel sends them."""
    from actions import replies
    from services_directory.search import search_services
    from signpost.db import session_scope

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    greet = domain["responses"]["utter_greet"][0]["text"]
    with session_scope(database_url) as s:
        shown = search_services(s, "loneliness", "Tendring", 79, audience="resident")[:3]
    results = [{"text": replies.intro("loneliness", "Tendring", False, services=shown)},
               {"custom": replies.results_summary("loneliness", "Tendring", len(shown), False)}]
    for service in shown:
        results += [{"text": replies.resident_card(service)},
                    {"custom": replies.resident_card_data(service)}]
    results.append({"text": replies.closing(shown),
                    "buttons": replies.closing_buttons(None, has_more=True)})
    thanks = [{"text": "Thank you, that helps us improve. Take care."}]
    return [[{"text": greet}], results, thanks]


def serve(database_url: str) -> str:
    from werkzeug.serving import make_server

    from web.app import create_app

    srv = make_server("127.0.0.1", 0, create_app(database_url=database_url), threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{srv.server_port}"


def conversation(page, web: str, answers: list[list[dict]] | None, name: str) -> None:
    if answers is not None:
        queue = list(answers)
        cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*"}

        def handle(route):
            if route.request.method == "OPTIONS":
                return route.fulfill(status=204, headers=cors)
            body = queue.pop(0) if queue else []
            route.fulfill(status=200, headers=cors, content_type="application/json",
                          body=json.dumps(body))

        page.route(WEBHOOK, handle)
    page.goto(web + "/")
    page.screenshot(path=str(OUT / f"chat-{name}-1-start.png"))
    page.get_by_role("button", name="Start a chat").click()
    page.wait_for_selector(".chat-msg--bot", timeout=60_000)
    page.get_by_label("Your message").fill(NEED)
    page.keyboard.press("Enter")
    page.wait_for_selector(".chat-card", timeout=60_000)
    page.wait_for_function("() => document.getElementById('chat-typing').hidden")
    page.locator(".chat-card__toggle").first.click()  # one card's details opened
    page.screenshot(path=str(OUT / f"chat-{name}-2-results.png"), full_page=True)
    page.get_by_role("button", name="Yes", exact=True).click()
    page.wait_for_function("() => document.querySelectorAll('.chat-msg--user').length === 2 &&"
                           " document.getElementById('chat-typing').hidden")
    page.screenshot(path=str(OUT / f"chat-{name}-3-whole.png"), full_page=True)
    page.get_by_role("link", name="Save or print these services").click()
    page.wait_for_url("**/my-services?**")
    page.screenshot(path=str(OUT / f"chat-{name}-4-my-services.png"), full_page=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web", help="a running web app (real stack); default: replayed")
    parser.add_argument("--stack", action="store_true", help="start the real stack for them")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    answers = None
    web = args.web
    stack = None
    if not web:
        from services_directory.seed import seed
        from signpost import migrate

        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'signpost.db'}"
        migrate.upgrade(url)
        seed(url)
        if args.stack:
            stack = start_stack(url)
            web = f"http://127.0.0.1:{stack.ports.web}"
        else:
            web = serve(url)
            answers = replayed_answers(url)
    try:
        shoot(web, answers)
    finally:
        if stack:
            stack.stop()


def start_stack(database_url: str):
    import socket

    from signpost.stack import Ports, Stack

    def free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    stack = Stack(ports=Ports(actions=free_port(), rasa=free_port(), web=free_port()),
                  env={"DATABASE_URL": database_url, "SIGNPOST_VAR_DIR": tempfile.mkdtemp()},
                  model=ROOT / "models" / "signpost.tar.gz", quiet=True)
    stack.start(timeout=300)
    return stack


def shoot(web: str, answers: list[list[dict]] | None) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        for name, viewport in (("phone", PHONE_390), ("desktop", DESKTOP)):
            page = browser.new_context(viewport=viewport).new_page()
            conversation(page, web, answers, name)
        browser.close()
    print("\n".join(sorted(str(p.relative_to(ROOT)) for p in OUT.glob("chat-*.png"))))


if __name__ == "__main__":
    main()
