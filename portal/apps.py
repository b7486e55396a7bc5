from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from portal import audit, roles, signals  # noqa: F401 - connects receivers

        audit.connect_receivers()

        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
