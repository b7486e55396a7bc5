from django.apps import AppConfig


class RedesignConfig(AppConfig):
    name = "redesign"
    verbose_name = "Service re-design"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished

        from redesign import service_areas, threads  # AppConfig.ready: imported once the app registry is ready
        from redesign.models import CaseStudyPage  # AppConfig.ready: imported once the app registry is ready

        def _index(sender, instance, **kwargs):
            from search.services import index_object  # AppConfig.ready: imported once the app registry is ready

            index_object(instance)

        def _remove(sender, instance, **kwargs):
            from search.services import remove_object  # AppConfig.ready: imported once the app registry is ready

            remove_object(instance)

        def _forget_matrix(sender, **kwargs):
            from portal.core import fragments  # AppConfig.ready: imported once the app registry is ready
            from redesign.views import MATRIX_FRAGMENTS  # AppConfig.ready: imported once the app registry is ready

            fragments.forget(MATRIX_FRAGMENTS)

        # The cached matrix (redesign.views._matrix_table) counts entries and names areas and organisations.
        for model in ("redesign.MatrixEntry", "directory.Organisation", "directory.ServiceArea"):
            post_save.connect(_forget_matrix, sender=model, weak=False, dispatch_uid=f"redesign.matrix.saved.{model}")
            post_delete.connect(_forget_matrix, sender=model, weak=False, dispatch_uid=f"redesign.matrix.deleted.{model}")

        page_published.connect(_index, sender=CaseStudyPage, weak=False, dispatch_uid="redesign.case_study.published")
        page_unpublished.connect(_remove, sender=CaseStudyPage, weak=False, dispatch_uid="redesign.case_study.unpublished")
        service_areas.connect()  # who may see moved work, the expertise finder's evidence, case studies announced
        threads.connect()  # the thread page's "tag to re-design work" list
