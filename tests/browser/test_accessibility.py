"""Every page type, as the person who normally sees it, has zero axe-core violations at WCAG 2.2 AA tags."""
import pytest

from tests.browser.conftest import assert_no_axe_violations, screenshot
from tests.browser.helpers import first_href, sign_in

ANONYMOUS_PAGES = [
    ("home", "/"),
    ("about", "/about/"),
    ("case-study-index", "/redesign/case-studies/"),
    ("event-list", "/events/"),
    ("event-month", "/events/?view=month"),
    ("guidance-index", "/guidance/"),
    ("links-library", "/guidance/links/"),
    ("sign-in", "/accounts/login/"),
    ("sign-up", "/accounts/signup/"),
    ("not-found", "/no-such-page/"),
]

MEMBER_PAGES = [
    ("directory", "/directory/"),
    ("my-profile", "/directory/me/"),
    ("organisations", "/directory/organisations/"),
    ("matrix", "/redesign/"),
    ("entries", "/redesign/entries/"),
    ("templates", "/redesign/templates/"),
    ("service-area", "/directory/areas/dermatology/"),
    ("my-training", "/events/my-training/"),
    ("forum", "/forum/"),
    ("search", "/search/?q=dermatology+business+case"),
    ("forbidden", "/directory/pending/"),
]

# (name, list page, link selector on it): the detail page is the first such link.
MEMBER_DETAILS = [
    ("profile", "/directory/", "main a[href^='/directory/members/']"),
    ("organisation", "/directory/organisations/", "main a[href^='/directory/organisations/'][href$='/']:not([href='/directory/organisations/'])"),
    ("entry", "/redesign/entries/", "main a[href^='/redesign/entries/'][href$='/']:not([href*='new']):not([href*='import']):not([href*='print'])"),
    ("case-study", "/redesign/case-studies/", "main a[href^='/redesign/case-studies/']:not([href='/redesign/case-studies/'])"),
    ("template", "/redesign/templates/", "main a[href^='/redesign/templates/']:not([href$='/new/']):not([href='/redesign/templates/'])"),
    ("event", "/events/", "main a[href^='/events/']:not([href^='/events/?']):not([href*='my-training']):not([href*='feed']):not([href='/events/'])"),
    ("board", "/forum/", "main a[href^='/forum/boards/']"),
    ("thread", None, "main a[href^='/forum/threads/']"),  # on the board just visited
    ("guidance-page", "/guidance/", "main a[href^='/guidance/']:not([href='/guidance/']):not([href*='links']):not([href*='?'])"),
]

ADMIN_PAGES = [
    ("pending-members", "/directory/pending/"),
    ("moderation-queue", "/forum/moderation/"),
    ("bookings-overview", "/events/manage/"),
]


@pytest.mark.parametrize(("name", "path"), ANONYMOUS_PAGES, ids=[n for n, _ in ANONYMOUS_PAGES])
def test_public_page_type_has_no_violations(page, name, path):
    page.goto(path)

    assert_no_axe_violations(page, name)


def test_member_page_types_have_no_violations(page):
    sign_in(page, "member@pbc-network.nhs.uk")
    failures = []
    for name, path in MEMBER_PAGES:
        page.goto(path)
        try:
            assert_no_axe_violations(page, name)
        except pytest.fail.Exception as error:
            failures.append(str(error))
    for name, list_path, selector in MEMBER_DETAILS:
        if list_path:
            page.goto(list_path)
        href = first_href(page, selector)
        page.goto(href)
        try:
            assert_no_axe_violations(page, name)
        except pytest.fail.Exception as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)


def test_administrator_page_types_have_no_violations(page):
    sign_in(page, "admin@pbc-network.nhs.uk")
    failures = []
    for name, path in ADMIN_PAGES:
        page.goto(path)
        try:
            assert_no_axe_violations(page, name)
        except pytest.fail.Exception as error:
            failures.append(str(error))
    page.goto("/events/manage/")
    page.goto(first_href(page, "main a[href^='/events/manage/'][href$='/']:not([href='/events/manage/'])"))
    screenshot(page, "a11y-event-manage")
    try:
        assert_no_axe_violations(page, "event manage page")
    except pytest.fail.Exception as error:
        failures.append(str(error))
    assert not failures, "\n".join(failures)
