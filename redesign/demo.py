"""Demonstration re-design content from the network's own documents.

* Case studies: the five in the DH pamphlet for local authorities (seed 003).
* Matrix entries: the BANES consortium's pathway table (seed 004: MSK,
  ophthalmology, ENT, dermatology, with the leads the plan names: Fiona,
  William, Simon, Jeremy) and East of England work for the demo clusters.
* Templates: a business-case template, the BANES consortium's community dermatology
  business case (seed 004's pathway table), its commissioning plan and PPI strategy.
Idempotent: everything is keyed on natural names.
"""
from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model

from directory.models import Organisation
from portal.core.pages import home_page
from redesign.business_case import SEVEN_STEPS
from redesign.models import (
    Audience,
    CaseStudyIndexPage,
    CaseStudyPage,
    EntryChange,
    MatrixEntry,
    RedesignSectionPage,
    Stage,
    Template,
    TemplateVersion,
)

ELSEWHERE = [
    # (name, kind, parent name, locality): the SHAs and PCTs of the case studies, outside the demo region.
    ("NHS South West", "sha", None, "Taunton"),
    ("NHS South Central", "sha", None, "Newbury"),
    ("NHS London", "sha", None, "London"),
    ("NHS West Midlands", "sha", None, "Birmingham"),
    ("Bath and North East Somerset PCT", "pct", "NHS South West", "Bath"),
    ("Bath & North East Somerset PBC Consortium", "consortium", "Bath and North East Somerset PCT", "Bath"),
    ("Southampton City PCT", "pct", "NHS South Central", "Southampton"),
    ("Southwark PCT", "pct", "NHS London", "London"),
    ("South West Staffordshire PCT", "pct", "NHS West Midlands", "Gnosall"),
    ("Bexley Care Trust", "pct", "NHS London", "Bexley"),
    ("Torbay Care Trust", "pct", "NHS South West", "Torquay"),
]

CASE_STUDIES = [
    {
        "slug": "assertive-case-management-southampton",
        "title": "Assertive case management and care co-ordination: Southampton",
        "organisation": "Southampton City PCT",
        "area": "Long-term conditions",
        "summary": "Social services are members of all five PbC localities, bringing case finding and care planning together for vulnerable older people.",
        "problem": "<p>Vulnerable elderly adults with long-term conditions were at risk of avoidable admission, with community and primary care services not always working together.</p>",
        "done": "<p>Social Services are members of all 5 PBC localities within the City PCT. Partners undertook a health profile to support management of long-term conditions and self care. A range of services avoid admission and support discharge, managed by Joint Managers reporting to a Health and Social Care Board for Provision.</p>"
                "<p>Key professionals link through the Community Matron programme to ensure 'case finding' of people at risk and potentially in need of care, linked to care planning for the community services already available.</p>",
        "outcomes": "<p>A programme being phased in across localities ensures all community and primary care services for vulnerable elderly adults work effectively, through assertive case management and care co-ordination.</p>",
        "contacts": "Debbie.Clarke@scpct.nhs.uk",
        "audience": Audience.PUBLIC,
    },
    {
        "slug": "pooled-budgets-southwark",
        "title": "Pooled budgets and PbC for social care: Southwark",
        "organisation": "Southwark PCT",
        "area": "Intermediate care",
        "summary": "A pooled budget of about £50m for older people and people with physical disabilities, to be made available to PbC consortia.",
        "problem": "<p>Commissioning for older people and people with physical disabilities was split between the PCT and the Social Services Department, making the totality of commissioning in an area hard to see.</p>",
        "done": "<p>Partners brought together all external provision commissioned by the PCT and Social Services Department into a pooled budget (c. £50m for Older People and People with Physical Disabilities). The aim is for commissioned expenditure from this pool to be provided to PBC consortia, with social care professionals working within the consortia.</p>",
        "outcomes": "<p>Consortia will be able to commission services that alter the length of an individual's stay in acute care and support initiatives such as Partnership for Older People (POPPS). A Local Area Agreement will centre on preventative initiatives, with consortia taking part in strategic decisions on funding.</p>",
        "contacts": "matthew.winn@southwarkpct.nhs.uk",
        "audience": Audience.PUBLIC,
    },
    {
        "slug": "primary-community-teams-south-west-staffordshire",
        "title": "Primary and community teams: South West Staffordshire PCT",
        "organisation": "South West Staffordshire PCT",
        "area": "Mental health",
        "summary": "A practice uses PbC to build community teams with consultants, a social worker and seconded community nurses.",
        "problem": "<p>Patients needing a mix of health and social care expertise were served by separate teams.</p>",
        "done": "<p>Consultants in mental health, geriatrics and other specialities are based within a primary care setting, with a social worker attached to the practice and community nurses seconded to form an integrated nursing team. The practice purchased the local residential home for day-time respite care, helped by a grant from the Alzheimer's Society.</p>"
                "<p>A consultant in older people's mental health helps the practice set up an at-risk group of dementia patients, screened by the practice's health visitor and offered anticipatory care packages.</p>",
        "outcomes": "<p>The skill mix significantly increased the capacity to offer integrated patient care. Voluntary organisations set up an 'eldercare' charity, <em>Living for the Future</em>, for befriending and peer support.</p>",
        "contacts": "gnosall.surgery@nhs.net",
        "audience": Audience.PUBLIC,
    },
    {
        "slug": "integrated-teams-bexley",
        "title": "Integrated teams: Bexley",
        "organisation": "Bexley Care Trust",
        "area": "Intermediate care",
        "summary": "Integrated teams of practice staff, social workers, community nurses and therapists for populations of about 13,000.",
        "problem": "<p>Patients at greatest risk of hospital admission and residential care needed co-ordinated care plans.</p>",
        "done": "<p>Bexley Care Trust and Bexley Council established integrated teams attached to registered populations of about 13,000 people. The teams use the King's Fund 'algorithm' to identify patients at greatest risk and a case management model to plan care. Community nursing and therapy teams developed escalation and de-escalation plans with residential homes, and a Rapid Response Team developed pathways with the home care provider, ambulance team and hospital clinical assessment service.</p>",
        "outcomes": "<p>A lower level of institutional care, and success in supporting people recently discharged after an acute episode of a chronic disease.</p>",
        "contacts": "Sian.Therese@Bexley.nhs.uk",
        "audience": Audience.PUBLIC,
    },
    {
        "slug": "integrated-commissioning-torbay",
        "title": "Integrated commissioning and delivery: Torbay Care Trust",
        "organisation": "Torbay Care Trust",
        "area": "Intermediate care",
        "summary": "Adult social care commissioned from the Care Trust, with zones based on clusters of GP surgeries and devolved budgets.",
        "problem": "<p>Health and social care were planned and delivered by separate organisations.</p>",
        "done": "<p>All former staff of the council's adult social services transferred to the Care Trust in 2005. Operational management is integrated under a Director and divided into zones based on clusters of GP surgeries, each with at least one multi-disciplinary team. Budgets are devolved to zone managers; zones are building GP-led commissioning groups.</p>",
        "outcomes": "<p>Zone managers can link social care budgets for external and in-house services to reshape local services by integrating health and social care.</p>",
        "contacts": "christine.branson@nhs.net",
        "audience": Audience.MEMBERS,
    },
]

