"""Send (or resume sending) a newsletter issue from the command line."""
from django.core.management.base import BaseCommand, CommandError

from portal.guidance.models import NewsletterIssuePage
from portal.guidance.services import newsletter_progress, resume_newsletter, send_newsletter


class Command(BaseCommand):
    help = "Queue a newsletter issue for every subscribed member, or with --resume carry on a send that stopped."

    def add_arguments(self, parser):
        parser.add_argument("issue", help="The issue's page id or slug.")
        parser.add_argument("--resume", action="store_true", help="Only send to recipients still waiting.")
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args, **options):
        key = options["issue"]
        issues = NewsletterIssuePage.objects.filter(pk=int(key)) if key.isdigit() else NewsletterIssuePage.objects.filter(slug=key)
        issue = issues.first()
        if issue is None:
            raise CommandError(f"No newsletter issue with id or slug {key!r}.")
        if options["resume"]:
            waiting = resume_newsletter(issue, options["batch_size"])
            self.stdout.write(f"Resumed: {waiting} recipient(s) were waiting.")
        else:
            queued = send_newsletter(issue, options["batch_size"])
            self.stdout.write(f"Queued {queued} new recipient(s).")
        progress = newsletter_progress(issue)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in progress.items()))
