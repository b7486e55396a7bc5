"""Shared steps for the browser journeys: signing in as a demo person (with a TOTP code when asked)."""
from __future__ import annotations

import re
import time

DEMO_PASSWORD = "Commission-2008"


def totp_code() -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from portal.demo import DEMO_TOTP_SECRET

    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form like a person; answer the two-factor step when the account has one."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
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


def first_href(page, selector: str) -> str:
    """The address of the first link matching ``selector`` on the current page."""
    link = page.locator(selector).first
    link.wait_for(state="attached", timeout=15_000)
    return link.get_attribute("href")
