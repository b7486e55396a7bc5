"""What re-design work tells the service areas (``directory.areas``), which sit below it and import nothing of it.

Re-design services record their movements there directly; this module says
who may see a moved entry, template or case study, what counts as evidence of
work on an area for the expertise finder, and announces a case study on its
first publication.  ``connect()`` is called once, from ``RedesignConfig.ready``.
"""
from __future__ import annotations

from wagtail.signals import page_published

from directory.areas import expertise, services
from directory.areas.expertise import Evidence
from redesign.models import CaseStudyPage, MatrixEntry, Stage
from redesign.permissions import can_see_audience

FINISHED_STAGES = {Stage.LIVE, Stage.EVALUATED}
APPROVED_STAGES = {Stage.APPROVED, Stage.PROCUREMENT}


def _lead_kind(stage: str) -> str:
    if stage in FINISHED_STAGES:
        return "lead_finished"
    if stage in APPROVED_STAGES:
        return "lead_approved"
    return "lead"


def leads(area, *, viewer, request=None):
    """Leading a matrix entry in the area: more the further the work got."""
    Leads = MatrixEntry.leads.through
    for link in Leads.objects.filter(matrixentry__service_area=area).select_related("matrixentry__organisation").order_by("matrixentry__title"):
        entry = link.matrixentry
        yield ("member", link.member_id), Evidence(
            _lead_kind(entry.stage), f"Leads {entry.title} ({entry.organisation.name}), now at {entry.get_stage_display().lower()}",
            entry.get_absolute_url(),
        )


def case_studies(area, *, viewer, request=None):
    """Owning a published case study on the area (the Wagtail page's owner)."""
    for page in CaseStudyPage.objects.live().public().filter(service_area=area, owner__isnull=False).order_by("title"):
        yield ("user", page.owner_id), Evidence("case_study", f"Wrote the case study {page.title}", page.get_url(request))


def may_see_case_study(user, movement) -> bool:
    page = movement.case_study
    # A page behind a Wagtail view restriction (password, groups) is not announced at all.
    return page.live and not page.get_view_restrictions().exists() and can_see_audience(user, page.audience)


def may_see_template(user, movement) -> bool:
    return can_see_audience(user, movement.template.audience)


def may_see_entry(user, movement) -> bool:
    return True  # the matrix is open to every member


def _case_study_published(sender, instance, **kwargs) -> None:
    services.record_case_study_published(instance)


def connect() -> None:
    services.register_subject("case_study", may_see_case_study)
    services.register_subject("template", may_see_template)
    services.register_subject("entry", may_see_entry)
    expertise.register_evidence(leads, order=10)
    expertise.register_evidence(case_studies, order=20)
    page_published.connect(_case_study_published, sender=CaseStudyPage, weak=False, dispatch_uid="areas.case_study.published")