BANES = "Bath & North East Somerset PBC Consortium"

# (organisation, area, title, stage, leads, summary, ppi, outcomes, months since start, expected savings)
ENTRIES = [
    (BANES, "Musculoskeletal", "Community MSK triage, assessment and treatment service", Stage.BUSINESS_CASE,
     ["member@pbc-network.nhs.uk", "william.ashdown@pbc-network.nhs.uk"],
     "A community based triage, assessment and treatment service for musculo-skeletal referrals, accepting most referrals for "
     "rheumatology, orthopaedics, some physiotherapy and pain management. A pathway change for prior approval of inpatient pain "
     "management referrals is already in place; work continues on the rheumatology pathway.",
     "Users and carers to be invited to give input as proposals emerge.", "", 14, Decimal("180000")),
    (BANES, "Ophthalmology", "Ophthalmology pathway: glaucoma, cataracts and follow-ups", Stage.SCOPING,
     ["simon.carver@pbc-network.nhs.uk"],
     "Working with the Ophthalmology Service Development and Implementation Group on three changes: a glaucoma pre-referral "
     "pathway, a lifestyle questionnaire for patients with cataracts to help identify when surgery is required, and changes to "
     "cataract follow-ups.", "", "", 10, None),
    (BANES, "ENT", "Community ENT service development", Stage.IDEA,
     ["simon.carver@pbc-network.nhs.uk"],
     "Using the skills of a GP with interest and experience in ENT to identify areas for community service development.", "", "", 6, None),
    (BANES, "Dermatology", "Dermatology triage, assessment and treatment service", Stage.BUSINESS_CASE,
     ["cluster.lead@pbc-network.nhs.uk"],
     "A business case and commissioning specification for a community based dermatology service, developed after consultation "
     "with similar services in the area and in collaboration with secondary care. Dermatology budgets are devolved to practices in 07/08.",
     "Patient and public input into the model is required (next step).", "", 12, Decimal("95000")),
    # East of England work for the demo clusters.
    ("Chelmsford North Cluster", "Dermatology", "GPwSI community dermatology clinic", Stage.LIVE,
     ["cluster.lead@pbc-network.nhs.uk", "rajesh.patel@pbc-network.nhs.uk"],
     "A GP with a special interest runs a weekly dermatology clinic at Broomfield Road Surgery, taking routine referrals from the cluster.",
     "Patient survey of the first 200 attenders.", "Waiting time for routine dermatology down from 13 weeks to 4.", 20, Decimal("60000")),
    ("Tendring Cluster", "Musculoskeletal", "Extended scope physiotherapy triage", Stage.APPROVED,
     ["william.ashdown@pbc-network.nhs.uk"],
     "Orthopaedic referrals triaged by extended scope physiotherapists before any outpatient appointment.", "", "", 9, Decimal("75000")),
    ("Colchester Town Cluster", "Diabetes", "Community diabetes clinics with intermediate care nurse", Stage.PROCUREMENT,
     ["priya.raman@pbc-network.nhs.uk"],
     "Moving routine diabetes follow-up from the hospital to two practice-based clinics supported by a diabetes specialist nurse.",
     "Diabetes UK local group consulted on clinic times.", "", 11, Decimal("40000")),
    ("Ipswich Central Cluster", "ENT", "Community ENT and audiology clinic", Stage.SCOPING,
     ["simon.carver@pbc-network.nhs.uk"],
     "Exploring a community ENT clinic with direct access audiology.", "", "", 4, None),
    ("Felixstowe and Deben Cluster", "COPD", "COPD early supported discharge", Stage.EVALUATED,
     ["grace.adeyemi@pbc-network.nhs.uk"],
     "Respiratory nurses support patients home within 48 hours of an exacerbation admission.", "Breathe Easy group on the steering group.",
     "Bed days for COPD down 18% in the first year.", 30, Decimal("55000")),
    ("Cambridge City Cluster", "Mental health", "Primary care psychological therapies", Stage.LIVE,
     ["helen.ng@pbc-network.nhs.uk"],
     "Graduate mental health workers in practices offering guided self-help and CBT.", "", "", 24, None),
    ("Maldon and South Chelmsford Cluster", "Urgent care", "Minor injuries service in practices", Stage.STOPPED,
     ["tom.fairweather@pbc-network.nhs.uk"],
     "Treating minor injuries in practices instead of A&E.", "", "", 18, None),
    ("South Cambridgeshire Cluster", "Heart failure", "Community heart failure nurse service", Stage.IDEA,
     ["martin.pryce@pbc-network.nhs.uk"],
     "Nurse-led heart failure clinics and home visits for the cluster.", "", "", 2, None),
    ("Chelmsford PbC Consortium", "Musculoskeletal", "Consortium-wide MSK interface service", Stage.BUSINESS_CASE,
     ["keith.harlow@pbc-network.nhs.uk"],
     "A single MSK clinical assessment and treatment service for the Chelmsford consortium.", "", "", 8, Decimal("210000")),
]

