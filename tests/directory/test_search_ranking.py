"""search_services ranks in SQL; search._rank, in Python, is the reference it must agree
with. On random small directories and queries, every page (every offset and limit) must
be the slice of the reference order, with the reference's scores and reasons, on SQLite
and on PostgreSQL (whose default collation here is ICU en-US, not byte order)."""
from __future__ import annotations

import logging
import os
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, or_, select

from services_directory import districts, search
from services_directory import taxonomy as tx
from services_directory.ids import stable_id
from services_directory.importer import LOAD_OPTIONS, import_records, service_record
from services_directory.models import ROUTE_KINDS, Attribute, Service, ServiceArea
from services_directory.records import (
    OrganizationRecord,
    PhoneRecord,
    RouteRecord,
    ServiceRecord,
)
from services_directory.search import count_services, query_words, search_services
from signpost.circumstances import implied_by
from signpost.db import session_scope

ORG = OrganizationRecord(id=stable_id("organization", "ranking-test"), slug="ranking-test",
                         name="Ranking test", description="Owns the generated services.")
# Pieces of names and descriptions: mixed case, words sharing stems, punctuation and
# spaces, LIKE's own % and _, letters that casefold to ASCII (ß, ﬁ, the Kelvin sign) and
# letters that byte order and a language's collation sort differently (Ä, É, İ).
PIECES = ["Walk", "walking", "WALKS", "group", "Groups", "café", "Cafe", "carers", "Carer",
          "Straße", "STRASSE", "ﬁt", "Fit", "\u212aids", "kids", "it's", "Its", "100%",
          "50_50", "a", "A", "Zed", "zebra", "Ärzte", "Éclair", "İstanbul", "support", "the"]
SEPARATORS = [" ", "  ", "-", "'", ", ", ".", " & ", "(", ")", "/", "_", "%", ""]
# Query words that hit the pieces above in different ways (stems, case, ', ß, ﬁ, K).
QUERY_WORDS = ["walking", "walks", "WALK", "groups", "cafe", "carers", "strasse", "fit", "kids",
               "it's", "its", "100", "50_50", "zebra", "zed", "support", "clair", "istanbul"]
NEEDS = ["loneliness", "crisis", "mental_wellbeing"]
DISTRICTS = ["Tendring", "Colchester", "Harlow"]
PLACES = [*DISTRICTS, "tendring", districts.THURROCK, districts.OUTSIDE]
CHECKED = [None, None, date(2025, 1, 31), date(2026, 11, 30)]
EXAMPLES = int(os.environ.get("SIGNPOST_FUZZ_EXAMPLES", "0") or 0) or 60


def phrase(min_size: int = 1, max_size: int = 4) -> st.SearchStrategy[str]:
    parts = st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS))
    return st.lists(parts, min_size=min_size, max_size=max_size).map(
        lambda pairs: "".join(piece + sep for piece, sep in pairs))


NAMES = st.one_of(phrase(), st.text("aAbB zZ-'._%ßﬁéÉ0\u212a", min_size=1, max_size=8)
                  ).filter(str.strip)


def record(index: int, name: str, service_id: str | None = None, **fields) -> ServiceRecord:
    slug = f"ranked-{index}"
    return ServiceRecord(id=service_id or stable_id("service", slug), slug=slug, name=name,
                         organization_id=ORG.id, description=fields.pop("description", "A."),
                         status=fields.pop("status", "active"),
                         needs=fields.pop("needs", ("loneliness",)), **fields)


@st.composite
def services(draw, index: int) -> ServiceRecord:
    lo = draw(st.sampled_from([None, None, 0, 16, 18, 65]))
    return record(
        index, draw(NAMES), str(draw(st.uuids())),  # random ids: equal names tie on id
        description=draw(phrase()), eligibility=draw(st.none() | phrase()),
        status=draw(st.sampled_from(["active"] * 5 + ["inactive"])),
        needs=tuple(draw(st.lists(st.sampled_from(NEEDS), min_size=1, max_size=3,
                                  unique=True))),
        minimum_age=lo, maximum_age=draw(st.sampled_from(
            [None, None, *(age for age in (17, 64, 120) if age >= (lo or 0))])),
        districts=draw(st.sampled_from([("all",), ("national",), (districts.THURROCK,)])
                       | st.lists(st.sampled_from(DISTRICTS), min_size=1, max_size=2,
                                  unique=True).map(tuple)),
        audience=draw(st.sampled_from([("resident",), ("practitioner",), ("commissioner",),
                                       ("resident", "practitioner")])),
        referral_routes=tuple(RouteRecord(kind, "Ask.") for kind in
                              draw(st.lists(st.sampled_from(ROUTE_KINDS), max_size=2))),
        phones=draw(st.sampled_from([(), (), (PhoneRecord("0300 000 0000"),)])),
        contact_url=draw(st.sampled_from([None, None, "https://example.org"])),
        contact_email=draw(st.sampled_from([None, None, None, "help@example.org"])),
        source_url=draw(st.sampled_from([None, "https://example.org/source"])),
        assured_date=draw(st.sampled_from(CHECKED)),
        for_circumstances=draw(st.sampled_from(
            [(), (), (), ("carer",), ("mental_health_condition",), ("carer", "employer")])),
    )


