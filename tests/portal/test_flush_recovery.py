"""Transactional tests flush every table; the shared fixture puts back what migrations made."""
import pytest


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_runs_against_the_migrated_site():
    from portal.site.models import HomePage

    assert HomePage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_home_page_is_served_after_an_earlier_flush(client):
    assert client.get("/").status_code == 200


def test_roles_sync_after_an_earlier_flush(roles):
    from portal.core.roles import Role

    assert set(roles) == set(Role)
