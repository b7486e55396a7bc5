"""``manage.py backup PATH``: the database and every media file in one archive (see portal/core/backup.py)."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and media files to one .tar.gz archive with a manifest of counts and checksums."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the archive, e.g. /srv/backups/pbc-2026-11-23.tar.gz")

    def handle(self, *args, path, **options):
        target = Path(path)
        if target.exists():
            raise CommandError(f"{target} already exists; choose a new file name.")
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        try:
            manifest = create_backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["row_counts"].values())
        files = len(manifest["files"]) - 1
        self.stdout.write(self.style.SUCCESS(f"Backed up {rows:,} rows and {files:,} media files to {target}."))
