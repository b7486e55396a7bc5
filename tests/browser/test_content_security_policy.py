"""The portal works in Chromium with its Content-Security-Policy enforced: nothing it needs is blocked.

The ``page`` fixture fails any browser test whose console reports a CSP
violation; this test walks the pages with the most JavaScript (directory
search, a live forum thread, the calendar, Wagtail's admin and its page editor).
"""
from tests.browser.helpers import first_href, sign_in


def test_pages_with_scripts_run_without_a_csp_violation(page):
    sign_in(page, "admin@pbc-network.nhs.uk")
    for path in ["/", "/directory/", "/events/", "/forum/", "/redesign/", "/search/?q=dermatology", "/admin/", "/admin/pages/"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto("/forum/")
    page.goto(first_href(page, "main a[href^='/forum/boards/']"))
    thread = page.locator("main a[href^='/forum/threads/']")
    if thread.count():
        page.goto(thread.first.get_attribute("href"))
        page.wait_for_load_state("networkidle")
    page.goto("/admin/pages/search/?q=communication")
    edit = page.locator("a[href*='/edit/']")
    if edit.count():
        page.goto(edit.first.get_attribute("href"))
        page.wait_for_load_state("networkidle")

    assert page.evaluate("document.readyState") == "complete"
    assert not page.csp_violations
