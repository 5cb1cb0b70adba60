# Objections' tracking numbers (YY-<year>-<n>) are taken from a numbering sequence per year from
# now on: start each year's sequence after the highest number already used.

from django.db import migrations


def seed(apps, schema_editor):
    objection = apps.get_model("announcements", "Objection")
    sequence = apps.get_model("portal", "Sequence")
    highest: dict[str, int] = {}
    for number in objection.objects.values_list("tracking_number", flat=True):
        _prefix, year, n = number.split("-")
        highest[year] = max(highest.get(year, 0), int(n))
    for year, last in highest.items():
        sequence.objects.update_or_create(series=f"objection:{year}", defaults={"last": last})


class Migration(migrations.Migration):

    dependencies = [
        ('announcements', '0001_initial'),
        ('portal', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
