"""Disclosure control on the dashboard's new figures: rates, headline totals beside several
breakdowns (secondary suppression), and every figure the page and its CSV publish."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from refl_helpers import add_rows, row
from sqlalchemy import delete

from referral_log.disclosure import SUPPRESSED, candidates, disclose, disclose_total, share
from referral_log.figures import build_figures, figure_rows
from referral_log.models import AGE_BANDS, DISTRICT_IDS, referral_event
from referral_log.period import choose_period
from referral_log.report import ReportQuery
from signpost.db import get_engine

TODAY = date(2024, 6, 15)
NEEDS = ("loneliness", "smoking", "weight", "alcohol")
COUNT_METRICS = {"people", "count", "services_shown", "no_service_fitted", "crisis_responses"}


def _is_published_count(value: str) -> bool:
    return value in ("0", SUPPRESSED) or (value.isdigit() and int(value) >= 10
                                          and int(value) % 5 == 0)


@given(st.integers(0, 400), st.integers(0, 400))
def test_rates_use_published_counts_only(a, b):
    part, whole = min(a, b), max(a, b)
    rate = share(disclose(part), disclose(whole))
    if SUPPRESSED in (disclose(part), disclose(whole)):
        assert rate == SUPPRESSED
    elif whole == 0:
        assert rate is None
    else:
        assert rate == min(1.0, disclose(part) / disclose(whole))
        # The same published counts always give the same rate, whatever the exact ones.
        assert rate == share(disclose(part), disclose(whole))


@settings(max_examples=300)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=60))
def test_a_total_beside_two_breakdowns_pins_no_cell_in_either(people):
    """Each person falls in one cell of each breakdown (district and age band, say)."""
    first = [sum(1 for d, _ in people if d == i) for i in range(4)]
    second = [sum(1 for _, b in people if b == i) for i in range(3)]
    total = disclose_total(len(people), first, second)
    if total == SUPPRESSED:
        return
    for raw in (first, second):
        cells = [disclose(n) for n in raw]
        for i, cell in enumerate(cells):
            if cell == SUPPRESSED:
                assert len(candidates(cells, i, total)) >= 2, (raw, total)


PERSON = st.tuples(st.sampled_from(NEEDS), st.sampled_from(DISTRICT_IDS[:4]),
                   st.sampled_from(AGE_BANDS), st.integers(4, 6))


@pytest.mark.parametrize("empty_db_url", ["sqlite"], indirect=True)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(PERSON, max_size=80), unmet=st.integers(0, 20),
       conversations=st.integers(0, 30))
def test_every_dashboard_figure_is_disclosure_controlled(empty_db_url, people, unmet,
                                                         conversations):
    url = empty_db_url
    with get_engine(url).begin() as conn:
        conn.execute(delete(referral_event))
    rows = [row(day=date(2024, m, 3), need=n, district=d, age_band=b, service_id=None,
                kind="person_signposted") for n, d, b, m in people]
    rows += [row(day=date(2024, 5, 2), need="weight", service_id=None, measures="",
                 kind="unmet_need") for _ in range(unmet)]
    rows += [row(day=date(2024, 5, 2), need=None, service_id=None, measures="",
                 kind="conversation") for _ in range(conversations)]
    if rows:
        add_rows(url, rows)
    period = choose_period(None, "April 2024", "June 2024", TODAY)
    query = ReportQuery(group_by=(), day_from=period.start, day_to=period.end)
    figures = build_figures(url, query, period, TODAY)
    for section, _, _, _, metric, value in figure_rows(figures):
        if metric in COUNT_METRICS:
            assert _is_published_count(value), (section, metric, value)
        elif metric.endswith("rate"):
            assert value == SUPPRESSED or value.endswith("%") or value in (
                "none yet", "no answers"), (section, value)
    # The headline people total pins no suppressed cell of any table shown beside it.
    total = figures.headline.people
    if total != SUPPRESSED:
        for table in (figures.districts, figures.age_bands,
                      [type("R", (), {"value": n.people}) for n in figures.needs],
                      [type("R", (), {"value": m.people}) for m in figures.months]):
            cells = [r.value for r in table]
            for i, cell in enumerate(cells):
                if cell == SUPPRESSED:
                    assert len(candidates(cells, i, total)) >= 2, (cells, total)
    # Exact figures never appear: small counts are *, others end in 0 or 5.
    assert figures.headline.unmet == disclose_total(unmet, [unmet])
