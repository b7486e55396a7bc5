"""Directory list and filter latency with 10,000 members.

Creates a throwaway test database (``test_<name>`` of whatever ``DATABASE_URL``
names, or an SQLite file), fills it with 10,000 approved members spread over
practices, clusters and service areas, then times server-side requests to
/directory/ through Django's test client (view, queries and template; no
network, and without the test runner's template instrumentation): the unfiltered first page, a deep page, a name search, and the
organisation / role / interest / locality filters.  Prints median and p95 in
milliseconds per scenario, and the query count.

Run from the repository root:

    . .venv/bin/activate
    python bench/directory_list.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pbc_directory \
      python bench/directory_list.py                    # PostgreSQL (uses test_pbc_directory)

Options: ``--members N`` (default 10000), ``--repeat R`` (default 30).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    import re

    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        client, scenarios = _populate(args.members)
        print(f"{connection.vendor}, {args.members} members, {args.repeat} requests per scenario (after one warm-up)")
        print(f"{'scenario':<28}{'median ms':>10}{'p95 ms':>10}{'queries':>9}{'found':>8}")
        for name, params in scenarios:
            client.get("/directory/", params)
            timings = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = client.get("/directory/", params)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
            with CaptureQueriesContext(connection) as ctx:
                response = client.get("/directory/", params)
            p95 = statistics.quantiles(timings, n=20)[-1]
            # Template instrumentation (setup_test_environment) would slow every request, so read the count from the page.
            found = int(re.search(r"(\d+) members? found", response.content.decode()).group(1))
            print(f"{name:<28}{statistics.median(timings):>10.1f}{p95:>10.1f}{len(ctx.captured_queries):>9}{found:>8}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _populate(count: int):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from directory.models import Member, Organisation, ServiceArea
    from portal.site.demo import ORGANISATIONS, SERVICE_AREAS
    from portal.core.roles import Role, grant_role, sync_roles

    sync_roles()
    areas = [ServiceArea.objects.create(name=name, description=d) for name, d in SERVICE_AREAS]
    orgs: dict[str, Organisation] = {}
    for name, kind, parent, locality, list_size in ORGANISATIONS:
        orgs[name] = Organisation.objects.create(name=name, kind=kind, parent=orgs.get(parent), locality=locality, list_size=list_size)
    org_list = list(orgs.values())
    User = get_user_model()
    first = ["Anne", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hugh", "Imran", "Jane", "Kofi", "Lucy"]
    last = ["Adams", "Baker", "Clarke", "Dawson", "Evans", "Fisher", "Green", "Hughes", "Iqbal", "Jones", "Khan", "Lewis", "Patel"]
    users = User.objects.bulk_create(
        [User(username=f"bench{i}", email=f"bench{i}@example.nhs.uk", first_name=first[i % len(first)],
              last_name=f"{last[i % len(last)]}{i}", password="!") for i in range(count)],
        batch_size=2000,
    )
    if users[0].pk is None:
        users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    roles = [r for r, _ in Member.JobRole.choices]
    members = Member.objects.bulk_create(
        [Member(user=u, status=Member.Status.APPROVED, job_role=roles[i % len(roles)], phone="01632 960000") for i, u in enumerate(users)],
        batch_size=2000,
    )
    if members[0].pk is None:
        members = list(Member.objects.order_by("pk"))
    through = Member.organisations.through
    through.objects.bulk_create([through(member_id=m.pk, organisation_id=org_list[i % len(org_list)].pk) for i, m in enumerate(members)], batch_size=5000)
    spec = Member.specialties.through
    spec.objects.bulk_create([spec(member_id=m.pk, servicearea_id=areas[i % len(areas)].pk) for i, m in enumerate(members)], batch_size=5000)
    inter = Member.interests.through
    inter.objects.bulk_create([inter(member_id=m.pk, servicearea_id=areas[(i * 7) % len(areas)].pk) for i, m in enumerate(members)], batch_size=5000)
    viewer = members[0]
    grant_role(viewer.user, Role.MEMBER)
    client = Client()
    client.force_login(viewer.user)
    practice = orgs["Castle Gate Surgery"]
    scenarios = [
        ("first page", {}),
        ("page 200", {"page": "200"}),
        ("name search 'pat'", {"q": "pat"}),
        ("organisation", {"organisation": practice.slug}),
        ("role", {"role": "nurse"}),
        ("interest", {"interest": areas[0].slug}),
        ("locality", {"locality": "Colchester"}),
        ("all filters", {"q": "a", "role": "gp", "interest": areas[4].slug, "locality": "Ipswich"}),
    ]
    return client, scenarios


if __name__ == "__main__":
    main()
