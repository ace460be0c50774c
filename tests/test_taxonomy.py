"""The need taxonomy and the JHWS mapping are the contract every part relies on."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from signpost.needs import NEED_IDS, get_need, measures, needs, priority_areas

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
EXPECTED = {
    "loneliness", "mental_wellbeing", "crisis", "workplace_wellbeing", "weight",
    "physical_activity", "diabetes_prevention", "alcohol", "drugs", "smoking", "carer_support",
    "parenting", "employment_education", "independent_living", "out_of_scope",
}


def strategy_text() -> str:
    files = sorted(SEEDS.glob("*.txt"))
    if not files:
        pytest.skip(f"strategy seed files not found in {SEEDS}")
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def strategy_action_ids() -> set[str]:
    # Action-table rows stand alone on a line: "1.6", "3.4"...
    return set(re.findall(r"^\s*([1-4]\.[1-7])\s*$", strategy_text(), flags=re.M))


def test_every_need_id_is_present_exactly_once():
    assert set(NEED_IDS) == EXPECTED
    assert len(NEED_IDS) == len(EXPECTED)


def test_each_need_has_label_description_and_area():
    for need in needs().values():
        assert need.label and need.description
        if need.id != "out_of_scope":
            assert need.priority_area in priority_areas()


def test_each_need_maps_to_action_ids_that_exist_in_the_strategy():
    in_strategy = strategy_action_ids()
    assert len(in_strategy) == 25  # 1.1-1.7, 2.1-2.6, 3.1-3.6, 4.1-4.6
    for need in needs().values():
        if need.id == "out_of_scope":  # nothing to signpost, so no measure
            assert need.jhws_actions == ()
            continue
        assert need.jhws_actions, need.id
        assert set(need.jhws_actions) <= in_strategy, need.id
        assert set(need.jhws_actions) <= set(measures())


def test_jhws_file_covers_every_strategy_action():
    assert strategy_action_ids() <= set(measures())


def test_priority_measures_exist():
    for need in needs().values():
        assert set(need.priority_measures) <= set(measures())
    assert "P1.suicide" in get_need("crisis").priority_measures


def test_unknown_need_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown need id"):
        get_need("bins")


def test_bot_intents_are_the_need_ids():
    domain = yaml.safe_load((Path(__file__).resolve().parents[1] / "domain.yml").read_text())
    assert EXPECTED <= set(domain["intents"])
