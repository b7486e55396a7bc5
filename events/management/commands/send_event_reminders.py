"""Send reminders for events starting soon; run daily from cron or the task scheduler."""
from django.conf import settings
from django.core.management.base import BaseCommand

from events import services, tasks


class Command(BaseCommand):
    help = "E-mail everyone with a confirmed place at events starting within N days (each person once per event)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=getattr(settings, "EVENTS_REMINDER_DAYS", 2),
            help="Remind about events starting within this many days (default 2).",
        )
        parser.add_argument("--enqueue", action="store_true", help="Hand the work to the background task queue instead.")

    def handle(self, *args, days: int, enqueue: bool, **options):
        if enqueue:
            result = tasks.send_event_reminders.enqueue(days)
            self.stdout.write(f"Reminder task queued ({result.id}).")
            return

        sent = services.send_event_reminders(days)
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} reminder{'s' if sent != 1 else ''}."))
