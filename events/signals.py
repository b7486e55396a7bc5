"""Receivers that forget the event list's cached fragments whenever something it shows may have changed.

The list (``events/_event_list.html``, cached per viewer class in
``events.models``) shows live events with their titles, types, dates,
audiences, summaries and service areas.  Any page change (an event edited,
published, unpublished, moved or deleted, its sessions re-timed), a service
area renamed, and any booking made, cancelled or moved up from the waiting list
forgets every stored copy, and anonymous visitors' cached whole pages with it: each row shows the places
left, or "Fully booked" and "Waiting list open", so a booking must not leave it stale.
"""
from django.db.models.signals import post_delete, post_save

from events.models import EVENT_LIST
from portal.core import fragments
from portal.core.page_cache import forget_cached_pages_on_commit
from portal.core.signals import connect_to_page_changes



def forget_event_list() -> None:
    fragments.forget(EVENT_LIST)


def forget_event_list_and_cached_pages(*args, **kwargs) -> None:
    """Anonymous visitors' whole event list (and home page) is in the page cache, which page changes
    already forget (portal.core.signals); bookings, sessions and service areas must forget it too."""
    forget_event_list()
    forget_cached_pages_on_commit()


connect_to_page_changes(forget_event_list, "events.list")

for _model, _name in (("events.EventSession", "session"), ("events.Booking", "booking"), ("directory.ServiceArea", "area")):
    post_save.connect(forget_event_list_and_cached_pages, sender=_model, dispatch_uid=f"events.list.{_name}_saved")
    post_delete.connect(forget_event_list_and_cached_pages, sender=_model, dispatch_uid=f"events.list.{_name}_deleted")
