# Each award keeps the policy ceiling it was approved under; the database keeps the amount at or
# below it. Awards approved before the ceiling existed keep their own amount as their ceiling.

from django.db import migrations, models
from django.db.models import F


def amount_as_ceiling(apps, schema_editor):
    apps.get_model("awards", "Award").objects.update(ceiling=F("amount"))


class Migration(migrations.Migration):

    dependencies = [
        ('awards', '0004_models_moved_to_their_apps'),
    ]

    operations = [
        migrations.AddField(
            model_name='award',
            name='ceiling',
            field=models.DecimalField(decimal_places=2, max_digits=18, null=True, verbose_name='policy ceiling (CNY)'),
        ),
        migrations.RunPython(amount_as_ceiling, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='award',
            name='ceiling',
            field=models.DecimalField(decimal_places=2, max_digits=18, verbose_name='policy ceiling (CNY)'),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=models.CheckConstraint(condition=models.Q(('amount__lte', models.F('ceiling'))), name='award_within_policy_ceiling'),
        ),
    ]
