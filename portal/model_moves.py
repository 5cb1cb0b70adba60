"""Moving models between apps without touching their rows (used by migrations).

When `awards` was split into budgets, announcements, disbursement, proactive and reports, each
model's table was renamed and its content type relabelled, so admin history and permissions
follow the model. Kept importable for as long as those migrations exist.
"""

from typing import Any

from django.db import migrations


def relabel_content_types(from_app: str, to_app: str, models: list[str]) -> migrations.RunPython:
    """A migration operation that moves the models' content types from one app label to another."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in models:
            # Created already (a database migrated by an earlier build of the split): keep that one.
            if not content_type.objects.filter(app_label=to_app, model=model).exists():
                content_type.objects.filter(app_label=from_app, model=model).update(app_label=to_app)

    def backwards(apps: Any, schema_editor: Any) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        content_type.objects.filter(app_label=to_app, model__in=models).update(app_label=from_app)

    return migrations.RunPython(forwards, backwards, elidable=False)
