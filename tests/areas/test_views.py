"""The "Service areas I follow" page and movement notifications in the member's list."""
from __future__ import annotations

from directory.areas.models import ServiceAreaWatch
from forum.services import post_thread
from portal.core.roles import Role


def test_page_lists_followed_and_other_areas(client_for, member, service_areas, follow):
    follow(member, service_areas["Dermatology"])

    response = client_for(member).get("/areas/following/")

    assert response.status_code == 200
    assert [r["area"].name for r in response.context["following"]] == ["Dermatology"]
    assert "Musculoskeletal" in [r["area"].name for r in response.context["not_following"]]


def test_stop_following_from_the_page_is_kept(client_for, member, service_areas, follow):
    follow(member, service_areas["Dermatology"])
    client = client_for(member)

    response = client.post("/areas/following/dermatology/stop/")

    assert response.status_code == 302
    assert not ServiceAreaWatch.objects.get(member=member, service_area=service_areas["Dermatology"]).is_active


def test_follow_from_the_page_with_a_digest_choice(client_for, member, service_areas):
    client_for(member).post("/areas/following/copd/follow/", {"digest": "daily"})

    watch = ServiceAreaWatch.objects.get(member=member, service_area=service_areas["COPD"])
    assert watch.is_active and watch.digest == "daily"


def test_following_needs_a_post(client_for, member, service_areas):
    assert client_for(member).get("/areas/following/copd/follow/").status_code == 405


def test_recent_movements_leave_out_what_the_member_may_not_see(client_for, make_member, other_org_member, boards, service_areas, follow,
                                                                django_capture_on_commit_callbacks):
    follow(other_org_member, service_areas["Dermatology"])
    asker = make_member(roles=[Role.MEMBER, Role.MODERATOR])
    with django_capture_on_commit_callbacks(execute=True):
        post_thread(asker, boards["moderators"], title="Moderators only", body="x", service_areas=[service_areas["Dermatology"]])
        post_thread(asker, boards["clinical"], title="Eczema pathway", body="x", service_areas=[service_areas["Dermatology"]])

    response = client_for(other_org_member).get("/areas/following/")

    assert [m.text for m in response.context["recent"]] == ["New question on Clinical pathways: Eczema pathway"]


def test_movement_notifications_appear_in_the_notifications_list(client_for, member, other_org_member, boards, service_areas, follow,
                                                                 django_capture_on_commit_callbacks):
    follow(other_org_member, service_areas["COPD"])
    with django_capture_on_commit_callbacks(execute=True):
        thread = post_thread(member, boards["clinical"], title="Home oxygen reviews", body="x", service_areas=[service_areas["COPD"]])

    html = client_for(other_org_member).get("/forum/notifications/").content.decode()

    assert f'<a href="{thread.get_absolute_url()}">New question on Clinical pathways: Home oxygen reviews</a>' in html


def test_following_page_is_for_members_only(client, client_for, make_member, region):
    assert client.get("/areas/following/").status_code == 302
    assert client_for(make_member(status="pending")).get("/areas/following/").status_code == 403


def test_demo_records_past_movements_once_without_notifying(db):
    from django.core.management import call_command

    from directory.areas.models import Movement
    from portal.core.notifications import Notification

    call_command("demo", verbosity=0)
    movements = Movement.objects.count()
    call_command("demo", verbosity=0)

    assert movements > 0 and Movement.objects.count() == movements
    # Past work and questions are history, marked as told; only the demo's case studies (published through
    # Wagtail, so announced by the publish signal after commit) are news.
    history = Movement.objects.exclude(kind=Movement.Kind.CASE_STUDY)
    assert history.exists() and not history.filter(notified_at__isnull=True).exists()
    assert not Notification.objects.filter(kind=Notification.Kind.MOVEMENT).exclude(movement__kind=Movement.Kind.CASE_STUDY).exists()


def test_areas_page_lists_every_service_area_and_which_the_member_follows(client_for, member, service_areas, follow):
    follow(member, service_areas["Dermatology"])

    response = client_for(member).get("/areas/")

    assert response.status_code == 200
    rows = {row["area"].name: row["is_followed"] for row in response.context["rows"]}
    assert rows["Dermatology"] is True and rows["COPD"] is False
    assert set(rows) == {area.name for area in service_areas.values()}
    assert b'href="/areas/following/"' in response.content and b'href="/areas/expertise/"' in response.content


def test_areas_page_asks_visitors_to_sign_in(client, service_areas):
    response = client.get("/areas/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/areas/")
