"""The newsletter as an attacker meets it: what the composer may put in front of every member, and the
unsubscribe link a mail scanner (or anyone the e-mail is forwarded to) opens (issue 21, items 9 and 16)."""
from __future__ import annotations

import pytest

from tests.forum.conftest import boards  # noqa: F401 - the demo's boards, the moderators' among them

from portal.guidance import services
from portal.guidance.models import NewsletterSubscription


@pytest.fixture
def threads(boards, member, moderator):
    from forum.services import post_reply, post_thread

    open_thread = post_thread(member, boards["management"], title="Who has a dermatology triage specification?", body="Anyone?")
    secret = post_thread(moderator, boards["moderators"], title="Complaint about Dr Grey's conduct", body="For moderators.")
    for thread in (open_thread, secret):
        post_reply(moderator, thread, body="A reply this month.")
    return {"open": open_thread, "moderators": secret}


@pytest.fixture
def newsletter_archive(db):
    from portal.guidance.models import NewsletterArchivePage
    from portal.site.models import HomePage

    archive = NewsletterArchivePage(title="Newsletter", slug="newsletter")
    HomePage.objects.get().add_child(instance=archive)
    archive.save_revision().publish()
    return archive


def test_composer_is_not_offered_moderators_only_threads(newsletter_archive, threads, network_admin, client_for):
    from django.contrib.auth.models import Permission

    network_admin.user.user_permissions.add(Permission.objects.get(codename="moderate_forum"))  # reads the moderators' board
    client = client_for(network_admin)

    form = client.get(f"{newsletter_archive.url}compose/").content.decode()
    sent = client.post(
        f"{newsletter_archive.url}compose/",
        {"title": "News", "introduction": "", "items": [threads["moderators"].get_absolute_url()], "action": "preview"},
    ).content.decode()

    assert "Who has a dermatology triage specification?" in form
    assert "Complaint about Dr Grey" not in form
    assert "Complaint about Dr Grey" not in sent


def test_unsubscribe_link_opened_by_a_mail_scanner_changes_nothing_and_shows_no_address(newsletter_archive, member, client):
    NewsletterSubscription.objects.create(user=member.user, is_subscribed=True)
    url = f"{newsletter_archive.url}unsubscribe/{services.unsubscribe_token(member.user)}/"

    scanned = client.get(url)

    assert scanned.status_code == 200
    assert member.user.email not in scanned.content.decode()
    assert NewsletterSubscription.objects.get(user=member.user).is_subscribed


def test_unsubscribe_acts_on_the_button_press_and_shows_no_address(newsletter_archive, member, client):
    NewsletterSubscription.objects.create(user=member.user, is_subscribed=True)
    url = f"{newsletter_archive.url}unsubscribe/{services.unsubscribe_token(member.user)}/"

    response = client.post(url)

    assert "You have unsubscribed" in response.content.decode()
    assert member.user.email not in response.content.decode()
    assert not NewsletterSubscription.objects.get(user=member.user).is_subscribed
