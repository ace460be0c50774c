"""Issue 12's target: at least 90% of the top-3 services a resident is shown carry a direct
contact (phone, email or web address), over every need, each district, and a young, a
working-age and an older person. Every need has a national fallback with a contact."""
from __future__ import annotations

from services_directory.districts import DISTRICTS, NATIONAL, OUTSIDE, UNITARY
from services_directory.search import search_services
from signpost.db import session_scope
from signpost.needs import NEED_IDS

NEEDS = [n for n in NEED_IDS if n not in ("crisis", "out_of_scope")]
AGES = (16, 35, 75)
TARGET = 0.90


def top3(session, need: str, place: str | None, age: int | None):
    return search_services(session, need, district=place, age=age, audience="resident",
                           limit=3)


def test_top_three_carry_a_direct_contact(seeded_url):
    shown = direct = 0
    by_need: dict[str, list[int]] = {}
    with session_scope(seeded_url) as session:
        for need in NEEDS:
            for district in DISTRICTS:
                for age in AGES:
                    page = top3(session, need, district, age)
                    counts = by_need.setdefault(need, [0, 0])
                    counts[0] += len(page)
                    counts[1] += sum(s.contact_confirmed for s in page)
    shown = sum(c[0] for c in by_need.values())
    direct = sum(c[1] for c in by_need.values())
    report = ", ".join(f"{n} {d}/{s}" for n, (s, d) in by_need.items())
    print(f"top-3 with a direct contact: {direct}/{shown} = {direct / shown:.3f} ({report})")
    assert direct / shown >= TARGET, report


def test_every_need_has_a_national_fallback_with_a_contact_wherever_you_live(seeded_url):
    with session_scope(seeded_url) as session:
        for need in NEEDS:
            for place in (*UNITARY, OUTSIDE, "Tendring"):
                page = search_services(session, need, district=place, age=40,
                                       audience="resident", limit=50)
                national = [s for s in page if NATIONAL in s.districts and s.contact_confirmed]
                assert national, (need, place)
                if place == OUTSIDE:
                    assert all(s.districts == [NATIONAL] for s in page), (need, place)
