"""bot/need_reading.py: combining two classifiers, the clarifying question, a second need."""
from __future__ import annotations

import pytest

from bot import need_reading as nr


def test_combine_is_a_weighted_average_over_both_label_sets():
    ranking = nr.combine({"weight": 0.8, "greet": 0.2}, {"weight": 0.4, "alcohol": 0.6}, 0.5)
    assert ranking[0] == ("weight", pytest.approx(0.6))
    assert dict(ranking) == pytest.approx({"weight": 0.6, "alcohol": 0.3, "greet": 0.1})


@pytest.mark.parametrize("weight,top", [(0.0, "weight"), (1.0, "alcohol")])
def test_combine_weight_zero_is_diet_alone_and_one_is_linear_alone(weight, top):
    assert nr.combine({"weight": 0.9, "alcohol": 0.1},
                      {"weight": 0.2, "alcohol": 0.8}, weight)[0][0] == top


def test_choices_only_between_two_close_needs():
    assert nr.choices([("weight", 0.45), ("diabetes_prevention", 0.40)], 0.1) == \
        ("weight", "diabetes_prevention")
    assert nr.choices([("weight", 0.60), ("diabetes_prevention", 0.30)], 0.1) is None
    # Not a need: a greeting or out_of_scope is never offered as a choice.
    assert nr.choices([("weight", 0.45), ("out_of_scope", 0.42)], 0.1) is None
    assert nr.choices([("greet", 0.45), ("weight", 0.42)], 0.1) is None
    assert nr.choices([("weight", 1.0)], 0.1) is None


def test_clauses_split_at_breaks_and_drop_fragments():
    tokens = "i drink too much since i lose my job , help".split()
    assert nr.clauses(tokens) == [["i", "drink", "too", "much"], ["i", "lose", "my", "job"]]
    assert nr.clauses("i smoke and i vape".split()) == [["i", "smoke"], ["i", "vape"]]


def test_second_need_is_another_need_one_clause_names_confidently():
    rankings = [{"alcohol": 0.9, "employment_education": 0.05},
                {"employment_education": 0.8, "alcohol": 0.1}]
    assert nr.second_need("alcohol", rankings, 0.7) == "employment_education"
    assert nr.second_need("alcohol", rankings, 0.85) is None  # not confident enough
    # The main need again, out_of_scope or crisis are never a second need.
    assert nr.second_need("alcohol", [{"alcohol": 0.99}, {"out_of_scope": 0.9},
                                      {"crisis": 0.9}], 0.7) is None
