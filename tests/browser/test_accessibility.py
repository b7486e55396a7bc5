"""Every page type, as the person who normally sees it, has zero axe-core violations at WCAG 2.2 AA tags.

A failing page is reported with each rule id and the elements it found, and
every page is checked before the test fails, so one run lists every defect.
Detail pages are reached the way a person reaches them: from the first link of
the right kind on a list page (a chain of selectors, followed one after another).
"""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT, assert_no_axe_violations, screenshot
from tests.browser.helpers import first_href, sign_in

ANONYMOUS_PAGES = [
    ("home", "/"),
    ("about", "/about/"),
    ("case-study-index", "/redesign/case-studies/"),
    ("event-list", "/events/"),
    ("event-month", "/events/?view=month"),
    ("guidance-index", "/guidance/"),
    ("links-library", "/guidance/links/"),
    ("search-public", "/search/?q=commissioning"),
    ("sign-in", "/accounts/login/"),
    ("sign-up", "/accounts/signup/"),
    ("password-reset", "/accounts/password/reset/"),
    ("not-found", "/no-such-page/"),
]

# (name, first page, selectors): from the first page, follow the first link matching each selector in turn.
ANONYMOUS_DETAILS = [
    ("public-case-study", "/redesign/case-studies/", ["main a[href^='/redesign/case-studies/']:not([href='/redesign/case-studies/'])"]),
    ("public-event", "/events/", ["main a[href^='/events/']:not([href^='/events/?']):not([href*='feed']):not([href='/events/'])"]),
    ("public-guidance", "/guidance/", ["main a[href^='/guidance/']:not([href='/guidance/']):not([href*='links']):not([href*='?'])"]),
]

MEMBER_PAGES = [
    ("directory", "/directory/"),
    ("my-profile-form", "/directory/me/"),
    ("organisations", "/directory/organisations/"),
    ("matrix", "/redesign/"),
    ("matrix-by-stage", "/redesign/?view=stages"),
    ("entries", "/redesign/entries/"),
    ("entries-print", "/redesign/entries/print/"),
    ("entry-start-form", "/redesign/entries/new/"),
    ("templates", "/redesign/templates/"),
    ("service-area", "/directory/areas/dermatology/"),
    ("my-training", "/events/my-training/"),
    ("newsletter-archive", "/newsletter/"),
    ("forum", "/forum/"),
    ("notifications", "/forum/notifications/"),
    ("search-form", "/search/"),
    ("search-results", "/search/?q=dermatology+business+case"),
    ("search-no-results", "/search/?q=zzyzxq"),
    ("account-email", "/accounts/email/"),
    ("password-change", "/accounts/password/change/"),
    ("two-factor", "/accounts/2fa/"),
    ("forbidden", "/directory/pending/"),
    ("not-found-signed-in", "/redesign/entries/999999/"),
    ("service-areas", "/areas/"),
    ("service-areas-followed", "/areas/following/"),
    ("expertise-finder", "/areas/expertise/?area=dermatology"),
]

ENTRY = "main a[href^='/redesign/entries/'][href$='/']:not([href*='new']):not([href*='import']):not([href*='print']):not([href='/redesign/entries/'])"
BOARD = "main a[href^='/forum/boards/']"
THREAD = "main a[href^='/forum/threads/'][href$='/']"
MEMBER_DETAILS = [
    ("profile", "/directory/", ["main a[href^='/directory/members/']"]),
    ("organisation", "/directory/organisations/", ["main a[href^='/directory/organisations/'][href$='/']:not([href='/directory/organisations/'])"]),
    ("entry", "/redesign/entries/", [ENTRY]),
    ("case-study", "/redesign/case-studies/", ["main a[href^='/redesign/case-studies/']:not([href='/redesign/case-studies/'])"]),
    ("template", "/redesign/templates/", ["main a[href^='/redesign/templates/']:not([href$='/new/']):not([href='/redesign/templates/'])"]),
    ("event-with-booking", "/events/", ["main a[href^='/events/']:not([href^='/events/?']):not([href*='my-training']):not([href*='feed']):not([href='/events/'])"]),
    ("cancel-booking-confirmation", "/events/training-business-cases-for-service-redesign/", ["main a[href^='/events/bookings/'][href$='/cancel/']"]),
    ("board", "/forum/", [BOARD]),
    ("new-question-form", "/forum/", [BOARD, "main a[href$='/new/']"]),
    ("thread-with-reply-form", "/forum/", [BOARD, THREAD]),
    ("report-form", "/forum/", [BOARD, THREAD, "main a[href$='/report/']"]),
    ("guidance-page", "/guidance/", ["main a[href^='/guidance/']:not([href='/guidance/']):not([href*='links']):not([href*='?'])"]),
    ("newsletter-issue", "/newsletter/", ["main a[href^='/newsletter/']:not([href='/newsletter/'])"]),
]

