"""Template lineage: a cluster adapts a template version; the original lists its adapters, who hear of new versions."""
from __future__ import annotations

import pytest
from django.core import mail

from redesign import services
from redesign.models import AdaptationNotice, Template
from tests.redesign.conftest import docx_bytes, upload


@pytest.fixture
def original(network_admin, service_areas, region):
    return services.create_template(
        actor=network_admin.user, title="Dermatology service specification", kind=Template.Kind.SERVICE_SPECIFICATION,
        upload=upload("spec.docx", docx_bytes("version one")), service_area=service_areas["Dermatology"],
        organisation=region["other_cluster"],
    )


def _new_version(original, network_admin, django_capture_on_commit_callbacks, notes="Tariff updated"):
    with django_capture_on_commit_callbacks(execute=True):
        return services.add_template_version(original, actor=network_admin.user, upload=upload("spec.docx", docx_bytes("v2")), notes=notes)


def test_adapted_copy_belongs_to_the_members_cluster_and_records_the_exact_version(cluster_lead, region, original):
    version = original.versions.get(number=1)

    copy = services.adapt_template(cluster_lead, version)

    assert copy.organisation == region["cluster"]
    assert copy.adapted_from == version
    assert copy.created_by == cluster_lead.user
    first = copy.versions.get()
    assert first.number == 1 and first.document.pk != version.document.pk
    assert first.document.file.read() == version.document.file.open("rb").read()


def test_adapting_after_a_new_version_records_the_version_chosen(cluster_lead, network_admin, original, django_capture_on_commit_callbacks):
    _new_version(original, network_admin, django_capture_on_commit_callbacks)

    copy = services.adapt_template(cluster_lead, original.versions.get(number=1))

    assert copy.adapted_from.number == 1


def test_member_without_a_commissioning_organisation_cannot_adapt(make_member, original):
    loner = make_member(organisations=[])

    with pytest.raises(services.NotAllowed):
        services.adapt_template(loner, original.versions.get(number=1))


def test_original_page_lists_who_adapted_it_from_which_version(client_for, member, cluster_lead, region, original):
    services.adapt_template(cluster_lead, original.versions.get(number=1))

    page = client_for(member).get(original.get_absolute_url()).content.decode()

    assert "Adapted by" in page
    assert "Priya Raman" in page and region["cluster"].name in page
    assert 'class="redesign-adaptation"' in page


def test_adapter_is_emailed_once_when_the_original_gets_a_new_version(cluster_lead, network_admin, original,
                                                                      django_capture_on_commit_callbacks):
    copy = services.adapt_template(cluster_lead, original.versions.get(number=1))
    mail.outbox.clear()

    version = _new_version(original, network_admin, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cluster_lead.user.email]
    assert "New version of Dermatology service specification" in mail.outbox[0].subject
    assert copy.get_absolute_url() in mail.outbox[0].body
    assert AdaptationNotice.objects.filter(adaptation=copy, version=version).count() == 1


def test_notifying_adapters_twice_sends_nothing_more(cluster_lead, network_admin, original, django_capture_on_commit_callbacks):
    services.adapt_template(cluster_lead, original.versions.get(number=1))
    version = _new_version(original, network_admin, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        told = services.notify_adapters_of(version.pk)

    assert told == 0 and mail.outbox == []


def test_no_one_is_told_when_nobody_adapted_the_template(network_admin, original, django_capture_on_commit_callbacks):
    mail.outbox.clear()

    _new_version(original, network_admin, django_capture_on_commit_callbacks)

    assert mail.outbox == [] and not AdaptationNotice.objects.exists()


def test_adapted_copy_page_says_the_original_has_a_newer_version(client_for, cluster_lead, network_admin, original,
                                                                  django_capture_on_commit_callbacks):
    copy = services.adapt_template(cluster_lead, original.versions.get(number=1))
    _new_version(original, network_admin, django_capture_on_commit_callbacks, notes="Tariff updated for 2008/09")

    page = client_for(cluster_lead).get(copy.get_absolute_url()).content.decode()

    assert "Adapted from" in page and original.get_absolute_url() in page
    assert "The original now has version 2" in page and "Tariff updated for 2008/09" in page


def test_adapt_view_makes_the_copy_and_opens_it(client_for, cluster_lead, original):
    response = client_for(cluster_lead).post(f"/redesign/templates/{original.pk}/versions/1/adapt/")

    copy = Template.objects.get(adapted_from__template=original)
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()


def test_adapt_view_refuses_a_member_without_a_commissioning_organisation(client_for, make_member, original):
    loner = make_member(organisations=[])

    response = client_for(loner).post(f"/redesign/templates/{original.pk}/versions/1/adapt/")

    assert response.status_code == 403 and not Template.objects.filter(adapted_from__isnull=False).exists()
