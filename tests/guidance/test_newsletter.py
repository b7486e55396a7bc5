"""The newsletter: compose, preview, send in batches, resume without duplicates, one-click unsubscribe."""
from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks.signals import task_finished

from portal.core.models import SentEmail
from portal.guidance import services
from portal.guidance.models import NewsletterDelivery, NewsletterIssuePage, NewsletterSubscription

BACKEND = "tests.guidance.mail_backends.HangsUpAfter"


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(issue, batch_size=2):
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_newsletter(issue, batch_size=batch_size)

    return run


@pytest.fixture
def batches():
    """How many newsletter batch tasks ran (and with what result)."""
    results = []

    def record(sender, task_result, **kwargs):
        if task_result.task.name == "send_newsletter_batch":
            results.append(task_result)

    task_finished.connect(record)
    yield results
    task_finished.disconnect(record)


def test_issue_goes_to_every_subscriber_once_in_batches(issue, subscribers, send, batches):
    queued = send(issue, batch_size=2)

    assert queued == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.user.email for s in subscribers)
    assert sorted(r.return_value for r in batches) == [1, 2, 2]  # inline tasks nest, so they finish innermost first
    assert NewsletterDelivery.objects.filter(issue=issue, status="sent").count() == 5
    issue.refresh_from_db()
    assert issue.sent_at is not None


def test_unsubscribed_and_unapproved_members_are_not_sent_the_issue(issue, subscribers, make_member, send):
    NewsletterSubscription.objects.filter(user=subscribers[0].user).update(is_subscribed=False)
    pending = make_member(status="pending")
    NewsletterSubscription.objects.create(user=pending.user, is_subscribed=True)

    send(issue)

    recipients = {m.to[0] for m in mail.outbox}
    assert subscribers[0].user.email not in recipients
    assert pending.user.email not in recipients
    assert len(recipients) == 4


def test_interrupted_send_resumes_without_sending_anyone_a_second_copy(
    issue, subscribers, send, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = BACKEND  # the mail server hangs up after 3 messages

    send(issue, batch_size=2)

    assert len(mail.outbox) == 3
    assert NewsletterDelivery.objects.filter(issue=issue, status="sent").count() == 3
    assert NewsletterDelivery.objects.filter(issue=issue, status="pending").count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        waiting = services.resume_newsletter(issue, batch_size=2)

    assert waiting == 2
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == 5
    assert sorted(recipients) == sorted(s.user.email for s in subscribers)
    assert NewsletterDelivery.objects.filter(issue=issue, status="sent").count() == 5


def test_recipient_left_sending_after_their_copy_went_is_not_sent_again(issue, subscribers, send, django_capture_on_commit_callbacks):
    send(issue)
    crashed = NewsletterDelivery.objects.filter(issue=issue).first()
    NewsletterDelivery.objects.filter(pk=crashed.pk).update(status="sending")  # the key committed, the mark did not
    NewsletterDelivery.objects.filter(issue=issue).exclude(pk=crashed.pk).update(status="pending")
    SentEmail.objects.filter(key__startswith="newsletter:").exclude(key=services.newsletter_key(crashed)).delete()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.resume_newsletter(issue)

    assert crashed.email not in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 4
    assert NewsletterDelivery.objects.filter(issue=issue, status="sent").count() == 5


def test_recipient_left_sending_before_their_copy_went_gets_it_on_resume(issue, subscribers, send, django_capture_on_commit_callbacks):
    rows = [NewsletterDelivery(issue=issue, user=s.user, email=s.user.email) for s in subscribers]
    NewsletterDelivery.objects.bulk_create(rows)
    crashed = NewsletterDelivery.objects.filter(issue=issue).first()
    NewsletterDelivery.objects.filter(pk=crashed.pk).update(status="sending", claimed_at=timezone.now())  # died mid-send

    with django_capture_on_commit_callbacks(execute=True):
        waiting = services.resume_newsletter(issue)

    assert waiting == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.user.email for s in subscribers)
    assert NewsletterDelivery.objects.filter(issue=issue, status="sent").count() == 5


