"""Queue the reminders to leads of stale re-design work. Schedule daily (cron or a systemd timer)."""
from django.core.management.base import BaseCommand

from redesign.tasks import send_stale_reminders


class Command(BaseCommand):
    help = "E-mail the leads of matrix entries nobody has updated for 90 days."

    def handle(self, *args, **options):
        result = send_stale_reminders.enqueue()
        self.stdout.write(f"Stale-work reminders queued ({result.status}).")
