"""Recording work: 'before you start', the form, editing and stage changes through the pages."""
from __future__ import annotations

import io

from docx import Document

from redesign.models import EntryChange, MatrixEntry, Stage


def test_step_one_sends_on_to_details_with_choices(client_for, member, region, service_areas):
    response = client_for(member).get("/redesign/entries/new/", {"service_area": "dermatology", "organisation": region["cluster"].slug})
    assert response.status_code == 302
    assert response["Location"].startswith("/redesign/entries/new/details/?")


def test_step_one_offers_only_the_members_organisations(client_for, member, region):
    response = client_for(member).get("/redesign/entries/new/")
    assert list(response.context["form"].fields["organisation"].queryset) == [region["cluster"]]


def test_before_you_start_shows_existing_work_elsewhere_with_leads(client_for, member, other_org_member, region, make_entry):
    make_entry(title="Tendring dermatology clinic", organisation=region["other_cluster"], leads=[other_org_member])
    response = client_for(member).get("/redesign/entries/new/details/", {"service_area": "dermatology", "organisation": region["cluster"].slug})
    html = response.content.decode()
    assert response.status_code == 200
    before = html.index("Before you start")
    form = html.index("Details of your work")
    assert before < html.index("Tendring dermatology clinic") < form
    assert before < html.index("Oliver Grant") < form
    assert not MatrixEntry.objects.filter(organisation=region["cluster"]).exists()


def test_posting_the_details_creates_the_entry(client_for, member, region, service_areas):
    client = client_for(member)
    url = f"/redesign/entries/new/details/?service_area=dermatology&organisation={region['cluster'].slug}"
    response = client.post(url, {"title": "Community dermatology", "summary": "GPwSI clinic", "leads": [member.pk], "expected_savings": "95000"})
    assert MatrixEntry.objects.exists(), (response.status_code, response.get("Location"))
    entry = MatrixEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == entry.get_absolute_url()
    assert entry.organisation == region["cluster"]
    assert entry.service_area.name == "Dermatology"
    assert list(entry.leads.all()) == [member]


def test_member_cannot_create_for_another_organisation_by_editing_the_url(client_for, member, region, service_areas):
    url = f"/redesign/entries/new/details/?service_area=dermatology&organisation={region['other_cluster'].slug}"
    response = client_for(member).post(url, {"title": "Sneaky"})
    assert response.status_code == 302  # back to step one: not one of their organisations
    assert not MatrixEntry.objects.exists()


def test_member_edits_own_organisations_entry_through_the_page(client_for, member, make_entry):
    entry = make_entry()
    response = client_for(member).post(f"/redesign/entries/{entry.pk}/edit/", {"title": "Renamed", "leads": [member.pk]})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Renamed"
    assert EntryChange.objects.get(entry=entry).changes["title"] == ["Community dermatology service", "Renamed"]


def test_member_cannot_edit_other_organisations_entry_through_the_page(client_for, other_org_member, make_entry):
    entry = make_entry()
    client = client_for(other_org_member)
    assert client.get(f"/redesign/entries/{entry.pk}/edit/").status_code == 403
    assert client.post(f"/redesign/entries/{entry.pk}/edit/", {"title": "Hijacked"}).status_code == 403
    assert client.post(f"/redesign/entries/{entry.pk}/stage/", {"to_stage": "scoping"}).status_code == 403
    entry.refresh_from_db()
    assert (entry.title, entry.stage) == ("Community dermatology service", Stage.IDEA)


def test_admin_edits_any_entry_through_the_page(client_for, network_admin, make_entry, region):
    entry = make_entry(organisation=region["other_cluster"])
    client_for(network_admin).post(f"/redesign/entries/{entry.pk}/stage/", {"to_stage": "scoping"})
    entry.refresh_from_db()
    assert entry.stage == Stage.SCOPING


def test_stopping_through_the_page_without_reason_changes_nothing(client_for, member, make_entry):
    entry = make_entry(stage=Stage.SCOPING)
    response = client_for(member).post(f"/redesign/entries/{entry.pk}/stage/", {"to_stage": "stopped", "reason": ""}, follow=True)
    assert "Say why the work was stopped" in response.content.decode()
    entry.refresh_from_db()
    assert entry.stage == Stage.SCOPING


def test_entry_page_shows_history(client_for, member, make_entry):
    entry = make_entry(stage=Stage.SCOPING)
    client = client_for(member)
    client.post(f"/redesign/entries/{entry.pk}/stage/", {"to_stage": "business_case"})
    html = client.get(entry.get_absolute_url()).content.decode()
    assert "moved from Scoping to Business case" in html


def test_business_case_docx_follows_seven_steps_and_is_prefilled(client_for, member, make_entry):
    from decimal import Decimal

    entry = make_entry(title="Community dermatology", summary="A GPwSI-led clinic.", leads=[member],
                       expected_savings=Decimal("95000"), ppi="PPI forum consulted in May.")
    response = client_for(member).get(f"/redesign/entries/{entry.pk}/business-case.docx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    doc = Document(io.BytesIO(response.content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    steps = [h for h in headings if h.startswith("Step ")]
    assert [s.split(":")[0] for s in steps] == [f"Step {n}" for n in range(1, 8)]
    assert steps[0] == "Step 1: Broad consultation"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Business case: Community dermatology" in text
    assert "A GPwSI-led clinic." in text
    assert "PPI forum consulted in May." in text
    table = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert table["Service area"] == "Dermatology"
    assert table["Expected savings"] == "£95,000.00"
    assert "Fiona Marsh" in table["Leads"]


def test_attaching_a_macro_document_is_refused_with_a_message(client_for, member, make_entry):
    from tests.redesign.conftest import docx_bytes, upload

    entry = make_entry()
    response = client_for(member).post(
        f"/redesign/entries/{entry.pk}/documents/", {"title": "Case", "file": upload("case.docx", docx_bytes(macro=True))}, follow=True
    )
    assert "contains macros" in response.content.decode()
    assert not entry.documents.exists()


def test_attaching_a_pdf_records_it(client_for, member, make_entry):
    from tests.redesign.conftest import PDF_BYTES, upload

    entry = make_entry()
    client_for(member).post(f"/redesign/entries/{entry.pk}/documents/", {"title": "Business case", "file": upload("case.pdf", PDF_BYTES)})
    assert entry.documents.get().document.title == "Business case"


def test_entry_attachment_is_not_served_to_anonymous_visitors(client, client_for, member, make_entry):
    from tests.redesign.conftest import PDF_BYTES, upload

    entry = make_entry()
    client_for(member).post(f"/redesign/entries/{entry.pk}/documents/", {"title": "Business case", "file": upload("case.pdf", PDF_BYTES)})
    url = entry.documents.get().document.url
    assert client.get(url).status_code == 200  # the member, still signed in
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
