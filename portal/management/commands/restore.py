from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restores a backup made by `manage.py backup` into a new, empty database and an empty storage "
        "(checked against the manifest first). Then run `manage.py verify_audit`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="a backup directory, e.g. /backups/portal-20261204T200000Z")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = backup_restore(options["source"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the backup of {done['created_at']}: the database and {done['files']} files "
            f"({done['restored']} written, {done['already_there']} already there). Now run `manage.py verify_audit`."
        )
