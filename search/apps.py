from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule
from importlib import import_module


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Each app describes its searchable content in <app>/searchable.py.
        for config in apps.get_app_configs():
            if module_has_submodule(config.module, "searchable"):
                import_module(f"{config.name}.searchable")
        from search import signals  # AppConfig.ready: imported once the app registry is ready

        signals.connect()
