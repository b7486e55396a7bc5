"""What a signed-out visitor meets in the template library: told that members see more, and sent to sign in by members' links."""
from __future__ import annotations

import pytest

from redesign import services
from redesign.models import Template
from tests.conftest import DEMO_PASSWORD
from tests.redesign.conftest import docx_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_template(network_admin, service_areas):
    return services.create_template(
        actor=network_admin.user, title="Dermatology service specification", kind=Template.Kind.SERVICE_SPECIFICATION,
        upload=upload("spec.docx", docx_bytes("v1")), service_area=service_areas["Dermatology"], audience="members",
    )


def test_template_list_tells_a_visitor_that_members_see_more_rather_than_that_none_exist(client, members_template):
    response = client.get("/redesign/templates/")

    assert b"No templates have been shared" not in response.content
    assert b"Network members can also see and download the templates shared with members." in response.content
    assert b'href="/accounts/login/?next=/redesign/templates/"' in response.content
    assert members_template.title.encode() not in response.content


def test_members_template_link_sends_a_visitor_to_sign_in_and_back_to_it(client, members_template, member):
    address = members_template.get_absolute_url()

    response = client.get(address)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={address}"
    signed_in = client.post("/accounts/login/", {"login": member.user.email, "password": DEMO_PASSWORD, "next": address})
    assert signed_in["Location"] == address
    assert client.get(address).status_code == 200


@pytest.mark.parametrize("path", ["/redesign/templates/999999/", "/redesign/templates/999999/versions/1/download/"])
def test_missing_template_link_gets_the_same_sign_in_answer_so_visitors_learn_nothing(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_missing_template_is_not_found_for_a_member(client_for, member):
    assert client_for(member).get("/redesign/templates/999999/").status_code == 404
