"""``manage.py restore PATH``: bring a backup back onto an empty database and media folder (see portal/core/backup.py)."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by 'manage.py backup' onto an empty database (migrating it first) and media folder."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive written by 'manage.py backup'.")
        parser.add_argument("--force", action="store_true", help="Replace whatever the database and media folder hold now.")

    def handle(self, *args, path, force, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"{source} does not exist.")
        try:
            manifest = restore_backup(source, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if settings.ELASTICSEARCH_URL:
            # The embedded index comes back with the rows; Elasticsearch is rebuilt from them.
            call_command("rebuild_search_index", stdout=self.stdout)
            call_command("update_index", stdout=self.stdout)  # Wagtail admin search
        rows = sum(manifest["row_counts"].values())
        files = len(manifest["files"]) - 1
        self.stdout.write(self.style.SUCCESS(f"Restored {rows:,} rows and {files:,} media files from the backup made {manifest['created_at']}."))