@st.composite
def directories(draw) -> list[ServiceRecord]:
    return [draw(services(i)) for i in range(draw(st.integers(2, 8)))]


QUERIES = st.fixed_dictionaries({
    "need": st.sampled_from(NEEDS),
    "district": st.sampled_from([None, None, *PLACES]),
    "age": st.sampled_from([None, None, 10, 16, 17, 18, 64, 65, 120]),
    "text": st.one_of(st.lists(st.sampled_from(QUERY_WORDS), min_size=1, max_size=4)
                      .map(" ".join), st.none(), phrase(), st.text(max_size=12)),
    "audience": st.sampled_from([None, "resident", "practitioner"]),
    "circumstances": st.sampled_from([None, (), ("carer",), ("employer", "disability")]),
})


def fill(url: str, records: list[ServiceRecord]) -> None:
    """Make the directory exactly these services (links go by ON DELETE CASCADE)."""
    with session_scope(url) as session:
        session.execute(delete(Service))
    import_records([ORG], records, url)


def reference(session, need: str, district: str | None, age: int | None, text: str | None,
              audience: str | None, circumstances: tuple[str, ...] | None = None
              ) -> list[tuple[str, int, list[str]]]:
    """(id, score, reasons) of every match, best first: search and ranking as they were
    done before they moved into SQL (the filters as IN lists, _rank over every match)."""
    district = search._check(need, district, age, audience)
    matching = (select(Service.id).join(Attribute, Attribute.link_id == Service.id)
                .where(Attribute.taxonomy_term_id == tx.term_id(tx.NEEDS, need),
                       Service.status == "active"))
    areas = districts.areas_serving(district) if district else (*districts.DISTRICTS, "all",
                                                                 "national")
    matching = matching.where(Service.id.in_(
        select(ServiceArea.service_id).where(ServiceArea.district.in_(areas))))
    if age is not None:
        matching = matching.where(
            or_(Service.minimum_age.is_(None), Service.minimum_age <= age),
            or_(Service.maximum_age.is_(None), Service.maximum_age >= age))
    words = query_words(text)
    ranked = []
    for svc in session.scalars(select(Service).where(Service.id.in_(matching))
                               .options(*LOAD_OPTIONS)):
        rec = service_record(svc)
        seen = {None: set(rec.audience), "resident": {"resident"},
                "practitioner": {"resident", "practitioner"}}[audience]
        if not seen & set(rec.audience):
            continue
        # A service for particular circumstances: residents only in one of them (given, or
        # implied by the need: mental_wellbeing implies mental_health_condition).
        situation = set(circumstances or ()) | set(implied_by(need))
        if audience is not None and rec.for_circumstances and not (
                situation & set(rec.for_circumstances)):
            continue
        score, reasons = search._rank(rec, need, district, words, audience, age,
                                      tuple(circumstances or ()))
        checked = rec.assured_date.toordinal() if rec.assured_date else 0  # newest first
        sourced_first = rec.source_url is None
        ranked.append(((-score, sourced_first, -checked, rec.name.casefold(), rec.id),
                       (rec.id, score, reasons)))
    ranked.sort(key=lambda item: item[0])
    return [entry for _, entry in ranked]


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def searched(session, need: str, **filters) -> list:
    """search_services, failing on its warning that the SQL score and _rank's differ
    (results carry _rank's score, so a wrong SQL score shows only in the order)."""
    records = Records()
    search.log.addHandler(records)
    try:
        results = search_services(session, need, **filters)
    finally:
        search.log.removeHandler(records)
    assert not records.messages
    return results


