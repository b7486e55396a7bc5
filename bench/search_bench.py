"""Search benchmark: indexing throughput and query latency (p50/p95) for each backend.

    # embedded on SQLite (a throw-away database in a temporary folder, migrated first)
    python bench/search_bench.py --backend database --count 100000
    # embedded on PostgreSQL (your own database; it is migrated, and its search index replaced)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pbc_search python bench/search_bench.py --backend database
    # Elasticsearch API: a real single-node OpenSearch (tests/search/engine, built with Maven on first use)
    # through the test header relay, or whatever ELASTICSEARCH_URL names
    python bench/search_bench.py --backend elasticsearch --count 100000

Documents are generated from the words of the seed papers (the copies in
search/demo), about 150 words each, with random kinds, service areas,
organisations, years and audiences.  Queries are one to three words drawn
from the same vocabulary plus the judged queries, run as a member.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ["case_study", "matrix_entry", "template", "thread", "reply", "document", "event", "guidance"]
AREAS = ["Dermatology", "Musculoskeletal", "Diabetes", "COPD", "Urgent care", "Prescribing", "Mental health", "Ophthalmology"]
ORGS = [f"Cluster {n}" for n in range(1, 40)]
JUDGED = ["dermatology business case", "freed up resources", "MSK triage", "world class commissioning", "PbC indicative budget"]


def vocabulary() -> list[str]:
    papers = sorted((ROOT / "search" / "demo").glob("*.txt"))
    if not papers:
        raise SystemExit("The seed papers are missing from search/demo/: the benchmark's documents are made of their words.")
    text = " ".join(path.read_text(errors="replace") for path in papers)
    return [w for w in re.findall(r"[A-Za-z]{3,}", text)]


def generate(count: int, words: list[str], seed: int = 7):
    from search.registry import MEMBERS, PUBLIC, SearchDocument

    rng = random.Random(seed)
    for n in range(count):
        start = rng.randrange(len(words) - 200)
        body = " ".join(words[start:start + rng.randint(80, 200)])
        yield SearchDocument(
            kind=rng.choice(KINDS), pk=str(n), title=" ".join(rng.sample(words, 6)).capitalize(), body=body,
            url=f"/bench/{n}/", audience=PUBLIC if rng.random() < 0.6 else MEMBERS,
            service_areas=tuple(rng.sample(AREAS, rng.randint(0, 2))), organisation=rng.choice(ORGS),
            date=datetime(rng.randint(2004, 2026), rng.randint(1, 12), 1, tzinfo=timezone.utc),
        )


def engine_cpu_ms(pid: int | None) -> float:
    """CPU time (ms) the search server process has used so far, summed over its threads (ns precision)."""
    if not pid:
        return 0.0
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e6


def engine_rss_mb(pid: int | None) -> int | None:
    if not pid:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):  # peak resident set
            return int(line.split()[1]) // 1024
    return None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["database", "elasticsearch"], required=True)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reuse", action="store_true",
                        help="database backend: keep an index that already holds --count documents and only time the queries "
                             "(for re-measuring a change to querying; the JSON line then has no indexing figures)")
    parser.add_argument("--engine-heap", default="1g", help="elasticsearch backend: the heap of the OpenSearch it starts")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="search-bench-")
    if args.backend == "database" and not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("PORTAL_DATA_DIR", tmp)  # name one (PORTAL_DATA_DIR=…) to keep the index for --reuse
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    server = relay = pid = None
    if args.backend == "elasticsearch" and not os.environ.get("ELASTICSEARCH_URL"):
        from tests.search.opensearch_node import OpenSearchNode
        from tests.search.relay import Relay

        server = OpenSearchNode.start(heap=args.engine_heap)
        pid = server.pid
        print(f"OpenSearch started in {server.started_in:.1f} s ({server.rss_mb():,} MB resident, heap {args.engine_heap})",
              flush=True)
        relay = Relay(server.url).__enter__()
        os.environ["ELASTICSEARCH_URL"] = relay.url
        os.environ["PORTAL_DATA_DIR"] = tmp
    os.environ.setdefault("SEARCH_INDEX_PREFIX", "bench")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from search.backends import get_backend
    from search.backends.database import DatabaseBackend
    from search.registry import MEMBERS

    settings.SEARCH_ES_REFRESH = False
    settings.SEARCH_ES_TIMEOUT = 300
    backend = get_backend() if args.backend == "elasticsearch" else DatabaseBackend()
    words = vocabulary()
    engine = f"{backend.name} ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})" if args.backend == "database" else "elasticsearch API (OpenSearch 2.19 via relay)" if relay else "elasticsearch"
    reused = False
    if args.reuse and args.backend == "database":
        from search.models import IndexedDocument

        reused = IndexedDocument.objects.count() == args.count
    if reused:
        print(f"{engine}: reusing the index of {args.count:,} documents already built (queries only)", flush=True)
        written, elapsed = args.count, None
    else:
        backend.clear()
        print(f"{engine}: indexing {args.count:,} generated documents …", flush=True)
        started, cpu_started, own_started = time.perf_counter(), engine_cpu_ms(pid), time.process_time()
        last = [0.0]

        def progress(done, _total):
            if time.perf_counter() - last[0] > 5:
                last[0] = time.perf_counter()
                print(f"  {done:,} documents, {done / (time.perf_counter() - started):,.0f}/s", flush=True)

        written = backend.rebuild(generate(args.count, words), progress)
        elapsed = time.perf_counter() - started
        index_cpu = engine_cpu_ms(pid) - cpu_started
        # This process's CPU: generating the documents, the client's serialising and, when it runs here, the relay.
        own_cpu = (time.process_time() - own_started) * 1000
        print(f"indexed {written:,} documents in {elapsed:.1f} s: {written / elapsed:,.0f} documents/s; "
              f"this process's CPU {own_cpu / 1000:.1f} s ({own_cpu / max(written, 1):.2f} ms a document)"
              + (f"; search server CPU {index_cpu / 1000:.1f} s ({index_cpu / max(written, 1):.2f} ms a document), "
                 f"peak memory {engine_rss_mb(pid):,} MB; together {(own_cpu + index_cpu) / max(written, 1):.2f} ms of CPU a "
                 f"document, {2000 * written / max(own_cpu + index_cpu, 1):,.0f} documents/s if two cores were free for them"
                 if pid else ""))

    rng = random.Random(11)
    queries = JUDGED + [" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(args.queries - len(JUDGED))]
    for query in queries[:5]:  # warm up
        backend.search(query, viewer_audience=MEMBERS)
    timings, cpu, found, estimated = [], [], 0, 0
    for query in queries:
        t0, c0 = time.perf_counter(), engine_cpu_ms(pid)
        results = backend.search(query, viewer_audience=MEMBERS, page_size=10)
        timings.append((time.perf_counter() - t0) * 1000)
        cpu.append(engine_cpu_ms(pid) - c0)
        found += bool(results.total)
        estimated += results.approximate
    print(f"{len(queries)} queries (member, first page of 10, with facets and highlights; {found} found something, "
          f"{estimated} of them common enough to be counted from a sample): "
          f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms, max {max(timings):.1f} ms"
          + (f"; search server CPU a query: p50 {statistics.median(cpu):.1f} ms, p95 {percentile(cpu, 95):.1f} ms" if pid else ""))
    # The last line is for ``python -m bench``, which reads it.
    print(json.dumps({
        "backend": args.backend, "documents": written, "index_seconds": None if reused else round(elapsed, 1),
        "documents_per_second": None if reused else round(written / elapsed), "queries": len(queries), "estimated": estimated,
        "p50_ms": round(statistics.median(timings), 1), "p95_ms": round(percentile(timings, 95), 1), "max_ms": round(max(timings), 1),
        **({"engine_index_cpu_s": None if reused else round(index_cpu / 1000, 1),
            "client_index_cpu_s": None if reused else round(own_cpu / 1000, 1), "engine_peak_mb": engine_rss_mb(pid),
            "engine_cpu_p50_ms": round(statistics.median(cpu), 1), "engine_cpu_p95_ms": round(percentile(cpu, 95), 1)} if pid else {}),
    }))
    if relay:
        relay.__exit__(None, None, None)
        server.close()


if __name__ == "__main__":
    main()
