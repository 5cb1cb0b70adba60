# The proactive models, moved out of awards (their tables and rows kept).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from portal.model_moves import relabel_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('awards', '0003_reports_export_jobs'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('accounts', '0002_conflictofinterest_user_department_and_more'),
        ('applications', '0003_offered_status'),
        ('measures', '0003_historicalincentive_acceptance_days_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist (made by awards' migrations): take them over in the state only,
        # then give each its own app's name.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='ProactiveList',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('title', models.CharField(max_length=200, verbose_name='title')),
                    ('qualification', models.CharField(max_length=40, verbose_name='qualification')),
                    ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                    ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=18, null=True, verbose_name='amount per enterprise (CNY)')),
                    ('imported_at', models.DateTimeField(auto_now_add=True)),
                    ('imported_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('incentive', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='measures.incentive')),
                ],
                options={
                    'verbose_name': 'proactive award list',
                    'verbose_name_plural': 'proactive award lists',
                    'db_table': 'awards_proactivelist',
                },
            ),
            migrations.CreateModel(
                name='ProactiveListRow',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('uscc', models.CharField(max_length=18, verbose_name='credit code')),
                    ('name', models.CharField(max_length=200, verbose_name='name')),
                    ('title', models.CharField(blank=True, max_length=200, verbose_name='title')),
                    ('applicant', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.applicant')),
                    ('application', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='proactive_row', to='applications.application')),
                    ('award_list', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='proactive.proactivelist')),
                ],
                options={
                    'verbose_name': 'proactive list row',
                    'verbose_name_plural': 'proactive list rows',
                    'db_table': 'awards_proactivelistrow',
                    'constraints': [models.UniqueConstraint(fields=('award_list', 'uscc'), name='proactive_row_once')],
                },
            ),
            ],
        ),
        migrations.AlterModelTable(name='proactivelist', table=None),
        migrations.AlterModelTable(name='proactivelistrow', table=None),
        relabel_content_types('awards', 'proactive', ['proactivelist', 'proactivelistrow']),
    ]
