"""The members-only directory list: filters, name search, partial results for live search, pagination, query counts."""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import Member
from portal.core import fragments


def names(response) -> list[str]:
    return [card["member"].display_name for card in response.context["cards"]]


@pytest.fixture
def people(make_member, region, service_areas, member, other_org_member):
    derm = make_member(first_name="Rajesh", last_name="Patel", job_role="gp", organisations=[region["practice"]])
    derm.specialties.add(service_areas["Dermatology"])
    nurse = make_member(first_name="Grace", last_name="Adeyemi", job_role="nurse", organisations=[region["other_practice"]])
    nurse.interests.add(service_areas["Dermatology"])
    both = make_member(first_name="Helen", last_name="Ng", job_role="gp", organisations=[region["cluster"]])
    both.specialties.add(service_areas["Dermatology"])
    both.interests.add(service_areas["Dermatology"])
    make_member(first_name="Paula", last_name="Pending", status="pending", organisations=[region["practice"]])
    return {"derm": derm, "nurse": nurse, "both": both}


def test_directory_lists_approved_members_only(people, client_for, member):
    response = client_for(member).get(reverse("directory:list"))
    assert response.status_code == 200
    assert "Paula Pending" not in names(response)
    assert {"Fiona Marsh", "Rajesh Patel", "Grace Adeyemi", "Helen Ng", "Oliver Grant"} <= set(names(response))


def test_directory_hides_deactivated_members(people, client_for, member):
    people["nurse"].user.is_active = False
    people["nurse"].user.save()
    assert "Grace Adeyemi" not in names(client_for(member).get(reverse("directory:list")))


def test_name_search_works_without_javascript(people, client_for, member):
    response = client_for(member).get(reverse("directory:list"), {"q": "pat"})
    assert names(response) == ["Rajesh Patel"]


def test_name_search_matches_first_and_last_name_together(people, client_for, member):
    assert names(client_for(member).get(reverse("directory:list"), {"q": "helen ng"})) == ["Helen Ng"]


def test_filter_by_role(people, client_for, member):
    assert names(client_for(member).get(reverse("directory:list"), {"role": "nurse"})) == ["Grace Adeyemi"]


def test_filter_by_organisation(people, client_for, member, region):
    response = client_for(member).get(reverse("directory:list"), {"organisation": region["practice"].slug})
    assert set(names(response)) == {"Fiona Marsh", "Rajesh Patel"}


def test_filter_by_interest_includes_specialists_and_interested_once_each(people, client_for, member, service_areas):
    response = client_for(member).get(reverse("directory:list"), {"interest": service_areas["Dermatology"].slug})
    assert sorted(names(response)) == ["Grace Adeyemi", "Helen Ng", "Rajesh Patel"]


def test_filter_by_several_service_areas_lists_members_with_any_of_them_once_each(people, client_for, member, service_areas, make_member,
                                                                                region):
    diabetes = make_member(first_name="Dev", last_name="Shah", organisations=[region["practice"]])
    diabetes.specialties.add(service_areas["Diabetes"])
    people["both"].interests.add(service_areas["Diabetes"])

    response = client_for(member).get(
        reverse("directory:list"), {"interest": [service_areas["Dermatology"].slug, service_areas["Diabetes"].slug]}
    )

    assert sorted(names(response)) == ["Dev Shah", "Grace Adeyemi", "Helen Ng", "Rajesh Patel"]


def test_service_area_filter_offers_every_area_as_a_checkbox(people, client_for, member, service_areas):
    page = client_for(member).get(reverse("directory:list")).content.decode()

    assert page.count('type="checkbox" value="') >= len(service_areas)
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Specialties or interests</legend>' in page


def test_name_search_for_a_service_area_that_finds_nobody_suggests_the_area_filter(people, client_for, member, service_areas):
    response = client_for(member).get(reverse("directory:list"), {"q": "dermatology"})

    page = response.content.decode()
    assert names(response) == []
    assert "No member is called “dermatology”" in page
    assert f'href="/directory/?interest={service_areas["Dermatology"].slug}"' in page
    assert "Show members with Dermatology as a specialty or interest" in page


def test_name_search_that_finds_someone_suggests_nothing(people, client_for, member):
    assert "data-area-suggestion" not in client_for(member).get(reverse("directory:list"), {"q": "patel"}).content.decode()


def test_filter_by_locality(people, client_for, member):
    response = client_for(member).get(reverse("directory:list"), {"locality": "Walton-on-the-Naze"})
    assert set(names(response)) == {"Oliver Grant", "Grace Adeyemi"}


def test_partial_request_returns_only_the_results_fragment(people, client_for, member):
    response = client_for(member).get(reverse("directory:list"), {"q": "patel", "partial": "1"})
    text = response.content.decode()
    assert "Rajesh Patel" in text
    assert "<html" not in text and "1 member found" in text


