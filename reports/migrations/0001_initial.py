# The reports models, moved out of awards (their tables and rows kept).

import django.db.models.deletion
import reports.models
from django.conf import settings
from django.db import migrations, models

from portal.model_moves import relabel_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('awards', '0003_reports_export_jobs'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('measures', '0003_historicalincentive_acceptance_days_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist (made by awards' migrations): take them over in the state only,
        # then give each its own app's name.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='TargetProgress',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('count', models.PositiveIntegerField(verbose_name='count reached')),
                    ('as_of', models.DateField(verbose_name='as of')),
                    ('evidence', models.TextField(blank=True, verbose_name='evidence note')),
                    ('recorded_at', models.DateTimeField(auto_now_add=True)),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('target', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='progress', to='measures.target')),
                ],
                options={
                    'verbose_name': 'target progress',
                    'verbose_name_plural': 'target progress',
                    'db_table': 'awards_targetprogress',
                    'ordering': ['target', 'as_of'],
                },
            ),
            migrations.CreateModel(
                name='ExportJob',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('report', models.CharField(max_length=40, verbose_name='report')),
                    ('format', models.CharField(choices=[('csv', 'CSV'), ('xlsx', 'XLSX'), ('pdf', 'PDF')], max_length=8, verbose_name='format')),
                    ('fiscal_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='fiscal year')),
                    ('language', models.CharField(default='zh-hans', max_length=10, verbose_name='language')),
                    ('status', models.CharField(choices=[('queued', 'Waiting to start'), ('running', 'In progress'), ('done', 'Ready'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                    ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)')),
                    ('row_count', models.PositiveIntegerField(default=0, verbose_name='rows written')),
                    ('total_rows', models.PositiveIntegerField(blank=True, null=True, verbose_name='rows to write')),
                    ('file', models.FileField(blank=True, max_length=200, upload_to=reports.models.export_path)),
                    ('error', models.CharField(blank=True, max_length=300, verbose_name='error')),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('started_at', models.DateTimeField(blank=True, null=True)),
                    ('finished_at', models.DateTimeField(blank=True, null=True)),
                    ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='measures.department', verbose_name='department')),
                    ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'export job',
                    'verbose_name_plural': 'export jobs',
                    'db_table': 'awards_exportjob',
                    'ordering': ['-created_at', '-pk'],
                    'indexes': [models.Index(fields=['requested_by', '-created_at'], name='export_job_requester')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='export_job_progress_percent')],
                },
            ),
            ],
        ),
        migrations.AlterModelTable(name='targetprogress', table=None),
        migrations.AlterModelTable(name='exportjob', table=None),
        relabel_content_types('awards', 'reports', ['targetprogress', 'exportjob']),
    ]
