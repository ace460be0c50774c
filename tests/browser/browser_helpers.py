"""Shared by the browser tests: Chromium settings, axe-core, screenshots and chat helpers.
(Imported by name: tests run in pytest's default "prepend" import mode.)"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from signpost.config import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
PHONE_390 = {"width": 390, "height": 844}  # the phone issue 15 was measured on
WEBHOOK = "**/webhooks/rest/webhook"
# Rasa's first answers after start-up can take several seconds (TensorFlow warm-up).
BOT_TIMEOUT_MS = 45_000
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]
CRISIS_LINES = ("999", "116 123", "85258")
LOCAL_SERVICE = re.compile(r"Help with loneliness|Befriending|Community Agent|Care Navigator")


# --- axe-core ---------------------------------------------------------------------------------

def axe_violations(page, label: str) -> list[dict]:
    """Run axe-core on the page; print every violation in full; return them all (every
    impact level: minor and moderate too).
    The page's context must have bypass_csp=True (our CSP forbids injected scripts)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = result["violations"]
    for v in violations:
        print(f"\naxe [{label}] {v['impact']}: {v['id']} - {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            print(json.dumps({"target": node["target"], "html": node["html"],
                              "summary": node.get("failureSummary")}, indent=2))
    return violations


# --- screenshots -------------------------------------------------------------------------------

def screenshot(page, name: str) -> Path:
    """Full-page PNG under tests/artifacts/ (git-ignored) for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
