"""python -m bench.relevance --backend database|elasticsearch [--build] [--misses]"""
from __future__ import annotations

import argparse
import os
import sys
import uuid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["database", "elasticsearch"], required=True)
    parser.add_argument("--build", action="store_true", help="migrate and build the demo content first")
    parser.add_argument("--misses", action="store_true", help="list the tuned queries whose first result is not judged relevant")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    engine = None
    if args.backend == "elasticsearch" and not os.environ.get("ELASTICSEARCH_URL"):
        engine = _start_engine()
        os.environ["ELASTICSEARCH_URL"] = engine.url
        os.environ.setdefault("SEARCH_INDEX_PREFIX", f"relevance-{uuid.uuid4().hex[:8]}")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench.relevance import load_queries, score
    from search.backends.database import DatabaseBackend
    from search.services import iter_all_documents

    settings.SEARCH_ANSWER_SECONDS = 0
    if args.build:
        call_command("migrate", verbosity=0)
        call_command("demo", search_rebuild=False)
    documents = list(iter_all_documents())
    if not documents:
        sys.exit("No demo content in this database: run with --build (or manage.py demo) first.")
    if args.backend == "database":
        backend = DatabaseBackend()
    else:
        from search.backends.elasticsearch import ElasticsearchBackend

        backend = ElasticsearchBackend(os.environ["ELASTICSEARCH_URL"])
        settings.SEARCH_ES_REFRESH = "true"
    backend.rebuild(iter(documents))
    queries = load_queries()
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    name = f"database ({vendor})" if args.backend == "database" else "elasticsearch API"
    print(f"Relevance on {name}: {len(documents)} documents, {len(queries)} judged queries")
    print(f"{'set':<10} {'queries':>7} {'P@3':>6} {'MRR@10':>7} {'zero':>5}")
    for label, subset in (("all", queries), ("tuned", [q for q in queries if q.set == "tuned"]),
                          ("held_out", [q for q in queries if q.set == "held_out"])):
        result = score(backend, subset)
        print(f"{label:<10} {result.queries:>7} {result.precision_at_3:>6.3f} {result.mrr_at_10:>7.3f} {result.zero_results:>5}")
        if args.misses and label == "tuned":  # the held-out queries are scored, never inspected one by one
            for query, top in result.misses:
                print(f"    miss [{label}] {query!r}: {top}")
    if engine is not None:
        engine.close()


def _start_engine():
    """A local OpenSearch (tests/search/engine) behind the test header relay, when no ELASTICSEARCH_URL is given."""
    from tests.search.opensearch_node import OpenSearchNode
    from tests.search.relay import Relay

    server = OpenSearchNode.start()
    relay = Relay(server.url).__enter__()

    class Engine:
        url = relay.url

        @staticmethod
        def close() -> None:
            relay.__exit__(None, None, None)
            server.close()

    return Engine()


if __name__ == "__main__":
    main()
