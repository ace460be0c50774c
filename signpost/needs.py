"""The need taxonomy (needs.yml) and the JHWS actions and measures (jhws.yml).

These two data files are the single source of truth; code reads them here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Need:
    id: str
    label: str
    description: str
    priority_area: int | None
    jhws_actions: tuple[str, ...]
    priority_measures: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Measure:
    """A JHWS action-table row (e.g. "1.6") or a headline priority measure (e.g. "P1.suicide")."""

    id: str
    area: int
    title: str
    measure: str


@lru_cache(maxsize=1)
def needs() -> dict[str, Need]:
    raw = yaml.safe_load((HERE / "needs.yml").read_text(encoding="utf-8"))["needs"]
    return {
        n["id"]: Need(
            id=n["id"],
            label=n["label"],
            description=n["description"],
            priority_area=n.get("priority_area"),
            jhws_actions=tuple(n.get("jhws_actions") or ()),
            priority_measures=tuple(n.get("priority_measures") or ()),
        )
        for n in raw
    }


NEED_IDS: tuple[str, ...] = tuple(needs())
# Needs that lead to the signposting form; crisis and out_of_scope have their own paths.
SIGNPOST_NEEDS: tuple[str, ...] = tuple(n for n in NEED_IDS if n not in ("crisis", "out_of_scope"))


def get_need(need_id: str) -> Need:
    try:
        return needs()[need_id]
    except KeyError:
        expected = ", ".join(NEED_IDS)
        raise ValueError(f"unknown need id {need_id!r}; expected one of {expected}") from None


@lru_cache(maxsize=1)
def _jhws() -> dict:
    return yaml.safe_load((HERE / "jhws.yml").read_text(encoding="utf-8"))


def priority_areas() -> dict[int, str]:
    return {int(k): v for k, v in _jhws()["priority_areas"].items()}


def jhws_action_ids() -> frozenset[str]:
    """Action-table rows of the strategy: "1.1" ... "4.6"."""
    return frozenset(_jhws()["actions"])


def priority_measure_ids() -> frozenset[str]:
    """Headline priority measures, e.g. "P1.suicide"."""
    return frozenset(_jhws()["priority_measures"])


@lru_cache(maxsize=1)
def measures() -> dict[str, Measure]:
    """Every trackable measure: action rows 1.1-4.6 and the priority measures."""
    data = _jhws()
    out = {
        aid: Measure(id=aid, area=int(a["area"]), title=a["action"], measure=a["measure"])
        for aid, a in data["actions"].items()
    }
    for pid, p in data["priority_measures"].items():
        out[pid] = Measure(id=pid, area=int(p["area"]), title=p["measure"], measure=p["measure"])
    return out
