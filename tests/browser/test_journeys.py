"""Journeys through the portal, clicking and typing like the people who use it."""
import re
import time
import uuid

import docx
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot
from tests.browser.helpers import ask_question, sign_in, signed_in_person


def test_member_searches_opens_the_template_and_downloads_it(page):
    sign_in(page, "member@pbc-network.nhs.uk")
    page.goto("/search/")
    page.get_by_label(re.compile("Search case studies")).fill("dermatology business case")
    page.get_by_label(re.compile("Search case studies")).press("Enter")
    page.wait_for_url(re.compile(r"q=dermatology"))
    top = page.locator("main li.search-result").first
    expect(top.get_by_role("link")).to_have_text("Community dermatology service business case")
    expect(top).to_contain_text("Templates")
    screenshot(page, "journey-search-results")
    assert_no_axe_violations(page, "search results")

    top.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/redesign/templates/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Community dermatology service business case")
    screenshot(page, "journey-search-template")
    with page.expect_download(timeout=30_000) as download_info:
        page.get_by_role("link", name=re.compile(r"Download version 1 \(DOCX\)")).click()
    download = download_info.value

    assert download.suggested_filename.endswith(".docx")
    text = "\n".join(paragraph.text for paragraph in docx.Document(download.path()).paragraphs)
    assert "Community dermatology service business case" in text
    assert "Step 7: Revised pathway, business case and service specification" in text


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
    existing = page.get_by_role("heading", name=re.compile("Before you start: Dermatology work elsewhere"))
    expect(existing).to_be_visible()
    expect(page.locator("tr.redesign-existing", has_text="Dermatology triage, assessment and treatment service")).to_be_visible()
    # Shown first: the existing work comes before the fields for the new entry.
    assert existing.bounding_box()["y"] < page.get_by_label("Title").bounding_box()["y"]
    screenshot(page, "journey-matrix-existing-work")
    assert_no_axe_violations(page, "new matrix entry details, with existing work")

    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill("GP triage of dermatology referrals with photographs, before any outpatient appointment.")
    page.get_by_role("button", name="Add to the matrix").click()

    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.locator("main")).to_contain_text("GP triage of dermatology referrals with photographs")
    screenshot(page, "journey-matrix-entry-added")
    page.goto("/redesign/entries/?service_area=dermatology")
    expect(page.get_by_role("link", name=title)).to_be_visible()


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


def test_question_on_the_clinical_board_gets_a_live_reply_and_is_accepted(browser, portal_server, page):
    title = f"Who has a community ophthalmology specification? {uuid.uuid4().hex[:6]}"
    answer = f"Ours is on the template library, see section 4 ({uuid.uuid4().hex[:6]})."
    sign_in(page, "cluster.lead@pbc-network.nhs.uk")
    thread_url = ask_question(page, title, "We are re-designing eye care for our cluster and would rather not start from a blank page.")
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    screenshot(page, "journey-forum-question")

    watcher_context, watcher = signed_in_person(browser, portal_server, "member@pbc-network.nhs.uk")
    replier_context, replier = signed_in_person(browser, portal_server, "moderator@pbc-network.nhs.uk")
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


def _admin_page_id(page, title_start):
    """The id of the page whose title starts with ``title_start``, found with the Wagtail admin's page search."""
    page.goto(f"/admin/pages/search/?q={title_start.split()[0]}")
    links = page.locator("a[href^='/admin/pages/'][href$='/edit/']")
    links.first.wait_for()
    found = [(a.get_attribute("href"), a.inner_text().strip()) for a in links.all()]
    page_id = next((re.search(r"/admin/pages/(\d+)/", href).group(1) for href, text in found if text.startswith(title_start)), None)
    assert page_id, found
    return page_id


def _create_course_in_wagtail(page, title):
    """The administrator goes from managing events to "Add an event" (the Wagtail page editor) and publishes one."""
    page.goto("/events/manage/")
    page.get_by_role("button", name="Add an event").click()
    page.wait_for_url(re.compile(r"/admin/pages/add/events/eventpage/\d+/$"))
    page.locator("#id_title").fill(title)
    page.locator("#id_event_type").select_option("training_course")
    page.locator("#id_summary").fill("A half-day course on writing a business case for service re-design.")
    page.locator("#id_sessions-0-starts_at").fill("2027-03-10 10:00")
    page.locator("#id_sessions-0-ends_at").fill("2027-03-10 13:00")
    page.keyboard.press("Escape")
    page.locator("#id_capacity").fill("2")
    page.locator("#id_venue").fill("Chilford Hall, Linton, Cambridge")
    page.keyboard.press("Escape")
    page.get_by_role("checkbox", name="Dermatology").check()  # service areas are checkboxes, as on guidance
    page.locator("#id_title").click()
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(0)
    page.get_by_role("button", name="More actions").first.click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("published", timeout=30_000)


