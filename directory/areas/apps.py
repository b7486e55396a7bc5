from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "directory.areas"
    label = "areas"
    verbose_name = "Service-area watches and expertise"

    def ready(self) -> None:
        from wagtail.signals import page_published

        from redesign.models import CaseStudyPage  # AppConfig.ready: imported once the app registry is ready

        def _case_study_published(sender, instance, **kwargs):
            from directory.areas.services import record_case_study_published  # AppConfig.ready: imported once the app registry is ready

            record_case_study_published(instance)

        page_published.connect(
            _case_study_published, sender=CaseStudyPage, weak=False, dispatch_uid="areas.case_study.published"
        )
