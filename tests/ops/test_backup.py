"""Backup and restore: pg_dump of the database and a tar of the stored files; restored into a new,
empty database and storage, the audit chain verifies and reaches the head it had before."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from applications.models import Notice
from applications.notices import issue_notice
from audit.models import AuditEvent
from audit.selectors import audit_head
from audit.services import audit_seal
from portal.backup import MANIFEST, BackupError, backup_restore
from tests.notices.conftest import application_for_notice

ROOT = Path(__file__).resolve().parent.parent.parent
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="backup and restore use pg_dump and pg_restore: needs PostgreSQL (.ci/run's PostgreSQL phase runs it)",
)


def database_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def manage(*args: str, database: str, media: Path) -> subprocess.CompletedProcess[str]:
    """manage.py in a new process, on another database and media directory."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url(database),
        "MEDIA_ROOT": str(media),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new database, dropped afterwards (the role may create databases, as the test database shows)."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database_keeps_the_audit_chain_and_the_files(
    empty_database: str, tmp_path: Path
) -> None:
    # Seed: decisions with their audit events, and a notice PDF in the storage.
    application, event = application_for_notice(Notice.Kind.DECISION_SUPPORT)
    notice = issue_notice(
        application_id=application.pk, kind=Notice.Kind.DECISION_SUPPORT, event_sequence=event.sequence
    )
    application_for_notice(Notice.Kind.DECISION_REJECT)
    audit_seal()
    events, head = AuditEvent.objects.count(), audit_head()
    assert events >= 2
    pdf = (Path(settings.MEDIA_ROOT) / notice.pdf.name).read_bytes()

    call_command("backup", str(tmp_path / "backups"))
    [backup] = (tmp_path / "backups").iterdir()
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["media"]["files"] >= 1

    restored_media = tmp_path / "restored-media"
    result = manage("restore", str(backup), database=empty_database, media=restored_media)
    assert result.returncode == 0, result.stderr
    assert "Restored the backup" in result.stdout

    # The restored copy verifies, holds every event and reaches the head the original had.
    result = manage("verify_audit", "--head", str(head), database=empty_database, media=restored_media)
    assert result.returncode == 0, result.stderr
    assert f"Audit chain intact: {events} events" in result.stdout
    assert "reaches" in result.stdout and "1 given heads" in result.stdout
    # The notice's file came back under its name, byte for byte.
    assert (restored_media / notice.pdf.name).read_bytes() == pdf


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_restore_into_a_database_that_is_not_empty_is_refused(tmp_path: Path) -> None:
    application_for_notice(Notice.Kind.DECISION_REJECT)
    call_command("backup", str(tmp_path))
    [backup] = tmp_path.iterdir()
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(backup))
    assert AuditEvent.objects.count() == before


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what SQLite gets instead of a backup")
@pytest.mark.django_db
def test_on_sqlite_the_backup_says_it_needs_postgresql(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="pg_dump needs PostgreSQL"):
        call_command("backup", str(tmp_path))


def write_backup(directory: Path, manifest: dict[str, Any]) -> Path:
    directory.mkdir()
    (directory / "database.dump").write_bytes(b"dump")
    (directory / "media.tar").write_bytes(b"tar")
    (directory / MANIFEST).write_text(json.dumps(manifest))
    return directory


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path: Path) -> None:
    backup = write_backup(
        tmp_path / "portal-x",
        {
            "format": 1,
            "created_at": "2026-12-04T00:00:00+00:00",
            "database": {"file": "database.dump", "sha256": "0" * 64},
            "media": {"file": "media.tar", "sha256": "0" * 64, "files": 0, "bytes": 0},
        },
    )
    with pytest.raises(BackupError, match=r"database\.dump is missing or damaged"):
        backup_restore(backup)


def test_a_directory_without_a_manifest_is_not_a_backup(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="is not a backup"):
        backup_restore(tmp_path)
