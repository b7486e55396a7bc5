from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class PortalConfig(AppConfig):
    default = True  # this module also holds UsersAppConfig
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from portal.core import addresses, audit, permissions, realtime, roles, sessions, signals  # noqa: F401 - connects receivers
        from portal.guidance import searchable  # noqa: F401 - registers guidance with search (search.apps finds only <app>.searchable)
        from portal.guidance import threads  # AppConfig.ready: imported once the app registry is ready
        from portal.site import searchable as site_searchable  # noqa: F401 - registers the site's standard pages with search

        threads.connect()  # the thread page's guidance: what it became, "turn the answer into guidance"
        audit.connect_receivers()
        permissions.connect_receivers()
        realtime.connect_receivers()
        sessions.connect_receivers()

        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
        post_migrate.connect(addresses.sync_site, sender=self, dispatch_uid="portal.core.addresses.sync_site")


class UsersAppConfig(WagtailUsersAppConfig):
    """``wagtail.users`` with the portal's user editor (portal/core/users_admin.py), in INSTALLED_APPS in its place."""

    user_viewset = "portal.core.users_admin.UserViewSet"
