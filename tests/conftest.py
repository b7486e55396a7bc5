"""Shared fixtures: a small region, members in each role, and signed-in clients.

Tests run against whatever database ``DATABASE_URL`` names (PostgreSQL in
CI) or SQLite when it is unset; the cache and channel layer follow
``REDIS_URL`` the same way.
"""
from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache

from portal.core.roles import Role


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Browser tests run last, after pytest-django has ordered the rest.

    Playwright's synchronous API keeps an event loop on the main thread for the
    rest of the session, and Django refuses database calls from a thread with a
    running loop; a test that asks for the database late (``getfixturevalue``)
    would otherwise be ordered after them and fail.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)

_sequence = itertools.count(1)

DEMO_PASSWORD = "Correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_BASE_URL = "http://testserver"
    # Sessions and the viewer's role facts kept in the cache, as production keeps them in Redis, whichever
    # cache the run has (an in-memory one serves this single process just as well): query-count pins are
    # then the same in both runs.  tests/portal/test_viewer_facts.py and tests/security/test_sessions.py
    # cover the embedded mode's database-only path too.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.PORTAL_VIEWER_FACTS_CACHED = True
    cache.clear()
    yield
    cache.clear()


DB_FIXTURES = ("db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback")


@pytest.fixture(autouse=True)
def _migration_data_restored(request):
    """Put back what migrations create when a transactional test has flushed the database.

    A ``transaction=True`` test empties every table when it ends, including the
    rows migrations made: the home page and its Site (portal 0003) and, when a
    flush's post_migrate signal does not reach every app, permissions.  Tests
    that run afterwards get them back here, so no test depends on the order.
    """
    uses_db = request.node.get_closest_marker("django_db") or any(name in request.fixturenames for name in DB_FIXTURES)
    if uses_db:
        request.getfixturevalue("_django_db_helper")
        restore_migration_data()
    yield


def restore_migration_data() -> None:
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.management import create_contenttypes
    from wagtail.models import Locale, Page, Site

    from portal.core.documents import ensure_public_collection
    from portal.site.models import HomePage

    if not Permission.objects.filter(content_type__app_label="redesign").exists():
        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
            create_permissions(app_config, verbosity=0)
    ensure_public_collection()  # portal 0009; it also makes the root collection when a flush removed it
    if HomePage.objects.exists() and Site.objects.exists():
        return
    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(instance=HomePage(title="Practice-based commissioning: share what works", slug="home", locale=locale))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "site_name": "PbC Network Portal"}
    )


@pytest.fixture
def roles(db):
    from portal.core.roles import sync_roles

    return sync_roles()


@pytest.fixture
def service_areas(db):
    from directory.models import ServiceArea

    names = ["Dermatology", "Musculoskeletal", "Diabetes", "COPD", "Urgent care", "Prescribing"]
    return {name: ServiceArea.objects.get_or_create(name=name)[0] for name in names}


@pytest.fixture
def region(db, roles):
    """SHA → PCT → consortium → two clusters → a practice in each."""
    from directory.models import Organisation

    def org(name, kind, parent=None, **extra):
        return Organisation.objects.get_or_create(name=name, kind=kind, defaults={"parent": parent, **extra})[0]

    sha = org("NHS East of England", "sha")
    pct = org("North East Essex PCT", "pct", sha, locality="Colchester")
    consortium = org("Colchester Commissioning Consortium", "consortium", pct, locality="Colchester")
    cluster = org("Colchester Town Cluster", "cluster", consortium, locality="Colchester")
    other_cluster = org("Tendring Cluster", "cluster", consortium, locality="Clacton-on-Sea")
    practice = org("Castle Gate Surgery", "practice", cluster, locality="Colchester", list_size=12950)
    other_practice = org("Walton Harbour Surgery", "practice", other_cluster, locality="Walton-on-the-Naze", list_size=5930)
    return {
        "sha": sha,
        "pct": pct,
        "consortium": consortium,
        "cluster": cluster,
        "other_cluster": other_cluster,
        "practice": practice,
        "other_practice": other_practice,
    }


@pytest.fixture
def make_member(db, roles):
    """Create an approved (or otherwise) member with a verified e-mail address.

    ``make_member(roles=[Role.CLUSTER_LEAD], organisations=[...], status="pending")``
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from directory.models import Member
    from portal.core.roles import grant_role

    def factory(*, first_name="Alex", last_name=None, email=None, roles=(Role.MEMBER,), organisations=(), status="approved",
                job_role="gp", mfa=False, password=DEMO_PASSWORD, **member_fields):
        n = next(_sequence)
        last_name = last_name or f"Tester{n}"
        email = email or f"member{n}@example.nhs.uk"
        user = get_user_model().objects.create_user(
            username=f"user{n}", email=email, password=password, first_name=first_name, last_name=last_name
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        member = Member.objects.create(user=user, status=status, job_role=job_role, **member_fields)
        member.organisations.set(organisations)
        if status == "approved":
            for role in roles:
                grant_role(user, role)
        if mfa:
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        return member

    return factory


@pytest.fixture
def member(make_member, region):
    return make_member(first_name="Fiona", last_name="Marsh", organisations=[region["practice"]])


@pytest.fixture
def other_org_member(make_member, region):
    return make_member(first_name="Oliver", last_name="Grant", organisations=[region["other_practice"]])


@pytest.fixture
def cluster_lead(make_member, region):
    return make_member(first_name="Priya", last_name="Raman", roles=[Role.MEMBER, Role.CLUSTER_LEAD], organisations=[region["cluster"]])


@pytest.fixture
def moderator(make_member, region):
    return make_member(first_name="Judith", last_name="Oakley", roles=[Role.MEMBER, Role.MODERATOR], organisations=[region["pct"]])


@pytest.fixture
def network_admin(make_member, region):
    return make_member(first_name="Ruth", last_name="Okafor", roles=[Role.MEMBER, Role.NETWORK_ADMIN], organisations=[region["sha"]], mfa=True, job_role="sha_staff")


@pytest.fixture
def sha_editor(make_member, region):
    return make_member(first_name="Andrew", last_name="Vale", roles=[Role.MEMBER, Role.SHA_EDITOR], organisations=[region["sha"]], mfa=True, job_role="sha_staff")


@pytest.fixture
def client_for(client):
    """``client_for(member)`` signs the test client in as that member (skipping the MFA prompt)."""

    def sign_in(member):
        client.force_login(member.user)
        return client

    return sign_in


@pytest.fixture
def home_page(db):
    """The site's home page, made by a migration (put back after a flush by restore_migration_data above)."""
    from portal.site.models import HomePage

    return HomePage.objects.get()


@pytest.fixture
def guidance_index(roles, home_page):
    from portal.guidance.models import GuidanceIndexPage
    from portal.guidance.services import ensure_guidance_workflow

    index = GuidanceIndexPage(title="Guidance", slug="guidance", introduction="Guidance on PbC.")
    home_page.add_child(instance=index)
    index.save_revision().publish()
    ensure_guidance_workflow(index)
    return index


@pytest.fixture
def second_sha_editor(make_member, region):
    return make_member(first_name="Sarah", last_name="Whitlock", roles=[Role.MEMBER, Role.SHA_EDITOR],
                       organisations=[region["sha"]], mfa=True, job_role="sha_staff")
