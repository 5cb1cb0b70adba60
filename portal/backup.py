"""Backup and restore (`manage.py backup DIR`, `manage.py restore DIR/portal-<stamp>`).

A backup is a directory: `database.dump` (pg_dump's custom format), `media.tar` (every uploaded and
generated file, read through Django's storage API, so the local disk and an S3 bucket are backed up
the same way) and `manifest.json` (counts and SHA-256 of both, checked before anything is restored).
The database is dumped first: a file uploaded while the media are copied is extra, never missing.

A restore goes into a new, empty database (refused otherwise) and an empty storage (a file that is
already there with other bytes is refused); run `manage.py verify_audit` afterwards.
"""

import datetime as dt
import hashlib
import json
import os
import posixpath
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import connections

DUMP = "database.dump"
MEDIA = "media.tar"
MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why and what to do."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _postgres(using: str, tool: str) -> tuple[list[str], dict[str, str]]:
    """The connection arguments and environment for pg_dump/pg_restore (the password in PGPASSWORD,
    never on a command line that `ps` shows)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise BackupError(
            f"{tool} needs PostgreSQL; this database is {connection.vendor} "
            "(on SQLite, copy the database file while the portal is stopped)."
        )
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client).")
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _stored_names(storage: Storage, directory: str = "") -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # an empty local media directory that was never made
        return
    for name in sorted(files):
        yield posixpath.join(directory, name)
    for name in sorted(directories):
        yield from _stored_names(storage, posixpath.join(directory, name))


def _media_to_tar(storage: Storage, target: Path) -> dict[str, int]:
    files = size = 0
    with tarfile.open(target, "w") as archive:
        for name in _stored_names(storage):
            info = tarfile.TarInfo(name)
            info.size = storage.size(name)
            info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
            with storage.open(name, "rb") as handle:
                archive.addfile(info, handle)
            files += 1
            size += info.size
    return {"files": files, "bytes": size}


def backup_create(destination: Path, *, using: str = "default", storage: Storage | None = None) -> Path:
    """Writes a new backup directory under `destination` and returns it."""
    storage = storage or storages["default"]
    args, env = _postgres(using, "pg_dump")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = Path(destination) / f"portal-{stamp}"
    target.mkdir(parents=True)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target / DUMP), *args], env)
    media = _media_to_tar(storage, target / MEDIA)
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "storage": f"{type(storage).__module__}.{type(storage).__name__}",
        "database": {"file": DUMP, "sha256": _sha256(target / DUMP)},
        "media": {"file": MEDIA, "sha256": _sha256(target / MEDIA), **media},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return target


def _checked_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} is not a backup: {MANIFEST} cannot be read ({error}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for part in ("database", "media"):
        path = source / manifest[part]["file"]
        if not path.is_file() or _sha256(path) != manifest[part]["sha256"]:
            raise BackupError(f"{path} is missing or damaged (its SHA-256 differs from the manifest's).")
    return manifest


def _same_bytes(storage: Storage, name: str, handle: IO[bytes]) -> bool:
    ours, theirs = hashlib.sha256(), hashlib.sha256()
    with storage.open(name, "rb") as stored:
        while chunk := stored.read(CHUNK):
            ours.update(chunk)
    while chunk := handle.read(CHUNK):
        theirs.update(chunk)
    return ours.digest() == theirs.digest()


def _media_from_tar(storage: Storage, source: Path) -> dict[str, int]:
    restored = kept = 0
    with tarfile.open(source, "r") as archive:
        for member in archive:
            name = member.name
            if not member.isfile() or name.startswith("/") or ".." in name.split("/"):
                raise BackupError(f"Refusing an unexpected entry in {source.name}: {name!r}.")
            handle = archive.extractfile(member)
            assert handle is not None  # a regular file
            if storage.exists(name):
                if not _same_bytes(storage, name, handle):
                    raise BackupError(f"{name} is already stored with other content: restore into an empty storage.")
                kept += 1
                continue
            saved = storage.save(name, File(handle, name=posixpath.basename(name)))
            if saved != name:
                raise BackupError(f"{name} was stored as {saved}: restore into an empty storage.")
            restored += 1
    return {"restored": restored, "already_there": kept}


def backup_restore(source: Path, *, using: str = "default", storage: Storage | None = None) -> dict[str, Any]:
    """Restores a backup directory into the (empty) database and storage; returns what it did."""
    storage = storage or storages["default"]
    source = Path(source)
    manifest = _checked_manifest(source)
    args, env = _postgres(using, "pg_restore")
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables): "
            "restore into a new, empty database (createdb) and point DATABASE_URL at it."
        )
    connection.close()  # pg_restore works alone in its transaction
    restore = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    _run([*restore, *args, str(source / DUMP)], env)
    media = _media_from_tar(storage, source / MEDIA)
    return {"created_at": manifest["created_at"], "files": manifest["media"]["files"], **media}