def test_batch_retried_after_its_copies_went_sends_nothing_and_the_chain_goes_on(issue, subscribers, send, batches):
    send(issue, batch_size=2)
    NewsletterDelivery.objects.filter(issue=issue).update(status="pending")  # as if every "sent" mark were lost
    mail.outbox.clear()

    from portal.guidance.tasks import send_newsletter_batch

    send_newsletter_batch.enqueue(issue.pk, 2)

    assert mail.outbox == []
    assert NewsletterDelivery.objects.filter(issue=issue, status="sent").count() == 5


def test_sending_an_issue_again_only_reaches_new_subscribers(issue, subscribers, make_member, send):
    send(issue)
    latecomer = make_member(first_name="Late")
    NewsletterSubscription.objects.create(user=latecomer.user)
    mail.outbox.clear()

    queued = send(issue)

    assert queued == 1
    assert [m.to[0] for m in mail.outbox] == [latecomer.user.email]


def test_delivery_rows_are_unique_per_issue_and_member(issue, subscribers):
    from django.db import IntegrityError, transaction

    NewsletterDelivery.objects.create(issue=issue, user=subscribers[0].user, email=subscribers[0].user.email)
    with pytest.raises(IntegrityError), transaction.atomic():
        NewsletterDelivery.objects.create(issue=issue, user=subscribers[0].user, email=subscribers[0].user.email)


def test_each_email_has_its_own_one_click_unsubscribe_link(issue, subscribers, send, client):
    import re

    send(issue)

    message = next(m for m in mail.outbox if m.to == [subscribers[0].user.email])
    path = re.search(r"http://testserver(/newsletter/unsubscribe/[\w-]+/)", message.body).group(1)
    assert f"<http://testserver{path}>" in message.extra_headers["List-Unsubscribe"]
    assert "World Class Commissioning" in message.body
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert client.post(path).status_code == 200
    assert not services.is_subscribed(subscribers[0].user)
    assert services.is_subscribed(subscribers[1].user)


def test_unsubscribe_link_turns_the_newsletter_off_without_signing_in(newsletter_archive, subscribers, client):
    user = subscribers[0].user
    url = f"{newsletter_archive.url}unsubscribe/{services.unsubscribe_token(user)}/"

    asked = client.get(url)
    response = client.post(url)

    assert "Stop getting the newsletter?" in asked.content.decode()
    assert response.status_code == 200
    assert "You have unsubscribed" in response.content.decode()
    assert not NewsletterSubscription.objects.get(user=user).is_subscribed


def test_tampered_unsubscribe_token_is_refused(newsletter_archive, subscribers, client):
    import base64

    from django.core import signing

    victim, attacker = subscribers[0].user, subscribers[1].user
    # Take the attacker's own signed token and swap in the victim's id, keeping the signature.
    signed = base64.urlsafe_b64decode(services.unsubscribe_token(attacker) + "==").decode()
    _payload, _, signature = signed.partition(":")
    forged_payload = signing.b64_encode(f'{{"u":{victim.pk}}}'.encode()).decode()
    forged = base64.urlsafe_b64encode(f"{forged_payload}:{signature}".encode()).decode().rstrip("=")

    response = client.get(f"{newsletter_archive.url}unsubscribe/{forged}/")

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert NewsletterSubscription.objects.get(user=victim).is_subscribed
    assert NewsletterSubscription.objects.get(user=attacker).is_subscribed


def test_garbage_unsubscribe_token_is_refused(newsletter_archive, client):
    assert client.get(f"{newsletter_archive.url}unsubscribe/not-a-token/").status_code == 400


def test_member_subscribes_and_unsubscribes_from_the_archive_page(newsletter_archive, member, client_for):
    client = client_for(member)

    client.post(f"{newsletter_archive.url}subscription/", {"subscribe": "yes"})
    assert services.is_subscribed(member.user)
    client.post(f"{newsletter_archive.url}subscription/", {"subscribe": "no"})
    assert not services.is_subscribed(member.user)


