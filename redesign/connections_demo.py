"""Demonstration links between the region's dermatology work and what belongs to it.

Runs after the re-design, events and forum demos (see the ``demo`` command):
the dermatology entries from seed 004 (BANES) and the Chelmsford North GPwSI
clinic get their business case and specification, a case study, the forum
question about a specification, and the business-case training, linked both
ways.  Chelmsford North's copy of the BANES specification is adapted from
version 1, and the BANES consortium has since published version 2, so the
lineage and the "the original has a newer version" notice both show.
Idempotent: everything is keyed on titles and slugs.
"""
from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model

from directory.models import Organisation
from events.models import EventPage
from forum.models import Thread
from redesign.demo import BANES, _docx
from redesign.models import (
    AdaptationNotice,
    Audience,
    CaseStudyIndexPage,
    CaseStudyPage,
    MatrixEntry,
    Template,
    TemplateVersion,
)

SPECIFICATION = "Community dermatology service specification"
SPECIFICATION_VERSIONS = [
    ("First version, agreed with the PCT's dermatology steering group",
     ["# Service description", "A community based dermatology triage, assessment and treatment service, led by GPs with a "
      "special interest (GPwSI) in dermatology, accepting routine skin referrals from practices.",
      "# Exclusions", "Suspected skin cancer goes on the two-week wait pathway to secondary care."]),
    ("Tariff updated for 2008/09; two-week wait exclusions clarified",
     ["# Service description", "A community based dermatology triage, assessment and treatment service, led by GPs with a "
      "special interest (GPwSI) in dermatology, accepting routine skin referrals from practices.",
      "# Exclusions", "Suspected melanoma and squamous cell carcinoma go on the two-week wait pathway to secondary care.",
      "# Tariff", "A local tariff per first and follow-up attendance, below the outpatient tariff, reviewed each April."]),
]
ADAPTER = "cluster.lead@pbc-network.nhs.uk"
ADAPTING_CLUSTER = "Chelmsford North Cluster"

CASE_STUDY = {
    "slug": "gpwsi-dermatology-clinic-chelmsford-north",
    "title": "A GPwSI dermatology clinic in the community: Chelmsford North",
    "summary": "A GP with a special interest in dermatology sees routine skin referrals at Broomfield Road Surgery; waits fell from 13 weeks to 4.",
    "problem": "<p>Routine dermatology referrals from the cluster waited 13 weeks for a hospital outpatient appointment, many for "
               "conditions a GP with a special interest could treat.</p>",
    "done": "<p>The cluster adapted the BANES consortium's community dermatology specification, agreed a local tariff with the PCT "
            "and started a weekly GPwSI clinic at Broomfield Road Surgery, with a consultant dermatologist for advice.</p>",
    "outcomes": "<p>Waiting time for routine dermatology down from 13 weeks to 4. A survey of the first 200 patients found 94% "
                "would recommend the clinic.</p>",
    "contacts": "cluster.lead@pbc-network.nhs.uk",
}

# entry title -> (template titles, case study slugs, thread titles, event slugs)
LINKS = {
    "Dermatology triage, assessment and treatment service": (
        ["Business-case template for service re-design", SPECIFICATION], [],
        ["Community dermatology GPwSI service: who has a specification?"], ["training-business-cases-for-service-redesign"],
    ),
    "GPwSI community dermatology clinic": (
        [f"{SPECIFICATION} ({ADAPTING_CLUSTER})"], [CASE_STUDY["slug"]],
        ["Community dermatology GPwSI service: who has a specification?"],
        ["webinar-using-the-redesign-matrix", "training-business-cases-for-service-redesign"],
    ),
}


def _document(title: str, paragraphs: list[str]):
    Document = get_document_model()
    document = Document(title=title)
    document.file.save(f"{title[:50].lower().replace(' ', '-')}.docx", ContentFile(_docx(title, paragraphs)), save=False)
    document._set_document_file_metadata()
    document.save()
    return document


