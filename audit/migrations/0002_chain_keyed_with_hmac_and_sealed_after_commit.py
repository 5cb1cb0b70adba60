# The audit chain becomes keyed (HMAC-SHA256 with settings.AUDIT_HMAC_KEY) and sealed after commit:
# `sequence` becomes the database's insertion number (the primary key: no lock to take it), each
# event gets a content MAC, a chain position and a chain MAC, and the days' heads are published.
#
# Existing events keep their sequence numbers (notices name events by them). Their SHA-256 chain
# is checked first: a broken one is not re-keyed (that would hide the break), the migration stops.
# Then they are chained again under the key, in the order of their sequence.

import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

import audit.macs


def _legacy_digest(previous_hash, event):
    fields = {"sequence": event.sequence, **audit.macs.content(event)}
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256(f"{previous_hash}|{payload}".encode()).hexdigest()


def key_the_chain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        # The new identity column continues after the numbers already used.
        table = AuditEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'sequence'), "
                f"COALESCE((SELECT MAX(sequence) FROM {connection.ops.quote_name(table)}), 0) + 1, false)",
                [table],
            )
    legacy_previous, previous, position, batch = audit.macs.GENESIS, audit.macs.GENESIS, 0, []
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        # Until now `previous_mac` and `mac` held the SHA-256 chain (previous_hash, hash).
        if event.previous_mac != legacy_previous or _legacy_digest(legacy_previous, event) != event.mac:
            raise RuntimeError(
                f"The audit chain is broken at event #{event.sequence}: it is not re-keyed. "
                "Find out what happened with the previous release's verify_audit before migrating."
            )
        legacy_previous = event.mac
        position += 1
        event.content_mac = audit.macs.content_mac(event)
        event.position = position
        event.previous_mac = previous
        event.mac = audit.macs.chain_mac(
            position=position, sequence=event.sequence, previous_mac=previous, content_mac=event.content_mac
        )
        previous = event.mac
        batch.append(event)
        if len(batch) == 1000:
            AuditEvent.objects.bulk_update(batch, ["content_mac", "position", "previous_mac", "mac"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["content_mac", "position", "previous_mac", "mac"])
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_position": position, "last_mac": previous})


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditDailyHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(unique=True, verbose_name="day")),
                ("position", models.PositiveBigIntegerField(verbose_name="chain position")),
                ("mac", models.CharField(max_length=64, verbose_name="MAC")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
            ],
            options={
                "verbose_name": "published audit head",
                "verbose_name_plural": "published audit heads",
                "ordering": ["-day"],
            },
        ),
        migrations.RenameField(model_name="auditchainhead", old_name="last_sequence", new_name="last_position"),
        migrations.RenameField(model_name="auditchainhead", old_name="last_hash", new_name="last_mac"),
        migrations.RenameField(model_name="auditevent", old_name="previous_hash", new_name="previous_mac"),
        migrations.AlterField(
            model_name="auditevent", name="previous_mac", field=models.CharField(blank=True, max_length=64)
        ),
        # Not unique any more; altered before the rename, so that PostgreSQL's extra LIKE index of
        # the unique column, named after "hash", is found and dropped.
        migrations.AlterField(model_name="auditevent", name="hash", field=models.CharField(blank=True, max_length=64)),
        migrations.RenameField(model_name="auditevent", old_name="hash", new_name="mac"),
        migrations.AddField(
            model_name="auditevent", name="content_mac", field=models.CharField(default="", max_length=64)
        ),
        migrations.AddField(
            model_name="auditevent",
            name="position",
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True, verbose_name="chain position"),
        ),
        migrations.RemoveField(model_name="auditevent", name="id"),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.BigAutoField(primary_key=True, serialize=False, verbose_name="sequence"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("position__isnull", True)), fields=["sequence"], name="audit_event_unsealed"
            ),
        ),
        migrations.RunPython(key_the_chain),
    ]
