from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"

    def ready(self) -> None:
        from forum import service_areas  # AppConfig.ready: imported once the app registry is ready
        from forum import signals  # noqa: F401 - connects the cached replies' receivers

        service_areas.connect()  # who may see a moved thread, the expertise finder's evidence
