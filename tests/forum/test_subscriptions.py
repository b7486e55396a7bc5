"""Watching boards and threads: digests, in-site notifications and signed unsubscribe links."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from forum import services
from forum.models import Subscription
from portal.core.notifications import Notification

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def daily_watcher(other_org_member, board):
    return services.subscribe(other_org_member, board=board, frequency="daily")


def test_daily_digest_lists_new_threads_once(daily_watcher, member, board, django_capture_on_commit_callbacks):
    start = datetime(2008, 4, 14, 9, 0, tzinfo=LONDON)
    with time_machine.travel(start, tick=False):
        Subscription.objects.filter(pk=daily_watcher.pk).update(created_at=start - timedelta(days=1))
        services.post_thread(member, board, title="Fair shares: how far from target are you?", body="We are 4% under.")
    mail.outbox.clear()
    with time_machine.travel(start + timedelta(hours=20), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.send_digest("daily") == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [daily_watcher.member.user.email]
    assert "Fair shares: how far from target are you?" in digest.body
    assert "/forum/unsubscribe/" in digest.body
    with time_machine.travel(start + timedelta(days=1, hours=20), tick=False):
        assert services.send_digest("daily") == 0


def test_weekly_watchers_are_not_in_the_daily_digest(other_org_member, member, board):
    services.subscribe(other_org_member, board=board, frequency="weekly")
    services.post_thread(member, board, title="Practice-based providing", body="Build, share or buy?")
    assert services.send_digest("daily") == 0
    assert services.send_digest("weekly", now=datetime.now(tz=LONDON) + timedelta(seconds=1)) == 1


def test_digest_watchers_get_no_instant_email(daily_watcher, member, board, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_thread(member, board, title="Urgent care centres", body="Who runs yours?")
    assert mail.outbox == []
    assert Notification.objects.filter(member=daily_watcher.member, kind="thread").exists()


def test_signed_link_unsubscribes_without_signing_in(client, daily_watcher):
    token = services.unsubscribe_token(daily_watcher)
    url = f"/forum/unsubscribe/{token}/"
    assert client.get(url).status_code == 200
    assert Subscription.objects.filter(pk=daily_watcher.pk).exists()  # GET only asks
    response = client.post(url)
    assert response.status_code == 200
    assert not Subscription.objects.filter(pk=daily_watcher.pk).exists()


def test_tampered_unsubscribe_link_is_refused(client, daily_watcher, make_member, board):
    token = services.unsubscribe_token(daily_watcher)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/forum/unsubscribe/{tampered}/").status_code == 400
    # A validly signed token naming another member's subscription is refused too.
    someone = make_member()
    theirs = services.subscribe(someone, board=board)
    from django.core import signing

    forged = signing.dumps({"s": theirs.pk, "m": daily_watcher.member_id}, salt=services.UNSUBSCRIBE_SALT)
    assert client.post(f"/forum/unsubscribe/{forged}/").status_code == 400
    assert Subscription.objects.filter(pk__in=[daily_watcher.pk, theirs.pk]).count() == 2


def test_unsubscribe_token_with_another_salt_is_refused(daily_watcher):
    from django.core import signing

    token = signing.dumps({"s": daily_watcher.pk, "m": daily_watcher.member_id}, salt="something.else")
    with pytest.raises(services.BadUnsubscribeLink):
        services.unsubscribe_with_token(token)


def test_in_site_notification_is_pushed_after_commit(member, other_org_member, thread, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.post_reply(other_org_member, thread, body="Yes")
    # thread page, board page, the asker's notification socket, the asker's e-mail
    assert len(callbacks) >= 4
    assert Notification.objects.filter(member=member, read_at__isnull=True).count() == 1
    services.mark_notifications_read(member)
    assert not Notification.objects.filter(member=member, read_at__isnull=True).exists()


def test_member_cannot_watch_a_moderators_board(member, boards):
    with pytest.raises(services.NotAllowed):
        services.subscribe(member, board=boards["moderators"])
