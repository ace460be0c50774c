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
    add_rows(empty_db_url, [row(need="smoking", measures="3.6", district="harlow",
                                age_band="25-64") for _ in range(8)])
    add_rows(empty_db_url, [row(need="crisis", service_id=None, kind="crisis_shown",
                                measures="P1.suicide,P1.self_harm_10_24,P1.self_harm_all_ages",
                                district="unknown", age_band="16-24") for _ in range(3)])
    add_rows(empty_db_url, [row(kind="helpful_yes") for _ in range(30)]
             + [row(kind="helpful_no") for _ in range(12)]
             + [row(need="smoking", kind="helpful_yes") for _ in range(9)]
             + [row(need="smoking", kind="helpful_no") for _ in range(2)])
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
    cells = {(r["measure"], r["month"]): r["count"] for r in data["rows"]}
    assert cells[("1.6", "2024-01")] == "*"  # 5
    assert cells[("1.6", "2024-02")] == 10
    assert cells[("3.6", "2024-03")] == 15  # 5 + 8 = 13
    assert cells[("P1.suicide", "2024-03")] == "*"  # 3
    assert data["total"] == 30  # 20 + 8 + 3 = 31, rounded
    assert all(set(r) == {"measure", "month", "count"} for r in data["rows"])


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
    # Measure titles from jhws.yml, area totals, rounding notice.
    assert "Implement action plan to address social isolation" in html
    assert "Priority area 3: Influencing conditions" in html
    assert "rounded to the nearest 5" in html
    # Headings never skip a level; every control has a label; every th has a scope.
    main = page.headings[page.headings.index(1):]  # base.html's help box comes first
    assert main.count(1) == 1 and len(main) > 5
    assert all(b - a <= 1 for a, b in zip(main, main[1:], strict=False))
    assert page.controls and all(c in page.labels for c in page.controls)
    assert page.th_without_scope == 0
    # Charts: role=img, labelled by their own title and description.
    assert page.svgs
    for svg in page.svgs:
        assert svg["role"] == "img"
        assert all(i in page.ids for i in svg["aria-labelledby"].split())
    assert "<desc id=" in html and "between 1 and 7" in html
    # Helpfulness from rounded counts (30 and 10 -> 75%); suppressed with a * count.
    assert "75%" in html
    assert re.search(r"Stopping smoking</th>\s*<td[^>]*>10</td>\s*<td[^>]*>\*</td>\s*"
                     r"<td[^>]*>\*</td>", html)
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # no CDN


def test_dashboard_csv_is_what_is_shown(client):
    args = "from=2024-01&to=2024-03&district=braintree"
    html = client.get(f"/commissioners?{args}", headers=BEARER).get_data(as_text=True)
    resp = client.get(f"/commissioners.csv?{args}", headers=BEARER)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    sections = {r["section"] for r in rows}
    assert sections == {"total", "area", "measure", "trend", "district", "age_band",
                        "helpfulness"}
    districts = [r for r in rows if r["section"] == "district"]
    assert [(r["key"], r["value"]) for r in districts] == [("braintree", "20")]
    cell = re.compile(r"<t[hd][^>]*>\s*(?:<strong>)?([^<]*?)(?:</strong>)?\s*</t[hd]>")
    shown = set(cell.findall(html))
    for r in rows:
        if r["section"] in ("measure", "district", "age_band", "helpfulness", "trend"):
            assert r["value"] in shown, r
    assert ("trend", "1.6", "2024-01", "*") in {
        (r["section"], r["key"], r["month"], r["value"]) for r in rows}
    assert "harlow" not in {r["key"] for r in districts}


def test_dashboard_bad_filter_is_400_with_a_message(client):
    resp = client.get("/commissioners?from=January", headers=BEARER)
    assert resp.status_code == 400
    assert "There is a problem" in resp.get_data(as_text=True)


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
