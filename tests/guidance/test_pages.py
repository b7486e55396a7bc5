"""Guidance pages, the index and its filters, audiences, superseded guidance and the links library."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from portal.guidance import services
from portal.guidance.home import home_items
from portal.guidance.models import GuidancePage, Link
from portal.guidance.searchable import GuidanceSearchable


def test_anonymous_visitor_is_sent_to_sign_in_for_members_only_guidance(make_guidance, client):
    page = make_guidance(title="Freed-up resources", audience="members")

    response = client.get(page.url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_member_reads_members_only_guidance(make_guidance, member, client_for):
    page = make_guidance(title="Freed-up resources", audience="members")

    response = client_for(member).get(page.url)

    assert response.status_code == 200
    assert b"Freed-up resources" in response.content


def test_pending_member_cannot_read_members_only_guidance(make_guidance, make_member, client_for):
    page = make_guidance(title="Freed-up resources", audience="members")
    pending = make_member(status="pending")

    response = client_for(pending).get(page.url)

    assert response.status_code == 302


def test_anonymous_visitor_reads_public_guidance(make_guidance, client):
    page = make_guidance(title="World Class Commissioning")

    response = client.get(page.url)

    assert response.status_code == 200


def test_index_hides_members_only_guidance_from_anonymous_visitors(make_guidance, guidance_index, client):
    make_guidance(title="Public briefing")
    make_guidance(title="Members briefing", audience="members")

    content = client.get(guidance_index.url).content.decode()

    assert "Public briefing" in content
    assert "Members briefing" not in content


def test_superseded_guidance_shows_warning_linking_the_current_one(make_guidance, client):
    old = make_guidance(title="PbC responsibilities (2006)")
    new = make_guidance(title="PbC responsibilities")
    services.supersede_guidance(old, new)

    content = client.get(old.url).content.decode()

    assert "nhsuk-warning-callout" in content
    assert "This guidance has been replaced" in content
    assert f'href="{new.url}"' in content


def test_current_guidance_shows_no_superseded_warning(make_guidance, client):
    page = make_guidance(title="PbC responsibilities")

    assert "This guidance has been replaced" not in client.get(page.url).content.decode()


def test_superseded_guidance_leaves_the_default_listing(make_guidance, guidance_index, client):
    old = make_guidance(title="PbC responsibilities (2006)")
    new = make_guidance(title="PbC responsibilities now")
    services.supersede_guidance(old, new)

    default = client.get(guidance_index.url).content.decode()
    with_old = client.get(guidance_index.url, {"include_superseded": "on"}).content.decode()

    assert "PbC responsibilities (2006)" not in default
    assert "PbC responsibilities now" in default
    assert "PbC responsibilities (2006)" in with_old


def test_sha_editor_cannot_supersede_by_publishing_directly(make_guidance, sha_editor):
    old = make_guidance(title="Old")
    new = make_guidance(title="New")

    with pytest.raises(services.SupersedeRefused):
        services.supersede_guidance(old, new, sha_editor.user)


def test_superseded_guidance_is_down_ranked_in_search(make_guidance):
    old = make_guidance(title="PbC responsibilities (2006)")
    new = make_guidance(title="PbC responsibilities")
    services.supersede_guidance(old, new)

    old_doc = GuidanceSearchable().to_document(GuidancePage.objects.get(pk=old.pk))
    new_doc = GuidanceSearchable().to_document(GuidancePage.objects.get(pk=new.pk))

    assert old_doc.extra["superseded"] is True
    assert new_doc.extra["superseded"] is False
    assert old_doc.extra["boost"] < new_doc.extra["boost"]


def test_search_document_carries_audience_and_topics(make_guidance, service_areas):
    page = make_guidance(title="Incentive schemes", audience="members", topics=[service_areas["Prescribing"]])

    doc = GuidanceSearchable().to_document(GuidancePage.objects.get(pk=page.pk))

    assert doc.audience == "members"
    assert doc.service_areas == ("Prescribing",)
    assert doc.kind == "guidance"


def test_draft_guidance_is_not_searchable(make_guidance):
    page = make_guidance(title="Draft", live=False)

    assert GuidanceSearchable().to_document(GuidancePage.objects.get(pk=page.pk)) is None


def test_index_filters_by_topic(make_guidance, guidance_index, service_areas, client):
    make_guidance(title="Dermatology pathway", topics=[service_areas["Dermatology"]])
    make_guidance(title="Prescribing incentives", topics=[service_areas["Prescribing"]])

    content = client.get(guidance_index.url, {"topic": service_areas["Dermatology"].slug}).content.decode()

    assert "Dermatology pathway" in content
    assert "Prescribing incentives" not in content


def test_index_filters_by_audience(make_guidance, guidance_index, member, client_for):
    make_guidance(title="Public briefing")
    make_guidance(title="Members briefing", audience="members")

    content = client_for(member).get(guidance_index.url, {"audience": "members"}).content.decode()

    assert "Members briefing" in content
    assert "Public briefing" not in content


def test_index_filters_by_date_updated(make_guidance, guidance_index, client):
    with time_machine.travel(timezone.now() - dt.timedelta(days=200), tick=False):
        make_guidance(title="Older briefing")
    make_guidance(title="Fresh briefing")

    content = client.get(guidance_index.url, {"updated": "30"}).content.decode()

    assert "Fresh briefing" in content
    assert "Older briefing" not in content


def test_what_changed_recently_lists_change_notes_newest_first(make_guidance, guidance_index, client):
    with time_machine.travel(timezone.now() - dt.timedelta(days=3), tick=False):
        make_guidance(title="World Class Commissioning", change_note="Procurement guide added.")
    make_guidance(title="Incentive schemes", change_note="70% reinvestment rule clarified.")

    content = client.get(guidance_index.url).content.decode()
    recent = content[content.index("What changed recently"):]

    assert recent.index("70% reinvestment rule clarified.") < recent.index("Procurement guide added.")


def _index_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm Wagtail's site-root cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_index_query_count_does_not_grow_with_guidance(make_guidance, guidance_index, service_areas, member, client_for):
    client = client_for(member)
    topics = [service_areas["Dermatology"], service_areas["COPD"]]
    for n in range(2):
        make_guidance(title=f"Briefing {n}", topics=topics, change_note=f"Change {n}")
    small = _index_queries(client, guidance_index.url)
    for n in range(2, 12):
        make_guidance(title=f"Briefing {n}", topics=topics, change_note=f"Change {n}")

    large = _index_queries(client, guidance_index.url)

    assert small == large
    assert large <= 20


def test_home_items_show_members_only_guidance_to_members_only(make_guidance, member):
    from django.contrib.auth.models import AnonymousUser

    make_guidance(title="Public briefing")
    make_guidance(title="Members briefing", audience="members")

    assert [i.title for i in home_items(AnonymousUser(), 4)] == ["Public briefing"]
    assert {i.title for i in home_items(member.user, 4)} == {"Public briefing", "Members briefing"}


def test_home_items_leave_out_superseded_guidance(make_guidance):
    from django.contrib.auth.models import AnonymousUser

    old = make_guidance(title="Old")
    new = make_guidance(title="New")
    services.supersede_guidance(old, new)

    assert [i.title for i in home_items(AnonymousUser(), 4)] == ["New"]


def test_links_library_lists_links_by_category(guidance_index, client):
    Link.objects.create(title="NICE guidance", url="https://www.nice.org.uk/guidance", category="nice",
                        description="National clinical guidelines.")
    Link.objects.create(title="World Class Commissioning", url="https://example.org/wcc", category="dh")

    content = client.get(guidance_index.url + "links/").content.decode()

    assert "NICE guidance" in content
    assert "National clinical guidelines." in content
    assert "Department of Health" in content
    assert content.count("<h1") == 1


def test_home_items_cost_the_same_queries_at_two_sizes(make_guidance, service_areas, member, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    topics = [service_areas["Dermatology"], service_areas["COPD"]]
    make_guidance(title="One", topics=topics)
    home_items(member.user, 4)  # warm Wagtail's site-root cache
    with CaptureQueriesContext(connection) as small:
        home_items(member.user, 4)
    for n in range(6):
        make_guidance(title=f"More {n}", topics=topics)

    with CaptureQueriesContext(connection) as large:
        items = home_items(member.user, 4)

    assert len(items) == 4
    assert len(small) == len(large) <= 4
