"""Refer unanswered questions to the SHA. Run it hourly from the scheduler (cron, systemd timer)."""
from django.core.management.base import BaseCommand

from forum.services import escalate_unanswered


class Command(BaseCommand):
    help = "Refer questions with no answer within FORUM_ESCALATION_WORKING_DAYS working days to SHA staff."

    def handle(self, *args, **options):
        threads = escalate_unanswered()
        self.stdout.write(f"Referred {len(threads)} question{'s' if len(threads) != 1 else ''} to the SHA.")