def test_list_page_links_the_live_search_script_as_a_module_and_has_no_inline_script(people, client_for, member):
    text = client_for(member).get(reverse("directory:list")).content.decode()
    assert 'type="module" src="/static/directory/directory-search.js"' in text
    assert "<script>" not in text


def test_directory_is_paginated_and_keeps_filters_in_page_links(make_member, client_for, member, region):
    for n in range(30):
        make_member(first_name="Page", last_name=f"Person{n:02d}", organisations=[region["practice"]])
    client = client_for(member)
    first = client.get(reverse("directory:list"), {"q": "Page"})
    assert len(first.context["cards"]) == 25
    assert "q=Page&amp;page=2" in first.content.decode()
    second = client.get(reverse("directory:list"), {"q": "Page", "page": 2})
    assert len(second.context["cards"]) == 5


def test_invalid_filter_value_is_ignored_rather_than_failing(people, client_for, member):
    response = client_for(member).get(reverse("directory:list"), {"organisation": "no-such-org", "page": "zzz"})
    assert response.status_code == 200


def _bulk_members(count: int, organisations, areas) -> None:
    """Create ``count`` approved members fast: users, members and their links in a few bulk inserts."""
    User = get_user_model()
    start = User.objects.count()
    users = User.objects.bulk_create(
        [User(username=f"bulk{start + i}", email=f"bulk{start + i}@example.nhs.uk", first_name="Bulk", last_name=f"Member{i:05d}", password="!")
         for i in range(count)],
        batch_size=1000,
    )
    if users[0].pk is None:  # backends that do not return ids
        users = list(User.objects.filter(username__startswith="bulk").order_by("pk"))[-count:]
    members = Member.objects.bulk_create(
        [Member(user=u, status=Member.Status.APPROVED, job_role="gp", phone="01206 000000") for u in users], batch_size=1000
    )
    if members[0].pk is None:
        members = list(Member.objects.filter(user__in=users))
    Member.organisations.through.objects.bulk_create(
        [Member.organisations.through(member_id=m.pk, organisation_id=organisations[i % len(organisations)].pk) for i, m in enumerate(members)],
        batch_size=1000,
    )
    Member.specialties.through.objects.bulk_create(
        [Member.specialties.through(member_id=m.pk, servicearea_id=areas[i % len(areas)].pk) for i, m in enumerate(members)],
        batch_size=1000,
    )


# Rendering the list: the user with the viewer's member row (one query), the viewer's organisations, the
# filter form's three choice lists, the count, the page's member ids, those
# members and their organisations, specialties and interests (one query each): 11, whatever the size (the session and
# the viewer's roles and permissions come from the cache: portal/core/permissions.py).
PINNED_LIST_QUERIES = 11
# From the cache: the same without the filter form's choices and the page of members.
PINNED_CACHED_LIST_QUERIES = 2


@pytest.mark.parametrize("params,extra", [
    ({}, 0),
    # A name search is never cached, so it reads its page of members at once rather than by id.
    ({"q": "member"}, -1),
    # Each organisation or service-area filter costs one look-up to check the slug.
    ({"interest": "dermatology", "locality": "Colchester", "organisation": "castle-gate-surgery", "role": "gp"}, 2),
])
def test_directory_list_runs_the_same_queries_with_10_and_10000_members(make_member, client_for, region, service_areas, params, extra):
    viewer = make_member(first_name="Viewer", last_name="Person", organisations=[region["practice"]])
    orgs = [region["practice"], region["other_practice"], region["cluster"]]
    areas = list(service_areas.values())
    _bulk_members(9, orgs, areas)
    client = client_for(viewer)
    client.get(reverse("directory:list"), params)  # warm caches (sessions, content types)

    def count() -> int:
        fragments.forget_all()  # what rendering costs (bulk_create sends no signal to forget the cached list)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("directory:list"), params)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    small = count()
    _bulk_members(9990, orgs, areas)
    assert Member.objects.count() == 10_000
    large = count()
    assert small == large
    assert large == PINNED_LIST_QUERIES + extra


def test_directory_list_query_count_is_pinned(make_member, client_for, region, service_areas, django_assert_num_queries):
    viewer = make_member(first_name="Viewer", last_name="Person", organisations=[region["practice"]])
    _bulk_members(40, [region["practice"]], list(service_areas.values()))
    client = client_for(viewer)
    client.get(reverse("directory:list"))
    fragments.forget_all()
    with django_assert_num_queries(PINNED_LIST_QUERIES):
        client.get(reverse("directory:list"))


def test_cached_directory_list_reads_no_members(make_member, client_for, region, service_areas, django_assert_num_queries):
    viewer = make_member(first_name="Viewer", last_name="Person", organisations=[region["practice"]])
    _bulk_members(40, [region["practice"]], list(service_areas.values()))
    client = client_for(viewer)
    client.get(reverse("directory:list"))
    with django_assert_num_queries(PINNED_CACHED_LIST_QUERIES):
        client.get(reverse("directory:list"))
