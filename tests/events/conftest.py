"""Events fixtures: the events index under the home page and a factory for events with sessions."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

_n = itertools.count(1)


@pytest.fixture
def events_index(db):
    """The events index under the home page (the home page is put back after a flush by tests/conftest.py)."""
    from events.models import EventIndexPage
    from portal.site.models import HomePage

    existing = EventIndexPage.objects.first()
    if existing:
        return existing
    index = EventIndexPage(title="Events", slug="events", introduction="Meetings, training and webinars.")
    HomePage.objects.get().add_child(instance=index)
    index.save_revision().publish()
    return index


@pytest.fixture
def make_event(events_index):
    """``make_event(capacity=10, starts_in=timedelta(days=7), audience="members", ...)`` → a live EventPage."""
    from events.models import EventPage, EventSession

    def factory(*, title=None, starts_in=timedelta(days=14), hours=4, sessions=1, audience="members",
                event_type="training_course", capacity=10, service_areas=(), **fields):
        n = next(_n)
        start = (timezone.now() + starts_in).replace(microsecond=0)
        event = EventPage(
            title=title or f"Communication skills {n}", slug=f"event-{n}", event_type=event_type, audience=audience,
            capacity=capacity, venue="LMC offices\nHatfield Peverel", **fields,
        )
        for i in range(sessions):
            session_start = start + timedelta(days=7 * i)
            event.sessions.add(EventSession(starts_at=session_start, ends_at=session_start + timedelta(hours=hours)))
        events_index.add_child(instance=event)
        event.service_areas.set(service_areas)
        event.save_revision().publish()
        return EventPage.objects.get(pk=event.pk)

    return factory


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run after-commit work (e-mail) inside the test transaction."""

    def runner(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return runner
