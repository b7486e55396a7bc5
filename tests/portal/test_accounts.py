"""Sign-up, e-mail verification, approval, invitations, MFA and rate limits (django-allauth)."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from directory.models import AllowedDomain, Invitation, Member
from portal.core.roles import Role
from tests.conftest import DEMO_PASSWORD

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"


def sign_up(client, email, region, **extra):
    data = {
        "email": email,
        "password1": DEMO_PASSWORD,
        "password2": DEMO_PASSWORD,
        "first_name": "Nadia",
        "last_name": "Hussain",
        "job_role": "pharmacist",
        "organisation": region["practice"].pk,
        **extra,
    }
    return client.post(SIGNUP, data)


def confirmation_link(message) -> str:
    match = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def verify_latest_email(client):
    link = confirmation_link(mail.outbox[-1])
    return client.post(link)


def log_in(client, email, password=DEMO_PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def test_sign_up_creates_pending_member_and_sends_verification(client, region):
    response = sign_up(client, "nadia@suffolk-pharmacy.example", region)

    assert response.status_code == 302
    member = Member.objects.get(user__email="nadia@suffolk-pharmacy.example")
    assert member.status == Member.Status.PENDING
    assert member.job_role == "pharmacist"
    assert list(member.organisations.all()) == [region["practice"]]
    assert any("confirm-email" in m.body for m in mail.outbox)


def test_verified_but_unapproved_member_cannot_sign_in(client, region):
    sign_up(client, "nadia@suffolk-pharmacy.example", region)
    verify_latest_email(client)

    response = log_in(client, "nadia@suffolk-pharmacy.example")

    assert response.status_code == 403
    assert b"waiting for approval" in response.content
    assert "_auth_user_id" not in client.session


def test_administrators_are_told_of_a_new_pending_member(client, region, network_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "nadia@suffolk-pharmacy.example", region)

    notices = [m for m in mail.outbox if m.subject == "[PbC Network] New member waiting for approval"]
    assert len(notices) == 1
    assert notices[0].to == [network_admin.user.email]


def test_approved_member_can_sign_in_after_verification(client, region, network_admin, django_capture_on_commit_callbacks):
    sign_up(client, "nadia@suffolk-pharmacy.example", region)
    verify_latest_email(client)
    member = Member.objects.get(user__email="nadia@suffolk-pharmacy.example")

    admin_client = client.__class__()
    admin_client.force_login(network_admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        approval = admin_client.post(f"/directory/pending/{member.pk}/approve/")
    assert approval.status_code == 302

    member.refresh_from_db()
    assert member.status == Member.Status.APPROVED
    assert member.user.groups.filter(name=str(Role.MEMBER)).exists()
    assert mail.outbox[-1].subject == "[PbC Network] Your PbC Network membership is approved"

    response = log_in(client, "nadia@suffolk-pharmacy.example")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.user.pk


def test_unverified_member_is_asked_to_verify_before_anything_else(client, region):
    sign_up(client, "nadia@suffolk-pharmacy.example", region)
    client.logout()

    response = log_in(client, "nadia@suffolk-pharmacy.example")

    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_allow_listed_domain_is_approved_at_sign_up(client, region):
    AllowedDomain.objects.create(domain="nhs.net")

    sign_up(client, "nadia.hussain@nhs.net", region)
    verify_latest_email(client)
    response = log_in(client, "nadia.hussain@nhs.net")

    member = Member.objects.get(user__email="nadia.hussain@nhs.net")
    assert member.status == Member.Status.APPROVED
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.user.pk


def test_domain_allow_list_is_exact_not_a_suffix_match(client, region):
    AllowedDomain.objects.create(domain="nhs.net")

    sign_up(client, "someone@fake-nhs.net", region)

    assert Member.objects.get(user__email="someone@fake-nhs.net").status == Member.Status.PENDING


def test_administrator_invitation_approves_whoever_signs_up_with_it(client, region, network_admin, django_capture_on_commit_callbacks):
    admin_client = client.__class__()
    admin_client.force_login(network_admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/directory/invite/", {"email": "grace@felixstowe-practice.example", "organisation": region["practice"].pk})
    invitation = Invitation.objects.get(email="grace@felixstowe-practice.example")
    assert invitation.get_absolute_url() in mail.outbox[-1].body

    response = client.get(invitation.get_absolute_url())
    assert response.status_code == 302
    sign_up(client, "grace@felixstowe-practice.example", region, organisation="")

    member = Member.objects.get(user__email="grace@felixstowe-practice.example")
    invitation.refresh_from_db()
    assert member.status == Member.Status.APPROVED
    assert invitation.accepted_at is not None
    assert list(member.organisations.all()) == [region["practice"]]


def test_used_invitation_link_is_refused_with_a_clear_message(client, region, network_admin):
    from django.utils import timezone

    invitation = Invitation.objects.create(email="used@example.nhs.uk", invited_by=network_admin.user, accepted_at=timezone.now())

    response = client.get(invitation.get_absolute_url())

    assert response.status_code == 410
    assert b"expired or has already been used" in response.content


def test_members_without_permission_cannot_invite(client_for, member):
    response = client_for(member).post("/directory/invite/", {"email": "x@example.nhs.uk"})

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_administrator_without_mfa_is_sent_to_set_it_up(client, make_member, region):
    admin = make_member(roles=[Role.MEMBER, Role.NETWORK_ADMIN], organisations=[region["sha"]])
    client.force_login(admin.user)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_sha_editor_without_mfa_cannot_reach_the_admin(client, make_member, region):
    editor = make_member(roles=[Role.MEMBER, Role.SHA_EDITOR], organisations=[region["sha"]])
    client.force_login(editor.user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_member_without_admin_role_is_not_asked_for_mfa(client_for, member):
    response = client_for(member).get("/")

    assert response.status_code == 200


def test_mfa_is_asked_for_at_sign_in_once_set_up(client, network_admin):
    response = log_in(client, network_admin.user.email)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_are_rate_limited(client, member):
    for _ in range(5):
        response = log_in(client, member.user.email, password="wrong-password-123")
        assert response.status_code == 200

    response = log_in(client, member.user.email)  # even the right password is refused for now

    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_mail_for_known_address(client, member):
    response = client.post("/accounts/password/reset/", {"email": member.user.email})

    assert response.status_code == 302
    assert "password/reset/key" in mail.outbox[-1].body


def test_declined_member_is_told_and_cannot_sign_in(client, region, network_admin, django_capture_on_commit_callbacks):
    sign_up(client, "nadia@suffolk-pharmacy.example", region)
    verify_latest_email(client)
    member = Member.objects.get(user__email="nadia@suffolk-pharmacy.example")
    admin_client = client.__class__()
    admin_client.force_login(network_admin.user)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/directory/pending/{member.pk}/decline/", {"reason": "Not part of the region"})
    response = log_in(client, "nadia@suffolk-pharmacy.example")

    member.refresh_from_db()
    assert member.status == Member.Status.DECLINED
    assert "Not part of the region" in mail.outbox[-1].body
    assert response.status_code == 403
    assert b"was not approved" in response.content


def test_email_addresses_are_unique_regardless_of_case(client, region, member):
    response = sign_up(client, member.user.email.upper(), region)

    assert get_user_model().objects.filter(email__iexact=member.user.email).count() == 1
    assert response.status_code in (200, 302)


def test_sign_out_ends_the_session(client_for, member):
    client = client_for(member)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
