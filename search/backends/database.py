"""The embedded backend: the database's own full-text search.

SQLite uses an FTS5 table with Porter stemming; PostgreSQL a weighted
``tsvector`` (english configuration) with a GIN index — both created by
migration 0002.  Synonyms are expanded at query time (``search.analysis``).
Every statement that counts, ranks or highlights joins on
``audience IN (visible audiences)``, so nothing a viewer may not see is ever
counted, highlighted or suggested.
"""
from __future__ import annotations

import difflib
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.functions import Length
from django.utils import timezone

from portal.core import fragments
from search.answers import forget_answers
from search.analysis import (
    MARK_END,
    MARK_START,
    ParsedQuery,
    document_keywords,
    highlight_words,
    key_terms,
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
from search.models import IndexedArea, IndexedDocument, SearchTerm
from search.registry import PUBLIC, SearchDocument

BATCH = 500
FACET_LIMIT = 20
#: An event that is over ranks at this share of its score: upcoming events first (the page marks past ones "Past").
PAST_EVENT_FACTOR = 0.5
#: How much of a body the fallback highlighter reads when the engine's own snippet marked nothing.
FALLBACK_CHARS = 20_000

#: Very common queries (``_PostgreSQL._scan_common``, ``_SQLite._scan_common``); each can be overridden in settings.
SEARCH_DEFAULTS = {
    "SEARCH_DB_COMMON_MATCHES": 3_000,  # estimated matches above which a query is "common"
    "SEARCH_DB_SAMPLE_MATCHES": 1_000,  # matching rows the sample (for total, facets and candidates) aims at
    "SEARCH_DB_MAX_SAMPLE_PERCENT": 10,  # ... reading at most this share of the table's pages
    "SEARCH_DB_MIN_SAMPLE_MATCHES": 100,  # fewer in the sample: answer exactly instead
    "SEARCH_DB_TITLE_CANDIDATES": 50,  # newest title matches ranked besides the sample's matches
}


def _setting(name: str) -> int:
    return int(getattr(settings, name, SEARCH_DEFAULTS[name]))
_ENGINE_WORD = re.compile(r"[a-z0-9]+")
_VOCAB_WORD = re.compile(r"[a-z]{4,30}")


def _clean(text: str) -> str:
    return searchable_text((text or "").replace(MARK_START, "").replace(MARK_END, ""))


def _engine_words(phrase: tuple[str, ...]) -> list[str]:
    """Words as the engines tokenise them ("a&e" is two words to FTS5 and PostgreSQL)."""
    return [w for word in phrase for w in _ENGINE_WORD.findall(word)]


def _boolean_expression(dnf, phrase, *, and_: str, or_: str) -> str:
    """A query in disjunctive normal form as the engine's match expression: any of the conjunctions, each needing
    every clause, a clause any of its phrases; ``phrase`` writes one phrase's engine words in the engine's syntax."""
    conjunctions = []
    for clauses in dnf:
        parts = []
        for alternatives in clauses:
            phrases = [phrase(words) for words in map(_engine_words, alternatives) if words]
            if phrases:
                parts.append("(" + or_.join(phrases) + ")")
        if parts:
            conjunctions.append("(" + and_.join(parts) + ")")
    return or_.join(conjunctions)


#: What "similar work" keeps in the cache: its ranked answers, each for at most ``SIMILAR_ANSWER_SECONDS``
#: (see ``kept_similar``).  A rebuild or a cleared index moves this family on; an ordinary index write does not.
SIMILAR_RESULTS = fragments.family("search.similar")

#: How long one ranked "similar work" answer is kept before it is ranked again with the index as it is then.
SIMILAR_ANSWER_SECONDS = 600


def kept_similar(text: str, audiences: list[str], kinds: list[str], exclude: list[str], limit: int,
                 rank: Callable[[], list[SearchHit] | None]) -> list[SearchHit]:
    """``rank()``'s answer for similar work, kept for up to ``SIMILAR_ANSWER_SECONDS``, checked against the index on every call.

    Similar work is a pointer ("has this been done elsewhere?"), asked for on every
    thread, entry and template page.  Ranking it afresh after every write to the
    index (every reply, booking or profile edit re-indexes something) meant ranking
    it on nearly every view: about 47 ms of database time each at full size, the
    largest single cost of the mixed workload.  So a ranked answer is kept for up to
    ten minutes per text, audiences, kinds, exclusions and limit, and a document
    indexed since then joins other pages' lists when their answer is next ranked.
    What the list shows is never older than the index: on every call one query by
    key drops what is gone, hidden from the viewer's audiences or out of the asked
    kinds, and takes each title and address as the index holds them now.  Each
    answer's ten minutes start at an offset drawn from its text, so answers are not
    all ranked again in the same second.  ``rank()`` answers None when the index
    holds nothing the viewer may see yet: that is not kept, so the first documents show at once.
    """
    import hashlib

    digest = hashlib.sha256(text.encode()).hexdigest()
    offset = int(digest[:8], 16) % SIMILAR_ANSWER_SECONDS
    now = time.time() + offset
    slot = int(now // SIMILAR_ANSWER_SECONDS)
    remaining = max(1, int(SIMILAR_ANSWER_SECONDS - now % SIMILAR_ANSWER_SECONDS))
    parts = ("similar", connection.vendor, slot, tuple(audiences), digest, tuple(kinds), tuple(exclude), limit)

    def ranked() -> tuple[list[SearchHit], int]:
        hits = rank()
        return (hits, remaining) if hits is not None else ([], 0)  # None: nothing to rank against yet, so nothing is kept

    hits = fragments.cached_value(SIMILAR_RESULTS, parts, ranked)
    with connection.cursor() as cursor:
        return _still_visible(cursor, hits, audiences, kinds, exclude)


class DatabaseBackend(SearchBackend):
    name = "database"

    # --- writing ----------------------------------------------------------------------------
    def index_documents(self, documents: Iterable[SearchDocument]) -> int:
        written = 0
        batch: list[SearchDocument] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= BATCH:
                written += self._write_batch(batch)
                batch = []
        if batch:
            written += self._write_batch(batch)
        return written

    @transaction.atomic
    def _write_batch(self, documents: list[SearchDocument]) -> int:
        by_key = {document.key: document for document in documents}  # last one wins
        existing = dict(IndexedDocument.objects.filter(key__in=by_key).values_list("key", "id"))
        now = timezone.now()
        rows = []
        for key, document in by_key.items():
            row = IndexedDocument(
                id=existing.get(key), key=key, kind=document.kind, object_pk=str(document.pk),
                title=_clean(document.title)[:500], body=_clean(document.body)[:MAX_BODY_CHARS], url=document.url[:500],
                keywords=_clean(document_keywords(document))[:20_000],
                audience=document.audience, organisation=(document.organisation or "")[:255], date=document.date,
                year=document.date.year if document.date else None, indexed_at=now,
                boost=document.boost,
            )
            rows.append(row)
        new_rows = [row for row in rows if row.id is None]
        old_rows = [row for row in rows if row.id is not None]
        if old_rows:
            IndexedDocument.objects.bulk_update(
                old_rows, ["kind", "object_pk", "title", "body", "keywords", "url", "audience", "organisation", "date", "year", "indexed_at", "boost"],
                batch_size=BATCH,
            )
        if new_rows:
            IndexedDocument.objects.bulk_create(new_rows, batch_size=BATCH)
            if any(row.id is None for row in new_rows):  # backends that cannot return ids
                ids = dict(IndexedDocument.objects.filter(key__in=[r.key for r in new_rows]).values_list("key", "id"))
                for row in new_rows:
                    row.id = ids[row.key]
        ids = [row.id for row in rows]
        IndexedArea.objects.filter(document_id__in=ids).delete()
        IndexedArea.objects.bulk_create(
            [IndexedArea(document_id=row.id, name=name[:255]) for row in rows for name in dict.fromkeys(by_key[row.key].service_areas)],
            batch_size=BATCH,
        )
        self._write_fulltext(rows)
        self._add_vocabulary(rows)
        _forget_answers()
        return len(rows)

    def _write_fulltext(self, rows) -> None:
        ids = [row.id for row in rows]
        placeholders = ",".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({placeholders})", ids)
                cursor.executemany(
                    "INSERT INTO search_fts (rowid, title, body, keywords) VALUES (%s, %s, %s, %s)",
                    [(row.id, row.title, row.body, row.keywords) for row in rows],
                )
            elif connection.vendor == "postgresql":
                pass  # search_vector is a generated column (migration 0004): written with the row
            else:
                raise SearchUnavailable(self._unsupported())

    def _add_vocabulary(self, rows) -> None:
        vocabulary: set[str] = set()
        for row in rows:
            vocabulary.update(_VOCAB_WORD.findall(f"{row.title} {row.body[:50_000]} {row.keywords}".lower()))
        if vocabulary:
            SearchTerm.objects.bulk_create([SearchTerm(word=word) for word in sorted(vocabulary)], batch_size=BATCH, ignore_conflicts=True)

    @transaction.atomic
    def delete_documents(self, keys: Iterable[str]) -> int:
        ids = list(IndexedDocument.objects.filter(key__in=list(keys)).values_list("id", flat=True))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({','.join(['%s'] * len(chunk))})", chunk)
            IndexedDocument.objects.filter(id__in=chunk).delete()
        if ids:
            _forget_answers()
        return len(ids)

    def rebuild(self, documents: Iterable[SearchDocument], progress: Progress | None = None) -> int:
        """Upsert everything, then drop what was not seen: searches keep answering throughout."""
        seen: set[str] = set()
        batch: list[SearchDocument] = []
        done = 0
        for document in documents:
            batch.append(document)
            if len(batch) >= BATCH:
                done += self._write_batch(batch)
                seen.update(d.key for d in batch)
                batch = []
                if progress:
                    progress(done, None)
        if batch:
            done += self._write_batch(batch)
            seen.update(d.key for d in batch)
            if progress:
                progress(done, None)
        stale = [key for key in IndexedDocument.objects.values_list("key", flat=True).iterator() if key not in seen]
        self.delete_documents(stale)
        if connection.vendor == "postgresql":
            # Fresh statistics after a bulk load: without them the planner guesses a handful of
            # matches for every query and picks plans that are slow when a word matches most rows
            # (and the common-query path, which trusts its estimate, is never taken).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE search_indexeddocument, search_indexedarea")
            _forget_answers()  # fresh statistics can change which path (exact or sampled) a query takes
        fragments.forget(SIMILAR_RESULTS)  # a rebuild may change much of the index: similar work is ranked afresh
        return done

    def clear(self) -> None:
        with transaction.atomic():
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM search_fts")
            IndexedDocument.objects.all().delete()
            SearchTerm.objects.all().delete()
            fragments.forget(SIMILAR_RESULTS)
            _forget_answers()

    # --- reading ----------------------------------------------------------------------------
    def search(self, query: str, viewer_audience: str = PUBLIC, filters: dict[str, str] | None = None,
               page: int = 1, page_size: int = 10, autocorrect: bool = True, excluded_kinds: Iterable[str] = ()) -> SearchResults:
        """Search the database's full-text index; a database failure is reported as SearchUnavailable."""
        from django.db import DatabaseError

        try:
            # A savepoint, so a failed full-text query leaves the request's connection usable.
            with transaction.atomic():
                return super().search(query, viewer_audience, filters, page, page_size, autocorrect, excluded_kinds)
        except DatabaseError as error:
            raise SearchUnavailable(f"the database full-text search failed: {error}") from error

    def _search_dnf(self, query, dnf, audiences, filters, page, page_size) -> SearchResults:
        results = SearchResults(query=query, hits=[], total=0, page=page, page_size=page_size, backend=self.name)
        engine = self._engine()
        engine.query = query
        match = engine.match_expression(dnf)
        if not match:
            return results
        where, params = engine.base_where(match, audiences, filters)
        with connection.cursor() as cursor:
            scanned = engine.scan(cursor, where, params, match, page, page_size)
        groups, areas, results.hits = scanned.groups, scanned.areas, scanned.hits
        results.total = scanned.total if scanned.total is not None else sum(count for *_group, count in groups)
        results.approximate, results.ranked = scanned.approximate, scanned.ranked
        if results.total:
            results.facets = self._facets(groups, areas)
        return results

    def _search_fuzzy(self, query, parsed: ParsedQuery, audiences, filters, page, page_size) -> SearchResults | None:
        """Each plain word may also be any of the few indexed words spelt most like it (trigrams on PostgreSQL,
        edit distance in Python on SQLite); all the words, then all but one."""
        clauses = [list(clause) for clause in parsed.clauses]
        widened = False
        for n, clause in enumerate(clauses):
            if parsed.required[n] or len(clause) != 1 or len(clause[0]) != 1:
                continue
            word = clause[0][0]
            if word not in parsed.terms or not word.isalpha() or len(word) < 4:
                continue
            for near in self._near_words(word, limit=3):
                if (near,) not in clause:
                    clause.append((near,))
                    widened = True
        if not widened:
            return None
        fuzzy = ParsedQuery(clauses, parsed.required, parsed.terms)
        for dnf in (fuzzy.dnf(), fuzzy.dnf(drop_one=True)):
            if dnf:
                results = self._search_dnf(query, dnf, audiences, filters, page, page_size)
                if results.total:
                    return results
        return None

    # --- more like this -------------------------------------------------------------------------
    #: How many of the text's words make the query, and how common a word may be before it is ignored.
    SIMILAR_TERMS = 12
    SIMILAR_MAX_SHARE = 0.5
    #: Seconds the document frequencies "similar work" weighs words by (and the count of documents) are kept.
    SIMILAR_STATISTICS_SECONDS = 600

    def similar(self, text: str, viewer_audience: str = PUBLIC, kinds: Iterable[str] = (), exclude: Iterable[str] = (),
                limit: int = 5) -> list[SearchHit]:
        """Key terms of ``text`` weighed by rarity (tf × idf), OR'd in one full-text query, ranked by the engine.

        The ranked answer is kept for up to ten minutes, and what the viewer may
        see is checked against the index's rows again on every call (``kept_similar``).
        """
        from django.db import DatabaseError

        try:
            return self._similar(text, visible_audiences(viewer_audience), list(kinds), list(exclude), limit)
        except DatabaseError as error:
            raise SearchUnavailable(f"the database full-text search failed: {error}") from error

    def _similar(self, text: str, audiences: list[str], kinds: list[str], exclude: list[str], limit: int) -> list[SearchHit]:
        if not (text or "").strip() or limit < 1:
            return []
        engine = self._engine()

        def rank() -> list[SearchHit]:  # the text's key terms are picked only when no answer is kept
            period = int(time.time() // self.SIMILAR_STATISTICS_SECONDS)
            # In a savepoint of its own: a failed ranking leaves the caller's transaction usable.
            with transaction.atomic(), connection.cursor() as cursor:
                return self._rank_similar(cursor, engine, period, text, audiences, kinds, exclude, limit)

        return kept_similar(text, audiences, kinds, exclude, limit, rank)

    def _rank_similar(self, cursor, engine, period: int, text: str, audiences: list[str], kinds: list[str],
                      exclude: list[str], limit: int) -> list[SearchHit] | None:
        import math

        candidates = key_terms(text, limit=40)
        if not candidates:
            return []
        total, frequencies = self._term_statistics(cursor, engine, period, [term for term, _ in candidates], audiences, kinds)
        if not total:
            return None  # nothing indexed that these audiences may see: not worth keeping (kept_similar)
        weighted = []
        for term, count in candidates:
            df = frequencies.get(term, 0)
            if df and df <= max(10, total * self.SIMILAR_MAX_SHARE):  # a small index has no "common" words yet
                weighted.append((count * math.log((total + 1) / df), term))
        terms = [term for _, term in sorted(weighted, reverse=True)[:self.SIMILAR_TERMS]]
        if not terms:
            return []
        match = engine.any_of(terms)
        where, params = engine.base_where(match, audiences, {})
        narrowing, narrowing_params = _kinds_and_exclusions(kinds, exclude)
        return engine.similar_hits(cursor, where + narrowing, params + narrowing_params, match, limit)

    def _term_statistics(self, cursor, engine, period: int, terms: list[str], audiences: list[str],
                         kinds: list[str]) -> tuple[int, dict[str, int]]:
        """How many documents of ``kinds`` (all kinds when empty) these audiences may see, and how many of them hold each
        term, as counted this period.

        A word's rarity is weighed among the documents similar work looks through, as
        a search engine weighs it within the collection it searches: "referral" is
        rare among re-design work and threads even where every one of 100,000
        documents on the portal mentions practices.  Counting is the costly part of
        similar work: every term is matched against every such document (0.2 s of
        database time for 40 terms over all 100,000 documents, 15 ms over the 6,000
        of the four kinds the pages ask for).  The counts change slowly and only decide which words
        make the query and how much each weighs, never what anyone may see (the
        query itself is filtered by audience, and its answer checked again on
        every call), so each is counted once per period of
        ``SIMILAR_STATISTICS_SECONDS`` (on the clock: every count is at most
        that old) and per set of audiences, so a viewer's words are never
        weighed by documents they may not see.  Counts for an empty index are
        not kept: the first documents count at once.
        """
        scope = f"{period}:{','.join(audiences)}:{','.join(sorted(kinds))}"
        total_key = f"search.similar.total:{scope}"
        keys = {term: f"search.similar.df:{scope}:{_cache_word(term)}" for term in terms}
        found = cache.get_many([total_key, *keys.values()])
        lock = None
        if len(found) < len(keys) + 1:
            found, lock = self._counts_from_whoever_is_counting(scope, [total_key, *keys.values()], found)
        try:
            narrowing, narrowing_params = _kinds_and_exclusions(kinds, [])
            scope_sql = f"d.audience IN ({','.join(['%s'] * len(audiences))})" + narrowing
            scope_params = [*audiences, *narrowing_params]
            total = found.get(total_key)
            if total is None:
                cursor.execute(f"SELECT COUNT(*) FROM search_indexeddocument d WHERE {scope_sql}", scope_params)
                total = cursor.fetchone()[0]
                if total:
                    cache.set(total_key, total, self.SIMILAR_STATISTICS_SECONDS)
            if not total:
                return 0, {}
            frequencies = {term: found.get(key) for term, key in keys.items()}
            missing = [term for term, df in frequencies.items() if df is None]
            if missing:
                counted = engine.document_frequencies(cursor, missing, scope_sql, scope_params)
                frequencies.update(counted)
                cache.set_many({keys[term]: counted[term] for term in missing}, self.SIMILAR_STATISTICS_SECONDS)
            return total, frequencies
        finally:
            if lock is not None:
                cache.delete(lock)

    #: How long a caller waits for another's counts of the same audiences' words before counting them itself.
    SIMILAR_COUNTING_WAIT_SECONDS = 2.0

    def _counts_from_whoever_is_counting(self, scope: str, keys: list[str], found: dict) -> tuple[dict, str | None]:
        """The counts another caller is taking for the same audiences this period, once it has stored them.

        Every period the counts are taken afresh, and a busy thread page is
        asked for by many members at once: without this, every one of them
        would count the same words over the whole index at the same moment
        (0.25 s of database time each), and the requests would queue behind
        each other for seconds.  The first caller takes a short lock and
        counts; the others wait while it holds the lock (up to
        ``SIMILAR_COUNTING_WAIT_SECONDS``), then read its counts and count only
        what is still missing (other words, or all of them if it died mid-count).
        """
        lock = f"search.similar.counting:{scope}"
        if cache.add(lock, 1, 30):
            return found, lock  # this caller counts, and lets go of the lock once it has stored the counts
        deadline = time.monotonic() + self.SIMILAR_COUNTING_WAIT_SECONDS
        while time.monotonic() < deadline and cache.get(lock) is not None:  # a cache that is down answers None
            time.sleep(0.05)
        return {**found, **cache.get_many([key for key in keys if key not in found])}, None

    @staticmethod
    def _facets(groups: list[tuple], areas: list[tuple]) -> dict[str, list[FacetCount]]:
        """Facets from the matches' (kind, organisation, year, count) groups and (service area, count) rows."""
        from collections import Counter

        def top(counter: Counter, by_value: bool = False) -> list[FacetCount]:
            items = sorted(counter.items(), key=(lambda kv: -int(kv[0])) if by_value else (lambda kv: (-kv[1], kv[0])))
            return [FacetCount(str(value), count) for value, count in items[:FACET_LIMIT]]

        kinds, organisations, years = Counter(), Counter(), Counter()
        for kind, organisation, year, count in groups:
            kinds[kind] += count
            if organisation:
                organisations[organisation] += count
            if year is not None:
                years[year] += count
        return {
            "kind": top(kinds),
            "organisation": top(organisations),
            "year": top(years, by_value=True),
            "service_area": top(Counter(dict(areas))),
        }

    #: How alike a word must be to a misspelling to correct it, and to be searched for it as a near spelling.
    CORRECTION_CUTOFF = 0.75
    NEAR_CUTOFF = 0.6

    def _near_words(self, word: str, limit: int, cutoff: float | None = None) -> list[str]:
        """Indexed words spelt like ``word``, most alike first: pg_trgm's similarity on PostgreSQL (its trigram index
        finds the candidates), else difflib over the words of about the same length and first letter."""
        cutoff = self.NEAR_CUTOFF if cutoff is None else cutoff
        candidates: list[str] = []
        if connection.vendor == "postgresql" and _has_trigrams():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT word FROM search_searchterm WHERE word %% %s AND word <> %s "
                    "ORDER BY similarity(word, %s) DESC, word LIMIT 50", [word, word, word],
                )
                candidates = [found for (found,) in cursor.fetchall()]
        else:
            candidates = list(
                SearchTerm.objects.annotate(length=Length("word"))
                .filter(word__startswith=word[0], length__gte=len(word) - 2, length__lte=len(word) + 2)
                .exclude(word=word).values_list("word", flat=True)[:20_000]
            )
        return difflib.get_close_matches(word, candidates, n=limit, cutoff=cutoff)

    def _correct(self, query: str, parsed: ParsedQuery, audiences: list[str]) -> str | None:
        """A corrected query, offered only if it finds something this viewer may see."""
        terms = set(parsed.terms)
        if not terms:
            return None
        corrected, changed = [], False
        for term in words(query):
            if term not in terms or not term.isalpha() or len(term) < 4 or SearchTerm.objects.filter(word=term).exists():
                corrected.append(term)
                continue
            match = self._near_words(term, limit=1, cutoff=self.CORRECTION_CUTOFF)
            if match:
                corrected.append(match[0])
                changed = True
            else:
                corrected.append(term)
        if not changed:
            return None
        suggestion = " ".join(corrected)
        engine = self._engine()
        dnf = parse(suggestion).dnf()
        where, params = engine.base_where(engine.match_expression(dnf), audiences, {})
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) {where}", params)
            return suggestion if cursor.fetchone()[0] else None

    def _engine(self):
        if connection.vendor == "sqlite":
            return _SQLite()
        if connection.vendor == "postgresql":
            return _PostgreSQL()
        raise SearchUnavailable(self._unsupported())

    @staticmethod
    def _unsupported() -> str:
        return (f"The embedded search backend supports SQLite (FTS5) and PostgreSQL, not {connection.vendor}; "
                "set ELASTICSEARCH_URL to use Elasticsearch instead.")

    def check_health(self) -> None:
        self._engine()
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM search_indexeddocument WHERE id < 0")


def _still_visible(cursor, hits: list[SearchHit], audiences: list[str], kinds: list[str], exclude: list[str]) -> list[SearchHit]:
    """The hits whose documents are still in the index and still match the viewer's audiences, kinds and exclusions,
    each with its title, address and organisation as the index holds them now.

    Similar work's ranked answer may come from the cache; this one small query
    by key applies what the viewer may see to the index as it is now.
    """
    if not hits:
        return []
    keys = [hit.key for hit in hits]
    sql = (f"SELECT d.key, d.title, d.url, d.organisation FROM search_indexeddocument d WHERE d.key IN ({','.join(['%s'] * len(keys))}) "
           f"AND d.audience IN ({','.join(['%s'] * len(audiences))})")
    narrowing, narrowing_params = _kinds_and_exclusions(kinds, exclude)
    cursor.execute(sql + narrowing, [*keys, *audiences, *narrowing_params])
    now = {key: (title, url, organisation) for key, title, url, organisation in cursor.fetchall()}
    return [replace(hit, title=now[hit.key][0], url=now[hit.key][1], organisation=now[hit.key][2] or "")
            for hit in hits if hit.key in now]


def _kinds_and_exclusions(kinds: list[str], exclude: list[str]) -> tuple[str, list[str]]:
    """SQL narrowing similar work to ``kinds`` (all when empty) and leaving out the ``exclude`` keys, with its parameters."""
    sql, params = "", []
    if kinds:
        sql += f" AND d.kind IN ({','.join(['%s'] * len(kinds))})"
        params += kinds
    if exclude:
        sql += f" AND d.key NOT IN ({','.join(['%s'] * len(exclude))})"
        params += exclude
    return sql, params


_TRIGRAMS: dict[str, bool] = {}


def _has_trigrams() -> bool:
    """Whether PostgreSQL's pg_trgm extension is installed in this database (migration 0006 creates it when it can)."""
    name = str(connection.settings_dict.get("NAME"))
    if name not in _TRIGRAMS:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            _TRIGRAMS[name] = cursor.fetchone() is not None
    return _TRIGRAMS[name]


def _cache_word(term: str) -> str:
    """A key term as part of a cache key: itself when short, else a digest (key terms are letters and digits)."""
    import hashlib

    return term if len(term) <= 40 else hashlib.sha256(term.encode()).hexdigest()[:32]


def _forget_answers() -> None:
    """Every write to this index makes the cached search answers unreachable (``search.answers``)."""
    forget_answers()


def _filter_sql(audiences: list[str], filters: dict[str, str]) -> tuple[str, list]:
    sql = f" AND d.audience IN ({','.join(['%s'] * len(audiences))})"
    params: list = list(audiences)
    if filters.get("kind"):
        sql += " AND d.kind = %s"
        params.append(filters["kind"])
    if filters.get(EXCLUDED_KINDS):
        sql += f" AND d.kind NOT IN ({','.join(['%s'] * len(filters[EXCLUDED_KINDS]))})"
        params.extend(filters[EXCLUDED_KINDS])
    if filters.get("organisation"):
        sql += " AND d.organisation = %s"
        params.append(filters["organisation"])
    if filters.get("year"):
        try:
            year = int(filters["year"])
        except ValueError:
            year = -1
        sql += " AND d.year = %s"
        params.append(year)
    if filters.get("service_area"):
        sql += " AND EXISTS (SELECT 1 FROM search_indexedarea fa WHERE fa.document_id = d.id AND fa.name = %s)"
        params.append(filters["service_area"])
    return sql, params


def _hit(row, highlight: str) -> SearchHit:
    return SearchHit(
        key=row["key"], kind=row["kind"], pk=row["object_pk"], title=row["title"], url=row["url"],
        highlight=highlight, date=row["date"], organisation=row["organisation"], service_areas=tuple(row["areas"]),
        score=float(row["rank"] or 0),
    )


def _fetch_rows(cursor, sql: str, params: list) -> list[dict]:
    cursor.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    rows = [dict(zip(columns, values)) for values in cursor.fetchall()]
    if not rows:
        return rows
    dates = {d.id: d.date for d in IndexedDocument.objects.filter(id__in=[r["id"] for r in rows]).only("id", "date")}
    areas: dict[int, list[str]] = {}
    for document_id, name in IndexedArea.objects.filter(document_id__in=dates).values_list("document_id", "name"):
        areas.setdefault(document_id, []).append(name)
    for row in rows:
        row["date"] = dates.get(row["id"])
        row["areas"] = areas.get(row["id"], [])
    return rows


@dataclass
class _Scan:
    """What one search read from the engine: facet groups, service-area counts and the page's hits."""

    groups: list[tuple]
    areas: list[tuple]
    hits: list[SearchHit]
    approximate: bool = False  # counts estimated from a sample (PostgreSQL, common queries)
    ranked: int | None = None  # how many candidates were ranked, when not every match was
    total: int | None = None  # the total, when it is not the sum of the groups (an estimate)


def _about(count: float) -> int:
    """An estimated count rounded to two significant figures (83,137 → 83,000), so it does not pretend to precision."""
    if count < 100:
        return max(1, round(count))
    digits = len(str(int(count))) - 2
    return int(round(count, -digits))


class _SQLite:
    """FTS5: MATCH expression of quoted phrases; bm25 with the title weighted ten times the body."""

    def any_of(self, terms: list[str]) -> str:
        return " OR ".join(f'"{term}"' for term in terms)

    def document_frequencies(self, cursor, terms: list[str], scope_sql: str, scope_params: list[str]) -> dict[str, int]:
        """How many documents in scope (``scope_sql``: audiences and kinds) contain each term, in one statement (bm25
        weighs rarity too; this picks the terms)."""
        count = ("(SELECT COUNT(*) FROM search_fts JOIN search_indexeddocument d ON d.id = search_fts.rowid "
                 f"WHERE search_fts MATCH %s AND {scope_sql})")
        cursor.execute("SELECT " + ", ".join([count] * len(terms)), [p for term in terms for p in (f'"{term}"', *scope_params)])
        return dict(zip(terms, cursor.fetchone()))

    def match_expression(self, dnf) -> str:
        """Any of the conjunctions (OR); each needs every clause (AND); a clause any of its quoted phrases."""
        return _boolean_expression(dnf, lambda words: '"' + " ".join(words) + '"', and_=" AND ", or_=" OR ")

    def base_where(self, match: str, audiences, filters) -> tuple[str, list]:
        sql, params = _filter_sql(audiences, filters)
        return ("FROM search_fts JOIN search_indexeddocument d ON d.id = search_fts.rowid "
                "WHERE search_fts MATCH %s" + sql, [match, *params])

    #: bm25 is negative (lower is better): a recent document's score is multiplied up by at most 1.5, an event that is
    #: over counts half.
    RANK = ("bm25(search_fts, 10.0, 1.0, 0.5) * d.boost * (1.0 + 0.5 / (1.0 + COALESCE(MAX(0.0, julianday('now') - julianday(d.date)) / 365.25, 20.0))) "
            f"* (CASE WHEN d.kind = 'event' AND d.date < datetime('now') THEN {PAST_EVENT_FACTOR} ELSE 1.0 END)")

    def scan(self, cursor, where, params, match, page, page_size) -> _Scan:
        """(kind, organisation, year, count) groups, (service area, count) rows and the page's hits.

        One statement runs the full-text match once and answers the page, the total and the facets from it
        (at most kinds × organisations × years group rows come back, not one per match).  A query matching
        more than ``settings.SEARCH_DB_COMMON_MATCHES`` documents (FTS5 counts its matches from the index
        alone, before any filter) is answered from a sample instead (:meth:`_scan_common`).
        """
        cursor.execute("SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH %s", [match])
        estimate = cursor.fetchone()[0]
        common = estimate > _setting("SEARCH_DB_COMMON_MATCHES")
        if common:
            scanned = self._scan_common(cursor, where, params, match, page, page_size, estimate)
            if scanned is not None:
                return scanned
        ranked, _candidates, _in_sample, groups, areas = self._scan_every(cursor, where, params, match, page, page_size, every=1, titled=[],
                                                                          whole_title=not common)
        return _Scan([tuple(group) for group in groups], [tuple(area) for area in areas], self._hits(cursor, match, ranked))

    def _scan_common(self, cursor, where, params, match, page, page_size, estimate: int) -> _Scan | None:
        """A very common query: rank a bounded set of candidates, and estimate the total and facets from a sample.

        The same trade-off as PostgreSQL's (``_PostgreSQL._scan_common``): bm25 over every one of 85,000
        matches, joined to their rows for the facets, took 0.8–1.5 s at 100,000 documents.  The sample is
        every document whose rowid leaves a fixed remainder by ``every`` — FTS5 walks the match list from its
        index and scores only those — with ``every`` chosen so the sample holds about
        ``SEARCH_DB_SAMPLE_MATCHES`` matches (and at least one document in ``100 /
        SEARCH_DB_MAX_SAMPLE_PERCENT``).  The candidates ranked are the sample's matches plus the
        ``SEARCH_DB_TITLE_CANDIDATES`` newest documents with the words in their title, so the best
        title match still comes first wherever it lies.  Returns None (answer exactly) when the sample
        holds fewer than ``SEARCH_DB_MIN_SAMPLE_MATCHES`` matches, as it can once a filter narrows the query.
        """
        every = max(round(100 / _setting("SEARCH_DB_MAX_SAMPLE_PERCENT")), -(-estimate // _setting("SEARCH_DB_SAMPLE_MATCHES")))
        # The title candidates first, by themselves: in the statement as a list of rowids, FTS5 still walks the match
        # list once; as a subquery there, SQLite would run the full-text match again for each of them.
        cursor.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rowid DESC LIMIT %s",
                       ["{title} : (" + match + ")", _setting("SEARCH_DB_TITLE_CANDIDATES")])
        titled = [row[0] for row in cursor.fetchall()]
        ranked, candidates, in_sample, groups, areas = self._scan_every(cursor, where, params, match, page, page_size, every, titled)
        if in_sample < _setting("SEARCH_DB_MIN_SAMPLE_MATCHES"):
            return None
        return _Scan(
            [(kind, organisation, year, max(1, n * every)) for kind, organisation, year, n in groups],
            [(name, max(1, n * every)) for name, n in areas],
            self._hits(cursor, match, ranked),
            approximate=True, ranked=candidates, total=_about(in_sample * every),
        )

    def _scan_every(self, cursor, where, params, match, page, page_size, every: int, titled: list[int], whole_title: bool = False) -> tuple:
        """The matches whose rowid leaves one remainder by ``every`` (all of them when 1), and those in ``titled``:
        the page's (id, rank) pairs, how many were ranked, how many were sampled, the sample's facet groups and areas."""
        remainder = 7 % every
        # With ``whole_title``, a document whose title holds the whole query ranks at WHOLE_TITLE_FACTOR times its score:
        # those titles are found once, by FTS5's column filter, in a CTE of their own.  A very common query does without
        # (scan): its words are in most of the index and thousands of titles, and matching those titles cost about 0.3 s
        # in a synthetic FTS5 index of 100,000 documents; the newest title matches are among its candidates anyway.
        cursor.execute(
            ("WITH w AS MATERIALIZED (SELECT rowid FROM search_fts WHERE search_fts MATCH %s), " if whole_title else "WITH ")
            + f"m AS MATERIALIZED (SELECT d.id, d.kind, d.organisation, d.year, {self.RANK} "
            + (f"* (CASE WHEN search_fts.rowid IN (SELECT rowid FROM w) THEN {WHOLE_TITLE_FACTOR} ELSE 1.0 END) " if whole_title else "")
            + f"AS rank, search_fts.rowid %% %s = %s AS sampled {where} "
            f"AND (search_fts.rowid %% %s = %s OR search_fts.rowid IN ({','.join(['%s'] * len(titled)) or 'NULL'}))) "
            "SELECT (SELECT json_group_array(json_array(p.id, p.rank)) FROM (SELECT id, rank FROM m ORDER BY rank, id LIMIT %s OFFSET %s) p), "
            "(SELECT COUNT(*) FROM m), (SELECT COUNT(*) FROM m WHERE sampled), "
            "(SELECT json_group_array(json_array(g.kind, g.organisation, g.year, g.n)) FROM "
            "(SELECT kind, organisation, year, COUNT(*) AS n FROM m WHERE sampled GROUP BY kind, organisation, year) g), "
            "(SELECT json_group_array(json_array(v.name, v.n)) FROM "
            "(SELECT a.name, COUNT(*) AS n FROM search_indexedarea a WHERE a.document_id IN (SELECT id FROM m WHERE sampled) GROUP BY a.name) v)",
            [*(["{title} : (" + match + ")"] if whole_title else []), every, remainder, *params, every, remainder, *titled, page_size,
             (page - 1) * page_size],
        )
        return tuple(json.loads(value) if isinstance(value, str) else value for value in cursor.fetchone())

    def similar_hits(self, cursor, where, params, match, limit) -> list[SearchHit]:
        """The best ``limit`` matches for similar work, ranked as a search ranks them."""
        return self.page(cursor, where, params, match, 1, limit)

    def page(self, cursor, where, params, match, page, page_size) -> list[SearchHit]:
        rows = _fetch_rows(
            cursor,
            f"SELECT d.id, d.key, d.kind, d.object_pk, d.title, d.url, d.organisation, {self.RANK} AS rank "
            f"{where} ORDER BY rank, d.id LIMIT %s OFFSET %s",
            [*params, page_size, (page - 1) * page_size],
        )
        return self._with_snippets(cursor, match, rows)

    def _hits(self, cursor, match: str, ranked: list) -> list[SearchHit]:
        """The hits for (id, rank) pairs already ranked, in that order."""
        if not ranked:
            return []
        ranks = dict(ranked)
        rows = {row["id"]: row for row in _fetch_rows(
            cursor,
            "SELECT d.id, d.key, d.kind, d.object_pk, d.title, d.url, d.organisation, 0 AS rank FROM search_indexeddocument d "
            f"WHERE d.id IN ({','.join(['%s'] * len(ranks))})",
            list(ranks),
        )}
        for row_id, row in rows.items():
            row["rank"] = ranks[row_id]
        return self._with_snippets(cursor, match, [rows[row_id] for row_id in ranks if row_id in rows])

    def _with_snippets(self, cursor, match: str, rows: list[dict]) -> list[SearchHit]:
        if not rows:
            return []
        # Snippets only for this page's rows (SQLite would otherwise build one for every match before sorting).
        ids = [row["id"] for row in rows]
        cursor.execute(
            f"SELECT search_fts.rowid, snippet(search_fts, 1, '{MARK_START}', '{MARK_END}', ' … ', 32), substr(search_fts.body, 1, {FALLBACK_CHARS}) "
            f"FROM search_fts WHERE search_fts MATCH %s AND search_fts.rowid IN ({','.join(['%s'] * len(ids))})",
            [match, *ids],
        )
        snippets = {row_id: (snippet, opening) for row_id, snippet, opening in cursor.fetchall()}
        hits = []
        for row in rows:
            snippet, opening = snippets.get(row["id"], ("", ""))
            highlight = marked_to_html(snippet) if MARK_START in (snippet or "") else highlight_words(opening or "", getattr(self, "query", ""))
            hits.append(_hit(row, highlight))
        return hits


class _PostgreSQL:
    """tsvector @@ to_tsquery('english', …): phrases with <->, alternatives with |, clauses with &."""

    def any_of(self, terms: list[str]) -> str:
        return " | ".join(terms)

    def document_frequencies(self, cursor, terms: list[str], scope_sql: str, scope_params: list[str]) -> dict[str, int]:
        """How many documents in scope (``scope_sql``: audiences and kinds) contain each term, in one pass over them."""
        columns = ", ".join("COUNT(*) FILTER (WHERE d.search_vector @@ plainto_tsquery('english', %s))" for _ in terms)
        cursor.execute(f"SELECT {columns} FROM search_indexeddocument d WHERE {scope_sql}", [*terms, *scope_params])
        return dict(zip(terms, cursor.fetchone()))

    def match_expression(self, dnf) -> str:
        """Any of the conjunctions (|); each needs every clause (&); a clause any of its phrases (<-> within one)."""
        return _boolean_expression(dnf, lambda words: "(" + " <-> ".join(words) + ")", and_=" & ", or_=" | ")

    def base_where(self, match: str, audiences, filters) -> tuple[str, list]:
        sql, params = _filter_sql(audiences, filters)
        return ("FROM search_indexeddocument d, to_tsquery('english', %s) query "
                "WHERE d.search_vector @@ query" + sql, [match, *params])

    #: Relevance: ts_rank (title weighs 1.0, body and keywords 0.4) divided by 1 + log(length) (normalisation 1, so a
    #: long paper does not float to the top on the number of its mentions alone), times the document's boost, times up
    #: to 1.5 for recent work, halved for an event that is over.
    #: A title match is also scored on the title alone (every weight 1), which no body length normalises away: a long
    #: template whose title has every word ranks above a short note that mentions them.  ts_rank scores the words a
    #: title does hold however many it lacks, so a title that does not hold the whole query counts half: for
    #: "dermatology business case", "Community dermatology service business case" ranks above a course called
    #: "Writing a business case for service re-design" that is only tagged Dermatology.
    #: The title's vector is stored (``title_vector``, migration 0008): parsing every match's title here, twice, was
    #: most of a query's ranking time.
    RANK = ("(ts_rank(d.search_vector, query, 1) + 0.5 * ts_rank('{1,1,1,1}', d.title_vector, query) "
            "* (CASE WHEN d.title_vector @@ query THEN 1.0 ELSE 0.5 END)) "
            "* d.boost * "
            "(1.0 + 0.5 / (1.0 + COALESCE(GREATEST(0.0, EXTRACT(EPOCH FROM (now() - d.date))) / 31557600.0, 20.0))) * "
            f"(CASE WHEN d.kind = 'event' AND d.date < now() THEN {PAST_EVENT_FACTOR} ELSE 1.0 END)")
    #: How much of a long body a headline is drawn from, and how far before the first possible match it starts.
    HEADLINE_CHARS = 8_000
    HEADLINE_LEAD = 300
    #: Each match's id, facet fields and rank, computed once; every part of the answer reads this.
    MATCHES = "WITH m AS MATERIALIZED (SELECT d.id, d.kind, d.organisation, d.year, " + RANK.replace("{", "{{").replace("}", "}}") + " AS rank {where}) "

    def scan(self, cursor, where, params, match, page, page_size) -> _Scan:
        """The page, the facet groups and the service areas: exactly for most queries, bounded for very common ones.

        A query the planner expects to match more than ``settings.SEARCH_DB_COMMON_MATCHES``
        documents (a word in most of the index, such as "practice") is answered by
        :meth:`_scan_common`; if its sample finds too few matches to trust, or the query
        is selective, every match is counted and ranked here, in one statement that
        runs the full-text match once.  Only the page's rows are then read in full and highlighted.
        """
        estimate = self._estimated_matches(cursor, where, params)
        if estimate > _setting("SEARCH_DB_COMMON_MATCHES"):
            scanned = self._scan_common(cursor, where, params, match, page, page_size, estimate)
            if scanned is not None:
                return scanned
        cursor.execute(
            self.MATCHES.format(where=where)
            + "SELECT (SELECT COALESCE(json_agg(json_build_array(p.id, p.rank)), '[]') FROM "
            "(SELECT m.id, m.rank FROM m ORDER BY m.rank DESC, m.id LIMIT %s OFFSET %s) p), "
            "(SELECT COALESCE(json_agg(json_build_array(g.kind, g.organisation, g.year, g.n)), '[]') FROM "
            "(SELECT m.kind, m.organisation, m.year, COUNT(*) AS n FROM m GROUP BY m.kind, m.organisation, m.year) g), "
            "(SELECT COALESCE(json_agg(json_build_array(s.name, s.n)), '[]') FROM "
            "(SELECT a.name, COUNT(*) AS n FROM m JOIN search_indexedarea a ON a.document_id = m.id GROUP BY a.name) s)",
            [*params, page_size, (page - 1) * page_size],
        )
        ranked, groups, areas = cursor.fetchone()
        return _Scan([tuple(group) for group in groups], [tuple(area) for area in areas], self._hits(cursor, match, ranked))

    @staticmethod
    def _estimated_matches(cursor, where: str, params: list) -> float:
        """The planner's estimate of how many documents match (from the tsvector statistics ANALYZE keeps); no rows are read."""
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 {where}", params)
        plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            import json

            plan = json.loads(plan)
        return float(plan[0]["Plan"]["Plan Rows"])

    def _scan_common(self, cursor, where, params, match, page, page_size, estimate: float) -> _Scan | None:
        """A very common query: rank a bounded set of candidates, and estimate the total and facets from a sample.

        The trade-off (measured in bench/RESULTS.md): answering exactly means
        reading every matching row — for a word in most of the index, most of the
        table — to count it, put it in its facets and ``ts_rank`` it, which took
        0.5–1.7 s on a loaded machine.  Instead, one statement reads:

        * **a repeatable sample of the table's pages** (``TABLESAMPLE SYSTEM``, sized to
          hold about ``SEARCH_DB_SAMPLE_MATCHES`` matches, never more than
          ``SEARCH_DB_MAX_SAMPLE_PERCENT`` of the table).  The total and every facet
          count are the sample's counts scaled up, so the page says "About 83,000
          results" (``SearchResults.approximate``);
        * **the candidates that are ranked**: the sample's matches plus the
          ``SEARCH_DB_TITLE_CANDIDATES`` newest documents with the words in their
          *title* (found through the title's own GIN index, migration 0005), each
          ranked exactly as usual.  A title match ranks far above a body match, so
          the best match is still first when it has the words in its title, however
          old and wherever it lies in the table; what can be missed is a document
          outside the sample that only mentions the words in its body.  Only the
          candidates can be paged through (``SearchResults.ranked``).

        Once a filter narrows the query below the threshold, the answer is exact
        again.  Returns None (answer exactly) when the sample holds fewer than
        ``SEARCH_DB_MIN_SAMPLE_MATCHES`` matches, too few for its estimate to mean anything.
        """
        sample_percent = min(float(_setting("SEARCH_DB_MAX_SAMPLE_PERCENT")),
                             100.0 * _setting("SEARCH_DB_SAMPLE_MATCHES") / max(estimate, 1.0))
        # The title's own vector has its own GIN index and statistics (migration 0005): the planner can tell a rare
        # title match (bitmap scan, then sort) from a common one (newest first until enough are found).
        in_title = where.replace("WHERE d.search_vector @@ query", "WHERE to_tsvector('english'::regconfig, d.title) @@ query", 1)
        sampled = where.replace("FROM search_indexeddocument d,", "FROM search_indexeddocument d TABLESAMPLE SYSTEM (%s) REPEATABLE (7),", 1)
        assert sampled != where and in_title != where
        cursor.execute(
            f"WITH s AS MATERIALIZED (SELECT d.id, d.kind, d.organisation, d.year, {self.RANK} AS rank {sampled}), "
            f"t AS (SELECT d.id {in_title} ORDER BY d.date DESC NULLS LAST, d.id LIMIT %s), "
            "r AS MATERIALIZED ("
            "SELECT s.id, s.rank FROM s UNION "
            f"SELECT d.id, {self.RANK} FROM search_indexeddocument d, to_tsquery('english', %s) query "
            "WHERE d.id IN (SELECT t.id FROM t) AND d.search_vector @@ query) "
            "SELECT (SELECT COALESCE(json_agg(json_build_array(p.id, p.rank)), '[]') FROM "
            "(SELECT r.id, r.rank FROM r ORDER BY r.rank DESC, r.id LIMIT %s OFFSET %s) p), "
            "(SELECT COUNT(*) FROM r), (SELECT COUNT(*) FROM s), "
            "(SELECT COALESCE(json_agg(json_build_array(g.kind, g.organisation, g.year, g.n)), '[]') FROM "
            "(SELECT s.kind, s.organisation, s.year, COUNT(*) AS n FROM s GROUP BY s.kind, s.organisation, s.year) g), "
            "(SELECT COALESCE(json_agg(json_build_array(v.name, v.n)), '[]') FROM "
            # = ANY(ARRAY(…)): the sample's few hundred ids are looked up in the area index, never a scan of every area row.
            "(SELECT a.name, COUNT(*) AS n FROM search_indexedarea a WHERE a.document_id = ANY (ARRAY(SELECT s.id FROM s)) GROUP BY a.name) v)",
            [sample_percent, *params, *params, _setting("SEARCH_DB_TITLE_CANDIDATES"), match, page_size, (page - 1) * page_size],
        )
        ranked, candidates, in_sample, groups, areas = cursor.fetchone()
        exact = sample_percent >= 100.0
        if not exact and in_sample < _setting("SEARCH_DB_MIN_SAMPLE_MATCHES"):
            return None
        scale = 100.0 / sample_percent

        def scaled(count: int) -> int:
            return count if exact else max(1, round(count * scale))

        return _Scan(
            [(kind, organisation, year, scaled(n)) for kind, organisation, year, n in groups],
            [(name, scaled(n)) for name, n in areas],
            self._hits(cursor, match, ranked),
            approximate=not exact, ranked=candidates, total=in_sample if exact else _about(in_sample * scale),
        )

    def page(self, cursor, where, params, match, page, page_size) -> list[SearchHit]:
        """Only the page's hits, best first (for "similar work", which needs no facets)."""
        cursor.execute(
            self.MATCHES.format(where=where)
            + "SELECT COALESCE(json_agg(json_build_array(p.id, p.rank)), '[]') FROM "
            "(SELECT m.id, m.rank FROM m ORDER BY m.rank DESC, m.id LIMIT %s OFFSET %s) p",
            [*params, page_size, (page - 1) * page_size],
        )
        return self._hits(cursor, match, cursor.fetchone()[0])

    def similar_hits(self, cursor, where, params, match, limit) -> list[SearchHit]:
        """The best ``limit`` matches for similar work, ranked as a search ranks them, in one statement with their
        service areas: no headlines (the similar work list shows none, and ``ts_headline`` parses each body)."""
        cursor.execute(
            "SELECT d.key, d.kind, d.object_pk, d.title, d.url, d.organisation, d.date, p.rank, "
            "ARRAY(SELECT a.name FROM search_indexedarea a WHERE a.document_id = d.id ORDER BY a.name) "
            f"FROM (SELECT d.id, {self.RANK} AS rank {where} ORDER BY rank DESC, d.id LIMIT %s) p "
            "JOIN search_indexeddocument d ON d.id = p.id ORDER BY p.rank DESC, p.id",
            [*params, limit],
        )
        return [
            SearchHit(key=key, kind=kind, pk=pk, title=title, url=url, highlight="", date=date, organisation=organisation,
                      service_areas=tuple(areas), score=float(rank or 0))
            for key, kind, pk, title, url, organisation, date, rank, areas in cursor.fetchall()
        ]

    def _hits(self, cursor, match: str, ranked: list) -> list[SearchHit]:
        if not ranked:
            return []
        ranks = dict(ranked)
        ids = list(ranks)
        # Headlines only for this page's rows: ts_headline parses and stems every word of the text it is given, so its
        # cost grows with the text's length (a 74,000-character thread cost more than the other nine hits together).
        # A body longer than HEADLINE_CHARS is given only that much, starting just before the place where every query
        # word has appeared at least once (the latest of their first appearances, each found by its first four letters,
        # which an English stem rarely cuts; a word not found is ignored, and with none found the window is the body's
        # start): where the words first come together, which is where the best fragment usually is.
        prefixes = sorted({word[:4] for word in _ENGINE_WORD.findall(match) if len(word) >= 3})
        first = "GREATEST(" + ", ".join(["NULLIF(strpos(l.lowered, %s), 0)"] * len(prefixes)) + ")" if prefixes else "NULL"
        rows = {row["id"]: row for row in _fetch_rows(
            cursor,
            "SELECT d.id, d.key, d.kind, d.object_pk, d.title, d.url, d.organisation, 0 AS rank, "
            "ts_headline('english', CASE WHEN length(d.body) <= %s THEN d.body "
            f"ELSE substr(d.body, GREATEST(1, COALESCE({first}, 1) - %s), %s) END, query, %s) AS headline, "
            f"left(d.body, {FALLBACK_CHARS}) AS opening "
            "FROM search_indexeddocument d CROSS JOIN LATERAL (SELECT lower(left(d.body, 60000)) AS lowered) l, "
            f"to_tsquery('english', %s) query WHERE d.id IN ({','.join(['%s'] * len(ids))})",
            [self.HEADLINE_CHARS, *prefixes, self.HEADLINE_LEAD, self.HEADLINE_CHARS,
             f"StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=\" … \"",
             match, *ids],
        )}
        hits = []
        for row_id in ids:
            row = rows[row_id]
            row["rank"] = ranks[row_id]
            headline = row["headline"]
            highlight = marked_to_html(headline) if MARK_START in (headline or "") else highlight_words(row["opening"] or "", getattr(self, "query", ""))
            hits.append(_hit(row, highlight))
        return hits
