# The disbursement models, moved out of awards (their tables and rows kept).

import django.db.models.deletion
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
                name='DisbursementBatch',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('number', models.CharField(max_length=30, unique=True, verbose_name='batch number')),
                    ('status', models.CharField(choices=[('draft', 'Draft'), ('approved', 'Approved'), ('closed', 'Results recorded')], default='draft', max_length=12, verbose_name='status')),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('approved_at', models.DateTimeField(blank=True, null=True)),
                    ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='measures.department')),
                    ('incentive', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='measures.incentive')),
                ],
                options={
                    'verbose_name': 'disbursement batch',
                    'verbose_name_plural': 'disbursement batches',
                    'db_table': 'awards_disbursementbatch',
                    'ordering': ['-created_at'],
                },
            ),
            migrations.CreateModel(
                name='Payment',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('reference', models.CharField(max_length=40, unique=True, verbose_name='payment reference')),
                    ('amount', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='amount (CNY)')),
                    ('payee_name', models.CharField(max_length=200, verbose_name='payee')),
                    ('bank_name', models.CharField(max_length=200, verbose_name='bank')),
                    ('account_number', models.CharField(max_length=40, verbose_name='account number')),
                    ('status', models.CharField(choices=[('pending', 'Pending'), ('paid', 'Paid'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                    ('paid_on', models.DateField(blank=True, null=True, verbose_name='paid on')),
                    ('bank_reference', models.CharField(blank=True, max_length=60, verbose_name='bank reference')),
                    ('failure_reason', models.CharField(blank=True, max_length=300, verbose_name='failure reason')),
                    ('award', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='awards.award')),
                    ('batch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='disbursement.disbursementbatch')),
                ],
                options={
                    'verbose_name': 'payment',
                    'verbose_name_plural': 'payments',
                    'db_table': 'awards_payment',
                    'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'paid')), fields=('award',), name='award_paid_once'), models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('award',), name='award_pending_once')],
                },
            ),
            ],
        ),
        migrations.AlterModelTable(name='disbursementbatch', table=None),
        migrations.AlterModelTable(name='payment', table=None),
        relabel_content_types('awards', 'disbursement', ['disbursementbatch', 'payment']),
    ]
