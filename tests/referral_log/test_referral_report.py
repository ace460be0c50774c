"""Grouped reports: measures, filters, formats, the CLI, and synthetic data."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date

import pytest
from refl_helpers import add_rows, row
from sqlalchemy import func, select

from referral_log.report import ReportError, ReportQuery, build_report, parse_query, render
from referral_log.simulate import generate
from signpost.cli import main
from signpost.db import get_engine


def _scenario(url: str) -> None:
    """A small known mix: numbers chosen around the suppression threshold."""
    add_rows(url, [row(measures="1.6,3.6") for _ in range(13)])  # loneliness -> 1.6 and 3.6
    add_rows(url, [row(need="smoking", measures="3.6", district="harlow", age_band="25-64")
                   for _ in range(8)])
    add_rows(url, [row(need="carer_support", measures="3.4", district="maldon",
                       day=date(2024, 4, 2)) for _ in range(3)])
    add_rows(url, [row(need="crisis", service_id=None,
                       measures="P1.suicide,P1.self_harm_10_24,P1.self_harm_all_ages",
                       kind="crisis_shown", district="unknown", age_band="16-24")
                   for _ in range(9)])
    add_rows(url, [row(need="weight", measures="", day=date(2024, 4, 9)) for _ in range(2)])
    add_rows(url, [row(kind="helpful_yes") for _ in range(20)])  # not a referral
    add_rows(url, [row(source="synthetic") for _ in range(50)])  # not live


def _by(report, key):
    return {r[key]: r["count"] for r in report.rows}


def test_counts_by_measure_area_and_need(empty_db_url):
    _scenario(empty_db_url)
    by_measure = build_report(empty_db_url, parse_query("measure"))
    assert _by(by_measure, "measure") == {
        "1.6": 15,  # 13
        "3.4": "*",  # 3
        "3.6": 20,  # 13 + 8 = 21
        "unmapped": "*",  # 2
    }  # crisis responses are not signposting towards a measure: reported on their own
    # Distinct events, rounded from the raw 26; never the sum of the rows above.
    assert by_measure.total == 25
    crisis = build_report(empty_db_url, parse_query("measure", kind="crisis_shown"))
    assert _by(crisis, "measure")["P1.suicide"] == 10  # 9, only when asked for
    by_area = build_report(empty_db_url, parse_query("area"))
    # Area 1 counts each loneliness event once although it maps to 1.6 and (area 3) 3.6.
    assert _by(by_area, "area") == {"1": 15, "3": 25, "unmapped": "*"}  # 13, 24, 2
    assert build_report(empty_db_url, parse_query("need")).rows[0] == {
        "need": "loneliness", "count": 15, "people": 0}


def test_filters(empty_db_url):
    _scenario(empty_db_url)
    april = build_report(empty_db_url, parse_query("need", "2024-04", "2024-04"))
    assert _by(april, "need") == {"carer_support": "*", "weight": "*"}
    assert april.total == "*"
    march = build_report(empty_db_url, parse_query("need", "2024-01", "2024-03"))
    assert "carer_support" not in _by(march, "need")
    harlow = build_report(empty_db_url, parse_query("need", district="Harlow"))
    assert _by(harlow, "need") == {"smoking": 10}
    synthetic = build_report(empty_db_url, parse_query("need", source="synthetic"))
    assert _by(synthetic, "need") == {"loneliness": 50}
    everything = build_report(empty_db_url, parse_query("kind", source="all", kind="all"))
    assert _by(everything, "kind") == {"signposted": 75, "crisis_shown": 10, "helpful_yes": 20}


def test_group_by_month_district_and_raw(empty_db_url):
    _scenario(empty_db_url)
    q = parse_query("measure,month")
    assert {(r["measure"], r["month"]): r["count"] for r in build_report(empty_db_url, q).rows}[
        ("3.6", "2024-03")] == 20
    raw = build_report(empty_db_url, parse_query("district,age_band"), raw=True)
    assert {(r["district"], r["age_band"]): r["count"] for r in raw.rows} == {
        ("braintree", "65+"): 15, ("harlow", "25-64"): 8, ("maldon", "65+"): 3}
    assert raw.total == 26


@pytest.mark.parametrize(("args", "message"), [
    (dict(group_by="postcode"), "cannot group by"),
    (dict(group_by="need,need"), "twice"),
    (dict(month_from="2024-13"), "YYYY-MM"),
    (dict(month_from="2024-05", month_to="2024-01"), "after"),
    (dict(source="test"), "source"),
    (dict(kind="clicked"), "kind"),
    (dict(district="Southend"), "district"),
])
def test_bad_parameters(args, message):
    with pytest.raises(ReportError, match=message):
        parse_query(**args)


def test_formats_agree(sqlite_url):
    _scenario(sqlite_url)
    report = build_report(sqlite_url, parse_query("need,service"))
    as_json = json.loads(render(report, "json"))
    as_csv = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert as_csv == [{k: "" if v is None else str(v) for k, v in r.items()}
                      for r in as_json["rows"]]
    assert "disclosure_control" in as_json and "not_for_publication" not in as_json
    table = render(report, "table")
    assert "Total (distinct events, people)" in table and "rounded" in table


def test_cli_report(sqlite_url, capsys):
    _scenario(sqlite_url)
    assert main(["stats", "report", "--url", sqlite_url, "--group-by", "measure",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 25 and out["rows"][0] == {"measure": "1.6", "count": 15, "people": 0}
    assert main(["stats", "report", "--url", sqlite_url, "--raw", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# NOT FOR PUBLICATION")
    assert "NOT FOR PUBLICATION" in captured.err
    assert main(["stats", "report", "--url", sqlite_url, "--raw", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["not_for_publication"] is True
    assert main(["stats", "report", "--url", sqlite_url, "--raw"]) == 0
    assert capsys.readouterr().out.startswith("NOT FOR PUBLICATION")
    assert main(["stats", "report", "--url", sqlite_url, "--group-by", "name"]) == 2
    assert "cannot group by" in capsys.readouterr().err


def test_simulate(empty_db_url, capsys):
    assert main(["stats", "simulate", "--url", empty_db_url, "--events", "3000", "--seed", "7",
                 "--months", "6"]) == 0
    assert "3000" in capsys.readouterr().out
    with get_engine(empty_db_url).connect() as conn:
        from referral_log.models import referral_event as t

        assert conn.execute(select(func.count()).select_from(t)).scalar() == 3000
        sources = set(conn.execute(select(t.c.source).distinct()).scalars())
        months = set(conn.execute(select(t.c.day)).scalars())
    assert sources == {"synthetic"}
    assert len({(d.year, d.month) for d in months}) == 6
    # Reports exclude synthetic data unless asked for.
    assert build_report(empty_db_url, ReportQuery(group_by=())).total == 0
    synthetic = build_report(empty_db_url, parse_query("kind", source="synthetic", kind="all"))
    kinds = _by(synthetic, "kind")
    assert set(kinds) == {"signposted", "crisis_shown", "helpful_yes", "helpful_no",
                          "unmet_need", "out_of_scope", "not_understood", "conversation"}
    assert kinds["signposted"] > kinds["helpful_yes"] > kinds["crisis_shown"]
    people = {r["kind"]: r["people"] for r in synthetic.rows}
    assert 0 < people["signposted"] < kinds["signposted"]  # fewer people than cards


def test_generated_mix_is_plausible_and_reproducible():
    rows = [r for chunk in generate(20_000, seed=3, today=date(2024, 12, 31)) for r in chunk]
    assert rows == [r for chunk in generate(20_000, seed=3, today=date(2024, 12, 31))
                    for r in chunk]
    needs = Counter(r[1] for r in rows if r[7] == "signposted")
    assert needs.most_common(1)[0][0] == "mental_wellbeing"
    assert "out_of_scope" not in needs
    assert Counter(r[4] for r in rows)["unknown"] > 0
    lonely_bands = Counter(r[5] for r in rows if r[1] == "loneliness")
    assert lonely_bands.most_common(1)[0][0] == "65+"
    crisis = [r for r in rows if r[1] == "crisis" and r[7] == "crisis_shown"]
    assert crisis and all(r[2] is None and "P1.suicide" in r[3] for r in crisis)
    assert min(r[0] for r in rows) >= date(2024, 1, 1) and max(r[0] for r in rows) <= date(
        2024, 12, 31)
