"""Posting, answering and moderating through forum.services: rows, rules and e-mail."""
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from forum import services
from forum.models import Attachment, ModerationAction, PostRevision, Reply, Report, Subscription, Thread, ThreadEvent
from portal.core.notifications import Notification


def test_post_thread_stores_sanitised_html_and_tags(member, board, service_areas):
    thread = services.post_thread(member, board, title="Fair shares for 2008/09", body="Is **anyone** <script>x</script>using it?",
                                  service_areas=[service_areas["Prescribing"]])
    thread.refresh_from_db()
    assert "<strong>anyone</strong>" in thread.body_html
    assert "<script" not in thread.body_html
    assert list(thread.service_areas.values_list("name", flat=True)) == ["Prescribing"]
    assert ThreadEvent.objects.filter(thread=thread, kind="thread.posted").count() == 1


def test_asker_watches_own_thread(member, thread):
    assert Subscription.objects.filter(member=member, thread=thread).exists()


def test_empty_question_is_refused_and_nothing_stored(member, board):
    with pytest.raises(services.InvalidPost) as refusal:
        services.post_thread(member, board, title="Untitled", body="   ")
    assert "empty" in refusal.value.user_message
    assert not Thread.objects.exists()


def test_pending_member_cannot_post(make_member, board):
    pending = make_member(status="pending")
    with pytest.raises(services.NotAllowed):
        services.post_thread(pending, board, title="Hello", body="Anyone there?")


def test_member_cannot_post_on_moderators_board(member, boards):
    with pytest.raises(services.NotAllowed):
        services.post_thread(member, boards["moderators"], title="Sneaky", body="Let me in")


