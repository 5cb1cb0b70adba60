# The budgets models, moved out of awards (their tables and rows kept).

import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models

from portal.model_moves import relabel_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('awards', '0003_reports_export_jobs'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('measures', '0003_historicalincentive_acceptance_days_and_more'),
    ]

    operations = [
        # The tables exist (made by awards' migrations): take them over in the state only,
        # then give each its own app's name.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Budget',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('fiscal_year', models.PositiveSmallIntegerField(verbose_name='fiscal year')),
                    ('allocation', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='allocation (CNY)')),
                    ('committed', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='committed (CNY)')),
                    ('paid', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='paid (CNY)')),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('incentive', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='budgets', to='measures.incentive')),
                ],
                options={
                    'verbose_name': 'budget',
                    'verbose_name_plural': 'budgets',
                    'db_table': 'awards_budget',
                    'ordering': ['-fiscal_year', 'incentive__code'],
                    'constraints': [models.UniqueConstraint(fields=('incentive', 'fiscal_year'), name='budget_once_per_year'), models.CheckConstraint(condition=models.Q(('committed__gte', 0), ('paid__gte', 0), ('allocation__gte', django.db.models.expressions.CombinedExpression(models.F('committed'), '+', models.F('paid')))), name='budget_never_overspent')],
                },
            ),
            ],
        ),
        migrations.AlterModelTable(name='budget', table=None),
        relabel_content_types('awards', 'budgets', ['budget']),
    ]
