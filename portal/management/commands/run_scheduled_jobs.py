"""Run the periodic jobs that are due (see portal/site/schedule.py). Call it from cron every five minutes."""
from io import StringIO

from django.core.management.base import BaseCommand

from portal.site.schedule import JOBS, run_due_jobs


class Command(BaseCommand):
    help = "Run the portal's periodic jobs that are due: scheduled publishing, escalation, digests, reminders, link check."

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", metavar="COMMAND", choices=sorted({job.command for job in JOBS}),
                            help="Run only this job (repeat for several).")

    def handle(self, *args, only=None, **options):
        output = StringIO()
        outcomes = run_due_jobs(only=set(only) if only else None, stdout=output)
        if not outcomes:
            self.stdout.write("Nothing is due.")
        for job, outcome in outcomes:
            self.stdout.write(f"{job.name}: {outcome}")
        if any(outcome != "done" for _, outcome in outcomes):
            raise SystemExit(1)
