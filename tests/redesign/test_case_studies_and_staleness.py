"""Case studies by audience, home items, and reminders about stale work."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from redesign.models import Audience, CaseStudyIndexPage, CaseStudyPage, MatrixEntry, Stage


@pytest.fixture
def case_studies(db, region):
    from wagtail.models import Page

    root = Page.get_first_root_node().get_children().first()
    index = CaseStudyIndexPage(title="Case studies", slug="case-studies")
    root.add_child(instance=index)
    pages = {}
    for title, audience in [("Integrated teams: Bexley", Audience.PUBLIC), ("Integrated commissioning: Torbay", Audience.MEMBERS)]:
        page = CaseStudyPage(title=title, slug=title.split(": ")[1].lower(), audience=audience, summary=title,
                             problem="<p>A problem</p>", organisation=region["pct"])
        index.add_child(instance=page)
        page.save_revision().publish()
        pages[audience] = page
    return index, pages


def test_anonymous_sees_only_public_case_studies_in_the_list(client, case_studies):
    index, pages = case_studies
    response = client.get(index.url)
    titles = [p.title for p in response.context["case_studies"]]
    assert titles == ["Integrated teams: Bexley"]


def test_anonymous_cannot_open_members_only_case_study(client, case_studies):
    _, pages = case_studies
    assert client.get(pages[Audience.PUBLIC].url).status_code == 200
    response = client.get(pages[Audience.MEMBERS].url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_member_sees_all_case_studies(client_for, member, case_studies):
    index, pages = case_studies
    client = client_for(member)
    assert len(client.get(index.url).context["case_studies"]) == 2
    assert client.get(pages[Audience.MEMBERS].url).status_code == 200


def test_home_items_respect_audience(case_studies, member, django_assert_max_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from redesign.home import home_items

    assert [i.title for i in home_items(AnonymousUser(), 4)] == ["Integrated teams: Bexley"]
    user = type(member.user).objects.get(pk=member.user.pk)
    with django_assert_max_num_queries(4):
        assert len(home_items(user, 4)) == 2


LONDON = ZoneInfo("Europe/London")


def test_reminder_emails_leads_of_stale_work_once(make_entry, member, other_org_member, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2008, 1, 10, 9, 0, tzinfo=LONDON)):
        stale = make_entry(title="Forgotten dermatology work", leads=[member, other_org_member])
        make_entry(title="Finished work", stage=Stage.EVALUATED, leads=[member])
    with time_machine.travel(datetime(2008, 2, 1, 9, 0, tzinfo=LONDON)):
        make_entry(title="Recent work", leads=[member])
    with time_machine.travel(datetime(2008, 4, 20, 9, 0, tzinfo=LONDON)):  # 101 days later
        with django_capture_on_commit_callbacks(execute=True):
            call_command("remind_stale_entries")
        assert sorted(m.to[0] for m in mail.outbox) == sorted([member.user.email, other_org_member.user.email])
        assert "Forgotten dermatology work" in mail.outbox[0].body
        assert "Recent work" not in mail.outbox[0].body and "Finished work" not in mail.outbox[0].body
        assert f"http://testserver/redesign/entries/{stale.pk}/" in mail.outbox[0].body
        with django_capture_on_commit_callbacks(execute=True):
            call_command("remind_stale_entries")
        assert len(mail.outbox) == 2  # not again the same day


def test_no_reminder_before_90_days(make_entry, member, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2008, 1, 10, 9, 0, tzinfo=LONDON)):
        make_entry(leads=[member])
    with time_machine.travel(datetime(2008, 1, 10, 9, 0, tzinfo=LONDON) + timedelta(days=89)):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("remind_stale_entries")
    assert mail.outbox == []


def test_case_study_list_runs_the_same_queries_with_2_and_8_studies(client_for, member, case_studies, region, service_areas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    index, _ = case_studies
    client = client_for(member)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(index.url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    client.get(index.url)  # warm the session and the site's root paths
    at_2 = queries()
    for n in range(6):
        page = CaseStudyPage(title=f"Study {n}", slug=f"study-{n}", audience=Audience.MEMBERS, summary="Summary",
                             organisation=region["practice"], service_area=service_areas["Diabetes"])
        index.add_child(instance=page)
        page.save_revision().publish()
    at_8 = queries()
    assert at_2 == at_8 == PINNED_CASE_STUDY_LIST_QUERIES


# User with the member row (one query); Wagtail's site lookup, routing, view restrictions and the breadcrumbs' ancestors (7);
# the case studies (the session and the viewer's roles and permissions come from the cache: portal/core/permissions.py).
PINNED_CASE_STUDY_LIST_QUERIES = 9