STOP_REASONS = {
    "Minor injuries service in practices": "The PCT commissioned a minor injuries unit at St Peter's Hospital covering the same population; "
                                           "practice-based provision would have duplicated it.",
}


def _organisations(region: dict) -> dict[str, Organisation]:
    orgs = dict(region["organisations"])
    for name, kind, parent, locality in ELSEWHERE:
        org, _ = Organisation.objects.get_or_create(
            name=name, kind=kind, defaults={"parent": orgs.get(parent) if parent else None, "locality": locality}
        )
        orgs[name] = org
    return orgs


def _build_pages(region: dict, orgs: dict) -> None:
    home = home_page()
    if home is None:
        return
    section = RedesignSectionPage.objects.filter(slug="redesign").first()
    if section is None:
        section = RedesignSectionPage(title="Service re-design", slug="redesign")
        home.add_child(instance=section)
        section.save_revision().publish()
    index = CaseStudyIndexPage.objects.first()
    if index is None:
        index = CaseStudyIndexPage(
            title="Case studies",
            slug="case-studies",
            introduction="How practices, clusters and their partners have redesigned services: what the problem was, what they did, "
                         "what came of it and who to ask.",
        )
        section.add_child(instance=index)
        index.save_revision().publish()
    for spec in CASE_STUDIES:
        if CaseStudyPage.objects.filter(slug=spec["slug"]).exists():
            continue
        page = CaseStudyPage(
            title=spec["title"], slug=spec["slug"], summary=spec["summary"], problem=spec["problem"], what_was_done=spec["done"],
            outcomes=spec["outcomes"], contacts=spec["contacts"], audience=spec["audience"],
            organisation=orgs.get(spec["organisation"]), service_area=region["areas"].get(spec["area"]),
        )
        index.add_child(instance=page)
        page.save_revision().publish()


