"""Re-design matrix render time with 5,000 entries.

Creates a throwaway test database (``test_<name>`` of whatever ``DATABASE_URL``
names, or an SQLite one), fills it with the demo region's service areas and
commissioning organisations and N matrix entries spread over them, stages and
leads, then times server-side requests through Django's test client (view,
queries and template; no network): the organisation matrix, the stage view, a
filtered matrix, the first page of the entry list and the printable list.
Prints median and p95 in milliseconds per scenario, and the query count.

Run from the repository root:

    . .venv/bin/activate
    python bench/redesign_matrix.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pbc_redesign \
      python bench/redesign_matrix.py                    # PostgreSQL (uses bench_pbc_redesign)

Options: ``--entries N`` (default 5000), ``--repeat R`` (default 30).
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
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if connection.vendor == "postgresql":
        # Not pytest's test_<name>: a benchmark running beside the test suite must not share its database.
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        client, scenarios = _populate(args.entries)
        print(f"{connection.vendor}, {args.entries} matrix entries, {args.repeat} requests per scenario (after one warm-up)")
        print(f"{'scenario':<26}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
        for name, url, repeat in scenarios:
            repeat = repeat or args.repeat
            client.get(url)
            timings = []
            for _ in range(repeat):
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
            print(f"{name:<26}{statistics.median(timings):>10.1f}{p95:>10.1f}{len(ctx.captured_queries):>9}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _populate(count: int):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from directory.models import Member, Organisation, ServiceArea
    from portal.core.roles import Role, grant_role, sync_roles
    from portal.site.demo import ORGANISATIONS, SERVICE_AREAS
    from redesign.models import MatrixEntry, Stage

    sync_roles()
    areas = [ServiceArea.objects.create(name=name, description=d) for name, d in SERVICE_AREAS]
    orgs: dict[str, Organisation] = {}
    for name, kind, parent, locality, list_size in ORGANISATIONS:
        orgs[name] = Organisation.objects.create(name=name, kind=kind, parent=orgs.get(parent), locality=locality, list_size=list_size)
    commissioning = [o for o in orgs.values() if o.kind in ("cluster", "consortium", "pct")]
    User = get_user_model()
    users = [User.objects.create_user(username=f"lead{i}", email=f"lead{i}@example.nhs.uk", first_name="Lead", last_name=str(i)) for i in range(40)]
    members = [Member.objects.create(user=u, status=Member.Status.APPROVED, job_role="gp") for u in users]
    for m in members:
        m.organisations.set([commissioning[m.pk % len(commissioning)]])
    grant_role(users[0], Role.MEMBER)
    stages = list(Stage.values)
    now = timezone.now()
    MatrixEntry.objects.bulk_create(
        [
            MatrixEntry(
                organisation=commissioning[i % len(commissioning)], service_area=areas[(i * 7) % len(areas)],
                title=f"Re-design work {i}", summary="Community service, business case and specification. " * 3,
                stage=stages[i % len(stages)], stop_reason="Superseded" if stages[i % len(stages)] == "stopped" else "",
                updated_at=now - timezone.timedelta(days=i % 200), created_at=now,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    through = MatrixEntry.leads.through
    entry_ids = list(MatrixEntry.objects.values_list("pk", flat=True))
    through.objects.bulk_create(
        [through(matrixentry_id=pk, member_id=members[i % len(members)].pk) for i, pk in enumerate(entry_ids)], batch_size=5000
    )
    client = Client()
    client.force_login(users[0])
    scenarios = [
        ("matrix by organisation", "/redesign/", None),
        ("matrix by stage", "/redesign/?view=stages", None),
        ("matrix, live only", "/redesign/?stage=live", None),
        ("matrix, stale only", "/redesign/?stale=on", None),
        ("entry list, page 1", "/redesign/entries/", None),
        ("printable list (all)", "/redesign/entries/print/", 5),
    ]
    return client, scenarios


if __name__ == "__main__":
    main()
