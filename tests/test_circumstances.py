"""Reading circumstances from what someone says (signpost/circumstances.yml)."""
from __future__ import annotations

import pytest

from signpost.circumstances import CIRCUMSTANCE_IDS, detect, implied_by


@pytest.mark.parametrize("text, expected", [
    ("I'm 30 weeks pregnant and can't stop worrying", ("pregnant_or_new_parent",)),
    ("since my baby was born I feel low", ("pregnant_or_new_parent",)),
    ("I look after my mum who has dementia", ("carer",)),
    ("my staff are stressed, what can I do as an employer", ("employer",)),
    ("my son is autistic and needs work experience", ("disability",)),
    ("we're thinking of fostering", ("adopting_or_fostering",)),
    ("I feel lonely", ()),
    ("I'm pregnant and feel so anxious all the time", ("pregnant_or_new_parent",)),
    ("I was diagnosed with bipolar last year", ("mental_health_condition",)),
    ("can you send me the number", ()),  # "send" the verb is not SEND
    ("my car broke down on the way to the birthday party", ()),
])
def test_detect(text, expected):
    assert detect(text) == expected


def test_needs_imply_circumstances_and_ids_are_known():
    assert implied_by("carer_support") == ("carer",)
    assert implied_by("loneliness") == ()
    assert set(CIRCUMSTANCE_IDS) >= {"carer", "pregnant_or_new_parent", "employer"}
