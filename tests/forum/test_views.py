"""The forum's pages: who may see and do what, posting by plain form (no JavaScript), and constant query counts."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum import services
from forum.models import Reply, Report, Thread
from portal.core import fragments


def make_replies(thread, author, count):
    now = timezone.now()
    Reply.objects.bulk_create(
        [Reply(thread=thread, author=author, body=f"Reply {n}", body_html=f"<p>Reply {n}</p>", created_at=now) for n in range(count)],
        batch_size=500,
    )
    Thread.objects.filter(pk=thread.pk).update(reply_count=count)


def make_threads(board, author, count):
    now = timezone.now()
    Thread.objects.bulk_create(
        [Thread(board=board, author=author, title=f"Question {n}", body="?", body_html="<p>?</p>", created_at=now, last_activity_at=now)
         for n in range(count)],
        batch_size=500,
    )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_anonymous_visitor_is_sent_to_sign_in(client, thread):
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_member_waiting_for_approval_is_refused(client_for, make_member, thread):
    assert client_for(make_member(status="pending")).get("/forum/").status_code == 403


def test_member_cannot_see_the_moderators_board(client_for, member, moderator, boards):
    thread = services.post_thread(moderator, boards["moderators"], title="Reports", body="Two")
    client = client_for(member)
    assert client.get(boards["moderators"].get_absolute_url()).status_code == 404
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert "Moderators&#x27; room" not in client.get("/forum/").content.decode()


def test_index_shows_subsections_and_unanswered_counts(client_for, member, thread):
    page = client_for(member).get("/forum/").content.decode()
    assert "Management" in page and "Commissioning and contracts" in page


def test_board_filters_unanswered(client_for, member, other_org_member, board, thread):
    answered = services.post_thread(member, board, title="Answered one", body="?")
    services.accept_answer(member, services.post_reply(other_org_member, answered, body="Yes"))
    page = client_for(member).get(board.get_absolute_url() + "?show=unanswered").content.decode()
    assert thread.title in page and "Answered one" not in page


def test_member_posts_a_question_by_plain_form(client_for, member, board, service_areas):
    response = client_for(member).post(f"/forum/boards/{board.slug}/new/", {
        "title": "Where is children's commissioning fitting into WCC?", "body": "Asked at Chilford Hall.",
        "service_areas": [service_areas["Urgent care"].pk],
    })
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()
    assert thread.author == member


def test_member_replies_by_plain_form_and_lands_on_the_reply(client_for, other_org_member, thread):
    response = client_for(other_org_member).post(f"/forum/threads/{thread.pk}/reply/", {"body": "Not clear yet."})
    reply = Reply.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{reply.pk}")


def test_rate_limited_reply_shows_a_plain_message(client_for, other_org_member, thread, settings):
    settings.FORUM_POSTS_PER_WINDOW = 1
    client = client_for(other_org_member)
    client.post(f"/forum/threads/{thread.pk}/reply/", {"body": "one"})
    response = client.post(f"/forum/threads/{thread.pk}/reply/", {"body": "two"}, follow=True)
    assert "posting very quickly" in response.content.decode()
    assert Reply.objects.count() == 1


def test_asker_sees_accept_button_and_others_do_not(client_for, member, other_org_member, thread):
    services.post_reply(other_org_member, thread, body="May")
    assert "Accept as the answer" in client_for(member).get(thread.get_absolute_url()).content.decode()
    assert "Accept as the answer" not in client_for(other_org_member).get(thread.get_absolute_url()).content.decode()


def test_someone_else_cannot_accept_by_posting_the_form(client_for, make_member, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="May")
    client_for(make_member()).post(f"/forum/replies/{reply.pk}/accept/")
    thread.refresh_from_db()
    assert thread.accepted_reply is None


def test_member_cannot_open_the_moderators_queue(client_for, member):
    assert client_for(member).get("/forum/moderation/").status_code == 403


def test_member_cannot_hide_or_lock_by_posting_the_form(client_for, member, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="Hi")
    client = client_for(member)
    assert client.post(f"/forum/replies/{reply.pk}/hide/").status_code == 403
    assert client.post(f"/forum/threads/{thread.pk}/moderate/lock/").status_code == 403
    reply.refresh_from_db()
    thread.refresh_from_db()
    assert not reply.is_hidden and not thread.is_locked


def test_moderator_queue_lists_open_reports_and_hides(client_for, member, moderator, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="Rude")
    services.report_post(member, thread, reply=reply, reason="Offensive language")
    client = client_for(moderator)
    assert "Offensive language" in client.get("/forum/moderation/").content.decode()
    client.post(f"/forum/replies/{reply.pk}/hide/")
    assert Report.objects.get().status == Report.Status.ACTIONED
    assert "There are no reports waiting." in client.get("/forum/moderation/").content.decode()


def test_network_admin_may_moderate(client_for, network_admin, thread):
    client_for(network_admin).post(f"/forum/threads/{thread.pk}/moderate/pin/")
    thread.refresh_from_db()
    assert thread.is_pinned


def test_hidden_reply_text_is_not_on_the_page(client_for, member, moderator, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="Secret rude words")
    services.hide_post(moderator, reply)
    page = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert "Secret rude words" not in page and "hidden by a moderator" in page


def test_erased_author_is_shown_as_former_member(client_for, member, other_org_member, thread):
    services.post_reply(other_org_member, thread, body="Hello")
    other_org_member.status = "erased"
    other_org_member.save(update_fields=["status"])
    page = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert "Former member" in page and "Oliver Grant" not in page


def test_thread_page_has_no_inline_script(client_for, member, thread):
    page = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert "forum/thread.js" in page
    assert "<script>" not in page and "<script type=\"module\">" not in page


def test_thread_page_query_count_is_the_same_at_10_and_1000_replies(client_for, member, other_org_member, board):
    small = services.post_thread(member, board, title="Small", body="?")
    large = services.post_thread(member, board, title="Large", body="?")
    make_replies(small, other_org_member, 10)
    make_replies(large, other_org_member, 1000)
    client = client_for(member)
    urls = [small.get_absolute_url(), large.get_absolute_url(), large.get_absolute_url() + "?page=40"]
    count_queries(client, urls[0])  # warm caches (content types, site)

    def rendered(url):  # the replies rendered, not from the cache
        fragments.forget_all()
        return count_queries(client, url)

    def cached(url):
        count_queries(client, url)
        return count_queries(client, url)

    assert rendered(urls[0]) == rendered(urls[1]) == rendered(urls[2])
    assert cached(urls[0]) == cached(urls[1]) == cached(urls[2])


def test_board_page_query_count_is_the_same_at_10_and_1000_threads(client_for, member, boards):
    make_threads(boards["clinical"], member, 10)
    make_threads(boards["management"], member, 1000)
    client = client_for(member)
    count_queries(client, boards["clinical"].get_absolute_url())
    assert count_queries(client, boards["clinical"].get_absolute_url()) == count_queries(client, boards["management"].get_absolute_url())


def test_edit_history_page_lists_earlier_text(client_for, member, thread):
    services.edit_post(member, thread, body="New text")
    page = client_for(member).get(f"/forum/posts/thread/{thread.pk}/history/").content.decode()
    assert "The SHA said **May 2008**" in page


def test_home_items_show_recent_questions_only_to_members(member, moderator, boards, thread):
    from django.contrib.auth.models import AnonymousUser

    from forum.home import home_items

    services.post_thread(moderator, boards["moderators"], title="Moderators only", body="x")
    assert home_items(AnonymousUser(), 4) == []
    titles = [item.title for item in home_items(member.user, 4)]
    assert thread.title in titles and "Moderators only" not in titles
    assert "Moderators only" in [item.title for item in home_items(moderator.user, 4)]


def test_attachment_download_needs_a_member(client, client_for, member, board, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    thread = services.post_thread(member, board, title="Plan", body="Attached",
                                  attachments=[SimpleUploadedFile("plan.txt", b"Fair shares plan")])
    url = thread.attachments.get().get_absolute_url()
    assert client.get(url).status_code == 302
    response = client_for(member).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"Fair shares plan"
