"""The template library: versions, superseding, downloads counted, permissions."""
from __future__ import annotations

import pytest

from redesign import services
from redesign.models import Audience, Template, TemplateVersion
from tests.redesign.conftest import PDF_BYTES, docx_bytes, upload


@pytest.fixture
def template(network_admin, service_areas):
    return services.create_template(
        actor=network_admin.user, title="Business-case template", kind=Template.Kind.BUSINESS_CASE,
        upload=upload("business-case.docx", docx_bytes("v1")), service_area=service_areas["Dermatology"],
    )


def test_new_version_supersedes_the_old_which_stays_reachable(client_for, network_admin, member, template):
    v2 = services.add_template_version(template, actor=network_admin.user, upload=upload("business-case.docx", docx_bytes("v2")), notes="NICE update")
    v1 = TemplateVersion.objects.get(template=template, number=1)
    assert v1.is_superseded and v1.superseded_by == v2
    assert not v2.is_superseded
    assert template.current_version == v2
    client = client_for(member)
    html = client.get(template.get_absolute_url()).content.decode()
    assert "Superseded" in html and "by version 2" in html
    response = client.get(v1.get_download_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_download_is_counted(client_for, member, template):
    client = client_for(member)
    url = template.current_version.get_download_url()
    client.get(url)
    client.get(url)
    template.refresh_from_db()
    assert template.download_count == 2


def test_anonymous_cannot_download_members_only_template(client, template):
    response = client.get(template.current_version.get_download_url())
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")  # issue 20.4
    template.refresh_from_db()
    assert template.download_count == 0


def test_members_only_document_is_protected_at_its_wagtail_url(client, template):
    document = template.current_version.document
    response = client.get(document.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_public_template_downloads_anonymously_and_pdf_is_inline(client, network_admin):
    template = services.create_template(actor=network_admin.user, title="PPI strategy", kind=Template.Kind.PPI_STRATEGY,
                                        upload=upload("ppi.pdf", PDF_BYTES), audience=Audience.PUBLIC)
    response = client.get(template.current_version.get_download_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")


def test_docx_is_served_as_attachment(client_for, member, template):
    response = client_for(member).get(template.current_version.get_download_url())
    assert response["Content-Disposition"].startswith("attachment")


def test_member_without_permission_cannot_add_template(member):
    with pytest.raises(services.NotAllowed):
        services.create_template(actor=member.user, title="x", kind=Template.Kind.EVALUATION, upload=upload("x.pdf", PDF_BYTES))


def test_cluster_lead_uploads_a_new_version_through_the_page(client_for, cluster_lead, template, region):
    Template.objects.filter(pk=template.pk).update(organisation=region["cluster"])  # their own cluster's template
    response = client_for(cluster_lead).post(
        f"/redesign/templates/{template.pk}/versions/", {"file": upload("bc.docx", docx_bytes("v2")), "notes": "Clearer finance"}
    )
    assert response.status_code == 302
    assert template.versions.count() == 2


def test_macro_version_is_refused_and_nothing_changes(network_admin, template):
    with pytest.raises(services.UploadRefused, match="macros"):
        services.add_template_version(template, actor=network_admin.user, upload=upload("bc.docx", docx_bytes(macro=True)))
    assert template.versions.count() == 1
    assert not template.versions.get().is_superseded


def test_admin_adds_a_template_through_the_page(client_for, network_admin, service_areas):
    client = client_for(network_admin)
    assert client.get("/redesign/templates/new/").status_code == 200
    response = client.post("/redesign/templates/new/", {
        "title": "Dermatology service specification", "kind": "service_specification", "description": "Community dermatology",
        "service_area": service_areas["Dermatology"].pk, "licence": "Open Government Licence v3.0", "audience": "members",
        "file": upload("spec.pdf", PDF_BYTES), "notes": "From the BANES consortium",
    })
    template = Template.objects.get()
    assert response.status_code == 302 and response["Location"] == template.get_absolute_url()
    assert template.current_version.document.file_extension == "pdf"


def test_template_form_refuses_an_executable_with_a_message(client_for, network_admin):
    response = client_for(network_admin).post("/redesign/templates/new/", {
        "title": "Tool", "kind": "evaluation", "licence": "", "audience": "members", "file": upload("tool.pdf", b"MZ" + b"\x00" * 64),
    })
    assert response.status_code == 200
    assert "Programs and scripts cannot be uploaded" in response.content.decode()
    assert not Template.objects.exists()


def test_member_cannot_open_add_template_page(client_for, member):
    assert client_for(member).get("/redesign/templates/new/").status_code == 403


def test_anonymous_sees_only_public_templates_in_the_list(client, network_admin, template):
    public = services.create_template(actor=network_admin.user, title="Evaluation framework", kind=Template.Kind.EVALUATION,
                                      upload=upload("eval.pdf", PDF_BYTES), audience=Audience.PUBLIC)
    listed = list(client.get("/redesign/templates/").context["templates"])
    assert listed == [public]


# --- the library list: a fixed number of queries whatever the number of templates and versions ----------------

# User with member (one query), the templates, their versions (the session and the viewer's roles and permissions
# come from the cache: portal/core/permissions.py).
PINNED_TEMPLATE_LIST_QUERIES = 3


def _list_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/redesign/templates/")
    assert response.status_code == 200
    return len(captured.captured_queries)


def _add_templates(actor, count: int, start: int) -> None:
    for n in range(start, start + count):
        made = services.create_template(actor=actor, title=f"Template {n}", kind=Template.Kind.SERVICE_SPECIFICATION,
                                        upload=upload(f"spec-{n}.pdf", PDF_BYTES))
        services.add_template_version(made, actor=actor, upload=upload(f"spec-{n}.pdf", PDF_BYTES), notes="Second")


def test_template_list_runs_the_same_queries_with_2_and_8_templates(client_for, member, network_admin):
    client = client_for(member)
    _add_templates(network_admin.user, 2, 0)
    client.get("/redesign/templates/")  # warm the session
    at_2 = _list_queries(client)
    _add_templates(network_admin.user, 6, 2)
    at_8 = _list_queries(client)
    assert at_2 == at_8 == PINNED_TEMPLATE_LIST_QUERIES
