# The announcements models, moved out of awards (their tables and rows kept).

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
                name='Announcement',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('title', models.CharField(max_length=200, verbose_name='title')),
                    ('published_at', models.DateTimeField(verbose_name='published at')),
                    ('period_days', models.PositiveSmallIntegerField(default=5, verbose_name='period in working days')),
                    ('ends_on', models.DateField(verbose_name='objections close after')),
                    ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='announcements', to='measures.department')),
                    ('published_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'announcement',
                    'verbose_name_plural': 'announcements',
                    'db_table': 'awards_announcement',
                    'ordering': ['-published_at'],
                },
            ),
            migrations.CreateModel(
                name='AnnouncementEntry',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('display_name', models.CharField(max_length=200, verbose_name='name')),
                    ('incentive_name', models.CharField(max_length=200, verbose_name='incentive')),
                    ('amount', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='amount (CNY)')),
                    ('announcement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='announcements.announcement')),
                    ('award', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='announcement_entry', to='awards.award')),
                ],
                options={
                    'verbose_name': 'announcement entry',
                    'verbose_name_plural': 'announcement entries',
                    'db_table': 'awards_announcemententry',
                    'ordering': ['pk'],
                },
            ),
            migrations.CreateModel(
                name='Objection',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('tracking_number', models.CharField(max_length=30, unique=True, verbose_name='tracking number')),
                    ('name', models.CharField(max_length=100, verbose_name='name')),
                    ('contact', models.CharField(max_length=100, verbose_name='contact')),
                    ('reason', models.TextField(verbose_name='reason')),
                    ('status', models.CharField(choices=[('open', 'Open'), ('upheld', 'Upheld'), ('dismissed', 'Dismissed')], default='open', max_length=12, verbose_name='status')),
                    ('resolution', models.TextField(blank=True, verbose_name='resolution')),
                    ('resolved_at', models.DateTimeField(blank=True, null=True)),
                    ('ip_address', models.GenericIPAddressField(blank=True, null=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('announcement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='objections', to='announcements.announcement')),
                    ('entry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='objections', to='announcements.announcemententry')),
                    ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'objection',
                    'verbose_name_plural': 'objections',
                    'db_table': 'awards_objection',
                    'ordering': ['created_at'],
                },
            ),
            ],
        ),
        migrations.AlterModelTable(name='announcement', table=None),
        migrations.AlterModelTable(name='announcemententry', table=None),
        migrations.AlterModelTable(name='objection', table=None),
        relabel_content_types('awards', 'announcements', ['announcement', 'announcemententry', 'objection']),
    ]
