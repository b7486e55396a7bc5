"""Calendar pages, booking through the site, administration, training record and certificates."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from events import services
from events.models import Booking

pytestmark = pytest.mark.django_db


def test_anonymous_calendar_shows_public_events_only(client, make_event):
    make_event(audience="public", title="Open seminar")
    make_event(audience="members", title="Members training")
    response = client.get("/events/")
    assert response.status_code == 200
    assert b"Open seminar" in response.content
    assert b"Members training" not in response.content


def test_member_calendar_shows_members_events(client_for, member, make_event):
    make_event(audience="members", title="Members training")
    assert b"Members training" in client_for(member).get("/events/").content


def test_calendar_filters_by_type_and_service_area(client, make_event, service_areas):
    make_event(audience="public", title="Skin webinar", event_type="webinar", service_areas=[service_areas["Dermatology"]])
    make_event(audience="public", title="Back pain course", event_type="training_course", service_areas=[service_areas["Musculoskeletal"]])
    by_type = client.get("/events/?type=webinar").content
    assert b"Skin webinar" in by_type and b"Back pain course" not in by_type
    by_area = client.get("/events/?area=musculoskeletal").content
    assert b"Back pain course" in by_area and b"Skin webinar" not in by_area


def test_past_events_are_listed_separately(client, make_event):
    make_event(audience="public", title="Coming soon", starts_in=timedelta(days=3))
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        upcoming = client.get("/events/").content
        past = client.get("/events/?when=past").content
    assert b"Coming soon" not in upcoming
    assert b"Coming soon" in past


def test_month_grid_places_event_on_its_day(client, make_event):
    event = make_event(audience="public", title="Grid event")
    start = timezone.localtime(event.starts_at)
    response = client.get(f"/events/?view=month&month={start:%Y-%m}")
    assert response.status_code == 200
    assert b"Grid event" in response.content
    assert f"Events in {start:%B %Y}".encode() in response.content
    other = client.get(f"/events/?view=month&month={start.year + 1}-{start.month:02d}").content
    assert b"Grid event" not in other


@pytest.mark.parametrize("view", ["", "?view=month"])
def test_calendar_query_count_does_not_grow_with_events(client_for, member, make_event, service_areas, django_assert_num_queries, view):
    def count_for(n):
        for _ in range(n):
            make_event(service_areas=[service_areas["Diabetes"], service_areas["COPD"]], starts_in=timedelta(days=3))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(f"/events/{view}")  # warm the site's root-path cache, as any running site has
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/events/{view}")
        assert response.status_code == 200 and response.content.count(b"Communication skills") >= n
        return len(captured)

    client = client_for(member)
    small = count_for(2)
    large = count_for(10)
    assert small == large
    with django_assert_num_queries(small):
        client.get(f"/events/{view}")


def test_members_only_event_page_sends_anonymous_visitor_to_sign_in(client, make_event):
    event = make_event(audience="members")
    response = client.get(event.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_member_books_through_the_event_page(client_for, member, make_event, mailoutbox, django_capture_on_commit_callbacks):
    event = make_event(capacity=5)
    client = client_for(member)
    assert b"Book a place" in client.get(event.url).content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.pk}/book/", follow=True)
    assert b"Your place is booked" in response.content
    assert Booking.objects.get(event=event, member=member).status == "confirmed"
    assert len(mailoutbox) == 1
    assert b"Cancel my booking" in client.get(event.url).content


def test_refused_booking_shows_plain_message(client_for, member, make_event):
    event = make_event(booking_closes_at=timezone.now() - timedelta(minutes=5))
    response = client_for(member).post(f"/events/{event.pk}/book/", follow=True)
    assert b"Booking for this event has closed." in response.content
    assert not Booking.objects.exists()


def test_booking_requires_post(client_for, member, make_event):
    event = make_event()
    assert client_for(member).get(f"/events/{event.pk}/book/").status_code == 405


def test_member_cannot_cancel_someone_elses_booking(client_for, member, other_org_member, make_event):
    booking = services.book_place(make_event(), other_org_member)
    assert client_for(member).post(f"/events/bookings/{booking.pk}/cancel/").status_code == 403
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_member_cancels_own_booking(client_for, member, make_event):
    booking = services.book_place(make_event(), member)
    client_for(member).post(f"/events/bookings/{booking.pk}/cancel/")
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"


def test_manage_page_is_for_network_administrators_only(client_for, member, make_event):
    event = make_event()
    assert client_for(member).get(f"/events/manage/{event.pk}/").status_code == 403


def test_admin_sees_waiting_list_in_order(client_for, network_admin, make_event, make_member, region):
    event = make_event(capacity=1)
    first = make_member(first_name="Alpha", organisations=[region["practice"]])
    second = make_member(first_name="Bravo", organisations=[region["other_practice"]])
    third = make_member(first_name="Charlie", organisations=[region["cluster"]])
    for person in (first, second, third):
        services.book_place(event, person)
    content = client_for(network_admin).get(f"/events/manage/{event.pk}/").content.decode()
    waiting = content.split("Waiting list, in order")[1]
    assert waiting.index("Bravo") < waiting.index("Charlie")


def test_admin_books_on_behalf(client_for, network_admin, member, make_event):
    event = make_event()
    client_for(network_admin).post(f"/events/manage/{event.pk}/book/", {"member": member.pk})
    booking = Booking.objects.get(event=event, member=member)
    assert booking.booked_by == network_admin.user


def test_admin_raises_capacity_and_waiting_list_moves_up(client_for, network_admin, member, other_org_member, make_event):
    event = make_event(capacity=1)
    services.book_place(event, member)
    services.book_place(event, other_org_member)
    client_for(network_admin).post(f"/events/manage/{event.pk}/capacity/", {"capacity": "2"})
    assert Booking.objects.get(event=event, member=other_org_member).status == "confirmed"


def test_admin_marks_attendance(client_for, network_admin, member, make_event):
    event = make_event(starts_in=timedelta(days=1))
    booking = services.book_place(event, member)
    client = client_for(network_admin)
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=2)):
        client.post(f"/events/manage/bookings/{booking.pk}/attendance/", {"attended": "yes"})
    assert Booking.objects.get(pk=booking.pk).status == "attended"


def test_admin_emails_attendees(client_for, network_admin, member, make_event, mailoutbox, django_capture_on_commit_callbacks):
    event = make_event()
    services.book_place(event, member)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(network_admin).post(f"/events/manage/{event.pk}/email/", {"subject": "Room change", "message": "Room 2 now."})
    assert [m.to for m in mailoutbox] == [[member.user.email]]
    assert "Room change" in mailoutbox[0].subject


def test_attendee_csv_export(client_for, network_admin, member, other_org_member, make_event):
    event = make_event(capacity=1)
    services.book_place(event, member)
    services.book_place(event, other_org_member)
    response = client_for(network_admin).get(f"/events/manage/{event.pk}/attendees.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Name", "E-mail", "Organisation", "Status"]
    assert rows[1][:4] == ["Fiona Marsh", member.user.email, "Castle Gate Surgery", "Confirmed"]
    assert rows[2][3] == "On the waiting list" and rows[2][5] == "1"


def test_attendee_csv_says_not_recorded_where_the_manage_page_does(client_for, network_admin, member, make_event):
    event = make_event(capacity=5)
    services.book_place(event, member)
    client = client_for(network_admin)

    rows = list(csv.reader(io.StringIO(client.get(f"/events/manage/{event.pk}/attendees.csv").content.decode())))

    assert rows[0][7] == "Attended" and rows[1][7] == "Not recorded"
    assert b"Not recorded" in client.get(f"/events/manage/{event.pk}/").content


def test_attendee_csv_is_refused_to_members(client_for, member, make_event):
    assert client_for(member).get(f"/events/manage/{make_event().pk}/attendees.csv").status_code == 403


def test_training_record_lists_attended_course_with_certificate(client_for, member, make_event):
    event = make_event(title="Team working skills", starts_in=timedelta(days=1))
    booking = services.book_place(event, member)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        services.mark_attendance(booking, True)
        client = client_for(member)
        content = client.get("/events/my-training/").content.decode()
        assert "Team working skills" in content and "Attended" in content
        pdf = client.get(f"/events/bookings/{booking.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Certificate of attendance" in text and "Fiona Marsh" in text and "Team working skills" in text


def test_no_certificate_without_attendance(client_for, member, make_event):
    booking = services.book_place(make_event(), member)
    assert client_for(member).get(f"/events/bookings/{booking.pk}/certificate.pdf").status_code == 404


def test_certificate_of_another_member_is_refused(client_for, member, other_org_member, make_event):
    booking = services.book_place(make_event(), other_org_member)
    assert client_for(member).get(f"/events/bookings/{booking.pk}/certificate.pdf").status_code == 403


def test_home_items_show_only_events_the_viewer_may_see(make_event, member, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from events.home import home_items

    make_event(audience="public", title="Public one")
    make_event(audience="members", title="Members one")
    assert [i.title for i in home_items(AnonymousUser(), 4)] == ["Public one"]
    with django_assert_num_queries(1):
        titles = [i.title for i in home_items(member.user, 4)]
    assert set(titles) == {"Public one", "Members one"}
    for _ in range(4):
        make_event(audience="members")
    with django_assert_num_queries(1):
        assert len(home_items(member.user, 4)) == 4


def test_reminder_command_sends_reminders(make_event, member, mailoutbox, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    services.book_place(make_event(starts_in=timedelta(days=1)), member)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_event_reminders", "--days", "2", stdout=io.StringIO())
    assert len(mailoutbox) == 1 and "Reminder" in mailoutbox[0].subject


def test_demo_builds_seed_events_and_is_idempotent(db, roles):
    from portal.site.demo import build_region
    from events import demo
    from events.models import EventPage

    region = build_region()
    demo.build(region)
    demo.build(region)
    assert EventPage.objects.filter(slug="chilford-hall-workshop-2008", materials__isnull=False).exists()
    course = EventPage.objects.get(slug="lmc-2006-communication-skills")
    assert course.capacity == 10 and course.organisation_limit == 1
    assert timezone.localtime(course.starts_at).strftime("%H:%M") == "12:30"
    assert EventPage.objects.upcoming().filter(event_type="network_meeting").count() >= 3
    assert Booking.objects.filter(event__slug="training-business-cases-for-service-redesign").count() == 8


def test_manage_overview_lists_waiting_lists_in_constant_queries(client_for, network_admin, make_event, practice_members_for_views, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(network_admin)
    event = make_event(capacity=1, title="Full course")
    a, b = practice_members_for_views(2)
    services.book_place(event, a)
    services.book_place(event, b)
    client.get("/events/manage/")
    with CaptureQueriesContext(connection) as small:
        response = client.get("/events/manage/")
    assert "Full course" in response.content.decode()
    for _ in range(5):
        make_event()
    with CaptureQueriesContext(connection) as large:
        client.get("/events/manage/")
    assert len(small) == len(large)


def test_manage_overview_is_refused_to_members(client_for, member):
    assert client_for(member).get("/events/manage/").status_code == 403


@pytest.fixture
def practice_members_for_views(make_member):
    from directory.models import Organisation

    def factory(n):
        return [make_member(organisations=[Organisation.objects.create(name=f"View Practice {i}", kind="practice")]) for i in range(n)]

    return factory


def test_cancelling_asks_for_confirmation_and_changes_nothing_until_confirmed(client_for, member, make_event):
    event = make_event(title="Negotiating skills")
    booking = services.book_place(event, member)
    client = client_for(member)

    confirm = client.get(f"/events/bookings/{booking.pk}/cancel/")

    assert confirm.status_code == 200
    assert b"Are you sure you want to cancel your place?" in confirm.content
    assert b"Yes, cancel my place" in confirm.content
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    client.post(f"/events/bookings/{booking.pk}/cancel/")
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"


def test_event_page_cancel_button_leads_to_the_confirmation_page(client_for, member, make_event):
    event = make_event()
    booking = services.book_place(event, member)

    content = client_for(member).get(event.url).content.decode()

    assert f'href="/events/bookings/{booking.pk}/cancel/"' in content and "Cancel my booking" in content


def test_on_the_waiting_list_the_button_says_leave_the_waiting_list(client_for, member, other_org_member, make_event):
    event = make_event(capacity=1)
    services.book_place(event, other_org_member)
    waiting = services.book_place(event, member)
    client = client_for(member)

    page = client.get(event.url).content.decode()
    confirm = client.get(f"/events/bookings/{waiting.pk}/cancel/").content.decode()

    assert "Leave the waiting list" in page and "Cancel my booking" not in page
    assert "Are you sure you want to leave the waiting list?" in confirm and "Yes, leave the waiting list" in confirm
    response = client.post(f"/events/bookings/{waiting.pk}/cancel/", follow=True)
    assert "You have left the waiting list." in response.content.decode()


def test_event_list_shows_places_left(client, make_event, member):
    event = make_event(audience="public", title="Influencing skills", capacity=10)
    services.book_place(event, member)

    assert "9 places left" in client.get("/events/").content.decode()


def test_event_list_shows_fully_booked_with_the_waiting_list_open(client, make_event, member, other_org_member):
    event = make_event(audience="public", title="Rapid reading skills", capacity=1)
    services.book_place(event, member)

    content = client.get("/events/").content.decode()

    assert "Fully booked" in content and "Waiting list open" in content and "places left" not in content


def test_event_list_shows_fully_booked_without_a_waiting_list_once_booking_closes(client, make_event, member):
    event = make_event(audience="public", capacity=1, booking_closes_at=timezone.now() + timedelta(hours=1))
    services.book_place(event, member)

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        content = client.get("/events/").content.decode()

    assert "Fully booked" in content and "Waiting list open" not in content


def test_administrators_find_add_an_event_where_they_manage_events(client_for, network_admin, events_index, service_areas):
    client = client_for(network_admin)
    add_url = f"/admin/pages/add/events/eventpage/{events_index.pk}/"

    overview = client.get("/events/manage/").content.decode()
    calendar = client.get("/events/").content.decode()
    editor = client.get(add_url)

    assert f'href="{add_url}"' in overview and "Add an event" in overview
    assert f'href="{add_url}"' in calendar
    assert editor.status_code == 200
    assert 'type="checkbox" name="service_areas"' in editor.content.decode()


def test_members_are_not_offered_add_an_event(client_for, member, events_index):
    assert "Add an event" not in client_for(member).get("/events/").content.decode()
