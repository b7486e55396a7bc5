from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events and training"

    def ready(self) -> None:
        from wagtail.signals import page_published, page_unpublished

        from events import signals  # noqa: F401 - connects the event list's cache receivers
        from events.models import EventPage  # AppConfig.ready: imported once the app registry is ready

        def _index(sender, instance, **kwargs):
            from events.services import fill_places_after_edit  # AppConfig.ready: imported once the app registry is ready
            from search.services import index_object  # AppConfig.ready: imported once the app registry is ready

            index_object(instance)
            # An editor who raised the capacity in the page editor expects the waiting list to move up.
            fill_places_after_edit(instance)

        def _remove(sender, instance, **kwargs):
            from search.services import remove_object  # AppConfig.ready: imported once the app registry is ready

            remove_object(instance)

        page_published.connect(_index, sender=EventPage, weak=False, dispatch_uid="events.event.published")
        page_unpublished.connect(_remove, sender=EventPage, weak=False, dispatch_uid="events.event.unpublished")