def _specification(region: dict) -> Template:
    template = Template.objects.filter(title=SPECIFICATION).first()
    if template is None:
        template = Template.objects.create(
            title=SPECIFICATION, kind=Template.Kind.SERVICE_SPECIFICATION, audience=Audience.MEMBERS,
            description="The BANES consortium's specification for a GPwSI-led community dermatology service, with its local tariff.",
            organisation=Organisation.objects.filter(name=BANES).first(), service_area=region["areas"].get("Dermatology"),
        )
    for number, (notes, paragraphs) in enumerate(SPECIFICATION_VERSIONS[:1], start=1):
        if not template.versions.filter(number=number).exists():
            TemplateVersion.objects.create(template=template, number=number, notes=notes,
                                           document=_document(f"{SPECIFICATION} (version {number})", paragraphs))
    return template


def _adapted_copy(region: dict, original: Template) -> Template:
    title = f"{SPECIFICATION} ({ADAPTING_CLUSTER})"
    copy = Template.objects.filter(title=title).first()
    if copy is None:
        adapter = region["members"][ADAPTER]
        version = original.versions.get(number=1)
        copy = Template.objects.create(
            title=title, kind=original.kind, description=original.description, service_area=original.service_area,
            organisation=Organisation.objects.get(name=ADAPTING_CLUSTER), audience=Audience.MEMBERS, adapted_from=version,
            created_by=adapter.user,
        )
        TemplateVersion.objects.create(template=copy, number=1, notes=f"Adapted from {original.title}, version 1",
                                       document=_document(f"{title} (version 1)", SPECIFICATION_VERSIONS[0][1]), uploaded_by=adapter.user)
    return copy


def _second_version(original: Template, copy: Template) -> None:
    """BANES publishes version 2 after Chelmsford North adapted version 1 (the notice is recorded, no e-mail in the demo)."""
    if original.versions.filter(number=2).exists():
        return
    notes, paragraphs = SPECIFICATION_VERSIONS[1]
    now = timezone.now()
    first = original.versions.get(number=1)
    second = TemplateVersion.objects.create(template=original, number=2, notes=notes, uploaded_at=now,
                                            document=_document(f"{SPECIFICATION} (version 2)", paragraphs))
    first.superseded_at, first.superseded_by = now, second
    first.save(update_fields=["superseded_at", "superseded_by"])
    AdaptationNotice.objects.get_or_create(adaptation=copy, version=second, defaults={"recipient": copy.created_by})


def _case_study(region: dict) -> CaseStudyPage | None:
    page = CaseStudyPage.objects.filter(slug=CASE_STUDY["slug"]).first()
    index = CaseStudyIndexPage.objects.first()
    if page is None and index is not None:
        page = CaseStudyPage(
            title=CASE_STUDY["title"], slug=CASE_STUDY["slug"], summary=CASE_STUDY["summary"], problem=CASE_STUDY["problem"],
            what_was_done=CASE_STUDY["done"], outcomes=CASE_STUDY["outcomes"], contacts=CASE_STUDY["contacts"],
            audience=Audience.MEMBERS, organisation=Organisation.objects.filter(name=ADAPTING_CLUSTER).first(),
            service_area=region["areas"].get("Dermatology"),
        )
        index.add_child(instance=page)
        page.save_revision().publish()
    return page


def _link(region: dict) -> None:
    for entry_title, (templates, case_studies, threads, events) in LINKS.items():
        entry = MatrixEntry.objects.filter(title=entry_title).first()
        if entry is None:
            continue
        entry.templates.add(*Template.objects.filter(title__in=templates))
        entry.case_studies.add(*CaseStudyPage.objects.filter(slug__in=case_studies))
        entry.threads.add(*Thread.objects.filter(title__in=threads))
        entry.events.add(*EventPage.objects.filter(slug__in=events))


@transaction.atomic
def build(region: dict) -> None:
    original = _specification(region)
    copy = _adapted_copy(region, original)
    _second_version(original, copy)
    _case_study(region)
    _link(region)
