"""Administration: deactivating and reactivating members; erasure leaves no personal data in the database."""
import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from directory import services
from directory.models import Invitation, Member
from directory.searchable import MemberSearchable


def test_administrator_deactivates_a_member_who_leaves_the_directory(network_admin, other_org_member, member, client_for):
    response = client_for(network_admin).post(reverse("directory:deactivate", args=[other_org_member.pk]))
    assert response.status_code == 302
    other_org_member.user.refresh_from_db()
    assert not other_org_member.user.is_active
    assert not Member.objects.listed().filter(pk=other_org_member.pk).exists()
    assert client_for(member).get(reverse("directory:member", args=[other_org_member.pk])).status_code == 404


def test_administrator_reactivates_a_deactivated_member(network_admin, other_org_member, client_for):
    services.deactivate_member(other_org_member, by=network_admin.user)
    client_for(network_admin).post(reverse("directory:reactivate", args=[other_org_member.pk]))
    other_org_member.user.refresh_from_db()
    assert other_org_member.user.is_active


def test_administrator_cannot_deactivate_themselves(network_admin):
    with pytest.raises(services.DirectoryError):
        services.deactivate_member(network_admin, by=network_admin.user)


@pytest.fixture
def leaver(make_member, region, service_areas, network_admin):
    person = make_member(first_name="Lena", last_name="Leaver", email="lena.leaver@example.nhs.uk", phone="07700 900123",
                         job_title="GP partner", bio="Twenty years in Colchester.", organisations=[region["practice"]])
    person.specialties.add(service_areas["Dermatology"])
    person.interests.add(service_areas["COPD"])
    Invitation.objects.create(email="lena.leaver@example.nhs.uk", invited_by=network_admin.user)
    return person


PERSONAL = ["Lena", "Leaver", "lena.leaver", "07700 900123", "GP partner", "Twenty years"]


def test_erasure_removes_every_personal_detail_from_the_database(leaver, network_admin, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(network_admin).post(reverse("directory:erase", args=[leaver.pk]))
    assert response.status_code == 302
    member = Member.objects.select_related("user").get(pk=leaver.pk)
    user = member.user
    assert member.status == Member.Status.ERASED and member.erased_at is not None
    assert member.display_name == "Former member"
    row = json.dumps({
        "user": [user.username, user.email, user.first_name, user.last_name],
        "member": [member.job_title, member.job_role, member.bio, member.phone, str(member.photo)],
    })
    for detail in PERSONAL:
        assert detail not in row
    assert not user.is_active and not user.has_usable_password()
    assert not user.groups.exists()
    assert not member.organisations.exists() and not member.specialties.exists() and not member.interests.exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(email__iexact="lena.leaver@example.nhs.uk").exists()
    assert not Invitation.objects.filter(email__iexact="lena.leaver@example.nhs.uk").exists()
    assert not get_user_model().objects.filter(email__iexact="lena.leaver@example.nhs.uk").exists()


def test_erasure_keeps_the_rows_that_posts_point_at(leaver, network_admin):
    services.erase_member(leaver, by=network_admin.user)
    assert Member.objects.filter(pk=leaver.pk).exists()
    assert get_user_model().objects.filter(pk=leaver.user_id).exists()
    assert str(Member.objects.get(pk=leaver.pk)) == "Former member"


def test_erased_member_leaves_search_and_the_directory(leaver, network_admin, member, client_for):
    services.erase_member(leaver, by=network_admin.user)
    erased = Member.objects.get(pk=leaver.pk)
    assert MemberSearchable().to_document(erased) is None
    assert not Member.objects.listed().filter(pk=leaver.pk).exists()
    assert client_for(member).get(reverse("directory:member", args=[leaver.pk])).status_code == 404


def test_erasing_twice_is_refused(leaver, network_admin):
    services.erase_member(leaver, by=network_admin.user)
    with pytest.raises(services.AlreadyDecided):
        services.erase_member(leaver, by=network_admin.user)


def test_erase_page_asks_for_confirmation_before_erasing(leaver, network_admin, client_for):
    response = client_for(network_admin).get(reverse("directory:erase", args=[leaver.pk]))
    assert response.status_code == 200
    assert "cannot be undone" in response.content.decode()
    leaver.refresh_from_db()
    assert leaver.status == Member.Status.APPROVED


def test_erasure_signs_the_person_out(leaver, network_admin, client, django_capture_on_commit_callbacks):
    client.force_login(leaver.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.erase_member(leaver, by=network_admin.user)
    response = client.get(reverse("directory:list"))
    assert response.status_code == 302
