"""Build synthetic data at benchmark scale on top of the demonstration region (see portal/site/synthetic.py)."""
import io
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from portal.site.synthetic import SyntheticCounts, build_synthetic, search_index_is_built


class Command(BaseCommand):
    help = (
        "Add synthetic members, matrix entries, forum replies and search documents, made from the seed papers' words. "
        "Runs the demo first. Safe to run again: each kind is rebuilt only when its size changes, and the demo's "
        "search-index rebuild runs only on a database without an index (or with --rebuild-index); --reset removes it all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=10_000)
        parser.add_argument("--entries", type=int, default=5_000, help="re-design matrix entries")
        parser.add_argument("--replies", type=int, default=1_000, help="replies in one forum thread")
        parser.add_argument("--documents", type=int, default=100_000, help="search documents")
        parser.add_argument("--threads", type=int, default=1_000, help="more forum threads, on boards of their own")
        parser.add_argument("--reset", action="store_true", help="remove every synthetic row and document, and stop")
        parser.add_argument("--no-demo", action="store_true", help="do not run the demo command first")
        parser.add_argument("--rebuild-index", action="store_true",
                            help="let the demo rebuild the whole search index (the synthetic documents are then indexed again)")

    def handle(self, *args, members, entries, replies, documents, threads, reset, no_demo, rebuild_index=False, **options):
        started = time.perf_counter()
        wanted = SyntheticCounts() if reset else SyntheticCounts(members, entries, replies, documents, threads)
        if not no_demo and not reset:
            # The demo books places and so sends e-mail: keep it in memory, never on the console or SMTP.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                call_command("demo", search_rebuild=rebuild_index or not search_index_is_built(),
                             stdout=self.stdout if options["verbosity"] > 1 else io.StringIO())
        held = build_synthetic(wanted)
        self.stdout.write(self.style.SUCCESS(
            f"Synthetic data: {held.members:,} members, {held.entries:,} matrix entries, {held.replies:,} replies, "
            f"{max(held.documents, 0):,} search documents, {held.threads:,} more threads ({time.perf_counter() - started:.1f} s)."
        ))
