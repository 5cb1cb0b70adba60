# The models that left awards for their own apps: removed from awards' state only (their tables
# now belong to budgets, announcements, disbursement, proactive and reports).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('awards', '0003_reports_export_jobs'),
        ('budgets', '0001_initial'),
        ('announcements', '0001_initial'),
        ('disbursement', '0001_initial'),
        ('proactive', '0001_initial'),
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='announcement',
                name='department',
            ),
            migrations.RemoveField(
                model_name='announcement',
                name='published_by',
            ),
            migrations.RemoveField(
                model_name='objection',
                name='announcement',
            ),
            migrations.RemoveField(
                model_name='announcemententry',
                name='announcement',
            ),
            migrations.RemoveField(
                model_name='announcemententry',
                name='award',
            ),
            migrations.RemoveField(
                model_name='objection',
                name='entry',
            ),
            migrations.RemoveField(
                model_name='budget',
                name='incentive',
            ),
            migrations.AlterField(
                model_name='award',
                name='budget',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='awards', to='budgets.budget'),
            ),
            migrations.RemoveField(
                model_name='disbursementbatch',
                name='approved_by',
            ),
            migrations.RemoveField(
                model_name='disbursementbatch',
                name='created_by',
            ),
            migrations.RemoveField(
                model_name='disbursementbatch',
                name='department',
            ),
            migrations.RemoveField(
                model_name='disbursementbatch',
                name='incentive',
            ),
            migrations.RemoveField(
                model_name='payment',
                name='batch',
            ),
            migrations.RemoveField(
                model_name='exportjob',
                name='department',
            ),
            migrations.RemoveField(
                model_name='exportjob',
                name='requested_by',
            ),
            migrations.RemoveField(
                model_name='objection',
                name='resolved_by',
            ),
            migrations.RemoveField(
                model_name='payment',
                name='award',
            ),
            migrations.RemoveField(
                model_name='proactivelist',
                name='imported_by',
            ),
            migrations.RemoveField(
                model_name='proactivelist',
                name='incentive',
            ),
            migrations.RemoveField(
                model_name='proactivelistrow',
                name='award_list',
            ),
            migrations.RemoveField(
                model_name='proactivelistrow',
                name='applicant',
            ),
            migrations.RemoveField(
                model_name='proactivelistrow',
                name='application',
            ),
            migrations.RemoveField(
                model_name='targetprogress',
                name='recorded_by',
            ),
            migrations.RemoveField(
                model_name='targetprogress',
                name='target',
            ),
            migrations.DeleteModel(
                name='Announcement',
            ),
            migrations.DeleteModel(
                name='AnnouncementEntry',
            ),
            migrations.DeleteModel(
                name='Budget',
            ),
            migrations.DeleteModel(
                name='DisbursementBatch',
            ),
            migrations.DeleteModel(
                name='ExportJob',
            ),
            migrations.DeleteModel(
                name='Objection',
            ),
            migrations.DeleteModel(
                name='Payment',
            ),
            migrations.DeleteModel(
                name='ProactiveList',
            ),
            migrations.DeleteModel(
                name='ProactiveListRow',
            ),
            migrations.DeleteModel(
                name='TargetProgress',
            ),
            ],
        ),
    ]
