from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"

    def ready(self) -> None:
        from forum import signals  # noqa: F401 - connects the cached replies' receivers
