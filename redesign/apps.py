from django.apps import AppConfig


class RedesignConfig(AppConfig):
    name = "redesign"
    verbose_name = "Service re-design"

    def ready(self) -> None:
        from wagtail.signals import page_published, page_unpublished

        from redesign.models import CaseStudyPage

        def _index(sender, instance, **kwargs):
            from search.services import index_object

            index_object(instance)

        def _remove(sender, instance, **kwargs):
            from search.services import remove_object

            remove_object(instance)

        page_published.connect(_index, sender=CaseStudyPage, weak=False, dispatch_uid="redesign.case_study.published")
        page_unpublished.connect(_remove, sender=CaseStudyPage, weak=False, dispatch_uid="redesign.case_study.unpublished")
