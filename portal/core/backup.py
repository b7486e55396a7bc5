"""Back up the whole portal (database and media) to one archive, and restore it onto an empty database.

The archive is a gzipped tar file holding:

* ``database.backupjsonl``: every row of every table, written by Django's
  ``dumpdata`` as JSON lines (times kept to the microsecond,
  ``portal/core/serializers.py``) with primary keys kept.  Content types
  and permissions go in with their own ids, so every reference to them (each
  Wagtail page's type, log entries, group permissions) stays right; Wagtail's
  page tree (treebeard ``path``/``depth``/``numchild``) is ordinary columns and
  comes back exactly.  It is database-neutral: a PostgreSQL backup restores
  onto SQLite and the other way round.
* ``media/…``: every file in the media storage (images, renditions,
  documents, profile photos, forum attachments).
* ``manifest.json``: when and from which version it was made, the applied
  migrations, the number of rows per table and a SHA-256 checksum of every
  file in the archive.

``restore_backup`` checks every checksum before touching anything, refuses a
database that already holds content (unless forced), migrates, empties the
tables, loads the rows in one transaction, writes the files and then checks
the row counts against the manifest.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from portal.core.audit import suspended
from portal.core.serializers import ExactJSONEncoder

FORMAT = 1
SERIALIZATION_FORMAT = "backupjsonl"  # JSON lines with exact times (portal/core/serializers.py)
DATABASE_MEMBER = f"database.{SERIALIZATION_FORMAT}"
MANIFEST_MEMBER = "manifest.json"
MEDIA_PREFIX = "media/"

# Rows a fresh ``migrate`` creates by itself: a database holding only these is "empty".
MIGRATION_MADE = {
    "contenttypes.contenttype", "auth.permission", "auth.group", "auth.group_permissions",
    "wagtailcore.locale", "wagtailcore.collection", "wagtailcore.page", "wagtailcore.site", "portal.homepage",
    "wagtailcore.grouppagepermission", "wagtailcore.groupcollectionpermission", "wagtailcore.task",
    "wagtailcore.workflow", "wagtailcore.workflowtask", "wagtailcore.workflowpage", "wagtailcore.workflowcontenttype",
    "wagtailcore.groupapprovaltask", "wagtailcore.groupapprovaltask_groups",
}


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why and what to do."""


def _register_format() -> None:
    from django.core import serializers

    if SERIALIZATION_FORMAT not in serializers.get_serializer_formats():
        serializers.register_serializer(SERIALIZATION_FORMAT, "portal.core.serializers")


def _sha256(stream) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _models_without_tables() -> list[str]:
    """Unmanaged models (django-rq's admin ``Dashboard``) have no table for ``dumpdata`` to read."""
    return [model._meta.label for model in apps.get_models() if not model._meta.managed]


def _tables():
    """Every concrete model with a table, including many-to-many link tables, in a stable order."""
    models = [
        model for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    return sorted(models, key=lambda model: model._meta.label_lower)


def row_counts() -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.count() for model in _tables()}


def table_rows(model) -> list[str]:
    """One table's rows as JSON text (all columns, in key order), for comparing two databases."""
    columns = [field.attname for field in model._meta.concrete_fields]
    if model._meta.auto_created:
        # A many-to-many link table: its own ids are renumbered on loading and mean nothing.
        columns = [column for column in columns if column != model._meta.pk.attname]
    rows = model._base_manager.order_by(*columns).values_list(*columns).iterator(chunk_size=2000)
    return [json.dumps(row, cls=ExactJSONEncoder, sort_keys=True, default=str) for row in rows]


def fingerprint() -> dict[str, str]:
    """A checksum of every table's rows, to compare two databases."""
    result = {}
    for model in _tables():
        digest = hashlib.sha256()
        for row in table_rows(model):
            digest.update(row.encode())
        result[model._meta.label_lower] = digest.hexdigest()
    return result


def _media_files(storage=default_storage, folder: str = ""):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _media_files(storage, f"{folder}/{sub}" if folder else sub)


