"""CPU time per request for the benchmark's pages, measured in-process.

Wall time on a shared 2-core machine measures the queue for the CPU as much as
the portal; CPU time per request is what decides how many requests a second
two cores can answer.  This script times each page with ``time.process_time()``
around Django's test client ``get`` (view, queries, template, middleware; no
network), with the production settings' template loaders and DEBUG off, after
a few warm-up requests, and reports the median, plus the queries one request
makes and the CPU the PostgreSQL server process spent on them (mean per
request, read from ``/proc`` for this connection's backend when the database
runs on the same machine: on two shared cores it counts as much as the
portal's own).  Pages that need a member are fetched signed in as the benchmark's
synthetic viewer (``portal.site.synthetic.synthetic_viewer``).

It reads whatever database ``DATABASE_URL`` names, which must already hold the
benchmark's data (``manage.py bench_data``), e.g. the full size:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pbc_bench \\
      python manage.py bench_data --members 10000 --entries 5000 --replies 1000 --documents 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pbc_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
      python bench/cpu_per_page.py --pages "directory list,re-design matrix"

Options: ``--pages`` (comma-separated figure names from ``bench.run.PAGES``;
default all), ``--repeat R`` (timed requests per page, default 20),
``--warm-up W`` (default 3), ``--uncached`` (forget the cached fragments and
anonymous pages before every request, to time rendering itself).  Anonymous pages that the page cache answers are
measured as cache hits, as a visitor meets them.

Prints a table, then one JSON line: ``{"cpu_ms": {figure: median}, "queries":
{figure: n}, "repeat": R}``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def backend_cpu_ms(pid: int) -> float:
    """CPU time (user + system) a PostgreSQL backend process has used so far, from /proc: the database's share."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="", help="comma-separated figure names (default: every page)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warm-up", type=int, default=3)
    parser.add_argument("--uncached", action="store_true", help="forget cached fragments and pages before each request")
    args = parser.parse_args()

    from bench.run import page_paths

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.core import fragments
    from portal.core.page_cache import forget_cached_pages
    from portal.site.synthetic import synthetic_viewer

    def forget_everything() -> None:
        fragments.forget_all()
        forget_cached_pages()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    wanted = {name.strip() for name in args.pages.split(",") if name.strip()}
    pages = [page for page in page_paths() if not wanted or page[0] in wanted]
    if wanted - {page[0] for page in pages}:
        raise SystemExit(f"Unknown pages: {', '.join(sorted(wanted - {page[0] for page in pages}))}")
    anonymous, member = Client(), Client()
    member.force_login(synthetic_viewer().user)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    local_backend = Path(f"/proc/{backend}/stat").exists()  # the database runs on this machine

    cpu_ms, database_ms, queries = {}, {}, {}
    print(f"{connection.vendor}, {args.repeat} requests per page after {args.warm_up} warm-up"
          f"{', nothing cached' if args.uncached else ''}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'page':<28}{'CPU ms (median)':>16}{'min':>8}{'database CPU ms':>17}{'queries':>9}")
    for figure, path, signed_in, _cached in pages:
        client = member if signed_in else anonymous
        for _ in range(args.warm_up):
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{figure}: {path} answered HTTP {response.status_code}")
        timings = []
        database_before = backend_cpu_ms(backend) if local_backend else 0.0
        for _ in range(args.repeat):
            if args.uncached:
                forget_everything()
            start = time.process_time()
            client.get(path)
            timings.append((time.process_time() - start) * 1000)
        database_ms[figure] = round((backend_cpu_ms(backend) - database_before) / args.repeat, 1) if local_backend else None
        if args.uncached:
            forget_everything()
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        cpu_ms[figure] = round(statistics.median(timings), 1)
        queries[figure] = len(captured.captured_queries)
        print(f"{figure:<28}{cpu_ms[figure]:>16.1f}{min(timings):>8.1f}{database_ms[figure] or 0:>17.1f}{queries[figure]:>9}")
    print(json.dumps({"cpu_ms": cpu_ms, "database_cpu_ms": database_ms, "queries": queries, "repeat": args.repeat, "uncached": args.uncached}))


if __name__ == "__main__":
    main()
