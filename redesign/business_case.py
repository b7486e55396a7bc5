"""A business-case draft for a piece of re-design work, as a Word document.

It follows the 7-step method of the BANES PbC commissioning plan (seed 004,
paragraph 15) and fills in what the matrix already knows about the work, so a
cluster starts from its own facts rather than a blank page.
"""
from __future__ import annotations

import io

from django.utils import timezone
from docx import Document
from docx.shared import Pt

from directory.privacy import ContactPolicy, name_with_email
from redesign.models import MatrixEntry

# (heading, guidance) — the seven steps, in the plan's own words.
SEVEN_STEPS = [
    (
        "Step 1: Broad consultation",
        "Consult widely, including (where relevant) GPs, community nurses, secondary and tertiary care clinicians, "
        "patients, patient support groups, other healthcare professionals, the PCT and voluntary services.",
    ),
    (
        "Step 2: Project group",
        "Establish a project group with interested professionals who are enthusiastic to improve care in this area.",
    ),
    (
        "Step 3: Information and data analysis",
        "Gather the available information and analyse it: referral flows, activity levels and benchmarking data. "
        "The PCT supports this with the information it holds.",
    ),
    (
        "Step 4: Published evidence",
        "Draw on published evidence, national service frameworks, NICE guidance and public health resources where appropriate.",
    ),
    (
        "Step 5: Best practice",
        "Identify best practice, locally and nationally. Look at the network's re-design matrix and case studies for "
        "others who have done this before.",
    ),
    (
        "Step 6: Map the current service",
        "Map the current service with the information available and identify areas for improvement, using established "
        "tools and techniques for reviewing and improving services.",
    ),
    (
        "Step 7: Revised pathway, business case and service specification",
        "Develop the revised pathway, this business case and the service specification for submission to the PCT for "
        "approval and contracting.",
    ),
]


def _money(value) -> str:
    return f"£{value:,.2f}" if value is not None else "To be estimated"


def _date(value) -> str:
    return value.strftime("%-d %B %Y") if value else "Not yet set"


def build_business_case(entry: MatrixEntry, policy: ContactPolicy) -> bytes:
    """Return the DOCX bytes of a business-case draft for ``entry``, naming its leads as ``policy``'s viewer may see them."""
    doc = Document()
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = f"Business case: {entry.title}"
    doc.core_properties.author = entry.organisation.name

    doc.add_heading(f"Business case: {entry.title}", level=0)
    doc.add_paragraph(
        f"Draft prepared from the PbC network's service re-design matrix on {timezone.localdate():%-d %B %Y}. "
        "Replace the guidance under each step with your own work."
    )

    doc.add_heading("About this work", level=1)
    leads = ", ".join(name_with_email(policy, m) for m in entry.leads.all()) or "Not yet named"
    facts = [
        ("Organisation", f"{entry.organisation.name} ({entry.organisation.get_kind_display()})"),
        ("Service area", entry.service_area.name),
        ("Stage", entry.get_stage_display()),
        ("Leads", leads),
        ("Start date", _date(entry.start_date)),
        ("Expected go-live", _date(entry.expected_go_live)),
        ("Expected savings", _money(entry.expected_savings)),
        ("Freed-up resources", _money(entry.freed_up_resources)),
    ]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in facts:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value

    doc.add_heading("Summary", level=1)
    doc.add_paragraph(entry.summary or "Describe the proposed change and why it is needed.")

    for heading, guidance in SEVEN_STEPS:
        doc.add_heading(heading, level=1)
        doc.add_paragraph(guidance, style="Intense Quote")
        if heading.startswith("Step 1") and entry.ppi:
            doc.add_paragraph(f"Patient and public involvement so far: {entry.ppi}")
        if heading.startswith("Step 7") and entry.outcomes:
            doc.add_paragraph(f"Outcomes expected or achieved: {entry.outcomes}")

    doc.add_heading("Patient and public involvement", level=1)
    doc.add_paragraph(
        entry.ppi or "Describe how users and carers have been, or will be, invited to give their views on the proposal."
    )

    doc.add_heading("Finance and freed-up resources", level=1)
    doc.add_paragraph(f"Expected savings: {_money(entry.expected_savings)}.")
    doc.add_paragraph(f"Freed-up resources: {_money(entry.freed_up_resources)}.")
    doc.add_paragraph(
        "Practices may reinvest at least 70% of freed-up resources in patient care, with the PCT's agreement; "
        "the remaining 30% returns to the PCT."
    )

    doc.add_heading("Outcomes and evaluation", level=1)
    doc.add_paragraph(entry.outcomes or "Say how you will know the new pathway works: measures, baseline and when you will evaluate.")

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
