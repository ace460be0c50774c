"""A practitioner's whole errand in Chromium: describe the need in their own words (with a
typo) and a town, tick two services, open the patient list, check it (phone links, printable,
copyable), and go back to the same results; axe on the results and the list. Then the same
errand with JavaScript off. Served by a second web app on a seeded directory plus the made-up
services of tests/helpers/practitioner_records.py."""
from __future__ import annotations

import re

import pytest
from browser_helpers import axe_violations, screenshot
from playwright.sync_api import expect
from practitioner_records import COUNTY, LOCAL, add_test_services

pytestmark = pytest.mark.browser

LOCAL_NAME, COUNTY_NAME = "Test Tendring befriending line", "Test Essex walk and talk"


@pytest.fixture(scope="module")
def site(serve_app, tmp_path_factory) -> str:
    from services_directory.seed import seed
    from signpost import migrate

    url = f"sqlite:///{tmp_path_factory.mktemp('journey') / 'signpost.db'}"
    migrate.upgrade(url)
    seed(url)
    add_test_services(url)
    return serve_app(url)


def search(page, site: str, need_text: str, where: str) -> None:
    page.goto(site + "/practitioners")
    page.get_by_label("What does the person need help with?").fill(need_text)
    page.get_by_label("Town or postcode where they live (optional)").fill(where)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()


def test_typed_need_to_patient_list_and_back(new_page, site):
    page = new_page(bypass_csp=True)  # axe is injected
    search(page, site, "lonley widower", "Clacton")
    results_url = page.url
    assert results_url.endswith("/practitioners?q=lonley+widower&where=Clacton")  # tidy
    expect(page.locator(".search-understood")).to_contain_text(
        "Showing results for: Loneliness and social isolation (from what you typed), "
        "for people living in Tendring (Clacton).")
    first = page.locator(".service-card").first
    expect(first.get_by_role("heading")).to_have_text(LOCAL_NAME)
    expect(first).to_contain_text("Monday to Friday, 9am to 5pm")
    expect(first).to_contain_text("Last checked")
    assert not axe_violations(page, "practitioner-journey-results")
    screenshot(page, "practitioner-journey-results-1280")

    page.get_by_role("checkbox", name=f"Add to patient list for {LOCAL_NAME}").check()
    page.get_by_role("checkbox", name=f"Add to patient list for {COUNTY_NAME}").check()
    page.get_by_role("button", name="Make a list for the patient").click()
    page.wait_for_url(re.compile(r"/practitioners/summary\?"))
    assert f"s={LOCAL}" in page.url and f"s={COUNTY}" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Services that may help you")
    services = page.locator(".summary-service")
    expect(services).to_have_count(2)
    expect(services.nth(0).get_by_role("heading", level=2)).to_have_text(LOCAL_NAME)
    expect(services.nth(1).get_by_role("heading", level=2)).to_have_text(COUNTY_NAME)
    expect(services.nth(0).get_by_role("link", name="01632 960001")).to_have_attribute(
        "href", "tel:01632960001")
    expect(services.nth(1).get_by_role("link", name="01632 960002")).to_have_attribute(
        "href", "tel:01632960002")
    expect(page.get_by_text("Nothing about you is stored")).to_be_visible()
    assert not axe_violations(page, "practitioner-journey-summary")
    screenshot(page, "practitioner-journey-summary-1280")

    # JavaScript adds Print and Copy; the text box holds the whole list either way
    expect(page.get_by_role("button", name="Print this list")).to_be_visible()
    box = page.get_by_label("The same list as plain text, to paste into a letter, email or "
                            "text message")
    expect(box).to_have_value(re.compile(rf"1\. {LOCAL_NAME}.*2\. {COUNTY_NAME}", re.S))
    page.get_by_role("button", name="Copy text").click()
    expect(page.locator("#copy-status")).not_to_be_empty()

    # printed: the list and the help lines, without the site's furniture or the buttons
    page.emulate_media(media="print")
    expect(services.nth(1)).to_be_visible()
    expect(page.locator(".help-now")).to_be_visible()
    for hidden in (".nhsuk-header", ".nhsuk-footer", ".summary-copy", "#print-list",
                   ".nhsuk-back-link"):
        expect(page.locator(hidden)).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Back to results").click()
    page.wait_for_url(results_url)
    expect(page.get_by_label("What does the person need help with?")).to_have_value(
        "lonley widower")

    # a service page opened from the results goes back to the same search
    page.get_by_role("link", name=LOCAL_NAME, exact=True).click()
    page.wait_for_url(re.compile(rf"/practitioners/services/{LOCAL}\?back="))
    expect(page.get_by_role("heading", level=1)).to_have_text(LOCAL_NAME)
    page.get_by_role("link", name="Back to results").click()
    page.wait_for_url(results_url)


def test_the_errand_works_without_javascript(new_page, site):
    page = new_page(java_script_enabled=False)
    search(page, site, "lonely", "CO15 1AB")
    page.get_by_role("checkbox", name=f"Add to patient list for {LOCAL_NAME}").check()
    page.get_by_role("button", name="Make a list for the patient").click()
    page.wait_for_url(re.compile(r"/practitioners/summary\?"))
    expect(page.locator(".summary-service")).to_have_count(1)
    expect(page.get_by_role("button", name="Print this list")).to_be_hidden()
    expect(page.get_by_text("To print, use your browser's Print option")).to_be_visible()
    expect(page.locator("#summary-text")).to_have_value(re.compile(LOCAL_NAME))


def test_an_outward_code_across_areas_is_a_choice_of_links(new_page, site):
    page = new_page(bypass_csp=True)
    search_url = site + "/practitioners?q=stop+smokin&where=CM3"
    page.goto(search_url)
    expect(page.get_by_role("heading", name="Which area does the person live in?")).to_be_visible()
    expect(page.get_by_role("heading", name="Results")).to_have_count(0)
    assert not axe_violations(page, "practitioner-journey-choose-area")
    page.get_by_role("link", name="Maldon", exact=True).click()
    expect(page.locator(".search-understood")).to_contain_text(
        "Showing results for: Stopping smoking (from what you typed), for people living in "
        "Maldon.")
