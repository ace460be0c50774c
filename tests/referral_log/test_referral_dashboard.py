"""Commissioner dashboard and statistics API: access control, disclosure, formats, a11y basics."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from refl_helpers import TOKEN, add_rows, row

from referral_log import auth
from web.app import create_app

BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def seeded(empty_db_url) -> str:
    add_rows(empty_db_url, [row(measures="1.6,3.6", day=date(2024, m, 3))
                            for m in (1, 2, 2, 3) for _ in range(5)])  # 5, 10, 5 a month
    # The people those services were shown to: 3, 10 and 4 (people, not cards).
    add_rows(empty_db_url, [row(measures="1.6,3.6", day=date(2024, m, 3), service_id=None,
                                kind="person_signposted")
                            for m, n in ((1, 3), (2, 10), (3, 4)) for _ in range(n)])
    add_rows(empty_db_url, [row(need="smoking", measures="3.6", district="harlow",
                                age_band="25-64", service_id=sid, kind=kind)
                            for _ in range(8)
                            for sid, kind in (("svc-2", "signposted"),
                                              (None, "person_signposted"))])
    add_rows(empty_db_url, [row(need="crisis", service_id=None, kind=kind,
                                measures="P1.suicide,P1.self_harm_10_24,P1.self_harm_all_ages",
                                district="unknown", age_band="16-24")
                            for kind in ("crisis_shown",) * 3 + ("person_crisis",) * 2])
    add_rows(empty_db_url, [row(kind="helpful_yes") for _ in range(30)]
             + [row(kind="helpful_no") for _ in range(12)]
             + [row(need="smoking", kind="helpful_yes") for _ in range(9)]
             + [row(need="smoking", kind="helpful_no") for _ in range(2)])
    add_rows(empty_db_url, [row(kind="person_helpful_yes", service_id=None) for _ in range(30)]
             + [row(kind="person_helpful_no", service_id=None) for _ in range(10)]
             + [row(need="smoking", kind="person_helpful_yes", service_id=None)
                for _ in range(9)]
             + [row(need="smoking", kind="person_helpful_no", service_id=None)
                for _ in range(2)])
    add_rows(empty_db_url, [row(need="weight", kind="unmet_need", service_id=None, measures="")
                            for _ in range(9)])
    add_rows(empty_db_url, [row(need=None, kind="conversation", service_id=None, measures="")
                            for _ in range(40)]
             + [row(need="out_of_scope", kind="out_of_scope", service_id=None, measures="")
                for _ in range(4)]
             + [row(need=None, kind="not_understood", service_id=None, measures="")
                for _ in range(9)])
    return empty_db_url


@pytest.fixture
def client(seeded, monkeypatch):
    monkeypatch.setenv(auth.TOKEN_ENV, TOKEN)
    app = create_app(database_url=seeded)
    app.config["TESTING"] = True
    return app.test_client()


PROTECTED = ("/commissioners", "/commissioners.csv", "/api/stats/referrals",
             "/api/stats/referrals?format=csv&group_by=need")
BAD_CREDENTIALS = ({}, {"Authorization": "Bearer wrong-token"},
                   {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer "},
                   {"Authorization": TOKEN}, {"Cookie": "session=forged"})


def test_no_data_without_a_valid_token(client):
    for path in PROTECTED:
        for headers in BAD_CREDENTIALS:
            resp = client.get(path, headers=headers)
            assert resp.status_code == 401, (path, headers)
            body = resp.get_data(as_text=True)
            assert "loneliness" not in body and "1.6" not in body
            assert resp.headers["Cache-Control"] == "no-store"
        assert client.get(path, headers=BEARER).status_code == 200


def test_401_json_for_the_api(client):
    resp = client.get("/api/stats/referrals")
    assert resp.status_code == 401 and resp.is_json
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_token_configured_refuses_everyone(seeded, monkeypatch):
    monkeypatch.delenv(auth.TOKEN_ENV, raising=False)
    client = create_app(database_url=seeded).test_client()
    assert client.get("/api/stats/referrals", headers={"Authorization": "Bearer "}).status_code \
        == 401
    assert client.get("/api/stats/referrals", headers=BEARER).status_code == 401


def test_api_rows_are_disclosure_controlled(client):
    resp = client.get("/api/stats/referrals?group_by=measure,month&from=2024-01&to=2024-12",
                      headers=BEARER)
    assert resp.status_code == 200
    data = resp.get_json()
    cells = {(r["measure"], r["month"]): (r["count"], r["people"]) for r in data["rows"]}
    assert cells[("1.6", "2024-01")] == ("*", "*")  # 5 services shown to 3 people
    assert cells[("1.6", "2024-02")] == (10, 10)
    assert cells[("3.6", "2024-03")] == (15, 10)  # 5 + 8 = 13 shown, 4 + 8 = 12 people
    assert ("P1.suicide", "2024-03") not in cells  # crisis responses are not signposting
    # 28 services shown: the total is checked against the cells as if they partitioned it
    # (they overlap, as a service counts under each of its measures), and here that
    # conservative check suppresses it (and the 25 people likewise).
    assert data["total"] == "*" and data["people_total"] == "*"
    by_need = client.get("/api/stats/referrals?group_by=need", headers=BEARER).get_json()
    assert by_need["rows"] == [{"need": "loneliness", "count": 20, "people": 15},
                               {"need": "smoking", "count": 10, "people": 10}]
    assert (by_need["total"], by_need["people_total"]) == (30, 25)  # 28 and 25
    assert all(set(r) == {"measure", "month", "count", "people"} for r in data["rows"])


def test_api_csv_equals_json(client):
    query = "group_by=measure,district,month&from=2024-01&to=2024-06&source=live"
    as_json = client.get(f"/api/stats/referrals?{query}&format=json", headers=BEARER).get_json()
    resp = client.get(f"/api/stats/referrals?{query}&format=csv", headers=BEARER)
    assert resp.mimetype == "text/csv"
    as_csv = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert as_csv == [{k: str(v) for k, v in r.items()} for r in as_json["rows"]]
    assert len(as_csv) > 3


@pytest.mark.parametrize("query", [
    "group_by=postcode", "from=2024-1", "to=24-01", "from=2024-05&to=2024-01", "source=test",
    "format=xml", "kind=clicked", "district=Southend", "colour=blue", "group_by=need&group_by=kind",
])
def test_api_bad_parameters_are_400_json(client, query):
    resp = client.get(f"/api/stats/referrals?{query}", headers=BEARER)
    assert resp.status_code == 400 and resp.is_json
    assert resp.get_json()["detail"]


def _cookie_header(resp) -> str:
    return next(v for k, v in resp.headers.items() if k == "Set-Cookie")


def test_login_sets_a_strict_session_cookie(client):
    assert client.get("/commissioners/login").status_code == 200
    wrong = client.post("/commissioners/login", data={"token": "nope"})
    assert wrong.status_code == 401 and "not correct" in wrong.get_data(as_text=True)
    assert client.get("/commissioners").status_code == 401

    ok = client.post("/commissioners/login", data={"token": TOKEN})
    assert ok.status_code == 303 and ok.headers["Location"].endswith("/commissioners")
    cookie = _cookie_header(ok)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = client.get("/commissioners")
    assert page.status_code == 200 and "Commissioner statistics" in page.get_data(as_text=True)

    client.post("/commissioners/logout")
    assert client.get("/commissioners").status_code == 401


def test_a_new_token_signs_sessions_out(client, monkeypatch):
    client.post("/commissioners/login", data={"token": TOKEN})
    monkeypatch.setenv(auth.TOKEN_ENV, "rotated-token-abcdefghijklmnop")
    assert client.get("/commissioners").status_code == 401


class _Html(HTMLParser):
    """Collects what the accessibility checks below need."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.ids: set[str] = set()
        self.labels: set[str] = set()
        self.controls: list[str] = []
        self.th_without_scope = 0
        self.svgs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "label":
            self.labels.add(a.get("for", ""))
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a.get("id", ""))
        if tag == "th" and "scope" not in a:
            self.th_without_scope += 1
        if tag == "svg":
            self.svgs.append(a)


