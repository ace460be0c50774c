"""People, not cards: each person counts once per conversation, need and day, however many
services they are shown; re-shown lists and "More options" add no people."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import MetaData, select

from referral_log import outcomes
from referral_log.report import build_report, parse_query
from signpost.cli import main
from signpost.db import get_engine

DAY = date(2024, 3, 5)
SENDER_A, SENDER_B = "sender-a-3f9c2d", "sender-b-77e1aa"


@dataclass(frozen=True)
class Card:
    id: str
    jhws_actions: tuple[str, ...] = ("1.6",)
    priority_measures: tuple[str, ...] = ()


CARDS = [Card("svc-1"), Card("svc-2", ("3.6",)), Card("svc-3")]
MORE = [Card("svc-4", ("3.5",)), Card("svc-5")]


def _sign(url, sender, cards, day=DAY, need="loneliness"):
    assert outcomes.record_signposting(sender, need, cards, "Tendring", 81, False,
                                       url=url, today=day)


def _need_row(url, **query):
    report = build_report(url, parse_query("need", **query), raw=True)
    return {r["need"]: (r["count"], r["people"]) for r in report.rows}


def test_one_person_shown_three_services_is_one_person(empty_db_url):
    _sign(empty_db_url, SENDER_A, CARDS)
    assert _need_row(empty_db_url) == {"loneliness": (3, 1)}
    _sign(empty_db_url, SENDER_A, CARDS)  # the same list shown again: nothing new
    assert _need_row(empty_db_url) == {"loneliness": (3, 1)}
    _sign(empty_db_url, SENDER_A, MORE)  # "More options": services shown, not people
    assert _need_row(empty_db_url) == {"loneliness": (5, 1)}
    _sign(empty_db_url, SENDER_B, CARDS)  # someone else
    assert _need_row(empty_db_url) == {"loneliness": (8, 2)}
    _sign(empty_db_url, SENDER_A, CARDS, day=DAY + timedelta(days=1))  # another day
    assert _need_row(empty_db_url) == {"loneliness": (11, 3)}
    _sign(empty_db_url, SENDER_A, [Card("svc-9", ("3.6",))], need="smoking")  # another need
    assert _need_row(empty_db_url)["smoking"] == (1, 1)


def test_people_by_measure_service_and_kind(empty_db_url):
    _sign(empty_db_url, SENDER_A, CARDS)
    _sign(empty_db_url, SENDER_B, CARDS[:1])
    by_measure = build_report(empty_db_url, parse_query("measure"), raw=True)
    assert {r["measure"]: (r["count"], r["people"]) for r in by_measure.rows} == {
        "1.6": (3, 2), "3.6": (1, 1)}
    by_service = build_report(empty_db_url, parse_query("service"), raw=True)
    assert {r["service"]: (r["count"], r["people"]) for r in by_service.rows} == {
        "svc-1": (2, 2), "svc-2": (1, 1), "svc-3": (1, 1)}
    assert (by_measure.total, by_measure.people_total) == (4, 2)


def test_crisis_responses_counted_each_time_the_person_once(empty_db_url):
    for turn in ("m1", "m2"):
        assert outcomes.record_crisis(SENDER_A, f"{SENDER_A}:{turn}:crisis", None, 19, False,
                                      url=empty_db_url, today=DAY)
    assert outcomes.record_crisis(SENDER_A, f"{SENDER_A}:m2:crisis", None, 19, False,
                                  url=empty_db_url, today=DAY)  # Rasa retrying: not counted
    report = build_report(empty_db_url, parse_query("kind", kind="crisis_shown"), raw=True)
    assert report.rows == [{"kind": "crisis_shown", "count": 2, "people": 1}]


def test_conversation_outcomes_count_once_a_day(empty_db_url):
    url = empty_db_url
    for _ in range(2):
        outcomes.record_unmet_need(SENDER_A, "weight", "Harlow", 40, False, url=url, today=DAY)
        outcomes.record_out_of_scope(SENDER_A, None, None, False, url=url, today=DAY)
        outcomes.record_not_understood(SENDER_B, None, None, True, url=url, today=DAY)
    _sign(url, SENDER_A, CARDS)
    report = build_report(url, parse_query("kind", kind="all"), raw=True)
    got = {r["kind"]: (r["count"], r["people"]) for r in report.rows}
    assert got == {"signposted": (3, 1), "unmet_need": (1, 1), "out_of_scope": (1, 1),
                   "not_understood": (1, 1), "conversation": (2, 2)}


def test_helpful_answers_per_service_and_the_first_answer_per_person(empty_db_url):
    url = empty_db_url
    _sign(url, SENDER_A, CARDS)
    outcomes.record_helpful(SENDER_A, "t1", "loneliness", CARDS, None, 81, False, True,
                            url=url, today=DAY)
    outcomes.record_helpful(SENDER_A, "t2", "loneliness", CARDS, None, 81, False, False,
                            url=url, today=DAY)  # changes their mind: the first answer stands
    report = build_report(url, parse_query("kind", kind="helpful_yes,helpful_no"), raw=True)
    assert {r["kind"]: (r["count"], r["people"]) for r in report.rows} == {
        "helpful_yes": (3, 1), "helpful_no": (3, 0)}


def test_raw_cli_json_rows_carry_people_beside_count(sqlite_url, capsys):
    _sign(sqlite_url, SENDER_A, CARDS)
    _sign(sqlite_url, SENDER_A, MORE)
    assert main(["stats", "report", "--url", sqlite_url, "--raw", "--format", "json",
                 "--group-by", "need"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"] == [{"need": "loneliness", "count": 5, "people": 1}]
    assert out["people_total"] == 1 and out["not_for_publication"] is True


def test_no_conversation_key_is_stored_anywhere(empty_db_url):
    _sign(empty_db_url, SENDER_A, CARDS)
    outcomes.record_crisis(SENDER_A, f"{SENDER_A}:m1:x", None, 19, False, url=empty_db_url,
                           today=DAY)
    outcomes.record_not_understood(SENDER_A, None, None, False, url=empty_db_url, today=DAY)
    engine = get_engine(empty_db_url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        dump = repr([conn.execute(select(t)).all() for t in meta.sorted_tables])
    assert "sender-a" not in dump and "3f9c2d" not in dump
