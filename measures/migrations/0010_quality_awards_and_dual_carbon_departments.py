"""Measure 17's quality awards are handled by the provincial market regulator (省市场监管局), not by
省工业和信息化厅: the provincial government quality award's office sits there and China Quality Award
nominations go through it. Measure 5's dual-carbon target belongs with 省科技厅, which runs the programme.

A catalog loaded earlier is changed only where it still holds the old department (an administrator's
own choice is kept); a new catalog gets them from measures/data/catalog.yaml."""

from django.db import migrations

QUALITY_AWARDS = (
    "m17-china-quality-award-org",
    "m17-china-quality-award-ind",
    "m17-china-quality-award-nomination-org",
    "m17-china-quality-award-nomination-ind",
    "m17-provincial-quality-award-org",
    "m17-provincial-quality-award-ind",
)
DUAL_CARBON_TARGET = "m5-dual-carbon-projects"


def _move(apps, schema_editor, *, awards_from, awards_to, target_from, target_to):
    Department = apps.get_model("measures", "Department")
    Incentive = apps.get_model("measures", "Incentive")
    Target = apps.get_model("measures", "Target")
    db = schema_editor.connection.alias
    departments = {d.code: d for d in Department.objects.using(db).filter(code__in=[awards_to, target_to])}
    old = {d.code: d for d in Department.objects.using(db).filter(code__in=[awards_from, target_from])}
    if awards_to in departments and awards_from in old:
        Incentive.objects.using(db).filter(code__in=QUALITY_AWARDS, handling_department=old[awards_from]).update(
            handling_department=departments[awards_to]
        )
    if target_to in departments and target_from in old:
        Target.objects.using(db).filter(code=DUAL_CARBON_TARGET, department=old[target_from]).update(
            department=departments[target_to]
        )


def forwards(apps, schema_editor):
    _move(apps, schema_editor, awards_from="miit", awards_to="amr", target_from="amr", target_to="science")


def backwards(apps, schema_editor):
    _move(apps, schema_editor, awards_from="amr", awards_to="miit", target_from="science", target_to="amr")


class Migration(migrations.Migration):
    dependencies = [("measures", "0009_department_full_name")]

    operations = [migrations.RunPython(forwards, backwards)]
