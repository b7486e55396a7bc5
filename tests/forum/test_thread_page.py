"""The thread page's viewer-independent parts come from the cache, and each shows a change on the next request.

The "tag to re-design work" list, whether guidance was made from the thread,
and the text similar work is found by are kept per thread; who may see or do
what is still decided per request.
"""
from __future__ import annotations

import pytest
from django.db import connection

from forum import services
from forum.models import Reply
from search.registry import MEMBERS
from tests.search.conftest import database_settings  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(region, service_areas):
    from redesign.models import MatrixEntry

    return MatrixEntry.objects.create(organisation=region["cluster"], service_area=service_areas["Dermatology"],
                                      title="Community dermatology service")


def tag_list(client, thread) -> str:
    page = client.get(thread.get_absolute_url()).content.decode()
    start = page.find('id="tag-work"')
    return page[start:page.find("</select>", start)] if start >= 0 else ""


def test_tag_list_shows_newly_recorded_work_on_the_next_request(client_for, member, thread, work, region, service_areas):
    from redesign.models import MatrixEntry

    client = client_for(member)
    assert "Community dermatology service" in tag_list(client, thread)

    MatrixEntry.objects.create(organisation=region["cluster"], service_area=service_areas["Diabetes"], title="Diabetes foot clinic")

    assert "Diabetes foot clinic" in tag_list(client, thread)


def test_tag_list_drops_work_the_thread_was_just_tagged_to(client_for, member, thread, work):
    from redesign.services import link_to_entry

    client = client_for(member)
    assert "Community dermatology service" in tag_list(client, thread)

    link_to_entry(work, thread, actor=member.user)

    assert "Community dermatology service" not in tag_list(client, thread)


def test_tag_list_shows_a_renamed_organisation_on_the_next_request(client_for, member, thread, work, region):
    client = client_for(member)
    assert "Colchester Town Cluster" in tag_list(client, thread)
    cluster = region["cluster"]

    cluster.name = "Colchester Central Cluster"
    cluster.save()

    assert "Colchester Central Cluster" in tag_list(client, thread)


def test_tag_list_follows_a_change_to_the_thread_service_areas(client_for, member, thread, work, service_areas):
    client = client_for(member)
    assert "Community dermatology service" in tag_list(client, thread)

    thread.service_areas.set([service_areas["Diabetes"]])

    assert "Community dermatology service" not in tag_list(client, thread)


def test_tag_list_is_not_offered_to_other_members(client_for, other_org_member, thread, work):
    assert tag_list(client_for(other_org_member), thread) == ""


def test_guidance_drafted_from_a_thread_shows_on_its_next_view(client_for, guidance_index, sha_editor, member, other_org_member, thread):
    from portal.guidance.services import draft_guidance_from_answer

    reply = services.post_reply(other_org_member, thread, body="The draft is due in May.")
    services.accept_answer(member, reply)
    thread.refresh_from_db()
    client = client_for(sha_editor)
    assert "Being turned into guidance" not in client.get(thread.get_absolute_url()).content.decode()

    draft_guidance_from_answer(thread, sha_editor.user)

    assert "Being turned into guidance" in client.get(thread.get_absolute_url()).content.decode()


