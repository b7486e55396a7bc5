"""Every directory page is members-only: anonymous visitors go to sign in, unapproved people are refused."""
import pytest
from django.urls import reverse


def directory_urls(member, region, service_areas):
    return [
        reverse("directory:list"),
        reverse("directory:export"),
        reverse("directory:me"),
        reverse("directory:my-data"),
        reverse("directory:member", args=[member.pk]),
        reverse("directory:vcard", args=[member.pk]),
        reverse("directory:deactivate", args=[member.pk]),
        reverse("directory:reactivate", args=[member.pk]),
        reverse("directory:erase", args=[member.pk]),
        reverse("directory:organisations"),
        reverse("directory:organisation", args=[region["practice"].slug]),
        reverse("directory:area", args=[service_areas["Dermatology"].slug]),
        reverse("directory:import"),
        reverse("directory:pending"),
        reverse("directory:approve", args=[member.pk]),
        reverse("directory:decline", args=[member.pk]),
        reverse("directory:invite"),
    ]


def test_every_directory_url_is_listed_in_this_test(member, region, service_areas):
    """The invitation link is the one public URL: the person invited has no account yet."""
    from directory.urls import urlpatterns

    public = {"accept-invitation"}
    assert len(directory_urls(member, region, service_areas)) == len([p for p in urlpatterns if p.name not in public])


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_is_sent_to_sign_in_from_every_directory_url(client, member, region, service_areas, method):
    for url in directory_urls(member, region, service_areas):
        response = getattr(client, method)(url)
        if response.status_code == 405:  # POST-only views refuse GET before anything else
            continue
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_member_waiting_for_approval_cannot_see_the_directory(make_member, client_for, region):
    waiting = make_member(status="pending", organisations=[region["practice"]])
    response = client_for(waiting).get(reverse("directory:list"))
    assert response.status_code == 403


def test_ordinary_member_cannot_use_administration_pages(member, other_org_member, client_for):
    client = client_for(member)
    assert client.get(reverse("directory:import")).status_code == 403
    assert client.get(reverse("directory:erase", args=[other_org_member.pk])).status_code == 403
    assert client.post(reverse("directory:deactivate", args=[other_org_member.pk])).status_code == 403
    other_org_member.user.refresh_from_db()
    assert other_org_member.user.is_active
