"""Run scripted multi-turn conversations against the running assistant and write the
transcripts for a reviewer to score with data/eval/conversations/rubric.md.

    .venv/bin/python -m bench.conversation_review data/eval/conversations/dev.json \
        --out var/review/dev.txt [--rasa http://127.0.0.1:5005] [--ids D-01,D-02]

Each script is {"id", "persona", "turns": [...], "good_outcome"}; a turn "[tap] More
options" taps the button of that title from the previous reply. The sets, the rubric and
the reviewers' scores are in data/eval/conversations/ (docs/conversation.md).
"""
from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path

import requests

TAP = "[tap] "


def _send(rasa: str, sender: str, text: str, buttons: list[dict]) -> list[dict]:
    message = text
    if text.startswith(TAP):
        want = text[len(TAP):].strip().casefold()
        message = next((b["payload"] for b in buttons if b.get("title", "").casefold() == want),
                       text)
    r = requests.post(f"{rasa}/webhooks/rest/webhook",
                      json={"sender": sender, "message": message}, timeout=120)
    if r.status_code != 200:
        return [{"text": f"<HTTP {r.status_code}> {r.text[:200]}"}]
    return r.json()


def transcript(rasa: str, script: dict) -> str:
    sender = f"review-{uuid.uuid4().hex[:12]}"
    lines = [f"=== {script['id']} | {script['persona']}",
             f"GOOD: {script.get('good_outcome', '')}"]
    buttons: list[dict] = []
    for turn in script["turns"]:
        lines.append(f"USER: {turn}")
        replies, buttons = _send(rasa, sender, turn, buttons), []
        for reply in replies:
            if reply.get("text"):
                lines.append("BOT: " + reply["text"].replace("\n", "\n     "))
            if reply.get("buttons"):
                buttons = reply["buttons"]
                lines.append("     [buttons: " + " | ".join(b["title"] for b in buttons) + "]")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--ids", default="")
    args = parser.parse_args()
    scripts = json.loads(args.scripts.read_text(encoding="utf-8"))
    if args.ids:
        wanted = set(args.ids.split(","))
        scripts = [s for s in scripts if s["id"] in wanted]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n\n".join(transcript(args.rasa, s) for s in scripts) + "\n",
                        encoding="utf-8")
    print(f"{len(scripts)} conversations -> {args.out}")


if __name__ == "__main__":
    main()
