"""Build (or bring up to date) the demonstration region. Safe to run again."""
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from portal.site.demo import build_region, build_site_pages

# Each app may add its own content with ``<app>.demo.build(region)``, in this order.
APP_DEMOS = ["directory", "redesign", "events", "forum", "portal.site.areas_demo", "redesign.connections_demo", "portal.guidance.demo", "search"]

#: What the summary counts, by app label and model name (labels survive modules moving).
SUMMARY = [
    ("organisations", "directory", "Organisation"),
    ("members", "directory", "Member"),
    ("re-design entries", "redesign", "MatrixEntry"),
    ("case studies", "redesign", "CaseStudyPage"),
    ("templates", "redesign", "Template"),
    ("events", "events", "EventPage"),
    ("bookings", "events", "Booking"),
    ("forum threads", "forum", "Thread"),
    ("replies", "forum", "Reply"),
    ("guidance pages", "portal", "GuidancePage"),
    ("searchable items", "search", "IndexedDocument"),
]


class Command(BaseCommand):
    help = "Create the demonstration region: organisations, ~40 members in every role and each app's content."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-search-rebuild", dest="search_rebuild", action="store_false",
            help="leave the search index as it is (manage.py bench_data indexes what it adds itself)",
        )

    def handle(self, *args, search_rebuild: bool = True, **options):
        self.stdout.write("Building the demonstration region…")
        # The notifications the demo's own bookings and replies cause are nobody's mail: they go nowhere,
        # rather than a thousand lines of e-mail bodies on the console before the portal is ready.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.build(search_rebuild)
        counts = ", ".join(
            f"{apps.get_model(label, model).objects.count():,} {what}" for what, label, model in SUMMARY
        )
        self.stdout.write(self.style.SUCCESS(f"Demo region ready: {counts}."))

    def build(self, search_rebuild: bool) -> None:
        region = build_region()
        build_site_pages()
        for name in APP_DEMOS:
            module_name = name if "." in name else f"{name}.demo"
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as missing:
                if missing.name != module_name:
                    raise
                continue
            if module_name == "search.demo":
                module.build(region, rebuild_index=search_rebuild)
            else:
                module.build(region)
