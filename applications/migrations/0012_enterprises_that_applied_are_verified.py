"""Enterprises that submitted an application before identity checks began are treated as verified
(accounts.IdentityMethod.REVIEWED): their applications went through a department's review. The
others must be verified before their first submission (accounts/identity.py)."""

from django.db import migrations
from django.db.models import Exists, OuterRef
from django.utils import timezone


def verify_enterprises_that_applied(apps, schema_editor):
    Applicant = apps.get_model("accounts", "Applicant")
    Application = apps.get_model("applications", "Application")
    submitted = Application.objects.filter(applicant=OuterRef("pk")).exclude(status="draft")
    Applicant.objects.filter(kind="organisation", identity_verified_at__isnull=True).filter(Exists(submitted)).update(
        identity_verified_at=timezone.now(), identity_verified_via="reviewed"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_enterprise_identity"),
        ("applications", "0011_queue_status_index_own_due_date"),
    ]

    operations = [migrations.RunPython(verify_enterprises_that_applied, migrations.RunPython.noop)]
