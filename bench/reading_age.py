"""Measure the reading age of what residents read: the fixed replies (held to grade 6 by
tests/test_wording.py) and the directory's service descriptions (not yet held to it).

    .venv/bin/python -m bench.reading_age [--worst 8]

Reading age = Flesch-Kincaid grade + 5 (textstat). Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worst", type=int, default=8)
    args = parser.parse_args()
    import os

    from services_directory.search import get_service, name_index
    from services_directory.seed import seed
    from signpost import migrate
    from tests.test_wording import fixed_replies, grade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'cards.db'}"
        migrate.upgrade(url)
        seed(url)
        os.environ["DATABASE_URL"] = url
        from signpost.db import session_scope
        with session_scope() as session:
            services = [get_service(session, i) for i, _, _ in name_index(session)]
            descriptions = {s.name: s.description for s in services}
    fixed = {name: grade(text) for name, text in fixed_replies().items()}
    cards = {name: grade(text) for name, text in descriptions.items()}

    def summary(grades: dict[str, float]) -> dict:
        values = sorted(grades.values())
        return {"count": len(values), "mean_reading_age": round(statistics.mean(values) + 5, 1),
                "median_reading_age": round(statistics.median(values) + 5, 1),
                "share_at_age_11_or_under": round(sum(v <= 6 for v in values) / len(values), 3),
                "worst": [(n, round(g + 5, 1)) for n, g in
                          sorted(grades.items(), key=lambda kv: -kv[1])[:args.worst]]}
    print(json.dumps({"fixed_replies": summary(fixed), "service_descriptions": summary(cards)},
                     indent=2))


if __name__ == "__main__":
    main()
