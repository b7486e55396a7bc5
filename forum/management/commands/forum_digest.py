"""E-mail the daily or weekly digest of watched boards. Run daily (and weekly) from the scheduler."""
from django.core.management.base import BaseCommand

from forum.services import send_digest


class Command(BaseCommand):
    help = "Send the forum digest to members who watch boards at this frequency."

    def add_arguments(self, parser):
        parser.add_argument("frequency", choices=["daily", "weekly"])

    def handle(self, *args, frequency, **options):
        sent = send_digest(frequency)
        self.stdout.write(f"Sent {sent} {frequency} digest{'s' if sent != 1 else ''}.")
