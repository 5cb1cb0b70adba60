# The constraint names the closed states as applications/states.py lists them (same four states, enum order).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_conflictofinterest_user_department_and_more'),
        ('applications', '0003_offered_status'),
        ('measures', '0003_historicalincentive_acceptance_days_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='application',
            name='one_open_application_per_incentive_and_year',
        ),
        migrations.AddConstraint(
            model_name='application',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ('refused', 'rejected', 'withdrawn', 'lapsed')), _negated=True), fields=('applicant', 'incentive', 'fiscal_year'), name='one_open_application_per_incentive_and_year'),
        ),
    ]
