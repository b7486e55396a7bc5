"""Rebuild the search index from everything registered in search.registry, with a progress bar.

Elasticsearch: a new index is built and filled beside the live one, then the
alias is swapped in one step and the old index deleted, so search keeps
answering throughout.  The embedded backend is rebuilt in place (upserts,
then stale entries removed).  With ELASTICSEARCH_URL set both are rebuilt,
since the embedded index is the fallback when Elasticsearch is down.
"""
from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from search.backends.base import SearchUnavailable
from search.answers import forget_answers
from search.services import count_all_documents, iter_all_documents, writing_backends


class ProgressBar:
    """A one-line text progress bar (no dependency): ``[#####-----] 1,200 / 3,400 (812/s)``."""

    def __init__(self, stream, total: int, label: str, width: int = 30) -> None:
        self.stream, self.total, self.label, self.width = stream, max(total, 1), label, width
        self.started = time.monotonic()
        self.interactive = getattr(stream, "isatty", lambda: False)()

    def __call__(self, done: int, _total=None) -> None:
        filled = min(self.width, int(self.width * done / self.total))
        rate = done / max(time.monotonic() - self.started, 1e-6)
        line = f"{self.label} [{'#' * filled}{'-' * (self.width - filled)}] {done:,} / {self.total:,} ({rate:,.0f}/s)"
        self.stream.write(("\r" + line) if self.interactive else line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.interactive:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Rebuild the search index (a new Elasticsearch index swapped in atomically; the embedded index in place)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--backend", choices=["configured", "database", "elasticsearch", "all"], default="all",
                            help="Which index to rebuild (default: the configured one and the embedded fallback).")
        parser.add_argument("--kind", action="append", help="Only this kind of content (repeatable); others are dropped from the index.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args, backend: str, kind: list[str] | None, no_progress: bool, **options) -> None:
        backends = writing_backends()
        if backend == "configured":
            backends = backends[:1]
        elif backend in {"database", "elasticsearch"}:
            backends = [b for b in backends if b.name == backend]
            if not backends:
                raise CommandError(f"The {backend} backend is not configured here (is ELASTICSEARCH_URL set?).")
        total = count_all_documents(kind)
        for engine in backends:
            progress = None if no_progress else ProgressBar(self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout,
                                                            total, f"{engine.name}:")
            started = time.monotonic()
            try:
                written = engine.rebuild(iter_all_documents(kind), progress)
            except SearchUnavailable as error:
                raise CommandError(f"{error}. Start the search engine or unset ELASTICSEARCH_URL, then run this again.") from error
            forget_answers()  # cached search answers were computed from the old index
            if progress:
                progress.finish()
            self.stdout.write(self.style.SUCCESS(
                f"{engine.name}: indexed {written:,} documents in {time.monotonic() - started:.1f} s."
            ))
