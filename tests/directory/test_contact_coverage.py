"""Issue 12's target: at least 90% of the top-3 services a resident is shown carry a direct
contact (phone, email or web address), for each need at a typical age, in every district.
A wider grid (ages 16, 35 and 75 for every need) is printed, not asserted. Every need has a
national fallback with a contact, wherever the person lives."""
from __future__ import annotations

from services_directory.districts import DISTRICTS, NATIONAL, OUTSIDE, UNITARY
from services_directory.search import search_services
from signpost.db import session_scope
from signpost.needs import NEED_IDS

NEEDS = [n for n in NEED_IDS if n not in ("crisis", "out_of_scope")]
# The age of a typical person asking (for parenting, the parent; for carers, the carer).
TYPICAL_AGE = {"loneliness": 75, "mental_wellbeing": 35, "workplace_wellbeing": 40,
               "weight": 45, "physical_activity": 60, "diabetes_prevention": 55,
               "alcohol": 45, "drugs": 28, "smoking": 40, "carer_support": 55,
               "parenting": 32, "employment_education": 24, "independent_living": 80}
TARGET = 0.90  # issue 12's target: not met yet (docs/directory.md)
FLOOR = 0.88  # measured 0.886 on 2026-12-01: local parenting, work and adult mental health
# services have no sourced contact; this guards against slipping back


def coverage(url: str, ages_for) -> tuple[float, str]:
    by_need: dict[str, list[int]] = {}
    with session_scope(url) as session:
        for need in NEEDS:
            counts = by_need.setdefault(need, [0, 0])
            for district in DISTRICTS:
                for age in ages_for(need):
                    page = search_services(session, need, district=district, age=age,
                                           audience="resident", limit=3)
                    counts[0] += len(page)
                    counts[1] += sum(s.contact_confirmed for s in page)
    shown = sum(c[0] for c in by_need.values())
    direct = sum(c[1] for c in by_need.values())
    return direct / shown, ", ".join(f"{n} {d}/{s}" for n, (s, d) in by_need.items())


def test_top_three_carry_a_direct_contact(seeded_url):
    assert set(TYPICAL_AGE) == set(NEEDS)
    share, report = coverage(seeded_url, lambda need: (TYPICAL_AGE[need],))
    wide, wide_report = coverage(seeded_url, lambda need: (16, 35, 75))
    print(f"top-3 with a direct contact, typical ages: {share:.3f} ({report})")
    print(f"ages 16, 35 and 75 for every need: {wide:.3f} ({wide_report})")
    assert share >= FLOOR, report


def test_every_need_has_a_national_fallback_with_a_contact_wherever_you_live(seeded_url):
    with session_scope(seeded_url) as session:
        for need in NEEDS:
            for place in (*UNITARY, OUTSIDE, "Tendring"):
                page = search_services(session, need, district=place,
                                       age=TYPICAL_AGE[need], audience="resident", limit=50)
                national = [s for s in page if NATIONAL in s.districts and s.contact_confirmed]
                assert national, (need, place)
                if place == OUTSIDE:
                    assert all(s.districts == [NATIONAL] for s in page), (need, place)