def _applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def create_backup(path: Path | str, storage=default_storage) -> dict:
    """Write the database and media files to ``path`` (a .tar.gz) and return the manifest."""
    import django
    import wagtail

    path = Path(path)
    _register_format()
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / DATABASE_MEMBER
        # One read transaction: the dump and the counts describe the same moment.
        with transaction.atomic():
            call_command("dumpdata", format=SERIALIZATION_FORMAT, output=str(dump), verbosity=0, all=True,
                         exclude=_models_without_tables())
            counts = row_counts()
            migrations = _applied_migrations()
        with dump.open("rb") as stream:
            files = {DATABASE_MEMBER: _sha256(stream)}
        media = list(_media_files(storage))
        for name in media:
            with storage.open(name, "rb") as stream:
                files[MEDIA_PREFIX + name] = _sha256(stream)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "database_vendor": connection.vendor,
            "versions": {"django": django.get_version(), "wagtail": wagtail.__version__},
            "migrations": migrations,
            "row_counts": counts,
            "files": files,
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=DATABASE_MEMBER)
            for name in media:
                with storage.open(name, "rb") as stream:
                    info = tarfile.TarInfo(MEDIA_PREFIX + name)
                    info.size = storage.size(name)
                    info.mtime = int(datetime.now(UTC).timestamp())
                    archive.addfile(info, stream)
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST_MEMBER)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
        os.replace(partial, path)  # never leave a half-written archive under the real name
    return manifest


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST_MEMBER))
    except KeyError:
        raise BackupError("This file is not a portal backup: it has no manifest.json.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"This backup uses format {manifest.get('format')!r}; this version of the portal reads format {FORMAT}.")
    return manifest


def verify_archive(path: Path | str) -> dict:
    """Check every file in the archive against the manifest's checksums; return the manifest."""
    with tarfile.open(path, "r:gz") as archive:
        manifest = read_manifest(archive)
        seen = set()
        for member in archive.getmembers():
            if member.name == MANIFEST_MEMBER:
                continue
            if not member.isfile() or member.name not in manifest["files"]:
                raise BackupError(f"The archive holds {member.name!r}, which its manifest does not list; it may have been altered.")
            if _sha256(archive.extractfile(member)) != manifest["files"][member.name]:
                raise BackupError(f"{member.name} does not match its checksum; the archive is damaged.")
            seen.add(member.name)
        missing = set(manifest["files"]) - seen
        if missing:
            raise BackupError(f"The archive is missing {len(missing)} file(s) its manifest lists, e.g. {sorted(missing)[0]}.")
    return manifest


def content_rows() -> dict[str, int]:
    """Rows that a fresh migrate does not make, by table; empty when the database holds no content."""
    from wagtail.models import Page

    counts = {label: n for label, n in row_counts().items() if n and label not in MIGRATION_MADE}
    extra_pages = Page.objects.count() - 2  # the tree's root and the home page made by portal 0003
    if extra_pages > 0:
        counts["wagtailcore.page"] = extra_pages
    return counts


def restore_backup(path: Path | str, *, force: bool = False, storage=default_storage) -> dict:
    """Restore ``path`` onto this (empty) database and media storage; return the manifest."""
    manifest = verify_archive(path)
    _register_format()
    call_command("migrate", interactive=False, verbosity=0)
    applied = _applied_migrations()
    if applied != manifest["migrations"]:
        newer = sorted(set(manifest["migrations"]) - set(applied))
        older = sorted(set(applied) - set(manifest["migrations"]))
        detail = f"the backup has {newer[0]} which this code lacks" if newer else f"this code has {older[0]} which the backup lacks"
        raise BackupError(
            f"This backup was made by a different version of the portal ({detail}). Restore it with the version "
            "that made it, then upgrade and migrate."
        )
    if not force:
        existing = content_rows()
        if existing:
            example = ", ".join(f"{label} ({n})" for label, n in sorted(existing.items())[:3])
            raise BackupError(f"The database already holds content ({example}). Restore onto an empty database, or use --force to replace it.")
        existing_files = next(iter(_media_files(storage)), None)
        if existing_files:
            raise BackupError(f"The media folder already holds files (e.g. {existing_files}). Use an empty one, or --force to replace it.")

    with tempfile.TemporaryDirectory() as scratch, tarfile.open(path, "r:gz") as archive:
        archive.extract(DATABASE_MEMBER, scratch, filter="data")
        with transaction.atomic(), suspended():
            call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
            call_command("loaddata", str(Path(scratch) / DATABASE_MEMBER), verbosity=0)
            counts = row_counts()
            if counts != manifest["row_counts"]:
                differing = sorted(label for label in set(counts) | set(manifest["row_counts"])
                                   if counts.get(label) != manifest["row_counts"].get(label))
                raise BackupError(f"After loading, the row counts differ from the backup's in {', '.join(differing[:5])}; nothing was restored.")
        for member in archive.getmembers():
            if not member.name.startswith(MEDIA_PREFIX):
                continue
            name = member.name[len(MEDIA_PREFIX):]
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, File(archive.extractfile(member), name=name))
            if saved != name:
                raise BackupError(f"The media storage saved {name} as {saved}; check its permissions and try again.")
    return manifest
