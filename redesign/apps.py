from django.apps import AppConfig


class RedesignConfig(AppConfig):
    name = "redesign"
    verbose_name = "Service re-design"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from redesign import service_areas, threads  # AppConfig.ready: imported once the app registry is ready

        def _forget_matrix(sender, **kwargs):
            from portal.core import fragments  # AppConfig.ready: imported once the app registry is ready
            from redesign.views import MATRIX_FRAGMENTS  # AppConfig.ready: imported once the app registry is ready

            fragments.forget(MATRIX_FRAGMENTS)

        # The cached matrix (redesign.views._matrix_table) counts entries and names areas and organisations.
        for model in ("redesign.MatrixEntry", "directory.Organisation", "directory.ServiceArea"):
            post_save.connect(_forget_matrix, sender=model, weak=False, dispatch_uid=f"redesign.matrix.saved.{model}")
            post_delete.connect(_forget_matrix, sender=model, weak=False, dispatch_uid=f"redesign.matrix.deleted.{model}")

        service_areas.connect()  # who may see moved work, the expertise finder's evidence, case studies announced
        threads.connect()  # the thread page's "tag to re-design work" list
