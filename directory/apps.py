from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Member directory"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from directory.models import Member  # AppConfig.ready: imported once the app registry is ready

        def _forget_filters(sender, **kwargs):
            from directory.views import FILTER_FRAGMENTS  # AppConfig.ready: imported once the app registry is ready
            from portal.core import fragments  # AppConfig.ready: imported once the app registry is ready

            fragments.forget(FILTER_FRAGMENTS)

        def _forget_list(sender, **kwargs):
            from directory.views import LIST_FRAGMENTS  # AppConfig.ready: imported once the app registry is ready
            from portal.core import fragments  # AppConfig.ready: imported once the app registry is ready

            if sender is get_user_model() and kwargs.get("update_fields") == frozenset({"last_login"}):
                return  # signing in changes nothing a card shows
            fragments.forget(LIST_FRAGMENTS)

        # The cached list pages (directory.views._page_html) show members' names, roles, organisations,
        # service areas and contact details, and which members are listed.
        for model in ("directory.Member", get_user_model(), "directory.Organisation", "directory.ServiceArea"):
            label = model if isinstance(model, str) else model._meta.label
            post_save.connect(_forget_list, sender=model, weak=False, dispatch_uid=f"directory.list.saved.{label}")
            post_delete.connect(_forget_list, sender=model, weak=False, dispatch_uid=f"directory.list.deleted.{label}")
        for relation in (Member.organisations, Member.specialties, Member.interests):
            m2m_changed.connect(_forget_list, sender=relation.through, weak=False,
                                dispatch_uid=f"directory.list.links.{relation.through._meta.label}")

        # The cached filter form (directory.views._page_html, cached with the list) lists organisations, localities and service areas.
        for model in ("directory.Organisation", "directory.ServiceArea"):
            post_save.connect(_forget_filters, sender=model, weak=False, dispatch_uid=f"directory.filters.saved.{model}")
            post_delete.connect(_forget_filters, sender=model, weak=False, dispatch_uid=f"directory.filters.deleted.{model}")
