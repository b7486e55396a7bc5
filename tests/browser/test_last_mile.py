"""The last mile of each journey (issue 20): what a visitor, a member and an administrator meet in their first hour."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot
from tests.browser.helpers import sign_in

BREADCRUMB_PAGES = ["/directory/", "/events/", "/redesign/", "/forum/", "/guidance/"]

# Where the breadcrumb sits against the page column (the <main> inside the width container), and the gap under it.
_BREADCRUMB_GEOMETRY = """() => {
  const nav = document.querySelector('nav.nhsuk-breadcrumb');
  if (!nav) return null;
  const main = document.querySelector('main#main-content');
  const heading = main.querySelector('h1');
  const box = (el) => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  return {nav: box(nav), main: box(main), heading: heading ? box(heading) : null, inContainer: Boolean(nav.closest('.nhsuk-width-container'))};
}"""


def test_breadcrumb_sits_in_the_page_column_with_one_home_link_at_desktop_width(page):
    sign_in(page, "member@pbc-network.nhs.uk")
    for path in BREADCRUMB_PAGES:
        page.goto(path)
        geometry = page.evaluate(_BREADCRUMB_GEOMETRY)
        assert geometry is not None, f"{path} has no breadcrumb"
        nav, main = geometry["nav"], geometry["main"]
        assert geometry["inContainer"], f"{path}: the breadcrumb is outside the width container"
        assert main["left"] - 1 <= nav["left"] and nav["right"] <= main["right"] + 1, f"{path}: breadcrumb {nav} outside the page column {main}"
        assert nav["left"] > 100, f"{path}: the breadcrumb is at the window's left edge ({nav['left']} px)"
        visible_home = page.locator("nav.nhsuk-breadcrumb a:visible", has_text=re.compile(r"^\s*(Back to\s*)?Home\s*$"))
        expect(visible_home).to_have_count(1)
        if geometry["heading"]:
            gap = geometry["heading"]["top"] - nav["bottom"]
            assert gap < 64, f"{path}: {gap:.0f} px between the breadcrumb and the heading"
        screenshot(page, f"breadcrumb{path.strip('/').replace('/', '-')}")
    assert_no_axe_violations(page, "guidance index with its breadcrumb")


def test_breadcrumb_on_a_phone_is_one_back_link(page):
    sign_in(page, "member@pbc-network.nhs.uk")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/events/")
    expect(page.locator("nav.nhsuk-breadcrumb a:visible")).to_have_count(1)
    expect(page.locator("nav.nhsuk-breadcrumb a:visible")).to_contain_text("Home")


def test_visitor_is_told_members_see_more_and_a_members_link_asks_them_to_sign_in(browser, portal_server, page):
    sign_in(page, "member@pbc-network.nhs.uk")
    page.goto("/redesign/templates/")
    rows = page.locator("main tbody tr a[href^='/redesign/templates/']")
    rows.first.wait_for()
    addresses = [a.get_attribute("href") for a in rows.all() if re.fullmatch(r"/redesign/templates/\d+/", a.get_attribute("href") or "")]
    assert addresses, "the demo has no templates"

    visitor_context = browser.new_context(base_url=portal_server["url"], viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        visitor = visitor_context.new_page()
        visitor.goto("/")
        expect(visitor.locator("main")).not_to_contain_text("No questions have been asked yet")
        expect(visitor.locator("#home-questions").locator("xpath=..")).to_contain_text("The message boards are for network members")
        screenshot(visitor, "visitor-home-members-see-more")

        visitor.goto("/redesign/templates/")
        expect(visitor.locator("main")).not_to_contain_text("No templates have been shared yet")
        expect(visitor.locator("main")).to_contain_text("Network members can also see and download the templates shared with members.")
        assert_no_axe_violations(visitor, "template library seen by a visitor")
        public = {a.get_attribute("href") for a in visitor.locator("main tbody tr a[href^='/redesign/templates/']").all()}
        members_only = next((address for address in addresses if address not in public), None)
        assert members_only, "the demo has no members-only template"

        visitor.goto(members_only)
        expect(visitor).to_have_url(re.compile(r"/accounts/login/\?next=" + re.escape(members_only)))
        expect(visitor.locator("main")).not_to_contain_text("Page not found")
        visitor.goto("/redesign/templates/999999/")  # a template that does not exist gets the same answer
        expect(visitor).to_have_url(re.compile(r"/accounts/login/\?next=/redesign/templates/999999/"))

        visitor.goto(members_only)
        visitor.get_by_label("Email").fill("member@pbc-network.nhs.uk")
        visitor.get_by_label("Password").fill("Commission-2008")
        visitor.locator("main form button[type=submit]").first.click()
        visitor.wait_for_url(re.compile(re.escape(members_only) + "$"), timeout=30_000)
        expect(visitor.get_by_role("heading", level=1)).to_be_visible()
    finally:
        visitor_context.close()


def test_member_opens_the_service_areas_page_from_the_readme(page):
    sign_in(page, "member@pbc-network.nhs.uk")
    page.goto("/areas/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Service areas")
    expect(page.get_by_role("row", name=re.compile("Dermatology"))).to_be_visible()
    page.get_by_role("link", name="Service areas I follow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service areas I follow")
    page.go_back()
    assert_no_axe_violations(page, "service areas")
    screenshot(page, "service-areas")