def _build_entries(region: dict, orgs: dict) -> None:
    members = region["members"]
    today = timezone.localdate()
    now = timezone.now()
    for org_name, area_name, title, stage, lead_emails, summary, ppi, outcomes, months, savings in ENTRIES:
        start = today - timedelta(days=30 * months)
        entry, created = MatrixEntry.objects.get_or_create(
            organisation=orgs[org_name],
            service_area=region["areas"][area_name],
            title=title,
            defaults={
                "summary": summary, "stage": stage, "ppi": ppi, "outcomes": outcomes, "start_date": start,
                "expected_go_live": start + timedelta(days=365) if stage not in (Stage.STOPPED,) else None,
                "actual_go_live": start + timedelta(days=300) if stage in (Stage.LIVE, Stage.EVALUATED) else None,
                "expected_savings": savings,
                "realised_savings": Decimal("48000") if stage == Stage.EVALUATED else None,
                "stop_reason": STOP_REASONS.get(title, ""),
                # Some work has not been touched for a while, so the staleness flag shows.
                "updated_at": now - timedelta(days=120) if months in (10, 18, 9) else now - timedelta(days=months),
                "created_at": now - timedelta(days=30 * months),
            },
        )
        if created:
            entry.leads.set([members[e] for e in lead_emails if e in members])
            EntryChange.objects.create(entry=entry, action="redesign.entry.imported", at=entry.created_at, to_stage=stage,
                                       changes={"title": ["", title]})


def _docx(title: str, paragraphs: list[str]) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(title, level=0)
    for text in paragraphs:
        if text.startswith("# "):
            doc.add_heading(text[2:], level=1)
        else:
            doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _build_templates(region: dict, orgs: dict) -> None:
    Document = get_document_model()
    specs = [
        ("Business-case template for service re-design", Template.Kind.BUSINESS_CASE, None, BANES,
         "A business-case outline following the seven-step method for developing new services.",
         [f"# {h}" if i % 2 == 0 else g for h, g in SEVEN_STEPS for i in (0, 1)]),
        ("Community dermatology service business case", Template.Kind.BUSINESS_CASE, "Dermatology", BANES,
         "The business case and commissioning specification for a community based dermatology triage, assessment and "
         "treatment service, developed after consultation with similar services in the area and with secondary care.",
         ["# The proposal", "A community based dermatology triage, assessment and treatment service, led by GPs with a special "
          "interest and supported by the hospital's consultant dermatologists.",
          "# Why now", "Dermatology budgets are devolved to practices in 2007/08: practice budget holding supports the proposed "
          "new pathway.",
          "# Patient and public involvement", "Patient and public input into the model is required before the PCT approves it.",
          *[f"# {h}" if i % 2 == 0 else g for h, g in SEVEN_STEPS for i in (0, 1)]]),
        ("BANES PbC commissioning plan 2007/08", Template.Kind.COMMISSIONING_PLAN, None, BANES,
         "The consortium's commissioning plan: priorities, method, pathway table and funding arrangements for freed-up resources.",
         ["# Introduction", "Practices are required to produce an annual PBC commissioning plan for approval by the PCT Board.",
          "# Freed up resources", "Practices are allowed to use a minimum of 70% of freed up resources for reinvestment in patient care."]),
        ("PbC patient and public involvement strategy", Template.Kind.PPI_STRATEGY, None, BANES,
         "How users and carers are invited to give their views on re-design proposals as they emerge.",
         ["# Purpose", "Patient and public involvement in the commissioning process is a vital part of practice based commissioning."]),
    ]
    for title, kind, area, org_name, description, paragraphs in specs:
        if Template.objects.filter(title=title).exists():
            continue
        template = Template.objects.create(title=title, kind=kind, description=description, organisation=orgs.get(org_name),
                                           service_area=region["areas"].get(area) if area else None, audience=Audience.MEMBERS)
        document = Document(title=f"{title} (version 1)")
        document.file.save(f"{template.pk}-{title[:40].lower().replace(' ', '-').replace('/', '-')}.docx",
                           ContentFile(_docx(title, paragraphs)), save=False)
        document._set_document_file_metadata()
        document.save()
        TemplateVersion.objects.create(template=template, number=1, document=document, notes="First version")


@transaction.atomic
def build(region: dict) -> None:
    orgs = _organisations(region)
    _build_entries(region, orgs)
    _build_templates(region, orgs)
    _build_pages(region, orgs)