def test_dashboard_content_and_accessibility(client):
    resp = client.get("/commissioners?from=2024-01&to=2024-03", headers=BEARER)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    page = _Html()
    page.feed(html)
    # Measure titles from jhws.yml, area totals, rounding notice, honest labels.
    assert "Implement action plan to address social isolation" in html
    assert "Priority area 3: Influencing conditions" in html
    assert "rounded to the nearest 5" in html
    assert "People signposted towards it" in html and "not the measure itself" in html
    # Headings never skip a level; every control has a label; every th has a scope.
    main = page.headings[page.headings.index(1):]  # base.html's help box comes first
    assert main.count(1) == 1 and len(main) > 5
    assert all(b - a <= 1 for a, b in zip(main, main[1:], strict=False))
    assert page.controls and all(c in page.labels for c in page.controls)
    assert page.th_without_scope == 0
    # Charts: role=img, labelled by their own title and description.
    assert len(page.svgs) == 2
    for svg in page.svgs:
        assert svg["role"] == "img"
        assert all(i in page.ids for i in svg["aria-labelledby"].split())
    assert "<desc id=" in html
    # Headline figures first, each disclosure-controlled: 25 people (17 + 8), 3 crisis
    # responses to 2 people, unmet need 9, 39 of 51 people said it helped (40 of 50
    # published: 80%), 9 of 40 conversations not understood, 4 out of scope (suppressed).
    glance = html[html.index('id="at-a-glance"'):html.index('id="filters-heading"')]
    values = re.findall(r'headline-figure__value">([^<]*)<', glance)
    assert values == ["25", "*", "10", "80%", "*", "25%"], values
    assert "to * people" in glance
    assert "Mental health" not in glance and "Loneliness and social isolation: 15 people" in glance
    # Helpfulness per need from rounded counts of people (30 and 10 -> 75%); * when one is *.
    assert re.search(r"Loneliness and social isolation</th>\s*<td[^>]*>15</td>\s*"
                     r"<td[^>]*>20</td>\s*<td[^>]*>0</td>\s*<td[^>]*>75%</td>", html)
    assert re.search(r"Stopping smoking</th>\s*<td[^>]*>10</td>\s*<td[^>]*>10</td>\s*"
                     r"<td[^>]*>0</td>\s*<td[^>]*>\*</td>", html)
    assert re.search(r"Weight and healthy eating</th>\s*<td[^>]*>0</td>\s*"
                     r"<td[^>]*>0</td>\s*<td[^>]*>10</td>", html)  # no service fitted: 9
    # Each month: March 2024 is a whole month, in the past.
    assert "March 2024 (part month)" not in html and "March 2024" in html
    assert "no source of district populations" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # no CDN


