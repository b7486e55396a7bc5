"""Relevance benchmark: judged queries (queries.toml) scored on a search backend (P@3, MRR@10, zero results).

    python -m bench.relevance --backend database
    python -m bench.relevance --backend elasticsearch        # ELASTICSEARCH_URL, or a local engine is started

The database in ``DATABASE_URL`` (the embedded SQLite file when unset) must hold the demo content
(``manage.py demo``); ``--build`` runs the migrations and the demo build first.  Scores are reported for the
whole set and separately for its "tuned" and "held_out" parts.  ``tests/search/test_relevance.py`` pins a
floor under these scores.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

QUERIES = Path(__file__).resolve().parent / "queries.toml"


@dataclass(frozen=True)
class JudgedQuery:
    q: str
    expect: tuple[str, ...]  # "kind:title" of the items that should come first
    set: str = "tuned"
    viewer: str = "member"


@dataclass
class Scores:
    queries: int = 0
    precision_at_3: float = 0.0
    mrr_at_10: float = 0.0
    zero_results: int = 0
    misses: list[tuple[str, list[str]]] = field(default_factory=list)


def load_queries(path: Path = QUERIES) -> list[JudgedQuery]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [JudgedQuery(q=item["q"], expect=tuple(item["expect"]), set=item.get("set", "tuned"), viewer=item.get("as", "member"))
            for item in data["query"]]


def hit_label(hit) -> str:
    return f"{hit.kind}:{hit.title}"


def score(backend, queries: list[JudgedQuery]) -> Scores:
    """P@3 (relevant among the first three, over min(3, judged)), MRR@10 and zero-result queries, averaged over ``queries``.

    What is scored is the search page's ranked list: people are shown in a block of their own beside it
    (``search.queries.ranked_list_excludes``), so they are left out here as there.
    """
    from search.queries import ranked_list_excludes
    from search.registry import MEMBERS, PUBLIC

    scores = Scores(queries=len(queries))
    if not queries:
        return scores
    for judged in queries:
        results = backend.search(judged.q, viewer_audience=MEMBERS if judged.viewer == "member" else PUBLIC, page_size=10,
                                 excluded_kinds=ranked_list_excludes({}))
        labels = [hit_label(hit) for hit in results.hits]
        expected = set(judged.expect)
        if not results.total:
            scores.zero_results += 1
        relevant_top3 = sum(1 for label in labels[:3] if label in expected)
        scores.precision_at_3 += relevant_top3 / min(3, len(expected))
        rank = next((n for n, label in enumerate(labels[:10], 1) if label in expected), None)
        scores.mrr_at_10 += 1 / rank if rank else 0.0
        if rank != 1:
            scores.misses.append((judged.q, labels[:3]))
    scores.precision_at_3 /= len(queries)
    scores.mrr_at_10 /= len(queries)
    return scores
