"""Browser fixtures: Debian Chromium driven by Playwright (no Playwright browser download),
and a second web app on a throwaway directory for the XSS tests. The real stack comes from
tests/conftest.py (`stack`, `web_url`, `rasa_url`)."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from browser_helpers import AXE, CHROMIUM, DESKTOP, LAUNCH_ARGS


# Module scope, not session: Playwright's sync API runs an event loop while it is open, and
# other directories' tests (tests/referral_log) start their own sync_playwright().
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.fail("Chromium is not installed: run `make browser` (make test does this)")
    if not AXE.exists():
        pytest.fail("web/node_modules is missing: run `make web-assets` (make test does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


def _new_page(browser, request, **options):
    """A page in a fresh context (own sessionStorage) that fails the test on any JS error."""
    options.setdefault("viewport", DESKTOP)
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    request.addfinalizer(context.close)
    request.addfinalizer(lambda: _no_js_errors(errors))
    return page


def _no_js_errors(errors: list[str]) -> None:
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser, request):
    return _new_page(browser, request)


@pytest.fixture
def new_page(browser, request):
    """Factory for extra pages, e.g. with bypass_csp=True so that axe can be injected, or so
    that an XSS test proves the escaping itself rather than the Content-Security-Policy."""
    return lambda **options: _new_page(browser, request, **options)


# --- a second web app on its own directory database ---------------------------------------------

@pytest.fixture(scope="session")
def serve_app(tmp_path_factory):
    """Start `create_app(database_url)` on a free port in a thread; returns its base URL."""
    from werkzeug.serving import make_server

    from web.app import create_app

    servers = []
    env = pytest.MonkeyPatch()
    # The commissioner blueprint keeps its secrets under SIGNPOST_VAR_DIR.
    env.setenv("SIGNPOST_VAR_DIR", str(tmp_path_factory.mktemp("web-var")))

    def start(database_url: str) -> str:
        srv = make_server("127.0.0.1", 0, create_app(database_url=database_url), threaded=True)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_port}"

    yield start
    for srv in servers:
        srv.shutdown()
    env.undo()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> Iterator[str]:
    """A migrated, seeded SQLite directory (without the stack)."""
    from services_directory.seed import seed
    from signpost import migrate
    from signpost.db import get_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('directory') / 'signpost.db'}"
    migrate.upgrade(url)
    seed(url)
    yield url
    get_engine(url).dispose()
