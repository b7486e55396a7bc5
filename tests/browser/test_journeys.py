"""Journeys through the portal, clicking and typing like the people who use it."""
import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot
from tests.browser.helpers import sign_in


def test_member_searches_opens_a_result_and_downloads_the_template(page):
    sign_in(page, "member@pbc-network.nhs.uk")
    page.goto("/search/")
    page.get_by_label(re.compile("Search case studies")).fill("dermatology business case")
    page.get_by_label(re.compile("Search case studies")).press("Enter")
    page.wait_for_url(re.compile(r"q=dermatology"))
    results = page.locator("main h2 a")
    expect(results.first).to_be_visible(timeout=20_000)
    expect(results.first).to_have_text(re.compile("Dermatology", re.I))
    screenshot(page, "journey-search-results")
    assert_no_axe_violations(page, "search results")

    results.first.click()
    page.wait_for_url(re.compile(r"/redesign/entries/\d+/"))
    screenshot(page, "journey-search-entry")
    with page.expect_download(timeout=30_000) as download_info:
        page.get_by_role("link", name=re.compile(r"Start a business case")).click()
    download = download_info.value

    assert download.suggested_filename.endswith(".docx")
    assert download.path().stat().st_size > 0


def test_cluster_lead_is_shown_existing_work_before_adding_a_matrix_entry(page):
    title = f"Community dermatology triage {uuid.uuid4().hex[:6]}"
    sign_in(page, "cluster.lead@pbc-network.nhs.uk")
    page.goto("/redesign/")
    page.goto("/redesign/entries/new/")
    page.get_by_label("Service area").select_option(label="Dermatology")
    organisation = page.get_by_label("Organisation doing the work")
    organisation.select_option(index=1)
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(re.compile(r"/redesign/entries/new/details/"))
    expect(page.get_by_role("heading", name=re.compile("Before you start: Dermatology work elsewhere"))).to_be_visible()
    expect(page.locator("tr.redesign-existing").first).to_be_visible()
    screenshot(page, "journey-matrix-existing-work")

    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill("GP triage of dermatology referrals with photographs, before any outpatient appointment.")
    page.get_by_role("button", name="Add to the matrix").click()

    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    screenshot(page, "journey-matrix-entry-added")


def test_member_hides_their_email_from_other_members(browser, portal_server, page):
    sign_in(page, "member@pbc-network.nhs.uk")
    page.goto("/directory/me/")
    page.get_by_role("radiogroup", name="Who can see your e-mail address").get_by_label("Network administrators only").check() \
        if page.get_by_role("radiogroup", name="Who can see your e-mail address").count() \
        else page.locator("fieldset", has_text="Who can see your e-mail address").get_by_label("Network administrators only").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    screenshot(page, "journey-profile-admins-only")

    other = browser.new_context(base_url=portal_server["url"], viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        colleague = other.new_page()
        colleague.set_default_timeout(15_000)
        sign_in(colleague, "cluster.lead@pbc-network.nhs.uk")
        colleague.goto("/directory/?q=Fiona+Marsh")
        colleague.get_by_role("link", name=re.compile("Fiona Marsh")).first.click()
        colleague.wait_for_url(re.compile(r"/directory/members/\d+/"))
        expect(colleague.get_by_role("heading", level=1, name=re.compile("Fiona Marsh"))).to_be_visible()

        expect(colleague.locator("main")).not_to_contain_text("member@pbc-network.nhs.uk")
        screenshot(colleague, "journey-profile-seen-by-colleague")
    finally:
        other.close()


def _new_person(browser, portal_server, email):
    context = browser.new_context(base_url=portal_server["url"], viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London")
    person = context.new_page()
    person.set_default_timeout(15_000)
    sign_in(person, email)
    return context, person


def test_question_on_the_clinical_board_gets_a_live_reply_and_is_accepted(browser, portal_server, page):
    title = f"Who has a community ophthalmology specification? {uuid.uuid4().hex[:6]}"
    answer = f"Ours is on the template library, see section 4 ({uuid.uuid4().hex[:6]})."
    sign_in(page, "cluster.lead@pbc-network.nhs.uk")
    page.goto("/forum/")
    page.get_by_role("link", name="Clinical pathways and re-design").first.click()
    page.locator("main a[href$='/new/']").first.click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your question").fill("We are re-designing eye care for our cluster and would rather not start from a blank page.")
    page.get_by_role("button", name="Post question").click()
    page.wait_for_url(re.compile(r"/forum/threads/\d+/"))
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    thread_url = page.url
    screenshot(page, "journey-forum-question")

    watcher_context, watcher = _new_person(browser, portal_server, "member@pbc-network.nhs.uk")
    replier_context, replier = _new_person(browser, portal_server, "moderator@pbc-network.nhs.uk")
    try:
        watcher.goto(thread_url)
        expect(watcher.locator("#reply-list")).to_be_visible()
        watcher.evaluate("window.__notReloaded = true")
        # thread.js asks for every event after data-last-event when its socket opens, so no wait is needed here.

        replier.goto(thread_url)
        replier.get_by_label("Your reply").fill(answer)
        replier.get_by_role("button", name="Post reply").click()
        expect(replier.locator("#reply-list")).to_contain_text(answer)

        expect(watcher.locator("#reply-list")).to_contain_text(answer, timeout=30_000)
        assert watcher.evaluate("window.__notReloaded === true")
        screenshot(watcher, "journey-forum-live-reply")
    finally:
        watcher_context.close()
        replier_context.close()

    page.reload()
    reply = page.locator("article.forum-post", has_text=answer)
    reply.get_by_role("button", name="Accept as the answer").click()
    expect(page.locator("article.forum-post--accepted", has_text=answer)).to_be_visible()
    expect(page.locator("article.forum-post--accepted", has_text=answer)).to_contain_text("Accepted answer")
    screenshot(page, "journey-forum-accepted")