def page(session, query: dict, limit: int, offset: int) -> list[tuple[str, int, list[str]]]:
    return [(r.id, r.score, r.reasons)
            for r in searched(session, **query, limit=limit, offset=offset)]


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(directory=directories(), queries=st.lists(QUERIES, min_size=1, max_size=2))
def test_every_page_is_the_reference_order(scratch_url, directory, queries):
    fill(scratch_url, directory)
    with session_scope(scratch_url) as session:
        for query in queries:
            expected = reference(session, **query)
            assert count_services(session, **query) == len(expected)
            for offset in range(len(expected) + 1):
                for limit in range(len(expected) - offset + 2):
                    assert page(session, query, limit, offset) == \
                        expected[offset:offset + limit], (offset, limit)


TRICKY = ["Walk group", "walk group", "WALK GROUP", "Walk-group", "Walk  group", "Walkgroup",
          "walk_group", "Straße", "STRASSE", "Strasse 2", "Ärzte", "Zebra", "zebra",
          "100% Fit", "ﬁt club", "It's Fit", "_under", "(Brackets)", "Éclair", "eclair",
          "\u212aids club", "kids"]


def test_names_order_as_python_str_casefold_does(scratch_url):
    fill(scratch_url, [record(i, name) for i, name in enumerate(TRICKY)])
    by_name = {name: stable_id("service", f"ranked-{i}") for i, name in enumerate(TRICKY)}
    with session_scope(scratch_url) as session:
        # Equal scores: byte order of the casefolded name, then id, as Python sorts.
        assert [r.name for r in searched(session, "loneliness", limit=100)] == \
            sorted(TRICKY, key=lambda name: (name.casefold(), by_name[name]))
        for text in ("fit it's walking 100 kids strasse", "GROUP% _under éclair"):
            query = {"need": "loneliness", "district": None, "age": None, "text": text,
                     "audience": None}
            assert page(session, query, 100, 0) == reference(session, **query)
        top = searched(session, "loneliness", text="kids strasse", limit=5)
        assert {r.name for r in top[:2]} == {"\u212aids club", "kids"}  # Kelvin sign: k
        assert top[0].reasons == ["covers all of Essex", "main focus is this need",
                                  "name matches 'kids'"]


def test_search_keys_follow_updates(scratch_url):
    fill(scratch_url, [record(0, "Lunch club", description="Meals."),
                       record(1, "Book club", description="Reading.")])
    assert [r.name for r in _search(scratch_url, "walking")] == ["Book club", "Lunch club"]
    import_records([ORG], [record(0, "Lunch club", description="Meals.",
                                  eligibility="Walking distance"),
                           record(1, "Walks", description="Reading.")], scratch_url)
    results = _search(scratch_url, "walking")
    assert [(r.name, r.score) for r in results] == [("Walks", 80), ("Lunch club", 70)]
    with session_scope(scratch_url) as session:
        keys = session.execute(select(Service.sort_name, Service.search_text)
                               .order_by(Service.slug)).all()
    assert [tuple(k) for k in keys] == [("lunch club", "meals. walking distance"),
                                        ("walks", "reading. ")]


def _search(url: str, text: str) -> list:
    with session_scope(url) as session:
        return searched(session, "loneliness", text=text, limit=10)


def test_long_words_many_words_and_far_pages(scratch_url):
    """A 100,000-letter word (too long for a LIKE pattern on SQLite), more words than
    MAX_SQL_WORDS (ranked in Python), and offsets past what SQL integers hold."""
    fill(scratch_url, [record(0, "Walks", description="x" * 100_001),
                       record(1, "Book club", description="Reading."),
                       record(2, "Gardening", description="Walk and dig.")])
    many = " ".join(f"w{i:03d}x" for i in range(search.MAX_SQL_WORDS)) + " walking"
    with session_scope(scratch_url) as session:
        for text in ("x" * 100_000, many, "reading walking"):
            query = {"need": "loneliness", "district": None, "age": None, "text": text,
                     "audience": None}
            assert page(session, query, 10, 0) == reference(session, **query)
            assert page(session, query, 1, 1) == reference(session, **query)[1:2]
        assert [r.name for r in searched(session, "loneliness", text=many, limit=2)] == \
            ["Walks", "Gardening"]
        assert searched(session, "loneliness", limit=10**20, offset=10**20) == []
        assert len(searched(session, "loneliness", limit=10**20)) == 3
