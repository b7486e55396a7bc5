"""One record per piece of work: templates, case studies, threads and events linked to an entry, shown both ways."""
from __future__ import annotations

import pytest

from redesign import services
from redesign.models import EntryChange, Template
from tests.events.conftest import events_index, make_event  # noqa: F401 - fixtures
from tests.redesign.conftest import docx_bytes, upload


@pytest.fixture
def entry(make_entry, cluster_lead):
    return make_entry(title="Community dermatology service", leads=[cluster_lead])


@pytest.fixture
def specification(network_admin, service_areas):
    return services.create_template(
        actor=network_admin.user, title="Dermatology service specification", kind=Template.Kind.SERVICE_SPECIFICATION,
        upload=upload("spec.docx", docx_bytes("v1")), service_area=service_areas["Dermatology"],
    )


@pytest.fixture
def dermatology_thread(member, service_areas):
    from forum.models import Board, Subsection
    from forum.services import post_thread

    board = Board.objects.create(subsection=Subsection.objects.create(name="Clinical", position=1), name="Clinical pathways")
    return post_thread(member, board, title="Who has a dermatology specification?", body="We are starting GPwSI dermatology.",
                       service_areas=[service_areas["Dermatology"]])


@pytest.fixture
def case_study(db):
    from redesign.models import CaseStudyIndexPage, CaseStudyPage
    from portal.site.models import HomePage

    index = CaseStudyIndexPage(title="Case studies", slug="case-studies")
    HomePage.objects.first().add_child(instance=index)
    page = CaseStudyPage(title="GPwSI dermatology in Colchester", slug="gpwsi-dermatology", summary="Waits down to 4 weeks.")
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_linked_template_shows_on_the_entry_and_the_entry_on_the_template(client_for, cluster_lead, member, entry, specification):
    assert services.link_to_entry(entry, specification, actor=cluster_lead.user) is True

    client = client_for(member)
    entry_page = client.get(entry.get_absolute_url()).content.decode()
    template_page = client.get(specification.get_absolute_url()).content.decode()

    assert "Dermatology service specification" in entry_page and "Version 1" in entry_page
    assert "Re-design work using this template" in template_page and entry.get_absolute_url() in template_page


def test_linked_thread_shows_on_both_pages(client_for, cluster_lead, member, entry, dermatology_thread):
    services.link_to_entry(entry, dermatology_thread, actor=cluster_lead.user)

    client = client_for(member)

    assert dermatology_thread.get_absolute_url() in client.get(entry.get_absolute_url()).content.decode()
    thread_page = client.get(dermatology_thread.get_absolute_url()).content.decode()
    assert "Re-design work this thread is about" in thread_page and entry.get_absolute_url() in thread_page


def test_linked_event_shows_on_both_pages(client_for, cluster_lead, member, entry, make_event):
    event = make_event(title="Writing a dermatology business case")
    services.link_to_entry(entry, event, actor=cluster_lead.user)

    client = client_for(member)

    assert "Writing a dermatology business case" in client.get(entry.get_absolute_url()).content.decode()
    assert entry.get_absolute_url() in client.get(event.url).content.decode()


def test_linked_case_study_shows_on_both_pages(client_for, cluster_lead, member, entry, case_study):
    services.link_to_entry(entry, case_study, actor=cluster_lead.user)

    client = client_for(member)

    assert case_study.url in client.get(entry.get_absolute_url()).content.decode()
    assert entry.get_absolute_url() in client.get(case_study.url).content.decode()


def test_unlinking_removes_the_link_from_both_pages_and_records_it(client_for, cluster_lead, member, entry, specification):
    services.link_to_entry(entry, specification, actor=cluster_lead.user)
    services.unlink_from_entry(entry, specification, actor=cluster_lead.user)

    client = client_for(member)

    assert 'class="redesign-linked-template"' not in client.get(entry.get_absolute_url()).content.decode()
    assert entry.get_absolute_url() not in client.get(specification.get_absolute_url()).content.decode()
    actions = list(EntryChange.objects.filter(entry=entry).values_list("action", flat=True))
    assert actions[:2] == ["redesign.entry.unlinked", "redesign.entry.linked"]


def test_renaming_the_entry_shows_the_new_title_on_the_linked_page(client_for, cluster_lead, member, entry, specification):
    services.link_to_entry(entry, specification, actor=cluster_lead.user)

    services.update_entry(entry, actor=cluster_lead.user, title="GPwSI dermatology clinic")

    assert "GPwSI dermatology clinic" in client_for(member).get(specification.get_absolute_url()).content.decode()


def test_linking_twice_changes_nothing(cluster_lead, entry, specification):
    services.link_to_entry(entry, specification, actor=cluster_lead.user)

    assert services.link_to_entry(entry, specification, actor=cluster_lead.user) is False
    assert EntryChange.objects.filter(entry=entry, action="redesign.entry.linked").count() == 1


