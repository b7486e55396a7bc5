"""The home, sign-in and sign-up pages: accessible (axe, WCAG 2.2 AA) and usable in a real browser."""
import pytest

from tests.browser.conftest import assert_no_axe_violations, screenshot

@pytest.mark.parametrize(
    ("name", "path"),
    [("home", "/"), ("login", "/accounts/login/"), ("signup", "/accounts/signup/"), ("not-found", "/no-such-page/")],
)
def test_page_has_no_accessibility_violations(page, name, path):
    page.goto(path)
    screenshot(page, f"foundation-{name}")

    assert_no_axe_violations(page, name)


def test_home_page_shows_each_section_and_the_navigation(page):
    page.goto("/")

    for heading in ["Latest guidance", "Upcoming events", "Recent questions", "Newest case studies"]:
        assert page.get_by_role("heading", name=heading).is_visible()
    navigation = page.get_by_role("navigation", name="Menu")
    for label in ["Directory", "Re-design", "Events", "Forum", "Guidance", "Search"]:
        assert navigation.get_by_role("link", name=label).count() == 1


def test_skip_link_moves_focus_to_main_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"

    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main-content"


def test_wrong_password_shows_an_error_summary(page):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("member@pbc-network.nhs.uk")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    assert page.get_by_role("alert").is_visible()
    assert_no_axe_violations(page, "login with error")
