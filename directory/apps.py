from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Member directory"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        def _forget_filters(sender, **kwargs):
            from directory.views import FILTER_FRAGMENTS
            from portal import fragments

            fragments.forget(FILTER_FRAGMENTS)

        # The cached filter form (directory.views._filters_html) lists organisations, localities and service areas.
        for model in ("directory.Organisation", "directory.ServiceArea"):
            post_save.connect(_forget_filters, sender=model, weak=False, dispatch_uid=f"directory.filters.saved.{model}")
            post_delete.connect(_forget_filters, sender=model, weak=False, dispatch_uid=f"directory.filters.deleted.{model}")
