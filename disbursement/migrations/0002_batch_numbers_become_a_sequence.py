# Batch numbers (PF-<year>-<n>) are taken from a numbering sequence per year from now on: start
# each year's sequence after the highest number already used.

from django.db import migrations


def seed(apps, schema_editor):
    batch = apps.get_model("disbursement", "DisbursementBatch")
    sequence = apps.get_model("portal", "Sequence")
    highest: dict[str, int] = {}
    for number in batch.objects.values_list("number", flat=True):
        _prefix, year, n = number.split("-")
        highest[year] = max(highest.get(year, 0), int(n))
    for year, last in highest.items():
        sequence.objects.update_or_create(series=f"disbursement-batch:{year}", defaults={"last": last})


class Migration(migrations.Migration):

    dependencies = [
        ('disbursement', '0001_initial'),
        ('portal', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