def test_only_network_administrators_can_compose(newsletter_archive, member, client_for):
    response = client_for(member).get(f"{newsletter_archive.url}compose/")

    assert response.status_code == 403


def test_compose_offers_recent_guidance_and_preview_sends_nothing(newsletter_archive, make_guidance, network_admin,
                                                                  subscribers, client_for):
    page = make_guidance(title="Freed-up resources and incentive schemes")
    client = client_for(network_admin)

    form = client.get(f"{newsletter_archive.url}compose/").content.decode()
    preview = client.post(
        f"{newsletter_archive.url}compose/",
        {"title": "PbC Network news, May 2008", "introduction": "Welcome.", "items": [page.url], "action": "preview"},
    ).content.decode()

    assert "Freed-up resources and incentive schemes" in form
    assert "Preview: PbC Network news, May 2008" in preview
    assert mail.outbox == []
    assert not NewsletterIssuePage.objects.exists()


def test_compose_and_send_archives_the_issue_and_mails_subscribers(newsletter_archive, make_guidance, network_admin,
                                                                   subscribers, client_for, django_capture_on_commit_callbacks):
    page = make_guidance(title="World Class Commissioning")
    client = client_for(network_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{newsletter_archive.url}compose/",
            {"title": "PbC Network news, May 2008", "introduction": "Welcome.", "items": [page.url], "action": "send",
             "recipients": "5"},
        )

    issue = NewsletterIssuePage.objects.get()
    assert response.status_code == 302 and response["Location"] == issue.url
    assert issue.live and issue.items[0]["title"] == "World Class Commissioning"
    assert len(mail.outbox) == 5
    archive = client.get(newsletter_archive.url).content.decode()
    assert "PbC Network news, May 2008" in archive


def test_archived_issue_is_for_members_only(issue, client, member, client_for):
    assert client.get(issue.url).status_code == 302
    assert client_for(member).get(issue.url).status_code == 200


