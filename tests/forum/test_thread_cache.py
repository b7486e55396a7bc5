"""A thread's replies are rendered once per change and kept in the cache; the buttons stay per viewer."""
from __future__ import annotations

import pytest
from django.urls import reverse

from forum import services
from forum.models import Reply

pytestmark = pytest.mark.django_db


def _quietly_rewrite(reply, html: str) -> None:
    """A change no signal reports, so only a cached reply can still show the old text."""
    Reply.objects.filter(pk=reply.pk).update(body_html=html)


def test_replies_come_from_the_cache_until_the_thread_changes(client_for, member, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="First answer")
    client = client_for(member)
    client.get(thread.get_absolute_url())
    _quietly_rewrite(reply, "<p>Rewritten without telling anyone</p>")

    assert "First answer" in client.get(thread.get_absolute_url()).content.decode()


def test_a_new_reply_shows_on_the_next_request(client_for, member, other_org_member, thread):
    services.post_reply(other_org_member, thread, body="First answer")
    client = client_for(member)
    client.get(thread.get_absolute_url())

    services.post_reply(other_org_member, thread, body="Second answer")

    assert "Second answer" in client.get(thread.get_absolute_url()).content.decode()


def test_an_edited_reply_shows_on_the_next_request(client_for, member, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="First answer")
    client = client_for(member)
    client.get(thread.get_absolute_url())

    services.edit_post(other_org_member, reply, body="Corrected answer")

    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Corrected answer" in page and "First answer" not in page


def test_a_hidden_reply_is_hidden_on_the_next_request(client_for, member, moderator, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="Rude words")
    client = client_for(member)
    assert "Rude words" in client.get(thread.get_absolute_url()).content.decode()

    services.hide_post(moderator, reply)

    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Rude words" not in page and "hidden by a moderator" in page


def test_an_accepted_answer_is_marked_on_the_next_request(client_for, member, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="First answer")
    client = client_for(member)
    client.get(thread.get_absolute_url())

    services.accept_answer(member, reply)

    assert "Accepted answer" in client.get(thread.get_absolute_url()).content.decode()


def test_a_renamed_author_shows_on_the_next_request(client_for, member, other_org_member, thread):
    services.post_reply(other_org_member, thread, body="First answer")
    client = client_for(member)
    client.get(thread.get_absolute_url())
    user = other_org_member.user

    user.first_name = "Olivia"
    user.save()

    assert "Olivia Grant" in client.get(thread.get_absolute_url()).content.decode()


def test_a_member_never_gets_the_moderators_buttons_from_a_cached_page(client_for, member, moderator, other_org_member, thread):
    services.post_reply(other_org_member, thread, body="First answer")
    assert "Hide<span" in client_for(moderator).get(thread.get_absolute_url()).content.decode()

    page = client_for(member).get(thread.get_absolute_url()).content.decode()

    assert "First answer" in page
    assert "Hide<span" not in page


def test_only_the_author_gets_the_edit_link_on_a_cached_reply(client_for, member, other_org_member, thread):
    reply = services.post_reply(other_org_member, thread, body="First answer")
    edit_url = reverse("forum:edit_reply", args=[reply.pk])
    assert edit_url in client_for(other_org_member).get(thread.get_absolute_url()).content.decode()

    assert edit_url not in client_for(member).get(thread.get_absolute_url()).content.decode()


def test_thread_page_still_answers_with_redis_down(client_for, member, other_org_member, thread, settings):
    settings.CACHES = {"default": {"BACKEND": "portal.core.cache.TolerantRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    services.post_reply(other_org_member, thread, body="First answer")

    assert "First answer" in client_for(member).get(thread.get_absolute_url()).content.decode()


def test_the_thread_author_may_tag_it_with_work_named_with_its_organisation(client_for, member, thread, region, service_areas):
    from redesign.models import MatrixEntry

    entry = MatrixEntry.objects.create(organisation=region["cluster"], service_area=service_areas["Dermatology"],
                                       title="Community dermatology service")

    page = client_for(member).get(thread.get_absolute_url()).content.decode()

    assert f'<option value="{entry.pk}">Community dermatology service ({region["cluster"].name})</option>' in page


def test_a_profile_edit_moves_on_only_the_threads_the_member_wrote_in(member, other_org_member, thread, board):
    from forum.services import post_thread
    from forum.signals import thread_replies
    from portal.core import fragments

    elsewhere = post_thread(other_org_member, board, title="Who runs the diabetes clinic?", body="Not the first member's.")
    before = {t.pk: fragments.generation(thread_replies(t.pk)) for t in (thread, elsewhere)}

    member.job_title = "Cluster lead GP"
    member.save()

    assert fragments.generation(thread_replies(thread.pk)) != before[thread.pk]
    assert fragments.generation(thread_replies(elsewhere.pk)) == before[elsewhere.pk]


def test_a_reply_leaves_the_anonymous_page_cache_alone(member, other_org_member, thread):
    from forum.services import post_reply
    from portal.core.page_cache import _generation

    before = _generation()

    post_reply(other_org_member, thread, body="We run it weekly.")

    assert _generation() == before


def test_a_write_to_the_search_index_leaves_the_threads_cached_column_alone(client_for, member, other_org_member, thread):
    from search.backends.database import DatabaseBackend
    from search.registry import SearchDocument

    reply = services.post_reply(other_org_member, thread, body="First answer")
    client = client_for(member)
    client.get(thread.get_absolute_url())
    DatabaseBackend().index_documents([SearchDocument(kind="case_study", pk="77", title="Teledermatology pilot",
                                                      body="Photographs of skin lesions sent by practices.", url="/case-studies/77/")])
    _quietly_rewrite(reply, "<p>Rewritten without telling anyone</p>")

    assert "First answer" in client.get(thread.get_absolute_url()).content.decode()
