"""Live replies with their buttons, and moderators un-hiding a post, in Chromium (issue 20, items 6 and 7)."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import ask_question, sign_in, signed_in_person


def _reply(page, thread_url: str, text: str) -> None:
    page.goto(thread_url)
    page.get_by_label("Your reply").fill(text)
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("#reply-list")).to_contain_text(text)


def _listen(page) -> list:
    """Record the frames the page's thread socket receives (call before the page opens the thread)."""
    frames = []
    def record(socket):
        if "/ws/forum/threads/" in socket.url:
            socket.on("framereceived", lambda payload: frames.append(payload))

    page.on("websocket", record)
    return frames


def _wait_for_live_socket(page, frames) -> None:
    # The consumer answers every (re)connect with its catch-up, ending in {"type": "forum.caught_up"}.
    for _ in range(300):
        if any("forum.caught_up" in str(frame) for frame in frames):
            return
        page.wait_for_timeout(100)
    raise AssertionError("The thread page's websocket was not answered within 30 seconds")


def test_live_reply_arrives_with_the_askers_and_the_moderators_buttons(browser, portal_server, page):
    title = f"Community ophthalmology specification? {uuid.uuid4().hex[:6]}"
    answer = f"Ours is in the template library ({uuid.uuid4().hex[:6]})."
    sign_in(page, "cluster.lead@pbc-network.nhs.uk")
    askers_frames = _listen(page)
    thread_url = ask_question(page, title, "Has anyone a specification we could start from?")
    page.evaluate("window.__notReloaded = true")

    moderator_context, moderator = signed_in_person(browser, portal_server, "moderator@pbc-network.nhs.uk")
    replier_context, replier = signed_in_person(browser, portal_server, "member@pbc-network.nhs.uk")
    try:
        moderators_frames = _listen(moderator)
        moderator.goto(thread_url)
        moderator.evaluate("window.__notReloaded = true")
        _wait_for_live_socket(page, askers_frames)
        _wait_for_live_socket(moderator, moderators_frames)

        _reply(replier, thread_url, answer)

        # The asker's live copy has Quote, Report and Accept, as a reply loaded with the page has.
        live = page.locator("article.forum-post", has_text=answer)
        expect(live).to_be_visible(timeout=30_000)
        expect(live.get_by_role("link", name="Quote this reply")).to_be_visible()
        expect(live.get_by_role("link", name="Report this reply")).to_be_visible()
        expect(live.get_by_role("button", name="Accept as the answer")).to_be_visible()
        expect(live.get_by_role("button", name=re.compile("Hide"))).to_have_count(0)
        assert page.evaluate("window.__notReloaded === true")
        screenshot(page, "forum-live-reply-asker")

        # The moderator's live copy also has Edit and Hide.
        moderators_copy = moderator.locator("article.forum-post", has_text=answer)
        expect(moderators_copy.get_by_role("button", name="Hide this reply")).to_be_visible(timeout=30_000)
        expect(moderators_copy.get_by_role("link", name="Edit this reply")).to_be_visible()
        assert moderator.evaluate("window.__notReloaded === true")
        screenshot(moderator, "forum-live-reply-moderator")
    finally:
        moderator_context.close()
        replier_context.close()

    # The live Accept button works (its form carries this page's CSRF token).
    live.get_by_role("button", name="Accept as the answer").click()
    expect(page.locator("article.forum-post--accepted", has_text=answer)).to_contain_text("Accepted answer")


def test_moderator_sees_a_hidden_reply_and_shows_it_to_members_again(browser, portal_server, page):
    title = f"Who triages dermatology referrals? {uuid.uuid4().hex[:6]}"
    text = f"We use photographs and a GPwSI ({uuid.uuid4().hex[:6]})."
    sign_in(page, "member@pbc-network.nhs.uk")
    thread_url = ask_question(page, title, "Has anyone a specification we could start from?")
    _reply(page, thread_url, text)

    moderator_context, moderator = signed_in_person(browser, portal_server, "moderator@pbc-network.nhs.uk")
    try:
        moderator.goto(thread_url)
        moderator.locator("article.forum-post", has_text=text).get_by_role("button", name="Hide this reply").click()
        hidden = moderator.locator("article.forum-post--hidden", has_text=text)
        expect(hidden).to_contain_text("Hidden by a moderator: only moderators can see this reply.")
        screenshot(moderator, "forum-hidden-reply-moderator")

        page.goto(thread_url)
        expect(page.locator("#reply-list")).not_to_contain_text(text)
        expect(page.locator("#reply-list")).to_contain_text("This reply has been hidden by a moderator.")

        hidden.get_by_role("button", name=re.compile("Show to members again")).click()
        expect(moderator.locator(".nhsuk-error-summary, .messages, main")).to_contain_text("The reply is shown to members again.")
        expect(moderator.locator("article.forum-post--hidden", has_text=text)).to_have_count(0)

        moderator.goto("/forum/moderation/")
        expect(moderator.locator("main")).to_contain_text("Reply shown again")
        expect(moderator.locator("main")).not_to_contain_text("forum.reply.unhidden")
        screenshot(moderator, "forum-moderation-log")
    finally:
        moderator_context.close()

    page.goto(thread_url)
    expect(page.locator("article.forum-post", has_text=text)).to_be_visible()
    screenshot(page, "forum-reply-shown-again")