def test_training_course_fills_then_the_waiting_list_moves_up_and_emails(browser, portal_server, page):
    from tests.browser.conftest import read_mails

    title = f"Business cases for re-design {uuid.uuid4().hex[:6]}"
    sign_in(page, "admin@pbc-network.nhs.uk")
    _create_course_in_wagtail(page, title)
    screenshot(page, "journey-course-published")
    page.goto("/events/")
    page.get_by_role("link", name=title).first.click()
    course_url = page.url

    people = []
    try:
        for email in ["member@pbc-network.nhs.uk", "cluster.lead@pbc-network.nhs.uk", "moderator@pbc-network.nhs.uk"]:
            context, person = signed_in_person(browser, portal_server, email)
            people.append((context, person))
            person.goto(course_url)
            person.get_by_role("button", name=re.compile("Book a place|Join the waiting list")).click()
            if len(people) == 2:  # two places: the list says so before the third person tries
                person.goto("/events/")
                row = person.locator("main li", has=person.get_by_role("link", name=title))
                expect(row).to_contain_text("Fully booked")
                expect(row).to_contain_text("Waiting list open")
                person.goto(course_url)
            expect(person.get_by_role("button", name="Leave the waiting list" if len(people) == 3 else "Cancel my booking")).to_be_visible()
        third = people[2][1]
        expect(third.locator("main")).to_contain_text(re.compile("waiting list", re.I))
        expect(third.get_by_role("button", name="Cancel my booking")).to_have_count(0)
        screenshot(third, "journey-course-waitlisted")

        first = people[0][1]
        first.get_by_role("button", name="Cancel my booking").click()
        expect(first.get_by_role("heading", level=1)).to_have_text("Are you sure you want to cancel your place?")
        assert_no_axe_violations(first, "cancel booking confirmation")
        screenshot(first, "journey-course-cancel-confirmation")
        first.get_by_role("button", name="Yes, cancel my place").click()
        expect(first.get_by_role("button", name=re.compile("Book a place|Join the waiting list"))).to_be_visible()

        third.reload()
        expect(third.locator("main")).to_contain_text(re.compile("you have a place|place is confirmed|confirmed", re.I))
        screenshot(third, "journey-course-promoted")
    finally:
        for context, _ in people:
            context.close()

    def promoted_mails():
        mails = [re.sub(r"\s+", " ", m) for m in read_mails(portal_server["mail_dir"])]
        return [m for m in mails if "To: moderator@pbc-network.nhs.uk" in m and f"A place has come free: {title}" in m]
    deadline = time.monotonic() + 30  # the e-mail is background work, sent after the cancellation commits
    while not promoted_mails() and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    mails = promoted_mails()
    assert len(mails) == 1, f"the promoted member should receive exactly one e-mail, not {len(mails)}"
    assert f"A place has come free at {title} and it is now yours." in mails[0]
    assert "When: Wednesday 10 March 2027, 10:00 to 13:00" in mails[0]
    assert "Where: Chilford Hall, Linton, Cambridge" in mails[0]

    # Every link in every e-mail and calendar file of this course starts with the portal's address and opens.
    links = set()
    for raw in read_mails(portal_server["mail_dir"]):
        for message in _messages(raw):
            if title in str(message.get("Subject", "")):
                links |= _links_in(message)
    assert links, "the course's e-mails have no links"
    for link in sorted(links):
        assert link.startswith(portal_server["url"] + "/"), f"{link} is not on {portal_server['url']}"
        response = page.goto(link)
        assert response.status == 200, f"{link} answered {response.status}"


def _messages(raw: str):
    """The e-mails in one file of Django's file backend (one message after another, separated by a line of dashes)."""
    import email

    for chunk in re.split(r"\n-{79}\n", raw):
        if chunk.strip():
            yield email.message_from_string(chunk.strip() + "\n")


