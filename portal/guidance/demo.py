"""Demonstration guidance, links library and newsletter section, from the seed documents.

Guidance on PbC responsibilities (seed 000, the LMC briefing note), World
Class Commissioning (seed 002, Andy Vowles's presentation at Chilford Hall),
freed-up resources and incentive schemes (seed 004, the BANES commissioning
plan) and partnership with local authorities (seed 003, the DH pamphlet).
Keyed on slugs and addresses, so running it again changes nothing.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from portal.core.pages import home_page
from portal.guidance.models import (
    Audience,
    GuidanceIndexPage,
    GuidancePage,
    Link,
    NewsletterArchivePage,
    NewsletterIssuePage,
    NewsletterSubscription,
)
from portal.guidance.services import ensure_guidance_workflow, supersede_guidance

EDITOR = "sha.editor@pbc-network.nhs.uk"
ADMIN = "admin@pbc-network.nhs.uk"


def _p(*paragraphs: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in paragraphs]


def _ul(items: list[str]) -> dict:
    return {"type": "paragraph", "value": "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"}


def _h(text: str) -> dict:
    return {"type": "heading", "value": text}


GUIDANCE = [
    {
        "slug": "pbc-responsibilities-2006",
        "title": "Who does what in practice-based commissioning (2006 briefing)",
        "summary": "The LMC briefing note's first split of responsibilities between PCTs and practices, kept for reference.",
        "audience": Audience.PUBLIC,
        "topics": [],
        "review_days": -30,
        "change_note": "",
        "body": [
            _h("The division of responsibilities"),
            *_p(
                "There is at present no clarity over who owns this process and where responsibility lies for the "
                "various stages in the commissioning process.",
            ),
        ],
    },
    {
        "slug": "pbc-responsibilities",
        "title": "PbC responsibilities: what the PCT leads and what practices lead",
        "summary": "Which party takes lead responsibility for each part of commissioning, from the North and South Essex "
        "LMCs' briefing note for practices.",
        "audience": Audience.PUBLIC,
        "topics": [],
        "review_days": 10,
        "change_note": "Added the shared responsibilities and the NHS Confederation/NAPC basic agreement.",
        "body": [
            *_p(
                "There is an obvious need for clarity around which party has “lead” responsibility for specific parts "
                "of the commissioning process, and an understanding that lead responsibility can only be successful if "
                "all parties work together for the good of the project."
            ),
            _h("PCT responsibilities: flexible and responsive"),
            *_p("Some areas where the PCT should take lead responsibility:"),
            _ul([
                "Local Delivery Plan", "IT and overall information management", "Contracts with main providers",
                "Financial accountability", "Payments to main providers (but only with locality agreement)",
                "Risk management", "Allocation of indicative budgets and management resources", "Public health",
                "Training and workforce issues (with SHA/WDC support)", "Premises development",
                "Compliance with government targets and policies",
            ]),
            _h("Practice and locality responsibilities: innovative and accountable"),
            _ul([
                "Compliance with the Local Delivery Plan (LDP)",
                "Adherence to the locality agreement and acceptance of decisions made by locality managers",
                "Involvement of a variety of clinicians (nursing, pharmacy, etc)", "Data validation",
                "Payment authorisation", "Patient involvement and information to patients",
                "Relationships between practices in the locality", "Needs assessment (with PCT public health support)",
                "Selection of key clinical areas and priorities", "Direct negotiation with trust clinicians",
            ]),
            _h("Shared responsibilities"),
            *_p(
                "Some responsibilities must be shared: the level of PCT monitoring and support, services commissioned "
                "above locality level, the use of any savings (which needs final PCT approval) and the pace at which PBC "
                "expands in the locality. The NHS Confederation and the National Association of Primary Care have "
                "produced a basic agreement on the relationship between PCTs and practices."
            ),
        ],
    },
    {
        "slug": "world-class-commissioning",
        "title": "World Class Commissioning and what it means for PbC",
        "summary": "The three parts of the World Class Commissioning programme – competencies, the assurance framework and "
        "support and development – and the system management products that come with it.",
        "audience": Audience.PUBLIC,
        "topics": [],
        "review_days": 120,
        "change_note": "Procurement Guide expected in May 2008 noted.",
        "body": [
            *_p(
                "The World Class Commissioning programme was launched in 2007. It has three parts, as Andy Vowles, "
                "Assistant Director of Commissioning at NHS East of England, explained at the Chilford Hall workshop."
            ),
            _ul([
                "<b>Competencies</b>: what it means to commission at a world class standard – the PCT as community leader, "
                "collaborative working with partners, engagement with the public, clinical engagement, prioritising "
                "investment and stimulating the market. The 11 competency areas are still being refined.",
                "<b>Assurance framework</b>: assessing PCTs on key quality and health outcomes, competencies and governance, "
                "in every PCT from September 2008 to March 2009.",
                "<b>Support and development framework</b>: sharing good practice, formal education and training, and the "
                "Framework of External Support to Commissioning (FESC) list of 14 companies.",
            ]),
            _h("System management"),
            *_p("Products include the Principles of Competition and Co-operation, standard NHS contracts, the Independent "
                "Competition Panel, the promotion guide for foundation trusts and the procurement guide."),
        ],
    },
    {
        "slug": "freed-up-resources-and-incentive-schemes",
        "title": "Freed-up resources and incentive schemes",
        "summary": "What the guidance says about locally agreed incentive schemes now the PBC DES has ended, and how practices "
        "may reinvest at least 70% of freed-up resources.",
        "audience": Audience.MEMBERS,
        "topics": ["Prescribing"],
        "review_days": 60,
        "change_note": "Worked example from the BANES 2007/08 plan added.",
        "body": [
            _h("Incentive schemes"),
            _ul([
                "PCTs should develop locally agreed incentive schemes now that the DES for PBC has ended.",
                "The incentive scheme goes part of the way to funding time and resources spent engaging with and developing PBC.",
                "Funding from an incentive scheme is direct income, to be used as the practice chooses.",
            ]),
            _h("Freed-up resources"),
            _ul([
                "Practices may use a minimum of 70% of freed-up resources for reinvestment in patient care; 30% goes back to the PCT.",
                "Practices must have the PCT's agreement for the proposed use of freed-up resources.",
                "Resources released through PBC activity in one year should not be deducted from future indicative budgets.",
            ]),
            *_p("The Bath and North East Somerset consortium's plan for 2007/08 uses four strands of funding: incentive "
                "schemes, commissioning executive support, freed-up resources and innovation funding."),
        ],
    },
    {
        "slug": "working-with-local-authorities",
        "title": "Practice-based commissioning with local authority partners",
        "summary": "How PBC gives practices and social care partners room to build locality-focused, integrated and "
        "preventative services.",
        "audience": Audience.PUBLIC,
        "topics": ["Urgent care"],
        "review_days": 200,
        "change_note": "",
        "body": [
            *_p(
                "From April 2005, practices have been able to ask for an indicative budget from their PCT. PBC gives "
                "practices greater flexibility to redesign local services; to do so they need to engage with partners, "
                "and services provided by social care are amongst the most relevant.",
                "People told the <i>Your health, your care, your say</i> consultation that they want properly joined-up "
                "services which don't leave gaps, and a shift towards prevention and health promotion. Through effective "
                "redesign, PBC can help with both.",
            ),
        ],
    },
]

LINKS = [
    ("Practice based commissioning – practical implementation", "https://webarchive.nationalarchives.gov.uk/ukgwa/+/www.dh.gov.uk/en/Publicationsandstatistics/Publications/PublicationsPolicyAndGuidance/DH_062703", "dh",
     "The Department of Health's November 2006 guidance on making PBC make a difference to people's lives."),
    ("World Class Commissioning", "https://webarchive.nationalarchives.gov.uk/ukgwa/+/www.dh.gov.uk/en/Managingyourorganisation/Commissioning/Worldclasscommissioning/index.htm", "dh",
     "The competencies, assurance framework and support and development framework."),
    ("NHS networks: commissioning", "https://www.networks.nhs.uk/", "other",
     "Case studies of practice-based commissioning from across England (named in the DH local authority pamphlet)."),
    ("NICE guidance", "https://www.nice.org.uk/guidance", "nice",
     "National clinical guidelines and technology appraisals to draw on when redesigning pathways."),
    ("NHS Alliance", "https://www.nhsalliance.org/", "nhs_alliance",
     "The organisation for primary care trusts and practice-based commissioners."),
    ("PbC Academy", "https://www.pbcacademy.org.uk/", "pbc_academy",
     "Training and development for practice-based commissioners."),
    ("NHS Confederation", "https://www.nhsconfed.org/", "nhs_confederation",
     "Produced, with the NAPC, the basic agreement between PCTs and practices."),
]


@transaction.atomic
def build(region: dict) -> None:
    home = home_page()
    members = region["members"]
    editor = members.get(EDITOR)
    editor_user = editor.user if editor else None

    index = GuidanceIndexPage.objects.filter(slug="guidance").first()
    if index is None:
        index = GuidanceIndexPage(
            title="Guidance",
            slug="guidance",
            introduction="Guidance on practice-based commissioning from the SHA and national bodies, reviewed and kept up to date.",
        )
        home.add_child(instance=index)
        index.save_revision(user=editor_user).publish(user=editor_user, skip_permission_checks=True)
    ensure_guidance_workflow(index)

    archive = NewsletterArchivePage.objects.filter(slug="newsletter").first()
    if archive is None:
        archive = NewsletterArchivePage(
            title="Newsletter",
            slug="newsletter",
            introduction="News from the network: new guidance, events, case studies and the busiest questions.",
        )
        home.add_child(instance=archive)
        archive.save_revision(user=editor_user).publish(user=editor_user, skip_permission_checks=True)

    today = timezone.localdate()
    pages = {}
    for spec in GUIDANCE:
        page = GuidancePage.objects.filter(slug=spec["slug"]).first()
        if page is None:
            page = GuidancePage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                body=spec["body"],
                audience=spec["audience"],
                content_owner=editor_user,
                owner=editor_user,
                review_by=today + dt.timedelta(days=spec["review_days"]),
                change_note=spec["change_note"],
            )
            index.add_child(instance=page)
            page.topics.set([region["areas"][name] for name in spec["topics"] if name in region["areas"]])
            # Published by the system (user=None): the demonstration's guidance predates its review history.
            page.save_revision(user=editor_user).publish(skip_permission_checks=True)
        pages[spec["slug"]] = page

    old, current = pages["pbc-responsibilities-2006"], pages["pbc-responsibilities"]
    if old.superseded_by_id != current.pk:
        supersede_guidance(old, current, None)

    for title, url, category, description in LINKS:
        Link.objects.update_or_create(url=url, defaults={"title": title, "category": category, "description": description})

    for member in members.values():
        NewsletterSubscription.objects.get_or_create(user=member.user, defaults={"is_subscribed": True})

    # One past issue in the archive (archived only: the demo sends no e-mail).
    if not NewsletterIssuePage.objects.child_of(archive).exists():
        admin = members.get(ADMIN)
        items = [
            {"section": "Latest guidance", "title": pages[slug].title, "url": pages[slug].url or "", "meta": "", "summary": pages[slug].summary}
            for slug in ("world-class-commissioning", "freed-up-resources-and-incentive-schemes", "pbc-responsibilities")
        ]
        issue = NewsletterIssuePage(
            title="PbC Network news: after Chilford Hall",
            slug="after-chilford-hall",
            introduction=(
                "Thank you to everyone who came to the Chilford Hall workshop. You asked for links to guidance, a directory "
                "and a newsletter: here is the first issue, with the guidance the SHA has published since."
            ),
            items=items,
            composed_by=admin.user if admin else None,
            sent_at=timezone.now(),
        )
        archive.add_child(instance=issue)
        issue.save_revision(user=issue.composed_by).publish(user=issue.composed_by, skip_permission_checks=True)
