"""`manage.py backfill_stage_records`: the applications' stage records rebuilt from the audit trail,
e.g. after loading history without the workflow (bench/scale.py); then `rebuild_tallies`."""

from typing import Any

from django.core.management.base import BaseCommand

from applications.models import StageRecord
from applications.stages import backfill_stage_records


class Command(BaseCommand):
    help = "Rebuild the applications' stage records from the audit trail's transition events."

    def handle(self, *args: Any, **options: Any) -> None:
        backfill_stage_records()
        self.stdout.write(f"{StageRecord.objects.count()} stage records")