def test_dashboard_csv_is_what_is_shown(client):
    args = "from=2024-01&to=2024-03&district=braintree"
    html = client.get(f"/commissioners?{args}", headers=BEARER).get_data(as_text=True)
    resp = client.get(f"/commissioners.csv?{args}", headers=BEARER)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    sections = {r["section"] for r in rows}
    assert sections == {"headline", "top_need", "trend", "need", "area", "measure", "district",
                        "age_band", "service", "freshness"}
    districts = [r for r in rows if r["section"] == "district"]
    assert [(r["key"], r["value"]) for r in districts] == [("braintree", "15")]  # 17 people
    cell = re.compile(r"<t[hd][^>]*>\s*(?:<strong>)?([^<]*?)(?:</strong>)?\s*</t[hd]>")
    shown = set(cell.findall(html))
    for r in rows:
        if r["section"] in ("measure", "district", "age_band", "need", "trend", "service"):
            assert r["value"] in shown, r
    assert ("trend", "2024-01", "people", "*") in {
        (r["section"], r["key"], r["metric"], r["value"]) for r in rows}
    assert "harlow" not in {r["key"] for r in districts}
    # One table on its own, and the same figures from the JSON API.
    one = client.get(f"/commissioners.csv?{args}&section=district", headers=BEARER)
    assert list(csv.DictReader(io.StringIO(one.get_data(as_text=True)))) == districts
    api = client.get(f"/api/stats/dashboard?{args}&section=district", headers=BEARER)
    assert api.status_code == 200
    assert [(r["key"], r["value"]) for r in api.get_json()["rows"]] == [("braintree", "15")]
    assert client.get(f"/commissioners.csv?{args}&section=nope", headers=BEARER
                      ).status_code == 400


@pytest.mark.parametrize("typed", ["April 2024", "apr 2024", "2024-04", "04/2024",
                                   " april  2024 "])
def test_dates_are_read_as_people_write_them(client, typed):
    resp = client.get("/commissioners", query_string={"from": typed, "to": typed},
                      headers=BEARER)
    assert resp.status_code == 200
    assert "At a glance: April 2024" in resp.get_data(as_text=True)


def test_presets_and_the_part_month(client):
    for preset, label in (("30d", "Last 30 days"), ("quarter", "This quarter"),
                          ("year", "This financial year"), ("12m", "Last 12 months")):
        resp = client.get(f"/commissioners?period={preset}", headers=BEARER)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and f"At a glance: {label}" in html
        assert "(part month)" in html  # the current month is not over
    assert client.get("/commissioners?period=forever", headers=BEARER).status_code == 400


def test_dashboard_bad_filter_is_400_with_a_message(client):
    resp = client.get("/commissioners?from=January", headers=BEARER)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "There is a problem" in html and "for example April 2024" in html
    assert 'id="at-a-glance"' in html  # the page still shows, for the default period
    assert 'value="January"' in html  # what was typed is kept, to correct it


def test_ensure_token_generates_once(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNPOST_VAR_DIR", str(tmp_path / "v"))
    assert auth.current_token() is None
    token = auth.ensure_token()
    path = tmp_path / "v" / "commissioner_token"
    assert len(token) >= 40 and path.read_text().strip() == token
    assert path.stat().st_mode & 0o777 == 0o600
    assert auth.ensure_token() == token and auth.token_matches(token)
    monkeypatch.setenv(auth.TOKEN_ENV, "env-wins-0123456789")
    assert auth.ensure_token() == "env-wins-0123456789" and not auth.token_matches(token)
