"""Print the current two-factor code for a demo administrator (demo accounts only)."""
from django.core.management.base import BaseCommand, CommandError

from portal.site.demo import DEMO_TOTP_SECRET, PEOPLE


class Command(BaseCommand):
    help = "Print the current authenticator code for a demo account that has two-factor authentication."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        import time

        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        if email not in {p.email for p in PEOPLE}:
            raise CommandError(f"{email} is not a demo account.")
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30)))