CLUSTER_LEAD_PAGES = [
    ("entry-import-form", "/redesign/entries/import/"),
]
CLUSTER_LEAD_DETAILS = [
    ("entry-edit-form", "/redesign/entries/?organisation=chelmsford-north-cluster", [ENTRY,
                                                     "main a[href$='/edit/']"]),
]

ADMIN_PAGES = [
    ("pending-members", "/directory/pending/"),
    ("invite-form", "/directory/invite/"),
    ("directory-import-form", "/directory/import/"),
    ("template-upload-form", "/redesign/templates/new/"),
    ("moderation-queue", "/forum/moderation/"),
    ("bookings-overview", "/events/manage/"),
    ("newsletter-compose", "/newsletter/compose/"),
    ("audit-trail", "/audit/"),
    ("time-to-answer-report", "/forum/reports/time-to-answer/"),
]
ADMIN_DETAILS = [
    ("event-bookings-list", "/events/manage/", ["main a[href^='/events/manage/'][href$='/']:not([href='/events/manage/'])"]),
]

# (who, the demo account they sign in with or None, pages, detail pages): each role's own pages, as that person.
ROLES = [
    ("public", None, [], ANONYMOUS_DETAILS),
    ("member", "member@pbc-network.nhs.uk", MEMBER_PAGES, MEMBER_DETAILS),
    ("cluster-lead", "cluster.lead@pbc-network.nhs.uk", CLUSTER_LEAD_PAGES, CLUSTER_LEAD_DETAILS),
    ("administrator", "admin@pbc-network.nhs.uk", ADMIN_PAGES, ADMIN_DETAILS),
]


def _check(page, name, failures):
    if "/accounts/login/" in page.url and name != "sign-in":
        failures.append(f"{name} sent this person to sign in ({page.url}) instead of showing the page")
        return
    try:
        assert_no_axe_violations(page, name)
    except pytest.fail.Exception as error:
        failures.append(str(error))


def _check_all(page, pages, details, failures):
    for name, path in pages:
        page.goto(path)
        _check(page, name, failures)
    for name, start, selectors in details:
        page.goto(start)
        for selector in selectors:
            page.goto(first_href(page, selector))
        _check(page, name, failures)


@pytest.mark.parametrize(("name", "path"), ANONYMOUS_PAGES, ids=[n for n, _ in ANONYMOUS_PAGES])
def test_public_page_type_has_no_violations(page, name, path):
    page.goto(path)

    assert "/accounts/login/" not in page.url or name == "sign-in", f"{name} is not public: {page.url}"
    assert_no_axe_violations(page, name)


@pytest.mark.parametrize(("email", "pages", "details"), [role[1:] for role in ROLES], ids=[role[0] for role in ROLES])
def test_page_types_each_role_sees_have_no_violations(page, email, pages, details):
    if email:
        sign_in(page, email)
    failures = []

    _check_all(page, pages, details, failures)

    screenshot(page, f"a11y-{details[-1][0]}")  # the last detail page, e.g. the administrator's event bookings list
    assert not failures, "\n".join(failures)


def test_forms_with_errors_have_no_violations(page):
    sign_in(page, "member@pbc-network.nhs.uk")
    failures = []
    page.goto("/forum/")
    page.goto(first_href(page, BOARD))
    page.goto(first_href(page, "main a[href$='/new/']"))
    page.get_by_role("button", name="Post question").click()
    page.locator(".nhsuk-error-summary").wait_for()
    screenshot(page, "a11y-question-form-errors")
    _check(page, "new question with errors", failures)
    page.goto("/redesign/entries/new/")
    page.get_by_role("button", name="Continue").click()
    page.locator(".nhsuk-error-summary").wait_for()
    _check(page, "new matrix entry with errors", failures)
    assert not failures, "\n".join(failures)


def test_form_refused_for_a_missing_security_token_has_no_violations(page):
    page.goto("/accounts/login/")
    page.context.clear_cookies()  # as when a page has been open longer than the session
    page.get_by_label("Email").fill("member@pbc-network.nhs.uk")
    page.get_by_label("Password").fill("Commission-2008")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your form could not be sent")
    assert_no_axe_violations(page, "csrf-failure")


def test_server_error_page_has_no_violations(page):
    # The portal shows it only when something breaks, so it is loaded on the portal's own origin (for its stylesheet).
    page.goto("/")
    page.set_content((ROOT / "portal" / "templates" / "500.html").read_text(), wait_until="load")

    expect(page.get_by_role("heading", level=1)).to_have_text("Sorry, there is a problem with the service")
    assert_no_axe_violations(page, "server-error")
