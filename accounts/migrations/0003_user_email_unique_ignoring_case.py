import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def refuse_duplicates(apps, schema_editor):
    """Addresses shared by several users (registration allowed it before) must be sorted out by
    hand first: which user keeps the address is a decision, not something to guess here."""
    User = apps.get_model("accounts", "User")
    shared = (
        User.objects.exclude(email="")
        .annotate(address=Lower("email"))
        .values("address")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("address", flat=True)
    )
    shared = list(shared[:20])
    if shared:
        raise RuntimeError(
            "Several users share these email addresses; give each user an address of their own (admin) "
            "and migrate again: " + ", ".join(shared)
        )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_conflictofinterest_user_department_and_more"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(("email", ""), _negated=True),
                name="user_email_unique_ignoring_case",
            ),
        ),
    ]
