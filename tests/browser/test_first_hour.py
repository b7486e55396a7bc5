"""What a member, a cluster lead and an administrator meet in the first hour, in Chromium (issue 20 items 5, 9,
10 and 12): the newsletter sent with a test copy and a confirmation, the directory filtered by several service
areas, the "record work" form, and every page type on a 375 px phone without sideways scrolling."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, read_mails, screenshot
from tests.browser.helpers import first_href, sign_in
from tests.browser.test_accessibility import (
    ADMIN_DETAILS,
    ADMIN_PAGES,
    ANONYMOUS_DETAILS,
    ANONYMOUS_PAGES,
    CLUSTER_LEAD_DETAILS,
    CLUSTER_LEAD_PAGES,
    MEMBER_DETAILS,
    MEMBER_PAGES,
)

PHONE = {"width": 375, "height": 812}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _walk(page, pages, details, wide: list[str]) -> None:
    def measure(name):
        page.wait_for_load_state("load")
        extra = page.evaluate(SIDEWAYS)
        if extra > 0:
            wide.append(f"{name} ({page.url}) scrolls {extra} px sideways")

    for name, path in pages:
        page.goto(path)
        measure(name)
    for name, start, selectors in details:
        page.goto(start)
        for selector in selectors:
            page.goto(first_href(page, selector))
        measure(name)


def test_no_page_type_scrolls_sideways_on_a_phone(browser, portal_server):
    wide: list[str] = []
    for email, pages, details in [
        (None, ANONYMOUS_PAGES, ANONYMOUS_DETAILS),
        ("member@pbc-network.nhs.uk", MEMBER_PAGES, MEMBER_DETAILS),
        ("cluster.lead@pbc-network.nhs.uk", CLUSTER_LEAD_PAGES, CLUSTER_LEAD_DETAILS),
        ("admin@pbc-network.nhs.uk", ADMIN_PAGES, ADMIN_DETAILS),
    ]:
        context = browser.new_context(base_url=portal_server["url"], viewport=PHONE, locale="en-GB", timezone_id="Europe/London")
        page = context.new_page()
        page.set_default_timeout(15_000)
        if email:
            sign_in(page, email)
        _walk(page, pages, details, wide)
        context.close()

    assert not wide, "Pages wider than a 375 px phone:\n" + "\n".join(wide)


def test_matrix_scrolls_inside_its_own_region_with_a_visible_hint_on_a_phone(page):
    sign_in(page, "member@pbc-network.nhs.uk")
    page.set_viewport_size(PHONE)
    page.goto("/redesign/")

    region = page.get_by_role("region", name=re.compile("pieces? of work by service area"))
    assert page.evaluate(SIDEWAYS) == 0
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")
    expect(page.get_by_text("The matrix is wider than your screen: scroll it sideways")).to_be_visible()
    region.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.portal-table-wrapper').scrollLeft > 0")
    screenshot(page, "matrix-phone")
    assert_no_axe_violations(page, "matrix on a phone")


def test_directory_filters_by_two_service_areas_and_suggests_the_filter_for_an_area_typed_as_a_name(page):
    sign_in(page, "member@pbc-network.nhs.uk")
    page.goto("/directory/")

    page.get_by_label("Search by name").fill("dermatology")
    suggestion = page.get_by_role("link", name="Show members with Dermatology as a specialty or interest")
    suggestion.click()
    page.wait_for_url(re.compile(r"interest=dermatology"))
    dermatology = int(re.search(r"\d+", page.locator("[data-result-count]").inner_text()).group())
    page.get_by_role("checkbox", name="Diabetes").check()
    page.wait_for_url(re.compile(r"interest=diabetes"))
    expect(page.get_by_role("checkbox", name="Dermatology")).to_be_checked()
    both = int(re.search(r"\d+", page.locator("[data-result-count]").inner_text()).group())

    assert both > dermatology > 0
    assert_no_axe_violations(page, "directory filtered by two service areas")


def test_record_work_form_names_the_missing_title_finds_leads_by_name_and_takes_typed_dates(page):
    sign_in(page, "cluster.lead@pbc-network.nhs.uk")
    page.goto("/redesign/entries/new/")
    expect(page.get_by_label("Organisation doing the work")).not_to_have_value("")  # their one organisation, chosen
    page.get_by_label("Service area").select_option(label="Diabetes")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("button", name="Add to the matrix").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("link", name="Enter a title for the work")).to_be_visible()
    assert_no_axe_violations(page, "record work with an error")

    page.get_by_label("Title").fill("Insulin initiation in primary care")
    leads = page.get_by_role("group", name=re.compile("^Leads"))
    page.get_by_label("Find leads by name").fill("okafor")
    expect(leads.get_by_role("checkbox", name=re.compile("Ruth Okafor"))).to_be_visible()
    assert leads.locator("input[type=checkbox]:visible").count() < leads.locator("input[type=checkbox]").count()
    assert "@" not in leads.inner_text()
    leads.get_by_role("checkbox", name=re.compile("Ruth Okafor")).check()
    start = page.get_by_role("group", name=re.compile("^Start date"))
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("4")
    start.get_by_label("Year").fill("2008")
    assert page.locator("input[type=date]").count() == 0
    html = page.content()
    assert html.index('id="similar-live"') < html.index("Add to the matrix")
    assert "(optional) (optional)" not in html
    page.get_by_role("button", name="Add to the matrix").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Insulin initiation in primary care")
    expect(page.get_by_text("1 April 2008")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Ruth Okafor"))).to_be_visible()


def test_administrator_sends_the_newsletter_after_a_test_copy_and_a_confirmation(page, portal_server):
    sign_in(page, "admin@pbc-network.nhs.uk")
    page.goto("/admin/")
    page.get_by_role("link", name="Newsletter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a newsletter issue")

    page.get_by_label("Issue title").fill("PbC Network news, browser test")
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Send a test to me").click()
    expect(page.get_by_text("A test copy has been sent to admin@pbc-network.nhs.uk")).to_be_visible()
    assert any("Test: PbC Network news, browser test" in mail for mail in read_mails(portal_server["mail_dir"]))

    page.get_by_role("button", name="Continue to send").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"Send “PbC Network news, browser test” to \d+ members?\?"))
    count = int(re.search(r"to (\d+) member", heading.inner_text()).group(1))
    assert_no_axe_violations(page, "newsletter confirmation")
    page.get_by_role("button", name=re.compile(rf"Send to {count} member")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("PbC Network news, browser test")
    expect(page.get_by_text(f"Sent to {count} of {count} member", exact=False)).to_be_visible(timeout=30_000)
    assert_no_axe_violations(page, "newsletter issue with progress")
