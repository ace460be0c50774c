"""Everything the commissioner dashboard shows, each figure disclosure-controlled.

People are person rows (once per conversation, need and day: referral_log/outcomes.py);
services shown are signposted rows; crisis responses are reported on their own, never as
signposting towards a measure. Totals pass `disclose_total` against every breakdown shown
beside them (secondary suppression); rates come from published counts only.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.engine import Connection

from referral_log.disclosure import (
    SUPPRESSED,
    Published,
    disclose,
    disclose_total,
    format_rate,
    share,
)
from referral_log.models import AGE_BANDS, DISTRICTS, PERSON_KIND, UNKNOWN
from referral_log.period import Period, month_name
from referral_log.report import ReportQuery, raw_groups, rollup
from signpost.db import get_engine
from signpost.needs import SIGNPOST_NEEDS, measures, needs, priority_areas

TOP_NEEDS = 3
FRESHNESS_SHOWN = 10
PERSON = PERSON_KIND["signposted"]


@dataclass
class Headline:
    people: Published
    crisis_responses: Published
    crisis_people: Published
    unmet: Published
    conversations: Published
    helped_rate: str
    helped_answers: Published
    out_of_scope: Published
    out_of_scope_rate: str
    not_understood: Published
    not_understood_rate: str
    top_needs: list[tuple[str, Published]]


@dataclass
class MeasureRow:
    id: str
    title: str
    people: Published
    shown: Published
    measure: str = ""  # what the strategy measures, when it differs from the title


@dataclass
class AreaBlock:
    id: int
    title: str
    people: Published
    measures: list[MeasureRow] = field(default_factory=list)


@dataclass
class MonthRow:
    month: str
    label: str
    people: Published
    crisis: Published
    part: bool  # counted only in part (the current month, or cut by the period)


@dataclass
class NeedRow:
    id: str
    label: str
    people: Published
    shown: Published
    unmet: Published
    helped: str


@dataclass
class Row:
    key: str
    label: str
    value: Published


@dataclass
class Figures:
    period: Period
    query: ReportQuery
    headline: Headline
    months: list[MonthRow]
    areas: list[AreaBlock]
    unmapped: Published
    needs: list[NeedRow]
    districts: list[Row]
    age_bands: list[Row]
    services: list[Row]
    services_total: Published
    today: date


PEOPLE_KEYS = ("measures", "need", "district", "age_band", "month")
OTHER_KEYS = ("kind", "measures", "need", "service", "month")
OTHER_KINDS = ("signposted", "crisis_shown", "unmet_need", PERSON_KIND["helpful_yes"],
               PERSON_KIND["helpful_no"], PERSON_KIND["crisis_shown"], "out_of_scope",
               "not_understood", "conversation")


class _Scan:
    """One grouped scan, rolled up in Python by any of its keys (a few thousand groups)."""

    def __init__(self, conn: Connection, base: ReportQuery, kinds: Sequence[str],
                 sql_keys: tuple[str, ...]) -> None:
        self.sql_keys = sql_keys
        self.raw = raw_groups(conn, replace(base, kinds=tuple(kinds)), sql_keys)

    def by(self, *keys: str, kinds: Sequence[str] | None = None) -> dict[tuple, int]:
        raw = self.raw
        if kinds is not None:
            at = self.sql_keys.index("kind")
            raw = [r for r in raw if r[at] in kinds]
        return rollup(raw, self.sql_keys, keys)


def _one(counts: dict[tuple, int]) -> dict[str, int]:
    return {k[0]: n for k, n in counts.items()}


def _rate(part: Published, whole: Published) -> str:
    return format_rate(share(part, whole), none="none yet")


def build_figures(url: str | None, query: ReportQuery, period: Period, today: date,
                  service_names: dict[str, str] | None = None) -> Figures:
    """One grouped scan per table, then disclosure control on every figure."""
    # Two scans: person rows by everything the tables need, and the other kinds.
    with get_engine(url).connect() as conn:
        persons = _Scan(conn, query, [PERSON], PEOPLE_KEYS)
        others = _Scan(conn, query, OTHER_KINDS, OTHER_KEYS)
    people_need = _one(persons.by("need"))
    people_district = _one(persons.by("district"))
    people_band = _one(persons.by("age_band"))
    people_month = _one(persons.by("month"))
    people_measure = _one(persons.by("measure"))
    people_area = _one(persons.by("area"))
    shown_measure = _one(others.by("measure", kinds=["signposted"]))
    shown_need = _one(others.by("need", kinds=["signposted"]))
    shown_service = _one(others.by("service", kinds=["signposted"]))
    crisis_month = _one(others.by("month", kinds=["crisis_shown"]))
    unmet_need = _one(others.by("need", kinds=["unmet_need"]))
    helped = others.by("need", "kind", kinds=[PERSON_KIND["helpful_yes"],
                                              PERSON_KIND["helpful_no"]])
    outcome = _one(others.by("kind"))

    total_people = sum(people_need.values())
    people = disclose_total(total_people, list(people_need.values()),
                            list(people_district.values()), list(people_band.values()),
                            list(people_month.values()))
    crisis_total = sum(crisis_month.values())
    yes_total = sum(n for (_, kind), n in helped.items() if kind.endswith("yes"))
    no_total = sum(n for (_, kind), n in helped.items() if kind.endswith("no"))
    answers = disclose(yes_total + no_total)
    conversations = disclose(outcome.get("conversation", 0))
    out_of_scope = disclose(outcome.get("out_of_scope", 0))
    not_understood = disclose(outcome.get("not_understood", 0))

    need_rows = []
    for need in needs().values():
        if need.id not in SIGNPOST_NEEDS:
            continue
        yes = disclose(helped.get((need.id, PERSON_KIND["helpful_yes"]), 0))
        no = disclose(helped.get((need.id, PERSON_KIND["helpful_no"]), 0))
        need_rows.append(NeedRow(need.id, need.label, disclose(people_need.get(need.id, 0)),
                                 disclose(shown_need.get(need.id, 0)),
                                 disclose(unmet_need.get(need.id, 0)),
                                 format_rate(share(yes, _add(yes, no)), none="no answers")))
    ranked = [r for r in need_rows if isinstance(r.people, int) and r.people > 0]
    # Ranked by the published figure (never the exact one), ties in taxonomy order.
    ranked.sort(key=lambda r: -int(r.people))
    headline = Headline(
        people=people,
        crisis_responses=disclose_total(crisis_total, list(crisis_month.values())),
        crisis_people=disclose(outcome.get("person_crisis", 0)),
        unmet=disclose_total(sum(unmet_need.values()), list(unmet_need.values())),
        conversations=conversations,
        helped_rate=_rate(disclose(yes_total), answers),
        helped_answers=answers,
        out_of_scope=out_of_scope, out_of_scope_rate=_rate(out_of_scope, conversations),
        not_understood=not_understood,
        not_understood_rate=_rate(not_understood, conversations),
        top_needs=[(r.label, r.people) for r in ranked[:TOP_NEEDS]],
    )

    part = period.part_months(today)
    months = [MonthRow(m, month_name(m), disclose(people_month.get(m, 0)),
                       disclose(crisis_month.get(m, 0)), m in part) for m in period.months()]

    all_measures = measures()
    areas = []
    for area_id, title in priority_areas().items():
        rows = [MeasureRow(m.id, m.title, disclose(people_measure.get(m.id, 0)),
                           disclose(shown_measure.get(m.id, 0)),
                           "" if m.measure == m.title else m.measure)
                for m in all_measures.values() if m.area == area_id]
        areas.append(AreaBlock(area_id, title, disclose(people_area.get(str(area_id), 0)), rows))

    shown_districts = query.districts or (*DISTRICTS, UNKNOWN)
    districts = [Row(d, DISTRICTS.get(d, "Not known"), disclose(people_district.get(d, 0)))
                 for d in shown_districts]
    bands = [Row(b, "Not known" if b == UNKNOWN else b, disclose(people_band.get(b, 0)))
             for b in AGE_BANDS]
    names = service_names or {}
    services = [Row(sid, names.get(sid, sid), disclose(n)) for sid, n in shown_service.items()
                if sid is not None]
    services.sort(key=lambda r: (-(r.value if isinstance(r.value, int) else 0),
                                 r.label.casefold()))
    return Figures(
        period=period, query=query, headline=headline, months=months, areas=areas,
        unmapped=disclose(people_measure.get("unmapped", 0)), needs=need_rows,
        districts=districts, age_bands=bands, services=services,
        services_total=disclose_total(sum(shown_service.values()),
                                      list(shown_service.values()), list(shown_need.values())),
        today=today,
    )


def _add(a: Published, b: Published) -> Published:
    """The sum of two published counts, or * if either is (for a rate's denominator)."""
    if a == SUPPRESSED or b == SUPPRESSED:
        return SUPPRESSED
    return int(a) + int(b)


def figure_rows(f: Figures) -> list[tuple[str, str, str, str, str, str]]:
    """Exactly the figures on the page, as (section, key, label, month, metric, value)."""
    h = f.headline
    rows = [
        ("headline", "people", "People signposted", "", "people", str(h.people)),
        ("headline", "crisis_responses", "Crisis responses shown", "", "count",
         str(h.crisis_responses)),
        ("headline", "crisis_people", "People shown a crisis response", "", "people",
         str(h.crisis_people)),
        ("headline", "unmet", "Conversations where no service fitted", "", "people",
         str(h.unmet)),
        ("headline", "helped", "Said it helped", "", "rate", h.helped_rate),
        ("headline", "helped_answers", "People who answered", "", "people",
         str(h.helped_answers)),
        ("headline", "conversations", "Conversations", "", "people", str(h.conversations)),
        ("headline", "out_of_scope", "Asked for something not covered", "", "people",
         str(h.out_of_scope)),
        ("headline", "out_of_scope_rate", "Asked for something not covered", "", "rate",
         h.out_of_scope_rate),
        ("headline", "not_understood", "Not understood", "", "people", str(h.not_understood)),
        ("headline", "not_understood_rate", "Not understood", "", "rate",
         h.not_understood_rate),
    ]
    rows += [("top_need", str(i + 1), label, "", "people", str(v))
             for i, (label, v) in enumerate(h.top_needs)]
    for m in f.months:
        label = m.label + (" (part month)" if m.part else "")
        rows += [("trend", m.month, label, m.month, "people", str(m.people)),
                 ("trend", m.month, label, m.month, "crisis_responses", str(m.crisis))]
    for n in f.needs:
        rows += [("need", n.id, n.label, "", "people", str(n.people)),
                 ("need", n.id, n.label, "", "services_shown", str(n.shown)),
                 ("need", n.id, n.label, "", "no_service_fitted", str(n.unmet)),
                 ("need", n.id, n.label, "", "helped_rate", n.helped)]
    for a in f.areas:
        rows.append(("area", str(a.id), a.title, "", "people", str(a.people)))
        for m in a.measures:
            rows += [("measure", m.id, m.title, "", "people", str(m.people)),
                     ("measure", m.id, m.title, "", "services_shown", str(m.shown))]
    rows.append(("measure", "unmapped", "Services not mapped to a measure", "", "people",
                 str(f.unmapped)))
    rows += [("district", r.key, r.label, "", "people", str(r.value)) for r in f.districts]
    rows += [("age_band", r.key, r.label, "", "people", str(r.value)) for r in f.age_bands]
    rows += [("service", r.key, r.label, "", "services_shown", str(r.value))
             for r in f.services]
    rows.append(("service", "all", "All services", "", "services_shown", str(f.services_total)))
    return rows


SECTIONS = ("headline", "top_need", "trend", "need", "area", "measure", "district", "age_band",
            "service", "freshness")
