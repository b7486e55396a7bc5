"""Templates belong to the organisation that shares them (issue 21, finding 2).

A cluster lead could upload a new current version of any organisation's template, including another
cluster's private adapted copy (whose adopters were then told "its owners" had published it), and could
file a template in another organisation's name.  Adding a version now needs membership of the owning
organisation or the administrators' permission; a template is filed only for organisations the user may
record work for.
"""
from __future__ import annotations

import pytest
from django.core import mail

from redesign import services
from redesign.models import Template, TemplateVersion
from tests.security.world import docx_upload


@pytest.fixture
def tendring_template(network_admin, region):
    """Another cluster's template, shared by that cluster."""
    return services.create_template(actor=network_admin.user, title="Tendring MSK triage specification",
                                    kind="service_specification", upload=docx_upload(), organisation=region["other_cluster"])


@pytest.fixture
def tendring_lead(make_member, region):
    from portal.core.roles import Role

    return make_member(first_name="Tom", last_name="Reeve", roles=[Role.MEMBER, Role.CLUSTER_LEAD], organisations=[region["other_cluster"]])


def post_version(client, template, text="Replaced by someone else"):
    return client.post(f"/redesign/templates/{template.pk}/versions/", {"file": docx_upload(text=text), "notes": "New tariff"})


def test_cluster_lead_cannot_add_a_version_to_another_clusters_template(client_for, cluster_lead, tendring_template):
    response = post_version(client_for(cluster_lead), tendring_template)

    assert response.status_code == 403
    assert tendring_template.versions.count() == 1


def test_cluster_lead_cannot_add_a_version_to_another_clusters_adapted_copy_nor_mail_its_adopters(
        client_for, cluster_lead, member, network_admin, tendring_lead, django_capture_on_commit_callbacks):
    network_template = services.create_template(actor=network_admin.user, title="MSK triage specification",
                                                kind="service_specification", upload=docx_upload())
    copy = services.adapt_template(tendring_lead, network_template.versions.get())  # Tendring's private copy
    services.adapt_template(member, copy.versions.get())  # a Colchester practice adopts Tendring's copy
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_version(client_for(cluster_lead), copy)

    assert response.status_code == 403
    assert copy.versions.count() == 1
    assert mail.outbox == []


def test_version_form_is_not_offered_on_another_clusters_template(client_for, cluster_lead, tendring_template):
    page = client_for(cluster_lead).get(tendring_template.get_absolute_url()).content.decode()

    assert f'action="/redesign/templates/{tendring_template.pk}/versions/"' not in page


def test_member_of_the_owning_cluster_adds_a_version(client_for, tendring_lead, tendring_template):
    response = post_version(client_for(tendring_lead), tendring_template, text="Our own update")

    assert response.status_code == 302
    assert tendring_template.versions.count() == 2


def test_administrator_adds_a_version_to_any_organisations_template(client_for, network_admin, tendring_template):
    assert post_version(client_for(network_admin), tendring_template).status_code == 302
    assert tendring_template.versions.count() == 2


@pytest.mark.parametrize("owner", ["sha", "other_cluster"])
def test_cluster_lead_cannot_file_a_template_in_another_organisations_name(client_for, cluster_lead, region, owner):
    response = client_for(cluster_lead).post("/redesign/templates/new/", {
        "title": "Regional business case template", "kind": "business_case", "licence": "", "audience": "public",
        "organisation": region[owner].pk, "file": docx_upload(),
    })

    assert response.status_code == 200
    assert not Template.objects.exists()
    assert not TemplateVersion.objects.exists()


def test_cluster_lead_files_a_template_for_their_own_cluster(client_for, cluster_lead, region):
    response = client_for(cluster_lead).post("/redesign/templates/new/", {
        "title": "Colchester dermatology business case", "kind": "business_case", "licence": "", "audience": "members",
        "organisation": region["cluster"].pk, "file": docx_upload(),
    })

    assert response.status_code == 302
    assert Template.objects.get().organisation == region["cluster"]