def test_reply_counts_and_notifies_watchers_by_email(member, other_org_member, thread, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.post_reply(other_org_member, thread, body="The DH says the guide is due out in May.")
    thread.refresh_from_db()
    assert thread.reply_count == 1
    note = Notification.objects.get(member=member)
    assert note.reply == reply and note.kind == "reply"
    assert [m.to for m in mail.outbox] == [[member.user.email]]
    assert "/forum/unsubscribe/" in mail.outbox[0].body
    assert not Notification.objects.filter(member=other_org_member).exists()


def test_reply_quotes_an_earlier_reply(member, other_org_member, thread):
    first = services.post_reply(other_org_member, thread, body="May 2008.")
    second = services.post_reply(member, thread, body="Thanks", quoted=first)
    assert second.quoted == first


def test_quoting_a_reply_from_another_thread_is_refused(member, other_org_member, board, thread):
    elsewhere = services.post_thread(other_org_member, board, title="Urgent care", body="Who runs the walk-in centre?")
    foreign = services.post_reply(member, elsewhere, body="The PCT")
    with pytest.raises(services.InvalidPost):
        services.post_reply(member, thread, body="As they said", quoted=foreign)


def test_locked_thread_refuses_replies_from_members(member, moderator, other_org_member, thread):
    services.lock_thread(moderator, thread)
    with pytest.raises(services.ThreadLocked):
        services.post_reply(other_org_member, thread, body="Too late?")
    assert services.post_reply(moderator, thread, body="Locked: see the new thread.")


def test_posting_is_rate_limited_per_member(member, other_org_member, thread, settings):
    settings.FORUM_POSTS_PER_WINDOW = 2
    services.post_reply(other_org_member, thread, body="one")
    services.post_reply(other_org_member, thread, body="two")
    with pytest.raises(services.PostingTooFast):
        services.post_reply(other_org_member, thread, body="three")
    assert Reply.objects.filter(author=other_org_member).count() == 2
    # Another member has their own allowance.
    services.post_reply(member, thread, body="mine")


def test_edit_keeps_the_old_text_as_a_revision(member, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="Due in June")
    services.edit_post(other_org_member, reply, body="Due in **May**")
    reply.refresh_from_db()
    assert "<strong>May</strong>" in reply.body_html and reply.edited_at is not None
    assert PostRevision.objects.get(reply=reply).body == "Due in June"


def test_edit_of_question_keeps_old_title(member, thread):
    services.edit_post(member, thread, title="Procurement Guide: when?", body="Any news?")
    revision = PostRevision.objects.get(thread=thread)
    assert revision.title == "When are we likely to see the draft Procurement Guide?"
    thread.refresh_from_db()
    assert thread.title == "Procurement Guide: when?"


def test_member_cannot_edit_someone_elses_post(member, other_org_member, thread):
    with pytest.raises(services.NotAllowed):
        services.edit_post(other_org_member, thread, body="vandalised")


def test_moderator_edit_is_logged(moderator, thread):
    services.edit_post(moderator, thread, body="Tidied")
    assert ModerationAction.objects.filter(action="forum.post.edited", actor=moderator, thread=thread).exists()


def test_asker_accepts_an_answer(member, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="May 2008, says the SHA.")
    services.accept_answer(member, reply)
    thread.refresh_from_db()
    assert thread.accepted_reply == reply
    assert Thread.objects.answered().filter(pk=thread.pk).exists()
    assert Notification.objects.filter(member=other_org_member, kind="accepted").exists()


def test_moderator_may_accept_an_answer(moderator, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="Yes")
    services.accept_answer(moderator, reply)
    thread.refresh_from_db()
    assert thread.accepted_reply == reply


def test_someone_else_cannot_accept_an_answer(make_member, other_org_member, thread):
    bystander = make_member()
    reply = services.post_reply(other_org_member, thread, body="Yes")
    with pytest.raises(services.NotAllowed):
        services.accept_answer(bystander, reply)
    thread.refresh_from_db()
    assert thread.accepted_reply is None


def test_hiding_the_accepted_answer_makes_the_thread_unanswered(member, moderator, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="Buy shares")
    services.accept_answer(member, reply)
    services.hide_post(moderator, reply, reason="Spam")
    thread.refresh_from_db()
    reply.refresh_from_db()
    assert reply.is_hidden and thread.accepted_reply is None and thread.reply_count == 0
    action = ModerationAction.objects.get(action="forum.reply.hidden")
    assert action.actor == moderator and action.note == "Spam" and action.created_at is not None


def test_member_cannot_moderate(member, other_org_member, thread, boards):
    reply = services.post_reply(other_org_member, thread, body="Hello")
    for attempt in (
        lambda: services.hide_post(member, reply),
        lambda: services.lock_thread(member, thread),
        lambda: services.pin_thread(member, thread),
        lambda: services.move_thread(member, thread, boards["clinical"]),
    ):
        with pytest.raises(services.NotAllowed):
            attempt()
    assert not ModerationAction.objects.exists()


def test_cluster_lead_is_not_a_moderator(cluster_lead, thread):
    with pytest.raises(services.NotAllowed):
        services.lock_thread(cluster_lead, thread)


def test_moderator_moves_pins_and_locks_with_a_log(moderator, thread, boards):
    services.move_thread(moderator, thread, boards["clinical"])
    services.pin_thread(moderator, thread)
    services.lock_thread(moderator, thread)
    thread.refresh_from_db()
    assert thread.board == boards["clinical"] and thread.is_pinned and thread.is_locked
    assert list(ModerationAction.objects.order_by("pk").values_list("action", flat=True)) == [
        "forum.thread.moved", "forum.thread.pinned", "forum.thread.locked",
    ]


def test_report_then_hide_closes_the_report(member, other_org_member, moderator, thread):
    reply = services.post_reply(other_org_member, thread, body="Rude words")
    report = services.report_post(member, thread, reply=reply, reason="Offensive")
    again = services.report_post(member, thread, reply=reply, reason="Still offensive")
    assert again.pk == report.pk
    services.hide_post(moderator, reply)
    report.refresh_from_db()
    assert report.status == Report.Status.ACTIONED and report.resolved_by == moderator


def test_dismissing_a_report_is_logged(member, moderator, thread):
    report = services.report_post(member, thread, reason="Wrong board")
    services.dismiss_report(moderator, report)
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    assert ModerationAction.objects.filter(action="forum.report.dismissed").exists()


def test_sha_staff_replies_are_badged(sha_editor, other_org_member, thread):
    assert services.post_reply(sha_editor, thread, body="The guide is due in May.").is_from_sha
    assert not services.post_reply(other_org_member, thread, body="Thanks").is_from_sha


def test_question_on_ask_the_sha_board_goes_straight_to_sha_staff(member, sha_editor, boards, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.post_thread(member, boards["sha"], title="How much faith does the SHA have in PbC?", body="Honestly?")
    assert thread.escalated_at is not None
    assert Notification.objects.filter(member=sha_editor, kind="escalated", thread=thread).exists()
    assert [sha_editor.user.email] in [m.to for m in mail.outbox]


def test_attachment_is_stored_after_content_check(member, board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("business-case.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    thread = services.post_thread(member, board, title="Business case", body="Attached", attachments=[pdf])
    attachment = Attachment.objects.get(thread=thread)
    assert attachment.original_name == "business-case.pdf" and attachment.content_type == "application/pdf"


def test_attachment_whose_contents_do_not_match_its_name_is_refused(member, board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("business-case.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    with pytest.raises(services.InvalidPost) as refusal:
        services.post_thread(member, board, title="Business case", body="Attached", attachments=[fake])
    assert refusal.value.user_message.startswith("business-case.pdf: ")
    assert not Thread.objects.exists() and not Attachment.objects.exists()


def test_office_file_with_macros_is_refused(member, board, settings, tmp_path):
    import zipfile

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/vbaProject.bin", b"macro")
    upload = SimpleUploadedFile("plan.docx", buffer.getvalue())
    with pytest.raises(services.InvalidPost) as refusal:
        services.post_thread(member, board, title="Plan", body="Attached", attachments=[upload])
    assert "macro" in refusal.value.user_message.lower()
    assert not Thread.objects.exists()


def test_nothing_is_broadcast_when_the_post_is_rolled_back(member, board, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                services.post_thread(member, board, title="Will vanish", body="Rolled back")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Thread.objects.exists()
