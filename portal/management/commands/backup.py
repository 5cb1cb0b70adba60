from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Backs up the database (pg_dump, custom format) and every stored file (local disk or S3 bucket, "
        "through the storage API) into a new directory DESTINATION/portal-<UTC time>, with a manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", type=Path, help="a directory, e.g. /backups")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            target = backup_create(options["destination"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(target))
