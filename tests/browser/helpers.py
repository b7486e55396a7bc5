"""Shared steps for the browser journeys: signing in as a demo person (with a TOTP code when asked), a second
person in their own browser, asking a question on a board."""
from __future__ import annotations

import re
import time

DEMO_PASSWORD = "Commission-2008"


def totp_code() -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from portal.site.demo import DEMO_TOTP_SECRET

    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form like a person; answer the two-factor step when the account has one."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url or "/accounts/2fa/" in url, timeout=30_000)
    if "/2fa/" in page.url or "authenticate" in page.url:
        for attempt in range(2):
            if attempt:
                # allauth refuses a code already used in this 30-second period (another test signed in): wait for the next.
                page.wait_for_timeout((30 - time.time() % 30 + 1) * 1000)
            page.get_by_label(re.compile("code", re.I)).first.fill(totp_code())
            page.get_by_role("button", name=re.compile("sign in|continue|verify", re.I)).first.click()
            page.wait_for_load_state()
            if "/accounts/" not in page.url:
                break
        page.wait_for_url(lambda url: "/accounts/" not in url, timeout=30_000)
    page.get_by_role("link", name="Sign out").wait_for(timeout=30_000)


def signed_in_person(browser, portal_server, email: str):
    """Another person in their own browser context (desktop size, UK locale and time), signed in: (context, page)."""
    context = browser.new_context(base_url=portal_server["url"], viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  timezone_id="Europe/London")
    person = context.new_page()
    person.set_default_timeout(15_000)
    sign_in(person, email)
    return context, person


def ask_question(page, title: str, question: str) -> str:
    """Ask a question on the clinical board through the forms, as a member would; returns the thread's address."""
    page.goto("/forum/")
    page.get_by_role("link", name="Clinical pathways and re-design").first.click()
    page.locator("main a[href$='/new/']").first.click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Post question").click()
    page.wait_for_url(re.compile(r"/forum/threads/\d+/"))
    return page.url


def first_href(page, selector: str) -> str:
    """The address of the first link matching ``selector`` on the current page."""
    link = page.locator(selector).first
    link.wait_for(state="attached", timeout=15_000)
    return link.get_attribute("href")


# The focused element, described for messages; whether the browser shows it as keyboard-focused
# (:focus-visible) and whether its computed style draws an indicator (an outline that is not transparent, or a box-shadow).
_FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  if (!el.dataset.keyboardStep) el.dataset.keyboardStep = String((window.__keyboardSteps = (window.__keyboardSteps || 0) + 1));
  const style = getComputedStyle(el);
  const transparent = (colour) => colour === 'transparent' || /rgba\\([^)]*,\\s*0\\)$/.test(colour);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 && !transparent(style.outlineColor);
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const label = ((el.labels && el.labels.length ? el.labels[0].innerText : '') || el.getAttribute('aria-label') || el.innerText || el.value || el.name || '').trim();
  const rect = el.getBoundingClientRect();
  return {
    key: el.dataset.keyboardStep,
    label: label.replace(/\\s+/g, ' '),
    description: `<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}> "${label.replace(/\\s+/g, ' ').slice(0, 60)}"`,
    focusVisible: el.matches(':focus-visible'),
    indicator: Boolean(outline || shadow),
    shown: rect.width > 0 && rect.height > 0,
  };
}"""


def focused(page) -> dict | None:
    """What has keyboard focus now (None when nothing on the page has it)."""
    return page.evaluate(_FOCUS_STATE)


def assert_focus_is_visible(state: dict) -> None:
    assert state["focusVisible"] and state["indicator"] and state["shown"], f"focus is not visible on {state['description']}"


def tab_to(page, name: str | re.Pattern, *, backwards: bool = False, limit: int = 80) -> dict:
    """Press Tab (or Shift+Tab) until the focused element's label matches ``name``, like a keyboard user.

    Every step must move focus to an element not focused before on this page
    (otherwise focus is trapped or going round in circles) and show it visibly.
    """
    pattern = name if isinstance(name, re.Pattern) else re.compile(rf"^{re.escape(name)}$")
    key = "Shift+Tab" if backwards else "Tab"
    path: list[str] = []
    seen: set[str] = set()
    for _ in range(limit):
        page.keyboard.press(key)
        state = focused(page)
        assert state is not None, f"{key} left the page before reaching {pattern.pattern!r}; focus went through: {path}"
        assert state["key"] not in seen, f"{key} came back to {state['description']} before reaching {pattern.pattern!r} (a keyboard trap): {path}"
        seen.add(state["key"])
        path.append(state["description"])
        assert_focus_is_visible(state)
        if pattern.search(state["label"]):
            return state
    raise AssertionError(f"{limit} presses of {key} did not reach {pattern.pattern!r}: {path}")


def sign_in_with_keyboard(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in from the home page with the keyboard alone (an account without two-factor)."""
    page.goto("/")
    tab_to(page, "Sign in")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    tab_to(page, re.compile(r"^Email"))
    page.keyboard.type(email)
    tab_to(page, re.compile(r"^Password"))
    page.keyboard.type(password)
    tab_to(page, "Sign in")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url, timeout=30_000)
