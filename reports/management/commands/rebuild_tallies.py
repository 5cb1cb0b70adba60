"""`manage.py rebuild_tallies`: recounts the dashboards' tallies from the records, e.g. after a bulk
load that wrote applications, awards or payments without the workflow (bench/scale.py)."""

from typing import Any

from django.core.management.base import BaseCommand

from reports.tallies import tallies_rebuild


class Command(BaseCommand):
    help = "Recount the dashboards' tallies (summary rows) from the applications, awards, payments and stage records."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, rows in tallies_rebuild().items():
            self.stdout.write(f"{name}: {rows} rows")
