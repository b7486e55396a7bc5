"""Signing in, booking and posting with the keyboard alone: Tab, Shift+Tab, Enter and Space, focus always visible.

``tab_to`` fails when a Tab does not move focus on to something new (a trap),
when focus leaves the page before the goal, or when the focused element has no
visible indicator; each test then checks the outcome, not just the key presses.
"""
import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot
from tests.browser.helpers import focused, sign_in_with_keyboard, tab_to


def test_member_signs_in_with_the_keyboard_alone(page):
    page.goto("/")
    tab_to(page, "Sign in")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    tab_to(page, re.compile(r"^Email"))
    page.keyboard.type("gareth.evans@pbc-network.nhs.uk")
    tab_to(page, re.compile(r"^Password"))
    page.keyboard.type("Commission-2008")
    # Shift+Tab goes back past the "Forgot your password?" link to the e-mail field, and Tab comes forward again.
    tab_to(page, re.compile(r"^Email"), backwards=True)
    assert page.evaluate("document.activeElement.value") == "gareth.evans@pbc-network.nhs.uk"
    tab_to(page, re.compile(r"^Password"))
    screenshot(page, "keyboard-sign-in")
    tab_to(page, "Sign in")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url, timeout=30_000)

    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Gareth")


def test_member_books_a_place_with_the_keyboard_alone(page):
    title = "Network meeting: clinical engagement and practice-based providing"
    sign_in_with_keyboard(page, "elaine.morris@pbc-network.nhs.uk")
    page.goto("/events/")
    tab_to(page, title)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    tab_to(page, "Book a place")
    screenshot(page, "keyboard-booking")
    page.keyboard.press("Space")

    expect(page.get_by_role("button", name="Cancel my booking")).to_be_visible()
    expect(page.locator("main")).to_contain_text(re.compile("you have a place", re.I))
    page.goto("/events/my-training/")
    expect(page.locator("main")).to_contain_text(title)
    screenshot(page, "keyboard-booked")


def test_member_posts_a_question_with_the_keyboard_alone(page):
    title = f"Has anyone commissioned a falls prevention service? {uuid.uuid4().hex[:6]}"
    sign_in_with_keyboard(page, "stephen.boyd@pbc-network.nhs.uk")
    page.goto("/forum/")
    tab_to(page, "Clinical pathways and re-design")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/forum/boards/"))
    tab_to(page, "Ask a question")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/new/$"))
    tab_to(page, re.compile(r"^Title"))
    page.keyboard.type(title)
    tab_to(page, re.compile(r"^Your question"))
    page.keyboard.type("We want to start a community falls service for older people. Who has a specification we could reuse?")
    tab_to(page, "Falls prevention")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked") is True
    screenshot(page, "keyboard-posting")
    tab_to(page, "Post question")
    assert focused(page)["focusVisible"]
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/forum/threads/\d+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).to_contain_text("Who has a specification we could reuse?")
    expect(page.locator("main")).to_contain_text("Falls prevention")
    assert_no_axe_violations(page, "question posted with the keyboard")
