"""E-mail guidance owners whose review-by dates are near or past. Run daily."""
from django.core.management.base import BaseCommand

from portal.guidance.services import send_review_reminders


class Command(BaseCommand):
    help = "E-mail each guidance owner the guidance due for review within two weeks, once per review date."

    def handle(self, *args, **options):
        summary = send_review_reminders()
        self.stdout.write(f"Sent {summary.emails} reminder e-mail(s) about {summary.pages} page(s).")