def test_similar_work_follows_a_reply_posted_since_the_last_view(client_for, database_settings, member, other_org_member, thread,
                                                                 django_capture_on_commit_callbacks):
    from search.backends import get_backend
    from tests.search.conftest import make_document

    get_backend().index_documents([make_document(1, "Teledermatology pilot", "Teledermatology photographs sent by practices "
                                                 "to the hospital.", kind="matrix_entry", audience=MEMBERS)])
    client = client_for(member)
    assert "Teledermatology pilot" not in client.get(thread.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(other_org_member, thread, body="Teledermatology photographs could replace the wait.")

    assert "Teledermatology pilot" in client.get(thread.get_absolute_url()).content.decode()


def test_thread_page_query_count_for_its_author_once_cached(client_for, member, other_org_member, thread, work,
                                                            django_assert_num_queries):
    from search.backends.database import DatabaseBackend
    from search.registry import searchable_for

    services.post_reply(other_org_member, thread, body="An answer")
    from tests.search.conftest import make_document

    DatabaseBackend().index_documents([  # as the search task does after commit, with some work like the thread
        searchable_for(thread).to_document(thread),
        make_document(1, "Procurement guide: the draft timetable", "When the SHA's draft procurement guide is due.",
                      kind="matrix_entry", audience=MEMBERS),
    ])
    client = client_for(member)
    client.get(thread.get_absolute_url())

    # user with member (one query), the thread (who may read it is checked on it), watching, and similar work's check of
    # what this viewer may see now.  The main column (question, replies, tags, guidance) comes from the cache, drawn for
    # this kind of viewer since the thread last changed (forum.queries.thread_main); so do similar work's ranked answer, the
    # session, the viewer's roles and permissions (portal/core/permissions.py), the reply count and the page's rows.
    with django_assert_num_queries(4):
        response = client.get(thread.get_absolute_url())

    assert "Procurement guide: the draft timetable" in response.content.decode()


def test_accept_button_carries_the_viewers_own_csrf_token(member, other_org_member, thread):
    import re

    from django.test import Client

    reply = services.post_reply(other_org_member, thread, body="The draft is due in May.")
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    client.get(thread.get_absolute_url())  # the list of replies is now cached
    page = client.get(thread.get_absolute_url()).content.decode()
    form = page[page.index(f'action="/forum/replies/{reply.pk}/accept/"'):]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = client.post(f"/forum/replies/{reply.pk}/accept/", {"csrfmiddlewaretoken": token})

    thread.refresh_from_db()
    assert response.status_code == 302 and thread.accepted_reply_id == reply.pk


def test_edit_link_on_a_cached_reply_is_shown_only_to_its_author(client_for, make_member, other_org_member, thread):
    someone_else = make_member()
    reply = services.post_reply(other_org_member, thread, body="The draft is due in May.")
    edit = f'href="/forum/replies/{reply.pk}/edit/"'
    assert edit in client_for(other_org_member).get(thread.get_absolute_url()).content.decode()

    assert edit not in client_for(someone_else).get(thread.get_absolute_url()).content.decode()


def test_last_event_id_moves_on_with_a_reply_posted_since_the_last_view(client_for, member, other_org_member, thread):
    from forum.models import ThreadEvent

    client = client_for(member)
    client.get(thread.get_absolute_url())

    services.post_reply(other_org_member, thread, body="The draft is due in May.")

    newest = ThreadEvent.objects.filter(thread=thread).order_by("-pk").values_list("pk", flat=True).first()
    assert f'data-last-event="{newest}"' in client.get(thread.get_absolute_url()).content.decode()


def test_a_new_reply_moves_the_last_page_on_the_next_request(client_for, member, other_org_member, thread, settings):
    from forum.queries import REPLIES_PER_PAGE

    settings.FORUM_POSTS_PER_WINDOW = 1000
    for n in range(REPLIES_PER_PAGE):
        services.post_reply(other_org_member, thread, body=f"Answer {n}")
    client = client_for(member)
    assert "Page 2 of 2" not in client.get(thread.get_absolute_url()).content.decode()

    services.post_reply(other_org_member, thread, body="One more answer")

    assert "Page 2 of 2" in client.get(thread.get_absolute_url()).content.decode()


# --- the page's main column, kept per change to the thread and per kind of viewer (forum.queries.thread_main) ---

def test_question_edit_link_is_not_shown_to_another_member_after_the_asker_viewed(client_for, member, other_org_member, thread):
    edit = f'href="/forum/threads/{thread.pk}/edit/"'
    assert edit in client_for(member).get(thread.get_absolute_url()).content.decode()

    assert edit not in client_for(other_org_member).get(thread.get_absolute_url()).content.decode()


def test_moderator_tools_are_not_shown_to_a_member_after_a_moderator_viewed(client_for, moderator, other_org_member, thread):
    assert "Hide the thread" in client_for(moderator).get(thread.get_absolute_url()).content.decode()

    assert "Hide the thread" not in client_for(other_org_member).get(thread.get_absolute_url()).content.decode()


def test_watch_button_follows_each_viewers_own_subscription(client_for, make_member, other_org_member, thread):
    not_watching = make_member()
    services.subscribe(other_org_member, thread=thread)
    assert "Stop watching this thread" in client_for(other_org_member).get(thread.get_absolute_url()).content.decode()

    page = client_for(not_watching).get(thread.get_absolute_url()).content.decode()

    assert "Stop watching this thread" not in page and "Watch this thread" in page


def test_watch_button_changes_on_the_next_request_after_subscribing(client_for, other_org_member, thread):
    client = client_for(other_org_member)
    assert "Stop watching this thread" not in client.get(thread.get_absolute_url()).content.decode()

    services.subscribe(other_org_member, thread=thread)

    assert "Stop watching this thread" in client.get(thread.get_absolute_url()).content.decode()


def test_edited_question_shows_on_the_next_request(client_for, member, other_org_member, thread):
    client = client_for(other_org_member)
    client.get(thread.get_absolute_url())

    services.edit_post(member, thread, body="Is the draft Procurement Guide out before April?")

    assert "out before April" in client.get(thread.get_absolute_url()).content.decode()


def test_move_form_offers_a_board_added_since_the_last_view(client_for, moderator, thread, boards):
    from forum.models import Board

    client = client_for(moderator)
    client.get(thread.get_absolute_url())

    Board.objects.create(subsection=boards["clinical"].subsection, name="Prescribing")

    assert "Prescribing" in client.get(thread.get_absolute_url()).content.decode()


def test_every_form_on_a_cached_page_carries_the_viewers_own_csrf_token(member, other_org_member, thread):
    import re

    from django.test import Client

    asker = Client()
    asker.force_login(member.user)
    asker.get(thread.get_absolute_url())  # the main column is now cached, drawn for the asker
    reader = Client(enforce_csrf_checks=True)
    reader.force_login(other_org_member.user)
    page = reader.get(thread.get_absolute_url()).content.decode()
    watch_form = page[page.index(f'action="/forum/threads/{thread.pk}/watch/"'):]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', watch_form).group(1)

    response = reader.post(f"/forum/threads/{thread.pk}/watch/", {"csrfmiddlewaretoken": token})

    assert "forum-csrf-token-placeholder" not in page and response.status_code == 302


def test_quoting_a_reply_shows_the_quote_and_is_not_kept_for_the_next_view(client_for, member, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="The draft is due in May.")
    client = client_for(member)

    quoted = client.get(f"{thread.get_absolute_url()}?quote={reply.pk}").content.decode()

    assert "Quoting Oliver Grant" in quoted
    assert "Quoting Oliver Grant" not in client.get(thread.get_absolute_url()).content.decode()


def test_rendered_thread_page_for_its_author_makes_a_fixed_number_of_queries(client_for, member, other_org_member, board, work,
                                                                              django_assert_max_num_queries):
    """Nothing cached (every fragment forgotten): the same ceiling at 10 and at 1,000 replies, on the last page."""
    from portal.core import fragments

    small = services.post_thread(member, board, title="Small", body="How do you triage?")
    large = services.post_thread(member, board, title="Large", body="How do you triage?")
    for thread, count in ((small, 10), (large, 1000)):
        Reply.objects.bulk_create([Reply(thread=thread, author=other_org_member, body=f"Answer {n}", body_html=f"<p>Answer {n}</p>")
                                   for n in range(count)])
    client = client_for(member)
    client.get(small.get_absolute_url())  # first-use lookups (content types, site root) are not the page's

    for url in (small.get_absolute_url(), large.get_absolute_url() + "?page=40"):
        fragments.forget_all()
        # user, member, thread (with board and author), its reply rows (the count and the page from one read), watching,
        # its tags, its files, the viewer's organisation, the replies with authors and quotes, their files, the last event,
        # work to tag, similar work (statistics, ranking, still visible), guidance: 18 (19 when the count and the page's
        # rows were read apart)
        with django_assert_max_num_queries(18):
            response = client.get(url)
        assert response.status_code == 200


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_tag_list_reads_the_first_work_by_title_without_sorting_it_all(thread, member, region, service_areas):
    """The title index (redesign 0003): at 5,000 entries sorting them all for the first 200 took 14 ms of the database's time."""
    from redesign.connections import entries_for_thread_choice
    from redesign.models import MatrixEntry

    MatrixEntry.objects.bulk_create(
        [MatrixEntry(organisation=region["cluster"], service_area=service_areas["Dermatology"], title=f"Work {n:05d}")
         for n in range(3000)],
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE redesign_matrixentry")

    plan = entries_for_thread_choice(thread, member.user).explain()

    assert "redesign_matrixentry_title" in plan
