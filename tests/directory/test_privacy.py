"""Each contact field at each visibility level, checked in every way it can leave the database."""
import csv
import io
import json

import pytest
from django.urls import reverse

from directory.models import Visibility
from directory.searchable import MemberSearchable

EMAIL = "subject.person@example.nhs.uk"
PHONE = "01206 555 0199"
VALUES = {"email": EMAIL, "phone": PHONE}


@pytest.fixture
def subject_for(make_member, region):
    """A member at Castle Gate Surgery whose chosen field has the given visibility (the other field hidden)."""

    def make(field: str, visibility: str):
        other = "phone" if field == "email" else "email"
        return make_member(
            first_name="Sasha", last_name="Subject", email=EMAIL, phone=PHONE, organisations=[region["practice"]],
            **{f"{field}_visibility": visibility, f"{other}_visibility": Visibility.ADMINS},
        )

    return make


@pytest.fixture
def viewers(member, other_org_member, network_admin):
    # member shares Castle Gate Surgery with the subject; other_org_member does not.
    return {"same_org": member, "other_org": other_org_member, "admin": network_admin}


# (visibility, viewer) → may the viewer see the field?
EXPECTED = [
    (Visibility.MEMBERS, "same_org", True),
    (Visibility.MEMBERS, "other_org", True),
    (Visibility.MEMBERS, "admin", True),
    (Visibility.ORGANISATION, "same_org", True),
    (Visibility.ORGANISATION, "other_org", False),
    (Visibility.ORGANISATION, "admin", True),
    (Visibility.ADMINS, "same_org", False),
    (Visibility.ADMINS, "other_org", False),
    (Visibility.ADMINS, "admin", True),
]
CASES = [(field, vis, who, shown) for field in ("email", "phone") for vis, who, shown in EXPECTED]


@pytest.mark.parametrize("field,visibility,who,shown", CASES)
def test_profile_page_shows_contact_field_only_to_allowed_viewers(subject_for, viewers, client_for, field, visibility, who, shown):
    subject = subject_for(field, visibility)
    text = client_for(viewers[who]).get(reverse("directory:member", args=[subject.pk])).content.decode()
    assert (VALUES[field] in text) is shown


@pytest.mark.parametrize("field,visibility,who,shown", CASES)
def test_directory_list_shows_contact_field_only_to_allowed_viewers(subject_for, viewers, client_for, field, visibility, who, shown):
    subject_for(field, visibility)
    text = client_for(viewers[who]).get(reverse("directory:list"), {"q": "Subject"}).content.decode()
    assert "Sasha Subject" in text
    assert (VALUES[field] in text) is shown


@pytest.mark.parametrize("field,visibility,who,shown", CASES)
def test_unfiltered_directory_list_shows_contact_field_only_to_allowed_viewers(subject_for, viewers, client_for, field, visibility,
                                                                               who, shown):
    subject_for(field, visibility)
    text = client_for(viewers[who]).get(reverse("directory:list")).content.decode()
    assert "Sasha Subject" in text
    assert (VALUES[field] in text) is shown


@pytest.mark.parametrize("field,visibility,who,shown", CASES)
def test_organisation_page_shows_contact_field_only_to_allowed_viewers(subject_for, viewers, client_for, region, field, visibility,
                                                                       who, shown):
    subject_for(field, visibility)
    text = client_for(viewers[who]).get(reverse("directory:organisation", args=[region["practice"].slug])).content.decode()
    assert "Sasha Subject" in text
    assert (VALUES[field] in text) is shown


@pytest.mark.parametrize("field,visibility,who,shown", CASES)
def test_csv_export_carries_contact_field_only_for_allowed_viewers(subject_for, viewers, client_for, field, visibility, who, shown):
    subject_for(field, visibility)
    response = client_for(viewers[who]).get(reverse("directory:export"), {"q": "Subject"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["last_name"] for r in rows] == ["Subject"]
    assert (rows[0][field] == VALUES[field]) is shown
    assert rows[0][field] in ("", VALUES[field])


@pytest.mark.parametrize("field,visibility,who,shown", CASES)
def test_vcard_carries_contact_field_only_for_allowed_viewers(subject_for, viewers, client_for, field, visibility, who, shown):
    subject = subject_for(field, visibility)
    response = client_for(viewers[who]).get(reverse("directory:vcard", args=[subject.pk]))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/vcard")
    assert "FN:Sasha Subject" in text
    assert (VALUES[field] in text) is shown


@pytest.mark.parametrize("field", ["email", "phone"])
@pytest.mark.parametrize("visibility,shown", [(Visibility.MEMBERS, True), (Visibility.ORGANISATION, False), (Visibility.ADMINS, False)])
def test_search_document_holds_only_fields_visible_to_all_members(subject_for, field, visibility, shown):
    subject = subject_for(field, visibility)
    document = MemberSearchable().to_document(subject)
    dumped = json.dumps([document.title, document.body, document.extra])
    assert (VALUES[field] in dumped) is shown


def test_search_has_no_document_for_a_deactivated_member(subject_for):
    subject = subject_for("email", Visibility.MEMBERS)
    subject.user.is_active = False
    subject.user.save()
    assert MemberSearchable().to_document(subject) is None


@pytest.mark.parametrize("field", ["email", "phone"])
def test_member_always_sees_their_own_hidden_details(subject_for, client_for, field):
    subject = subject_for(field, Visibility.ADMINS)
    text = client_for(subject).get(reverse("directory:member", args=[subject.pk])).content.decode()
    assert EMAIL in text and PHONE in text


def test_personal_data_download_holds_the_members_own_hidden_details(subject_for, client_for):
    subject = subject_for("email", Visibility.ADMINS)
    response = client_for(subject).get(reverse("directory:my-data"))
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["account"]["email"] == EMAIL
    assert data["profile"]["phone"] == PHONE
    assert data["profile"]["organisations"] == ["Castle Gate Surgery"]


def test_personal_data_download_holds_nothing_about_other_members(subject_for, member, client_for):
    subject_for("email", Visibility.MEMBERS)
    text = client_for(member).get(reverse("directory:my-data")).content.decode()
    assert EMAIL not in text and PHONE not in text


def test_csv_export_defuses_spreadsheet_formulas(make_member, member, client_for, region):
    make_member(first_name="=HYPERLINK(\"http://evil\")", last_name="Formula", organisations=[region["practice"]])
    response = client_for(member).get(reverse("directory:export"), {"q": "Formula"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["first_name"].startswith("'=")


def test_erased_member_has_no_contact_details_even_for_administrators(subject_for, network_admin):
    from directory.privacy import visible_contact_fields
    from directory.services import erase_member

    subject = subject_for("email", Visibility.MEMBERS)
    erase_member(subject, by=network_admin.user)
    subject.refresh_from_db()
    assert visible_contact_fields(network_admin.user, subject) == {}


def test_member_without_a_name_is_not_named_by_their_email_address(make_member, region, member, client_for):
    nameless = make_member(first_name="", last_name=" ", email="nameless.admin@example.nhs.uk", organisations=[region["practice"]],
                           email_visibility=Visibility.ADMINS)
    nameless.user.last_name = ""
    nameless.user.save(update_fields=["last_name"])

    response = client_for(member).get(reverse("directory:member", args=[nameless.pk]))

    assert nameless.display_name == f"Member {nameless.pk}"
    assert b"nameless.admin@example.nhs.uk" not in response.content