def _links_in(message) -> set[str]:
    """The links in an e-mail's text and in the URL lines of its calendar attachments."""
    links = set()
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            links |= set(re.findall(r"https?://[^\s<>\"')]+", part.get_payload(decode=True).decode()))
        elif part.get_content_type() == "text/calendar":
            from icalendar import Calendar

            calendar = Calendar.from_ical(part.get_payload(decode=True))
            links |= {str(vevent["URL"]) for vevent in calendar.walk("VEVENT") if "URL" in vevent}
    return links


def test_newcomer_signs_up_verifies_is_approved_and_signs_in(browser, portal_server, page):
    from tests.browser.conftest import read_mails

    suffix = uuid.uuid4().hex[:6]
    email = f"newcomer.{suffix}@pbc-network.nhs.uk"
    password = "Practice-Based-2008!"
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill(f"Okafor {suffix}")
    page.get_by_label("Your role").select_option(index=1)
    page.get_by_label("Your organisation").select_option(index=1)
    page.locator("input[name=password1]").fill(password)
    page.locator("input[name=password2]").fill(password)
    screenshot(page, "journey-signup-form")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/accounts/signup/" not in url, timeout=30_000)
    screenshot(page, "journey-signup-check-email")

    link = None
    for _ in range(60):
        mails = [m for m in read_mails(portal_server["mail_dir"]) if email in m]
        found = [re.search(r"https?://\S+/accounts/confirm-email/\S+", m) for m in mails]
        link = next((f.group(0) for f in found if f), None)
        if link:
            break
        page.wait_for_timeout(500)
    assert link, "no verification e-mail"
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    page.locator("main form button[type=submit]").first.click()
    screenshot(page, "journey-signup-verified")

    admin_context, admin = signed_in_person(browser, portal_server, "admin@pbc-network.nhs.uk")
    try:
        admin.goto("/directory/pending/")
        admin.get_by_role("button", name=f"Approve Nadia Okafor {suffix}").click()
        expect(admin.get_by_role("status")).to_contain_text(f"Nadia Okafor {suffix} is approved")
        expect(admin.get_by_role("button", name=f"Approve Nadia Okafor {suffix}")).to_have_count(0)
    finally:
        admin_context.close()

    sign_in(page, email, password)
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    page.goto("/directory/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "journey-signup-signed-in")


def test_sha_editor_drafts_guidance_a_second_editor_approves_and_a_visitor_reads_it(browser, portal_server, page):
    suffix = uuid.uuid4().hex[:6]
    title = f"Devolved dermatology budgets in 2007/08 {suffix}"
    summary = f"Practices hold the dermatology budget this year and may reinvest 70% of freed-up resources in patient care ({suffix})."
    sign_in(page, "sha.editor@pbc-network.nhs.uk")
    page.goto(f"/admin/pages/add/portal/guidancepage/{_admin_page_id(page, 'Guidance')}/")
    page.locator("#id_title").fill(title)
    page.locator("#id_summary").fill(summary)
    page.get_by_role("button", name="More actions").first.click()
    page.get_by_role("button", name=re.compile(r"^Submit to ")).click()
    expect(page.locator(".messages")).to_contain_text("submitted", timeout=30_000)
    screenshot(page, "journey-guidance-submitted")
    edit_url = f"/admin/pages/{_admin_page_id(page, title)}/edit/"

    visitor_context = browser.new_context(base_url=portal_server["url"], viewport={"width": 1280, "height": 900}, locale="en-GB")
    reviewer_context, reviewer = signed_in_person(browser, portal_server, "sarah.whitlock@pbc-network.nhs.uk")
    try:
        visitor = visitor_context.new_page()
        visitor.goto("/guidance/")
        expect(visitor.locator("main")).not_to_contain_text(title)  # nothing is public before the second editor approves

        reviewer.goto(edit_url)
        reviewer.get_by_role("button", name="More actions").first.click()
        reviewer.get_by_role("button", name="Approve and Publish", exact=True).click()
        expect(reviewer.locator(".messages")).to_contain_text(re.compile("has been (updated|approved|published)"), timeout=30_000)
        screenshot(reviewer, "journey-guidance-approved")

        visitor.goto("/guidance/")
        visitor.get_by_role("link", name=title).click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
        expect(visitor.locator("main")).to_contain_text(summary)
        expect(visitor.get_by_role("link", name="Sign out")).to_have_count(0)
        screenshot(visitor, "journey-guidance-read-by-visitor")
        assert_no_axe_violations(visitor, "guidance page read by a visitor")
    finally:
        reviewer_context.close()
        visitor_context.close()
