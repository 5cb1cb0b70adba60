"""Stage records of the applications' history, from the audit trail's transition events
(applications.stages.backfill_stage_records), so that the dashboards of existing data stay right;
the applications now in a timed state get `status_changed_at` from their last move.

Not atomic: one transaction per chunk of applications, so no lock or deferred check is held for
the whole run (about 15 minutes at a million applications and four million events on 2 cores).
"""

from django.db import migrations

from applications.stages import backfill_stage_records


def backfill(apps, schema_editor):
    backfill_stage_records(apps)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("applications", "0009_stage_records"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
