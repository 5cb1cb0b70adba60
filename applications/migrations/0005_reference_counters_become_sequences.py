# Reference counters move to the portal's numbering sequences ("application:<year>:<measure>").

from django.db import migrations


def counters_to_sequences(apps, schema_editor):
    counter = apps.get_model("applications", "ReferenceCounter")
    sequence = apps.get_model("portal", "Sequence")
    for row in counter.objects.all():
        series = f"application:{row.year}:{row.measure_number:02d}"
        sequence.objects.update_or_create(series=series, defaults={"last": row.last})


def sequences_to_counters(apps, schema_editor):
    counter = apps.get_model("applications", "ReferenceCounter")
    sequence = apps.get_model("portal", "Sequence")
    for row in sequence.objects.filter(series__startswith="application:"):
        _kind, year, measure = row.series.split(":")
        counter.objects.update_or_create(year=int(year), measure_number=int(measure), defaults={"last": row.last})


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0004_closed_statuses_from_the_states_table'),
        ('portal', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(counters_to_sequences, sequences_to_counters),
        migrations.DeleteModel(
            name='ReferenceCounter',
        ),
    ]
