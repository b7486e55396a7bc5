"""CSV import of members and organisations: every row validated, all or nothing, errors named by row."""
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory import services
from directory.models import Member, Organisation, Visibility

MEMBERS_OK = """email,first_name,last_name,job_role,job_title,organisations,specialties,interests,phone,email_visibility,phone_visibility
ann.lee@example.nhs.uk,Ann,Lee,GP,GP partner,Castle Gate Surgery,Dermatology,Diabetes;COPD,01206 111111,members,admins
bob.oak@example.nhs.uk,Bob,Oak,practice_manager,,Walton Harbour Surgery;Tendring Cluster,,,,organisation,
"""

MEMBERS_BAD = """email,first_name,last_name,job_role,organisations,specialties
good.one@example.nhs.uk,Good,One,gp,Castle Gate Surgery,Dermatology
not-an-email,Bad,Two,gp,,
third@example.nhs.uk,,Three,surgeon,Nowhere Practice,Astrology
"""

ORGS_OK = """name,kind,parent,locality,list_size,code
Harwich PbC Cluster,cluster,Colchester Commissioning Consortium,Harwich,,
Dovercourt Surgery,practice,Harwich PbC Cluster,Dovercourt,"6,210",F81001
"""


def upload(client, kind, text):
    return client.post(reverse("directory:import"), {"kind": kind, "file": SimpleUploadedFile("x.csv", text.encode("utf-8"), content_type="text/csv")})


def test_administrator_imports_members_with_their_profiles(network_admin, client_for, region, service_areas):
    response = upload(client_for(network_admin), "members", MEMBERS_OK)
    assert response.status_code == 302
    ann = Member.objects.get(user__email="ann.lee@example.nhs.uk")
    assert ann.is_approved and ann.job_role == "gp" and ann.job_title == "GP partner"
    assert [o.name for o in ann.organisations.all()] == ["Castle Gate Surgery"]
    assert sorted(a.name for a in ann.interests.all()) == ["COPD", "Diabetes"]
    assert (ann.email_visibility, ann.phone_visibility) == (Visibility.MEMBERS, Visibility.ADMINS)
    assert ann.user.groups.filter(name="Members").exists()
    assert not ann.user.has_usable_password()
    bob = Member.objects.get(user__email="bob.oak@example.nhs.uk")
    assert bob.organisations.count() == 2
    assert bob.phone_visibility == Visibility.ORGANISATION


def test_member_import_with_any_bad_row_imports_nothing_and_names_each_row(network_admin, client_for, region, service_areas):
    users_before = get_user_model().objects.count()
    response = upload(client_for(network_admin), "members", MEMBERS_BAD)
    assert response.status_code == 400
    assert get_user_model().objects.count() == users_before
    assert not Member.objects.filter(user__email="good.one@example.nhs.uk").exists()
    errors = response.context["errors"]
    assert len(errors) == 2
    assert errors[0].startswith("Row 3:") and "not-an-email" in errors[0]
    assert errors[1].startswith("Row 4:")
    for expected in ("first name is empty", "surgeon", "Nowhere Practice", "Astrology"):
        assert expected in errors[1]
    assert "Row 4:" in response.content.decode()


def test_member_import_refuses_addresses_that_already_have_accounts_or_repeat(member, network_admin, region):
    text = f"email,first_name,last_name,job_role\n{member.user.email},A,B,gp\nx@example.nhs.uk,C,D,gp\nX@example.nhs.uk,E,F,gp\n"
    with pytest.raises(services.ImportRejected) as refusal:
        services.import_members_csv(text, by=network_admin.user)
    assert refusal.value.errors == [
        f"Row 2: {member.user.email} already has an account.",
        "Row 4: X@example.nhs.uk appears more than once in the file.",
    ]


def test_member_import_names_missing_columns(network_admin, region):
    with pytest.raises(services.ImportRejected) as refusal:
        services.import_members_csv("email,first_name\nx@example.nhs.uk,X\n", by=network_admin.user)
    assert refusal.value.errors == ["Row 1: missing column(s): last_name, job_role."]


def test_administrator_imports_organisations_with_parents_from_the_same_file(network_admin, client_for, region):
    response = upload(client_for(network_admin), "organisations", ORGS_OK)
    assert response.status_code == 302
    practice = Organisation.objects.get(name="Dovercourt Surgery")
    assert practice.parent.name == "Harwich PbC Cluster"
    assert practice.parent.parent == region["consortium"]
    assert practice.list_size == 6210 and practice.code == "F81001"


def test_organisation_import_updates_an_existing_organisation_rather_than_duplicating(network_admin, region):
    services.import_organisations_csv("name,kind,parent,locality\nCastle Gate Surgery,practice,Colchester Town Cluster,Lexden\n", by=network_admin.user)
    assert Organisation.objects.filter(name="Castle Gate Surgery").count() == 1
    region["practice"].refresh_from_db()
    assert region["practice"].locality == "Lexden"


def test_organisation_import_with_a_bad_row_imports_nothing(network_admin, region):
    text = (
        "name,kind,parent,list_size\n"
        "Harwich PbC Cluster,cluster,Colchester Commissioning Consortium,\n"
        "Odd Practice,practice,NHS East of England,\n"
        "Big Cluster,cluster,Colchester Commissioning Consortium,5000\n"
        "Nowhere,hospital,,abc\n"
    )
    before = Organisation.objects.count()
    with pytest.raises(services.ImportRejected) as refusal:
        services.import_organisations_csv(text, by=network_admin.user)
    assert Organisation.objects.count() == before
    errors = refusal.value.errors
    assert [e.split(":")[0] for e in errors] == ["Row 3", "Row 4", "Row 5"]
    assert "cannot sit under a Strategic Health Authority" in errors[0]
    assert "Only practices have a list size" in errors[1]
    assert "hospital" in errors[2] and "abc" in errors[2]


def test_ordinary_member_cannot_import(member, client_for, region):
    response = upload(client_for(member), "members", MEMBERS_OK)
    assert response.status_code == 403
    assert not Member.objects.filter(user__email="ann.lee@example.nhs.uk").exists()
