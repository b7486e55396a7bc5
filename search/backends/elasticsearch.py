"""Elasticsearch 8 through elasticsearch-dsl, when ELASTICSEARCH_URL is set.

Reads go through the alias; writes go to every concrete index behind the
alias pattern, so an update made while a rebuild runs lands in the new index
as well as the old one.  The viewer's audience is a filter inside the
query, so hits, totals, aggregations and highlights only ever cover what the
viewer may see; a spelling suggestion is offered only after a filtered count
proves it finds something visible.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.utils import timezone

from search.analysis import (
    MARK_END,
    MARK_START,
    TEXT_STOP_WORDS,
    ParsedQuery,
    document_keywords,
    highlight_words,
    marked_to_html,
    parse,
    searchable_text,
    words,
)
from search.backends.base import (
    EXCLUDED_KINDS,
    MAX_BODY_CHARS,
    FacetCount,
    Progress,
    SearchBackend,
    SearchHit,
    SearchResults,
    SearchUnavailable,
    WHOLE_TITLE_FACTOR,
    visible_audiences,
)
from search.documents import PortalDocument, alias_name
from search.registry import PUBLIC, SearchDocument

FIELDS = ["title^3", "body", "keywords^0.5"]
#: The analyzer a query's words go through: the index's English analyzer without the synonym filter.  The query
#: parser already writes every synonym out as an alternative phrase (search.analysis.parse), so the fields' search
#: analyzer (with synonym_graph) expanded each alternative again: "pbc" and "practice based commissioning" each
#: became both, twice the phrase queries over the same documents for the same matches (bench/HISTORY.md).
QUERY_ANALYZER = "portal_english"
FACET_FIELDS = {"kind": "kind", "service_area": "service_areas", "organisation": "organisation", "year": "year"}
FACET_LIMIT = 20
#: Documents per bulk request (Elasticsearch's advice: bulk requests of a few megabytes; see BULK_MAX_BYTES).
BULK_CHUNK = 1000
#: Bulk requests a rebuild keeps in flight at once (the maintained client's ``parallel_bulk``): while the engine
#: indexes one, this process builds and serialises the next, so the two share the cores instead of taking turns.
BULK_THREADS = 2
#: What a rebuild sets on the new index while it fills (the engines' advice for a bulk load: no periodic refresh,
#: the translog written to disk in the background rather than on every request, no replicas to copy every document
#: to), and what it restores before the alias moves to it.  A crash mid-rebuild loses nothing: the old index
#: stays live and the half-filled one is deleted.
BULK_LOAD_SETTINGS = {"refresh_interval": "-1", "translog.durability": "async", "number_of_replicas": 0}
#: Seconds a write (a bulk request, an index's creation, deletion or alias swap) may take before it fails.
WRITE_TIMEOUT = 120
#: How many of the best text matches recency and boost are applied to (see ElasticsearchBackend.search).
RESCORE_WINDOW = 500
#: What the ranking request's answer is cut down to (Elasticsearch's ``filter_path``).
RANKING_FIELDS = ["hits.total", "hits.hits._id", "hits.hits._score", "hits.hits.fields", "hits.hits.matched_queries", "aggregations.*.buckets.key",
                  "aggregations.*.buckets.doc_count"]
#: The window's date and boost, read from doc values (the date as ISO 8601, which _parse_date reads).
RANKING_DOCVALUES = [{"field": "date", "format": "strict_date_optional_time"}, "boost", "kind"]
#: Recency: a Gaussian decay on the document's date, as Elasticsearch's ``gauss`` decay function computes it.
RECENCY_SCALE_DAYS, RECENCY_OFFSET_DAYS, RECENCY_DECAY, RECENCY_WEIGHT = 1825, 30, 0.5, 0.5
#: A bulk request is also cut at this size, so a batch of long documents never makes one huge request (the client's default is 100 MB).
BULK_MAX_BYTES = 10 * 1024 * 1024


#: An event that is over ranks at this share of its score (as on the database backend).
PAST_EVENT_FACTOR = 0.5
#: The name of the query that finds the matches whose title holds the whole query (they rank at WHOLE_TITLE_FACTOR).
WHOLE_TITLE = "whole_title"
#: How much of a body the fallback highlighter reads when the engine's highlighter marked nothing.
FALLBACK_CHARS = 20_000


def _clean(text: str) -> str:
    return searchable_text((text or "").replace(MARK_START, "").replace(MARK_END, ""))


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str | None = None) -> None:
        from elasticsearch import Elasticsearch

        self.url = url or settings.ELASTICSEARCH_URL
        self.client = Elasticsearch(self.url, request_timeout=getattr(settings, "SEARCH_ES_TIMEOUT", 5), retry_on_timeout=False, max_retries=0)
        # Writes and index management wait longer than a search: a bulk request or an index's creation on a busy
        # engine can take more than the few seconds after which a search gives up and falls back.
        self.writer = self.client.options(request_timeout=WRITE_TIMEOUT)
        self.refresh = getattr(settings, "SEARCH_ES_REFRESH", "wait_for")

    # --- helpers -----------------------------------------------------------------------------
    @property
    def alias(self) -> str:
        return alias_name()

    def _guard(self, call, *args, **kwargs):
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        try:
            return call(*args, **kwargs)
        except (TransportError, ConnectionError, TimeoutError) as error:
            raise SearchUnavailable(f"Elasticsearch at {self.url} did not answer: {error}") from error
        except ApiError as error:
            if getattr(error, "status_code", None) in (502, 503, 504):
                raise SearchUnavailable(f"Elasticsearch at {self.url} is unavailable: {error}") from error
            raise

    def _new_index_name(self) -> str:
        return f"{self.alias}-{timezone.now().strftime('%Y%m%d%H%M%S%f')}"

    def _create_index(self, name: str) -> None:
        index = PortalDocument._index.clone(name=name)
        self._guard(index.create, using=self.writer)

    def _concrete_indices(self) -> list[str]:
        found = self._guard(self.client.indices.get_alias, index=f"{self.alias}-*", ignore_unavailable=True, allow_no_indices=True)
        return sorted(found.body.keys() if hasattr(found, "body") else found.keys())

    def _aliased_indices(self) -> list[str]:
        if not self._guard(self.client.indices.exists_alias, name=self.alias):
            return []
        return sorted(self._guard(self.client.indices.get_alias, name=self.alias).keys())

    def ensure_index(self) -> list[str]:
        """Make sure the alias exists (creating a first, empty index); return the indices writes go to."""
        targets = self._concrete_indices()
        if not self._aliased_indices():
            name = self._new_index_name()
            self._create_index(name)
            self._guard(self.writer.indices.update_aliases, actions=[{"add": {"index": name, "alias": self.alias}}])
            targets.append(name)
        return targets

    @staticmethod
    def _source(document: SearchDocument) -> dict:
        title, body = _clean(document.title)[:500], _clean(document.body)[:MAX_BODY_CHARS]
        keywords = _clean(document_keywords(document))[:20_000]
        return {
            "kind": document.kind,
            "object_pk": str(document.pk),
            "title": title,
            "body": body,
            "keywords": keywords,
            "url": document.url,
            "audience": document.audience,
            "service_areas": list(dict.fromkeys(document.service_areas)),
            "organisation": document.organisation or None,
            "date": document.date.isoformat() if document.date else None,
            "year": document.date.year if document.date else None,
            "boost": document.boost,
            "spell": f"{title}\n{body[:50_000]}\n{keywords}",
        }

    def _bulk(self, actions: list[dict], refresh) -> None:
        from elasticsearch import helpers

        if actions:
            self._guard(helpers.bulk, self.writer, actions, chunk_size=BULK_CHUNK, max_chunk_bytes=BULK_MAX_BYTES, refresh=refresh,
                        raise_on_error=False)

    # --- writing -------------------------------------------------------------------------------
    def index_documents(self, documents: Iterable[SearchDocument]) -> int:
        documents = list(documents)
        targets = self.ensure_index()
        self._bulk(
            [{"_op_type": "index", "_index": target, "_id": d.key, "_source": self._source(d)} for target in targets for d in documents],
            self.refresh,
        )
        return len(documents)

    def delete_documents(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        targets = self.ensure_index()
        self._bulk([{"_op_type": "delete", "_index": target, "_id": key} for target in targets for key in keys], self.refresh)
        return len(keys)

    def rebuild(self, documents: Iterable[SearchDocument], progress: Progress | None = None) -> int:
        """Build a new index beside the live one, fill it, then swap the alias in one atomic step."""
        self.ensure_index()
        name = self._new_index_name()
        self._create_index(name)
        done = 0
        actions = ({"_op_type": "index", "_index": name, "_id": d.key, "_source": self._source(d)} for d in documents)
        try:
            # Nobody reads the new index until the alias moves: a bulk load's settings while it fills, then the
            # index's own settings back and one refresh at the end.
            self._guard(self.writer.indices.put_settings, index=name, settings={"index": BULK_LOAD_SETTINGS})
            done = self._bulk_load(actions, progress)
            if progress:
                progress(done, None)
            self._guard(self.writer.indices.put_settings, index=name, settings={"index": _restored_settings()})
            self._guard(self.writer.indices.refresh, index=name)
        except Exception:
            self._guard(self.writer.indices.delete, index=name, ignore_unavailable=True)
            raise
        old = self._aliased_indices()
        self._guard(
            self.writer.indices.update_aliases,
            actions=[*({"remove": {"index": index, "alias": self.alias}} for index in old), {"add": {"index": name, "alias": self.alias}}],
        )
        for index in self._concrete_indices():
            if index != name:
                self._guard(self.writer.indices.delete, index=index, ignore_unavailable=True)
        return done

    def _bulk_load(self, actions: Iterable[dict], progress: Progress | None) -> int:
        """Write ``actions`` in bulk requests of BULK_CHUNK documents, BULK_THREADS of them in flight at once.

        The documents are built here, in the caller's thread (they come from the database, and a database connection
        belongs to its thread); sending a batch, and the client's serialising of it, happen in the pool's threads,
        so the next batch is built while the engine indexes the last.  (``helpers.parallel_bulk`` reads the
        actions in a pool thread, which would query the database on a connection of its own.)
        """
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor
        from itertools import islice

        from elasticsearch import helpers

        actions, done, in_flight = iter(actions), 0, deque()
        with ThreadPoolExecutor(max_workers=BULK_THREADS, thread_name_prefix="search-bulk") as pool:
            while batch := list(islice(actions, BULK_CHUNK)):
                in_flight.append(pool.submit(helpers.bulk, self.writer, batch, chunk_size=len(batch),
                                             max_chunk_bytes=BULK_MAX_BYTES, raise_on_error=False, stats_only=True))
                while len(in_flight) >= BULK_THREADS:
                    done += self._guard(in_flight.popleft().result)[0]
                    if progress:
                        progress(done, None)
            while in_flight:
                done += self._guard(in_flight.popleft().result)[0]
        return done

    def clear(self) -> None:
        for index in self._concrete_indices():
            self._guard(self.writer.indices.delete, index=index, ignore_unavailable=True)
        self.ensure_index()

    # --- reading -------------------------------------------------------------------------------
    def _filters(self, audiences: list[str], filters: dict[str, str]) -> list:
        from elasticsearch_dsl import Q

        clauses = [Q("terms", audience=audiences)]
        for facet, field in FACET_FIELDS.items():
            value = filters.get(facet)
            if value:
                if facet == "year":
                    try:
                        value = int(value)
                    except ValueError:
                        value = -1
                clauses.append(Q("term", **{field: value}))
        if filters.get(EXCLUDED_KINDS):
            clauses.append(Q("bool", must_not=[Q("terms", kind=list(filters[EXCLUDED_KINDS]))]))
        return clauses

    @staticmethod
    def _text_query(clauses, fuzzy: set[str] = frozenset(), fields: list[str] = FIELDS) -> list:
        """One query per clause: any of its phrases; a word in ``fuzzy`` also matches words a few edits away."""
        from elasticsearch_dsl import Q

        queries = []
        for alternatives in clauses:
            should = [Q("multi_match", query=" ".join(alt), fields=fields, type="phrase", analyzer=QUERY_ANALYZER) for alt in alternatives]
            should += [Q("multi_match", query=alt[0], fields=fields, fuzziness="AUTO", prefix_length=1, max_expansions=20,
                         analyzer=QUERY_ANALYZER)
                       for alt in alternatives if len(alt) == 1 and alt[0] in fuzzy]
            queries.append(Q("bool", should=should, minimum_should_match=1))
        return queries

    def _dnf_query(self, dnf, fuzzy: set[str] = frozenset(), fields: list[str] = FIELDS):
        """Any of the conjunctions, each needing all its clauses (in any of ``fields``)."""
        from elasticsearch_dsl import Q

        if len(dnf) == 1:
            return Q("bool", must=self._text_query(dnf[0], fuzzy, fields))
        return Q("bool", should=[Q("bool", must=self._text_query(clauses, fuzzy, fields)) for clauses in dnf], minimum_should_match=1)

    def _search(self):
        from elasticsearch_dsl import Search

        return Search(using=self.client, index=self.alias)

    def search(self, query: str, viewer_audience: str = PUBLIC, filters: dict[str, str] | None = None,
               page: int = 1, page_size: int = 10, autocorrect: bool = True, excluded_kinds: Iterable[str] = ()) -> SearchResults:
        from elasticsearch import NotFoundError

        try:
            return super().search(query, viewer_audience, filters, page, page_size, autocorrect, excluded_kinds)
        except NotFoundError:  # nothing indexed yet: the alias does not exist
            return SearchResults(query=query, hits=[], total=0, page=max(1, page), page_size=page_size, backend=self.name)

    def _search_dnf(self, query, dnf, audiences, filters, page, page_size, fuzzy: set[str] = frozenset()) -> SearchResults:
        """Two requests: the ranking (best text matches, total, facets), then the page's hits with highlights.

        Recency (a gentle boost, at most half as much again, fading over about five years) and each document's own
        multiplier (superseded guidance ranks below current guidance) re-rank the best ``RESCORE_WINDOW`` text
        matches (at least the page asked for): the first request returns only their ids, text scores, dates and
        boosts, and :func:`adjusted_score` multiplies each text score by what the ``function_score`` rescore used to
        (``1 + 0.5 × gauss(date)``, times ``boost``).  A document outside the window (text score below the window's)
        cannot be lifted into it by recency or boost alone, as with a rescore.

        Why here and not in a ``rescore``: the re-rank was moved out of the engine for an in-memory stand-in that ran
        rescores over the whole index; on Lucene (OpenSearch in the tests and the benchmark) it stays, as the window
        comes back as a few hundred ids, scores, dates and boosts, and the formula is in one place, testable without
        an engine (bench/RESULTS.md has the figures).  The second request asks
        for the page's ids only, with the text query as its highlight query, so highlighting is done for the page's
        hits and nothing else.
        """
        from elasticsearch import NotFoundError
        from elasticsearch_dsl import A, Q

        results = SearchResults(query=query, hits=[], total=0, page=page, page_size=page_size, backend=self.name)
        text = self._dnf_query(dnf, fuzzy)
        # Which matches hold the whole query in their title: named, scored nothing, multiplied up below.
        whole_title = Q("constant_score", filter=self._dnf_query(dnf, fuzzy, fields=["title"]), boost=0, _name=WHOLE_TITLE)
        matched = Q("bool", must=[text], should=[whole_title], filter=self._filters(audiences, filters))
        window = max(RESCORE_WINDOW, page * page_size)
        # Date and boost from doc values, not _source: on Lucene reading each of the window's _source means
        # decompressing and parsing its whole stored document (title, body, spell) to pick two fields out of it.
        ranking = self._search().query(matched).extra(track_total_hits=True, docvalue_fields=RANKING_DOCVALUES).source(False)[:window]
        for facet, field in FACET_FIELDS.items():
            ranking.aggs.bucket(facet, A("terms", field=field, size=FACET_LIMIT))
        try:
            # The raw client, not ranking.execute(): up to RESCORE_WINDOW hits are read, and only their id, score, date
            # and boost (filter_path keeps the engine from sending, and the client from wrapping, anything else).
            response = self._guard(self.client.search, index=self.alias, body=ranking.to_dict(), filter_path=RANKING_FIELDS).body
        except NotFoundError:  # nothing indexed yet: the alias does not exist
            return results
        hits = response.get("hits", {})
        results.total = hits.get("total", {}).get("value", 0)
        now = timezone.now()
        ranked = []
        for n, hit in enumerate(hits.get("hits", [])):
            values = hit.get("fields") or {}
            date, boost = _parse_date((values.get("date") or [None])[0]), (values.get("boost") or [None])[0]
            kind = (values.get("kind") or [None])[0]
            score = adjusted_score(hit.get("_score") or 0.0, date, boost, now)
            if kind == "event" and date is not None and _aware(date) < now:
                score *= PAST_EVENT_FACTOR
            if WHOLE_TITLE in (hit.get("matched_queries") or ()):
                score *= WHOLE_TITLE_FACTOR
            ranked.append((score, n, hit["_id"]))
        ranked.sort(key=lambda item: (-item[0], item[1]))  # equal scores keep the engine's order
        chosen = ranked[(page - 1) * page_size: page * page_size]
        aggregations = response.get("aggregations", {})
        for facet in FACET_FIELDS:
            buckets = aggregations.get(facet, {}).get("buckets", [])
            ordered = sorted(buckets, key=lambda b: -int(b["key"])) if facet == "year" else buckets
            results.facets[facet] = [FacetCount(str(b["key"]), b["doc_count"]) for b in ordered]
        if chosen:
            results.hits = self._page_hits([(key, score) for score, _n, key in chosen], text, audiences, query)
        return results

    def _search_fuzzy(self, query, parsed: ParsedQuery, audiences, filters, page, page_size) -> SearchResults | None:
        """The engine's own fuzzy matching (edit distance AUTO, first letter kept) for the plain words: all, then all but one."""
        fuzzy = {term for term in parsed.terms if term.isalpha() and len(term) >= 4}
        if not fuzzy:
            return None
        for dnf in (parsed.dnf(), parsed.dnf(drop_one=True)):
            if dnf:
                results = self._search_dnf(query, dnf, audiences, filters, page, page_size, fuzzy)
                if results.total:
                    return results
        return None

    def _page_hits(self, chosen: list[tuple[str, float]], text, audiences: list[str], query: str = "") -> list[SearchHit]:
        """The chosen documents (key, adjusted score), in that order, with their fields and highlights."""
        from elasticsearch_dsl import Q

        keys = [key for key, _score in chosen]
        # The audience filter again: the page request must never return what the viewer may not see, even if a
        # document's audience changed between the two requests.
        search = self._search().query(Q("bool", filter=[Q("ids", values=keys), Q("terms", audience=audiences)]))
        search = search.source(excludes=["body", "spell"])[:len(keys)]
        search = search.highlight_options(pre_tags=[MARK_START], post_tags=[MARK_END], fragment_size=160, number_of_fragments=2,
                                          highlight_query=text.to_dict())
        search = search.highlight("body", "title")
        found = {hit.meta.id: hit for hit in self._guard(search.execute)}
        fragments = {}
        for key, hit in found.items():
            highlight = getattr(hit.meta, "highlight", None)
            fragments[key] = list(getattr(highlight, "body", []) or []) if highlight else []
        # Hits the highlighter marked nothing in (a match in the title, the keywords or through a synonym) show the
        # opening of their body: read for all of them in one request, not one request each.
        openings = self._openings([key for key in found if not fragments[key]])
        hits = []
        for key, score in chosen:
            hit = found.get(key)
            if hit is None:  # deleted between the two requests
                continue
            source = hit.to_dict()
            html = (" … ".join(marked_to_html(fragment) for fragment in fragments[key]) if fragments[key]
                    else highlight_words(openings.get(key, ""), query))
            hits.append(SearchHit(
                key=key, kind=source["kind"], pk=source["object_pk"], title=source["title"], url=source["url"],
                highlight=html, date=_parse_date(source.get("date")), organisation=source.get("organisation") or "",
                service_areas=tuple(source.get("service_areas") or ()), score=score,
            ))
        return hits

    def similar(self, text: str, viewer_audience: str = PUBLIC, kinds: Iterable[str] = (), exclude: Iterable[str] = (),
                limit: int = 5) -> list[SearchHit]:
        """Elasticsearch's ``more_like_this`` on the text, with the viewer's audience, kinds and exclusions as filters."""
        from elasticsearch import NotFoundError
        from elasticsearch_dsl import Q

        text = (text or "").strip()[:MAX_BODY_CHARS]
        if not text or limit < 1:
            return []
        filters = [Q("terms", audience=visible_audiences(viewer_audience))]
        kinds, exclude = list(kinds), list(exclude)
        if kinds:
            filters.append(Q("terms", kind=kinds))
        # min_doc_freq 1: a region's index is small, and the one other dermatology business case is what matters.
        like = Q("more_like_this", fields=["title", "body"], like=text, min_term_freq=1, min_doc_freq=1,
                 max_query_terms=25, min_word_length=3, minimum_should_match="10%", stop_words=sorted(TEXT_STOP_WORDS))
        query = Q("bool", must=[like], filter=filters, must_not=[Q("ids", values=exclude)] if exclude else [])
        search = self._search().query(query).source(excludes=["body", "spell"])[:limit]
        try:
            response = self._guard(search.execute)
        except NotFoundError:
            return []
        hits = []
        for hit in response:
            source = hit.to_dict()
            hits.append(SearchHit(
                key=hit.meta.id, kind=source["kind"], pk=source["object_pk"], title=source["title"], url=source["url"],
                highlight="", date=_parse_date(source.get("date")), organisation=source.get("organisation") or "",
                service_areas=tuple(source.get("service_areas") or ()), score=hit.meta.score or 0.0,
            ))
        return hits

    def _openings(self, keys: list[str]) -> dict[str, str]:
        """The start of each document's body (key → text), for hits whose match was not in the body."""
        if not keys:
            return {}
        found = self._guard(self.client.search, index=self.alias, query={"ids": {"values": keys}},
                            source={"includes": ["body"]}, size=len(keys), filter_path=["hits.hits._id", "hits.hits._source"])
        return {hit["_id"]: ((hit.get("_source") or {}).get("body") or "")[:FALLBACK_CHARS]
                for hit in found.get("hits", {}).get("hits", [])}

    def _correct(self, query: str, parsed: ParsedQuery, audiences: list[str]) -> str | None:
        """The term suggester's best spelling for each plain word, offered only if a filtered count finds something visible."""
        terms = list(dict.fromkeys(parsed.terms))
        if not terms:
            return None
        search = self._search().extra(size=0)
        for n, term in enumerate(terms):
            search = search.suggest(f"t{n}", term, term={"field": "spell", "suggest_mode": "missing", "size": 1, "min_word_length": 4})
        response = self._guard(search.execute)
        suggested = response.to_dict().get("suggest", {})
        replacements: dict[str, str] = {}
        for n, term in enumerate(terms):
            for entry in suggested.get(f"t{n}", []):
                if entry.get("options"):
                    replacements[term] = entry["options"][0]["text"]
        if not replacements:
            return None
        suggestion = " ".join(replacements.get(word, word) for word in words(query))
        if suggestion == " ".join(words(query)):
            return None
        from elasticsearch_dsl import Q

        count = self._search().query(Q("bool", must=[self._dnf_query(parse(suggestion).dnf())], filter=self._filters(audiences, {})))
        return suggestion if self._guard(count.count) else None

    def check_health(self) -> None:
        try:
            health = self._guard(self.client.cluster.health)
        except SearchUnavailable:
            raise
        except Exception as error:
            raise SearchUnavailable(f"Elasticsearch at {self.url} did not answer: {error}") from error
        if health.get("status") == "red":
            raise SearchUnavailable(f"Elasticsearch at {self.url} reports status red")


def _restored_settings() -> dict:
    """The index's own values of what :data:`BULK_LOAD_SETTINGS` changed (the engine's default where it sets none)."""
    own = PortalDocument._index.to_dict().get("settings", {})
    return {"refresh_interval": own.get("refresh_interval"), "translog.durability": own.get("translog.durability", "request"),
            "number_of_replicas": own.get("number_of_replicas", 1)}


def adjusted_score(text_score: float, date: datetime | None, boost, now: datetime) -> float:
    """The text score times recency (``1 + 0.5 × gauss(date)``) times the document's boost (1 when it has none).

    ``gauss`` is Elasticsearch's decay function with origin now, scale five years, offset 30 days and decay 0.5:
    ``decay ** ((max(0, distance − offset) / scale) ** 2)``; a document without a date counts as recent (1), as a
    decay function treats a missing field.
    """
    if date is None:
        recency = 1.0
    else:
        if timezone.is_naive(date):
            date = timezone.make_aware(date, dt_timezone.utc)
        distance = max(0.0, abs((now - date).total_seconds()) / 86400 - RECENCY_OFFSET_DAYS)
        recency = RECENCY_DECAY ** ((distance / RECENCY_SCALE_DAYS) ** 2)
    try:
        boost = 1.0 if boost is None else float(boost)
    except (TypeError, ValueError):
        boost = 1.0
    return text_score * (1.0 + RECENCY_WEIGHT * recency) * boost


def _aware(date: datetime) -> datetime:
    return timezone.make_aware(date, dt_timezone.utc) if timezone.is_naive(date) else date


def _parse_date(value) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