def test_member_of_another_organisation_cannot_link_to_the_entry(other_org_member, entry, specification):
    with pytest.raises(services.NotAllowed):
        services.link_to_entry(entry, specification, actor=other_org_member.user)


def test_thread_author_can_tag_their_own_thread_to_any_work(client_for, member, entry, dermatology_thread):
    response = client_for(member).post("/redesign/links/", {
        "entry": entry.pk, "kind": "thread", "pk": dermatology_thread.pk, "back": "item",
    })

    assert response.status_code == 302 and response["Location"] == dermatology_thread.get_absolute_url()
    assert list(entry.threads.all()) == [dermatology_thread]


def test_someone_else_cannot_tag_a_thread_through_the_link_view(client_for, other_org_member, entry, dermatology_thread):
    response = client_for(other_org_member).post("/redesign/links/", {"entry": entry.pk, "kind": "thread", "pk": dermatology_thread.pk})

    assert response.status_code == 403
    assert not entry.threads.exists()


def test_thread_on_the_moderators_board_does_not_leak_onto_the_entry(client_for, cluster_lead, member, moderator, entry):
    from forum.models import Board, Subsection
    from forum.services import post_thread

    room = Board.objects.create(subsection=Subsection.objects.create(name="Management", position=2), name="Moderators' room",
                                audience=Board.Audience.MODERATORS)
    secret = post_thread(moderator, room, title="Complaint about the dermatology lead", body="Private.")
    entry.threads.add(secret)

    assert "Complaint about the dermatology lead" not in client_for(member).get(entry.get_absolute_url()).content.decode()
    assert "Complaint about the dermatology lead" in client_for(moderator).get(entry.get_absolute_url()).content.decode()


def test_draft_event_does_not_show_on_the_entry(client_for, member, entry, make_event):
    event = make_event(title="Unpublished dermatology course")
    event.unpublish()
    entry.events.add(event)

    assert "Unpublished dermatology course" not in client_for(member).get(entry.get_absolute_url()).content.decode()


def test_public_template_page_shows_no_matrix_entries_to_visitors(client, network_admin, cluster_lead, entry):
    public = services.create_template(actor=network_admin.user, title="Public evaluation framework", kind=Template.Kind.EVALUATION,
                                      upload=upload("e.docx", docx_bytes()), audience="public")
    services.link_to_entry(entry, public, actor=cluster_lead.user)

    page = client.get(public.get_absolute_url()).content.decode()

    assert page.count("Public evaluation framework") >= 1 and entry.title not in page


def test_members_only_template_is_not_listed_to_a_visitor_through_the_entry(cluster_lead, entry, specification):
    from django.contrib.auth.models import AnonymousUser

    from redesign.connections import linked_templates

    services.link_to_entry(entry, specification, actor=cluster_lead.user)

    assert list(linked_templates(entry, AnonymousUser())) == []
    assert list(linked_templates(entry, cluster_lead.user)) == [specification]


def _link_many(entry, cluster_lead, network_admin, make_event, count):
    from forum.models import Board, Subsection
    from forum.services import post_thread

    board = Board.objects.get_or_create(subsection=Subsection.objects.get_or_create(name="Clinical", position=1)[0], name="Clinical")[0]
    for n in range(count):
        template = services.create_template(actor=network_admin.user, title=f"Spec {entry.pk}-{n}", kind=Template.Kind.EVALUATION,
                                            upload=upload("e.docx", docx_bytes()))
        services.link_to_entry(entry, template, actor=cluster_lead.user)
        services.link_to_entry(entry, make_event(title=f"Course {n}"), actor=cluster_lead.user)
        thread = post_thread(cluster_lead, board, title=f"Question {entry.pk}-{n}", body="About dermatology.")
        services.link_to_entry(entry, thread, actor=cluster_lead.user)


@pytest.mark.parametrize("links", [1, 4])
def test_entry_record_page_query_count_does_not_grow_with_links(client_for, django_assert_num_queries, cluster_lead, network_admin,
                                                                 member, entry, make_event, settings, links,
                                                                 django_capture_on_commit_callbacks):
    from search.services import refresh_entry

    settings.FORUM_POSTS_PER_WINDOW = 1000
    with django_capture_on_commit_callbacks(execute=True):  # everything indexed, so "similar work" runs its full query
        _link_many(entry, cluster_lead, network_admin, make_event, links)
        refresh_entry("matrix_entry", str(entry.pk))
    client = client_for(member)
    client.get(entry.get_absolute_url())  # warm the session and content types, and rank similar work (kept up to ten minutes)

    with django_assert_num_queries(QUERIES_ON_ENTRY_PAGE):
        response = client.get(entry.get_absolute_url())

    assert response.status_code == 200


# Similar work comes ranked from the cache; only the check of what the viewer may see runs (no longer in a savepoint of
# its own: 20 before that).  The session and the viewer's roles and permissions come from the cache too
# (portal/core/permissions.py): 24 before that.  The viewer's member row comes with the user (one query, not two).
QUERIES_ON_ENTRY_PAGE = 17