def test_send_newsletter_command_resumes(issue, subscribers, settings, capsys, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = BACKEND
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_newsletter", str(issue.pk), "--batch-size", "2")
    assert len(mail.outbox) == 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_newsletter", issue.slug, "--resume")

    assert len(mail.outbox) == 5
    assert "Resumed: 2 recipient(s) were waiting." in capsys.readouterr().out
    assert NewsletterDelivery.objects.filter(issue=issue, status="sent").count() == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Needs PostgreSQL: two connections claiming rows at once")
@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_two_workers_sending_at_once_never_duplicate(issue, subscribers):
    import threading

    rows = [NewsletterDelivery(issue=issue, user=s.user, email=s.user.email) for s in subscribers]
    NewsletterDelivery.objects.bulk_create(rows)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            services.deliver_newsletter_batch(issue.pk, 10)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == 5


@pytest.mark.urls("tests.guidance.urls_with_one_click")
def test_mail_program_one_click_post_unsubscribes_without_csrf(issue, subscribers, send):
    import re

    from django.test import Client

    send(issue)
    message = next(m for m in mail.outbox if m.to == [subscribers[0].user.email])
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.match(r"<http://testserver(/mail/newsletter/unsubscribe/[\w-]+/)>", message.extra_headers["List-Unsubscribe"]).group(1)

    response = Client(enforce_csrf_checks=True).post(one_click, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not services.is_subscribed(subscribers[0].user)


@pytest.mark.urls("tests.guidance.urls_with_one_click")
def test_one_click_post_with_tampered_token_is_refused(subscribers):
    from django.test import Client

    token = services.unsubscribe_token(subscribers[0].user)

    response = Client(enforce_csrf_checks=True).post(f"/mail/newsletter/unsubscribe/{token[:-2]}xx/")

    assert response.status_code == 400
    assert services.is_subscribed(subscribers[0].user)


@pytest.mark.urls("tests.guidance.urls_without_one_click")
def test_without_the_one_click_url_emails_carry_only_the_page_link(issue, subscribers, send):
    send(issue)

    assert "List-Unsubscribe-Post" not in mail.outbox[0].extra_headers


def test_composer_is_offered_the_busiest_threads(network_admin):
    sections = {section["key"]: section for section in services.newsletter_candidates()}

    assert "busiest_threads" in sections
    assert sections["busiest_threads"]["title"] == "Busiest threads"


def compose(client, archive, action: str, **extra):
    data = {"title": "PbC Network news, May 2008", "introduction": "Welcome.", "action": action, **extra}
    return client.post(f"{archive.url}compose/", data)


def test_continuing_to_send_asks_to_confirm_and_states_the_number_of_recipients(newsletter_archive, network_admin, subscribers,
                                                                                 client_for):
    response = compose(client_for(network_admin), newsletter_archive, "confirm")

    page = response.content.decode()
    assert "Send “PbC Network news, May 2008” to 5 members?" in page
    assert '<input type="hidden" name="recipients" value="5">' in page
    assert mail.outbox == [] and not NewsletterIssuePage.objects.exists()


def test_send_without_the_confirmed_number_of_recipients_asks_again_and_sends_nothing(newsletter_archive, network_admin,
                                                                                      subscribers, client_for,
                                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = compose(client_for(network_admin), newsletter_archive, "send", recipients="4")  # one subscribed since

    assert "to 5 members?" in response.content.decode()
    assert mail.outbox == [] and not NewsletterIssuePage.objects.exists()


def test_test_send_goes_to_the_composer_alone_and_archives_nothing(newsletter_archive, network_admin, subscribers, client_for,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = compose(client_for(network_admin), newsletter_archive, "test")

    (copy,) = mail.outbox
    assert copy.to == [network_admin.user.email]
    assert copy.subject.endswith("Test: PbC Network news, May 2008")
    assert "This is a test copy: only you were sent it." in copy.body
    assert f"A test copy has been sent to {network_admin.user.email}" in response.content.decode()
    assert not NewsletterIssuePage.objects.exists() and not NewsletterDelivery.objects.exists()


def test_confirmed_send_is_queued_as_background_work_not_sent_in_the_request(newsletter_archive, network_admin, subscribers,
                                                                             client_for, settings, django_capture_on_commit_callbacks):
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # a queue no worker takes from
    with django_capture_on_commit_callbacks(execute=True):
        response = compose(client_for(network_admin), newsletter_archive, "send", recipients="5")

    issue = NewsletterIssuePage.objects.get()
    assert response.status_code == 302 and response["Location"] == issue.url
    assert mail.outbox == []
    assert NewsletterDelivery.objects.filter(issue=issue, status="pending").count() == 5
    queued = [result.task.name for result in task_backends["default"].results]
    assert queued.count("send_newsletter_batch") == 1


def test_issue_page_shows_administrators_how_far_the_sending_has_got(issue, subscribers, network_admin, member, client_for,
                                                                    settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        services.send_newsletter(issue)
    NewsletterDelivery.objects.filter(pk__in=NewsletterDelivery.objects.order_by("pk").values("pk")[:2]).update(status="sent")
    admin = client_for(network_admin)

    page = admin.get(issue.url).content.decode()
    progress = admin.get(f"{issue.get_parent().url}progress/{issue.pk}/").json()

    assert "Sent to 2 of 5 members." in page
    assert '<progress id="newsletter-progress" max="5" value="2">' in page
    assert (progress["sent"], progress["total"], progress["finished"]) == (2, 5, False)


def test_members_are_not_shown_the_sending_progress(issue, subscribers, member, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_newsletter(issue)
    client = client_for(member)

    assert "newsletter-progress" not in client.get(issue.url).content.decode()
    assert client.get(f"{issue.get_parent().url}progress/{issue.pk}/").status_code == 403


def test_newsletter_is_in_the_administrators_navigation(newsletter_archive, network_admin, sha_editor, client_for):
    admin_menu = client_for(network_admin).get("/admin/").content.decode()
    editor_menu = client_for(sha_editor).get("/admin/").content.decode()

    assert f"{newsletter_archive.url}compose/" in admin_menu
    assert f"{newsletter_archive.url}compose/" not in editor_menu
