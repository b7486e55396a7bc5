"""Demo movements: what has already happened in each service area, so "Recent movements" is not empty.

The demo's matrix entries and questions are made directly (with dates in
the past) rather than through the services, so their movements are written
here as history: dated when the work started or the question was asked,
and marked as already told, so nobody gets a burst of old notifications.
Safe to run again.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from directory.areas.models import Movement
from directory.areas.services import entry_started_text, thread_asked_text
from forum.models import Thread
from redesign.models import MatrixEntry


def _history(kind: str, *, areas, text: str, url: str, occurred_at, **subject) -> None:
    movement = Movement.objects.create(kind=kind, text=text, url=url, occurred_at=occurred_at, notified_at=timezone.now(), **subject)
    movement.service_areas.set(areas)


@transaction.atomic
def build(region: dict) -> None:
    recorded_entries = set(Movement.objects.filter(entry__isnull=False).values_list("entry_id", flat=True))
    for entry in MatrixEntry.objects.select_related("organisation", "service_area").exclude(pk__in=recorded_entries):
        _history(Movement.Kind.ENTRY_STARTED, areas=[entry.service_area], entry=entry, url=entry.get_absolute_url(),
                 occurred_at=entry.created_at,
                 text=entry_started_text(entry))
    recorded_threads = set(Movement.objects.filter(thread__isnull=False).values_list("thread_id", flat=True))
    for thread in Thread.objects.select_related("board").prefetch_related("service_areas").exclude(pk__in=recorded_threads):
        areas = list(thread.service_areas.all())
        if areas:
            _history(Movement.Kind.THREAD_ASKED, areas=areas, thread=thread, url=thread.get_absolute_url(), occurred_at=thread.created_at,
                     text=thread_asked_text(thread))
