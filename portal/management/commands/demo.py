"""Build (or bring up to date) the demonstration region. Safe to run again."""
from importlib import import_module

from django.core.management.base import BaseCommand

from portal.demo import build_region, build_site_pages

# Each app may add its own content with ``<app>.demo.build(region)``, in this order.
APP_DEMOS = ["directory", "redesign", "events", "forum", "directory.areas.demo", "redesign.connections_demo", "portal.guidance_demo", "search"]


class Command(BaseCommand):
    help = "Create the demonstration region: organisations, ~40 members in every role and each app's content."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-search-rebuild", dest="search_rebuild", action="store_false",
            help="leave the search index as it is (manage.py bench_data indexes what it adds itself)",
        )

    def handle(self, *args, search_rebuild: bool = True, **options):
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
            self.stdout.write(f"  {module_name}: done")
        self.stdout.write(self.style.SUCCESS(
            f"Demo region ready: {len(region['organisations'])} organisations, {len(region['members'])} members."
        ))
