"""``manage.py backup`` then ``manage.py restore`` onto an empty database and media folder brings back every row and file.

The restore runs as a separate process against a second database (a second
PostgreSQL database when the suite runs on PostgreSQL, a second SQLite file
otherwise), exactly as an operator would run it.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from portal.core.backup import BackupError, fingerprint, restore_backup, verify_archive

ROOT = Path(__file__).resolve().parents[2]

CHECK_SCRIPT = """
import hashlib, json
from django.test import Client
from wagtail.documents import get_document_model
from directory.models import Member
from portal.core.backup import fingerprint
from portal.site.models import HomePage

rows = fingerprint()  # before this script signs anyone in (which writes a session and last_login)
client = Client()
home = client.get(HomePage.objects.get().url)
document = get_document_model().objects.order_by("pk").first()
client.force_login(Member.objects.approved().order_by("pk").first().user)
served = client.get(document.url)
body = b"".join(served.streaming_content) if served.streaming else served.content
print(json.dumps({
    "fingerprint": rows,
    "home_status": home.status_code,
    "home_has_title": HomePage.objects.get().title in home.content.decode(),
    "document_id": document.pk,
    "document_status": served.status_code,
    "document_sha256": hashlib.sha256(body).hexdigest(),
}))
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def realistic_portal(db, media, roles):
    """The demo region (members, events, forum, re-design with uploaded templates, guidance) plus an image."""
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    with open(os.devnull, "w") as quiet:
        call_command("demo", stdout=quiet)
    picture = io.BytesIO()
    PILImage.new("RGB", (40, 30), (0, 94, 184)).save(picture, "PNG")
    get_image_model().objects.create(title="Chilford Hall", file=ContentFile(picture.getvalue(), name="chilford.png"))


@pytest.fixture
def empty_database(tmp_path):
    """Environment variables naming a second, empty database (dropped afterwards on PostgreSQL)."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env["PYTHONPATH"] = str(ROOT)
    env["MEDIA_ROOT"] = str(tmp_path / "restored-media")
    env["PORTAL_DATA_DIR"] = str(tmp_path / "restored-data")
    if connection.vendor != "postgresql":
        yield env
        return
    import psycopg

    params = connection.get_connection_params()
    name = f"pbc_restore_{uuid.uuid4().hex[:10]}"
    admin = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = f"{params['user']}:{params['password']}@" if params.get("password") else f"{params['user']}@"
    env["DATABASE_URL"] = f"postgres://{auth}{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{name}"
    yield env
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _first_difference(env, tables: list[str]) -> str:
    """For the failure message: the first row that differs in the first differing table."""
    from django.apps import apps

    from portal.core.backup import table_rows

    label = tables[0]
    script = f"import json; from django.apps import apps; from portal.core.backup import table_rows; print(json.dumps(table_rows(apps.get_model('{label}'))))"
    restored = json.loads(_manage(env, "shell", "-c", script).stdout.strip().splitlines()[-1])
    original = table_rows(apps.get_model(label))
    for before, after in zip(original, restored):
        if before != after:
            return f"{len(tables)} tables differ ({', '.join(tables[:8])}); first in {label}:\nbefore {before}\nafter  {after}"
    return f"{len(tables)} tables differ ({', '.join(tables[:8])}); {label} has {len(original)} rows before, {len(restored)} after"


def _manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_restore_onto_an_empty_database_brings_back_every_row_and_file(realistic_portal, media, empty_database, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    before_rows, before_files = fingerprint(), _files(media)

    restored = _manage(empty_database, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    checked = _manage(empty_database, "shell", "-c", CHECK_SCRIPT)
    assert checked.returncode == 0, checked.stderr
    after = json.loads(checked.stdout.strip().splitlines()[-1])

    differing = sorted(table for table in before_rows if before_rows[table] != after["fingerprint"].get(table))
    assert differing == [], _first_difference(empty_database, differing)
    assert set(after["fingerprint"]) == set(before_rows)
    assert _files(Path(empty_database["MEDIA_ROOT"])) == before_files
    assert len(before_files) >= 2  # the uploaded templates and the image at least
    assert after["home_status"] == 200 and after["home_has_title"]
    from wagtail.documents import get_document_model

    document = get_document_model().objects.get(pk=after["document_id"])
    assert after["document_status"] == 200
    assert after["document_sha256"] == _sha256(Path(document.file.path))


def test_the_manifest_lists_row_counts_and_a_checksum_for_every_file(realistic_portal, media, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())

    manifest = verify_archive(archive)

    assert manifest["row_counts"]["directory.member"] >= 38
    assert {name.removeprefix("media/") for name in manifest["files"] if name.startswith("media/")} == set(_files(media))


def test_restore_refuses_a_database_that_already_holds_content(realistic_portal, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())

    with pytest.raises(BackupError, match="already holds content"):
        restore_backup(archive)


def test_restore_refuses_a_damaged_archive(db, media, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("database."):
                data = data.replace(b'"model"', b'"modeL"', 1)
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    with pytest.raises(BackupError, match="checksum"):
        verify_archive(damaged)


def test_backup_refuses_to_overwrite_an_existing_file(db, tmp_path):
    from django.core.management.base import CommandError

    existing = tmp_path / "portal.tar.gz"
    existing.write_text("yesterday's backup")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(existing))
    assert existing.read_text() == "yesterday's backup"
