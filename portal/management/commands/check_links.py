"""Check every link in the links library and tell administrators about newly broken ones. Run daily."""
from django.core.management.base import BaseCommand

from portal.guidance.services import check_links


class Command(BaseCommand):
    help = "Visit each links library address; e-mail network administrators about links that have broken."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds to wait for each site (default 10).")

    def handle(self, *args, **options):
        broken = check_links(timeout=options["timeout"])
        self.stdout.write(f"{len(broken)} newly broken link(s).")
        for link in broken:
            self.stdout.write(f"  {link.title}: {link.url} ({link.last_status or link.last_error})")
